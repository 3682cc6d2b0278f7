"""Lets the corpus reuse the encounter generators in tests/unit/submission and tests/unit/submission_837i."""

import sys
from pathlib import Path

# Those folders are not packages: their helpers import each other by module name.
for folder in ("submission", "submission_837i"):
    path = str(Path(__file__).resolve().parents[1] / folder)
    if path not in sys.path:
        sys.path.insert(0, path)
