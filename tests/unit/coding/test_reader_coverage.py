"""Which PMS diagnoses the note reader could recognise (else their absence from a note proves nothing)."""

from __future__ import annotations

import pytest

from services.coding.adapters.coding_engines import _reader_coverage


@pytest.mark.parametrize(("code", "covered"), [
    ("M17.11", True),  # a lexicon code
    ("E11.9", True),  # a category where the lexicon has a catch-all code
    ("Z79.899", False),  # long-term drug therapy: the lexicon names only anticoagulants and insulin
    ("Q21.1", False),  # a category the lexicon never names
])
def test_reader_coverage(code, covered):
    assert _reader_coverage()(code) is covered
