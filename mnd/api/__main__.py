"""`python -m mnd.api`: serves the API with uvicorn on MND_API_HOST:MND_API_PORT."""

from __future__ import annotations

import uvicorn

from mnd.api.app import create_app
from mnd.settings import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port)


if __name__ == "__main__":
    main()
