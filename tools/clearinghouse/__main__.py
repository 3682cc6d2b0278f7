"""Run the clearinghouse simulator: python -m tools.clearinghouse (settings from the environment)."""

from __future__ import annotations

import logging

import uvicorn

from tools.clearinghouse.app import create_app
from tools.clearinghouse.settings import ClearinghouseSettings


def main() -> None:
    """Serve the simulator on CLEARINGHOUSE_HOST:CLEARINGHOUSE_PORT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = ClearinghouseSettings()  # type: ignore[call-arg]  # required fields come from the environment
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
