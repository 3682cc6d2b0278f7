"""Is the clinical note something a reader can code from? Empty and non-text notes are named, not read.

A PMS that exports a scanned PDF, an RTF or a base64 blob into the note field sends bytes, not
documentation; coding them would either find nothing (a silent pass) or find noise.
"""

from __future__ import annotations

import re

MIN_LETTERS = 3
MIN_LETTER_SHARE = 0.5  # of the non-space characters; clinical prose is mostly letters
ENCODED_BLOB = re.compile(r"^[A-Za-z0-9+/=\s]{200,}$")  # base64 without spaces between words
MARKUP_PREFIXES = ("{\\rtf", "%PDF-", "<?xml", "<html", "PK\x03\x04")


def note_problem(note: str) -> str | None:
    """Why the note cannot be coded from (no note text in the answer), or None when it can."""
    text = note.strip()
    if not text:
        return "the note is empty"
    if any(text.lstrip().lower().startswith(prefix.lower()) for prefix in MARKUP_PREFIXES):
        return "the note is a document file or markup, not plain text"
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text) or "\ufffd" in text:
        return "the note holds control characters or undecodable bytes, not plain text"
    visible = [ch for ch in text if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    if letters < MIN_LETTERS:
        return "the note holds no words"
    if letters / len(visible) < MIN_LETTER_SHARE:
        return "the note is mostly numbers or symbols, too few words to code from"
    if ENCODED_BLOB.match(text) and " " not in text.strip():
        return "the note looks like encoded binary data, not plain text"
    return None
