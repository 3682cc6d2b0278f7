"""Run the independent pyx12 validator on X12 files and return what it logged as errors."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

import pyx12.params
import pyx12.x12n_document


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(path: str) -> list[str]:
    """The errors pyx12 logs for the file (`Line:<n> SEG:<code> - <message>`); empty when it is valid."""
    handler = _ErrorRecords()
    logger = logging.getLogger("pyx12")
    previous_level = logger.level
    logger.setLevel(logging.ERROR)  # errors must reach the handler whatever logging config the run has
    logger.addHandler(handler)
    try:
        valid = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=path, fd_997=io.StringIO(), fd_html=None, fd_xmldoc=None
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    if not valid and not handler.messages:
        handler.messages.append("pyx12 judged the file invalid without logging a reason")
    return [f"{path}: {message}" for message in handler.messages]


def pyx12_errors_in_parallel(paths: Iterable[str], workers: int = 2) -> list[str]:
    """pyx12_errors for many files, spread over worker processes (pyx12 reloads its maps per file)."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [error for errors in pool.map(pyx12_errors, paths) for error in errors]
