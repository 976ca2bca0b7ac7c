"""The HTTP entry point: staff API (`/api`) and the client's approval pages (`/aprobacion`)."""

from mnd.api.app import create_app

__all__ = ["create_app"]
