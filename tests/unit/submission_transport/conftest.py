"""Lets the transport tests reuse the 837P corpus, header and pyx12 helpers in tests/unit/submission."""

import sys
from pathlib import Path

# tests/unit/submission is not a package: its helpers are imported by module name, as its own tests do.
_SUBMISSION_TESTS = str(Path(__file__).resolve().parents[1] / "submission")
if _SUBMISSION_TESTS not in sys.path:
    sys.path.insert(0, _SUBMISSION_TESTS)

_INSTITUTIONAL_TESTS = str(Path(__file__).resolve().parents[1] / "submission_837i")
if _INSTITUTIONAL_TESTS not in sys.path:
    sys.path.insert(0, _INSTITUTIONAL_TESTS)
