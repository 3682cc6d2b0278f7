"""python -m services.console: the ops console under uvicorn."""

import uvicorn

from services.console.app import create_app
from services.console.settings import ConsoleSettings

settings = ConsoleSettings()
uvicorn.run(create_app(settings), host=settings.http_host, port=settings.console_port, log_config=None,
            access_log=False)
