"""Which notes can be coded from: empty and non-text notes are named, clinical prose passes."""

from __future__ import annotations

import base64

import pytest

from services.coding.domain.note_text import note_problem
from shared.contracts.encounter import EXAMPLE

CASES = [
    ("clinical prose", EXAMPLE["clinical_note"], None),
    ("short prose", "Sore throat, rapid strep negative.", None),
    ("empty", "", "empty"),
    ("whitespace", " \n\t ", "empty"),
    ("rtf", "{\\rtf1\\ansi Patient seen}", "document file"),
    ("pdf", "%PDF-1.7 ...", "document file"),
    ("control bytes", "Seen\x00today\x01", "control characters"),
    ("replacement characters", "Seen \ufffd\ufffd today", "undecodable"),
    ("digits only", "12 34 56 78", "no words"),
    ("mostly numbers", "BP 148/92 HR 80 T 98.6 RR 16", "numbers or symbols"),
    ("base64", base64.b64encode(b"binary" * 60).decode(), "encoded binary"),
]


@pytest.mark.parametrize(("note", "problem"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_note_problem(note, problem):
    found = note_problem(note)
    assert (found is None) if problem is None else (problem in found)
