"""Every well-formed 835 written for the project (and the generated one) passes the independent pyx12 validator.

X12's published examples do not all pass it: test_tr3_examples_pyx12 records what it says about each."""

from __future__ import annotations

import io
import logging

import pytest
import pyx12.params
import pyx12.x12n_document

from .era_file_builder import build_835
from .fixture_files import FIXTURES, WRITTEN_FOR_THE_PROJECT

IGNORED = "Failed to create 999 response"  # pyx12 says this for every 835 (ST03 is unused)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(path: str) -> tuple[bool, list[str]]:
    collect = _Collect()
    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.addHandler(collect)
    logger.setLevel(logging.INFO)
    try:
        valid = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(), src_file=path, fd_997=io.StringIO(), fd_html=None, fd_xmldoc=None
        )
    finally:
        logger.removeHandler(collect)
        logger.setLevel(level)
    return valid, [m for m in collect.messages if IGNORED not in m]


@pytest.mark.parametrize("name", WRITTEN_FOR_THE_PROJECT)
def test_fixture_is_valid_for_pyx12(name):
    assert pyx12_errors(str(FIXTURES / name)) == (True, [])


def test_generated_file_is_valid_for_pyx12(tmp_path):
    path = tmp_path / "generated.835"
    path.write_text(build_835(20))
    assert pyx12_errors(str(path)) == (True, [])


def test_truncated_fixture_is_invalid_for_pyx12_too():
    valid, errors = pyx12_errors(str(FIXTURES / "truncated_mid_claim.835"))
    assert not valid and errors
