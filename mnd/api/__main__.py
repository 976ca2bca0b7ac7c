"""`python -m mnd.api`: serves the API with uvicorn on MND_API_HOST:MND_API_PORT."""

from __future__ import annotations

import uvicorn

from mnd.api.app import create_app
from mnd.settings import get_settings

# On SIGTERM uvicorn stops accepting, lets the requests in flight finish for at most this long,
# then cancels what is left and runs the app's shutdown (Temporal client, database). Unbounded,
# a slow upload or a stuck connection would hold the process until the orchestrator's SIGKILL.
# The deployments' grace periods are checked against it (test_kubernetes.py, test_compose.py).
GRACEFUL_SHUTDOWN_SECONDS = 20


def main() -> None:
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


if __name__ == "__main__":
    main()
