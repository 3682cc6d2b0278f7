"""Reading untrusted JSON: a nesting limit checked before parsing, problems that never echo the body.

json.loads recurses once per level: 100,000 `[` raise RecursionError, which a route turns into a
500, and a document a little under the interpreter's limit parses but breaks whatever walks it
next (validation, serialisation). Nothing we accept nests deeper than a dozen levels (a FHIR Claim
with its contained resources is the deepest), so 64 is generous and costs nothing to check: the
strings are cut out and the brackets that remain are counted before any parsing.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from shared.http.problems import MalformedBody

MAX_JSON_DEPTH = 64
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # a JSON string, escapes included (unrolled: linear)
# Deletes every byte but the brackets and turns openers into 1 and closers into -1 (as signed bytes).
_BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff"), bytes(b for b in range(256) if b not in b"[]{}")


class MalformedJson(MalformedBody):
    problem_type, title = "malformed-json", "Malformed JSON"


class JsonTooDeep(MalformedJson):
    problem_type, title = "json-too-deep", "JSON nested too deeply"


def nesting_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest; brackets inside strings do not count.

    The deepest point is the largest running sum of +1 per opener and -1 per closer, summed in C
    (about 30 ms for a MiB of nothing but brackets; counting in a Python loop takes three times that).
    """
    steps = _STRING.sub(b"", body).translate(*_BRACKET_STEPS)
    return max(accumulate(memoryview(steps).cast("b")), default=0)


def check_depth(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonTooDeep (a 400 problem naming the limit) when the body nests deeper than max_depth.

    A body with no more openers than the limit cannot nest deeper, and counting them is nearly free: the
    full walk (tens of microseconds for an ordinary encounter) is paid only by bodies that could."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return
    if nesting_depth(body) > max_depth:
        raise JsonTooDeep(f"the JSON nests deeper than {max_depth} levels", max_depth=max_depth)


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise MalformedJson("an object in the body repeats a key")
    return document


def load_json(body: bytes, *, max_depth: int = MAX_JSON_DEPTH, reject_repeated_keys: bool = False) -> Any:
    """The document in a UTF-8 JSON body; MalformedJson (400) otherwise, naming a position, never content."""
    check_depth(body, max_depth)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedJson(f"the body is not UTF-8 (byte {error.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_no_repeated_keys if reject_repeated_keys else None)
    except json.JSONDecodeError as error:
        raise MalformedJson(
            f"the body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    except RecursionError:  # the depth check counts what json.loads would; this is only a backstop
        raise JsonTooDeep(f"the JSON nests deeper than {max_depth} levels", max_depth=max_depth) from None
