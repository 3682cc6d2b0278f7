"""Reading a note must not put note text in any log: PyRuSH logs every token through loguru at DEBUG."""

from __future__ import annotations

import datetime as dt
import logging

import loguru
import pytest

from services.coding.domain.documentation import read_note
from services.coding.domain.evaluation_management import assess_em

NOTE = ("HPI: Zebulon Quartermaine reports palpitations.\nAssessment and Plan:\nParoxysmal atrial fibrillation. "
        "Continue apixaban. Total time spent 35 minutes.")


def test_reading_a_note_logs_no_note_text(caplog: pytest.LogCaptureFixture) -> None:
    captured: list[str] = []
    sink = loguru.logger.add(captured.append, level=0, format="{name} {message}")
    try:
        with caplog.at_level(logging.DEBUG):
            reading = read_note(NOTE, dt.date(2025, 3, 14))
            assess_em(NOTE, "99214")
    finally:
        loguru.logger.remove(sink)
    assert reading.diagnoses  # the note really was read
    logged = "\n".join(captured) + "\n" + caplog.text
    for fragment in ("Zebulon", "Quartermaine", "palpitations", "apixaban", "fibrillation"):
        assert fragment not in logged
