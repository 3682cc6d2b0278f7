"""X12 files are bounded by their segment and element counts before they are split, and read off the event loop.

Before the counts, 1 MiB of two-letter segments (349,491 of them) peaked at 76.8 MB in the tokenizer,
122.9 MB in the 837P reader, 76.8 MB in the 835 reader and 103.4 MB in the 999 reader (tracemalloc),
and intake allowed 32 MiB of them.
"""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from services.intake.adapters.x12_837 import read_837p
from services.remittance.domain.era_parser import parse_835
from services.remittance.service_layer import posting
from services.submission.domain.claim_status_response_277 import parse_277
from services.submission.service_layer import acknowledgements
from services.submission.service_layer.acknowledgements import parse_acknowledgement
from shared.x12.reader_threads import read_off_the_loop
from shared.x12.tokenizer import DEFAULT_LIMITS, X12Limits, X12SyntaxError, X12TooLarge, split_segments

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261207*1200*^*00501*000000001*0*P*:~"
MIB = 1024 * 1024


def two_letter_segments(total_bytes: int) -> str:
    return ISA + "AB~" * ((total_bytes - len(ISA)) // 3)


READERS: dict[str, Callable[[str], Any]] = {
    "tokenizer": split_segments,
    "837P": read_837p,
    "835": parse_835,
    "999": lambda text: parse_acknowledgement("x12.999", text),
    "277CA": lambda text: parse_acknowledgement("x12.277ca", text),
    "277": parse_277,
}


@pytest.mark.parametrize("reader", READERS, ids=str)
def test_a_mib_of_two_letter_segments_is_refused_by_count_without_being_split(reader: str) -> None:
    text = two_letter_segments(MIB)
    tracemalloc.start()
    try:
        with pytest.raises(X12SyntaxError) as refused:  # every reader's own error derives from it or wraps it
            READERS[reader](text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"{reader} peaked at {peak / 1e6:.1f} MB"
    assert f"more than the {DEFAULT_LIMITS.max_segments}" in str(refused.value)


def test_the_refusal_names_the_unit_the_limit_and_what_was_found() -> None:
    with pytest.raises(X12TooLarge) as refused:
        split_segments(ISA + "AB~" * 11, X12Limits(max_segments=10))
    assert (refused.value.unit, refused.value.limit, refused.value.found) == ("segments", 10, 12)
    assert "12 segments" in str(refused.value) and "10" in str(refused.value)


def test_elements_are_counted_too_a_few_segments_cannot_hold_millions_of_them() -> None:
    text = ISA + "AB" + "*XY" * 100 + "~"
    with pytest.raises(X12TooLarge) as refused:
        split_segments(text, X12Limits(max_elements=100))
    assert refused.value.unit == "elements" and refused.value.limit == 100


def test_a_file_at_its_limits_is_read() -> None:
    text = ISA + "AB*1~" * 9  # ten segments with the ISA, its 16 separators and 9 more
    _, segments = split_segments(text, X12Limits(max_segments=10, max_elements=25))
    assert len(segments) == 10


def test_the_default_limits_hold_the_benchmark_835_of_ten_thousand_claims() -> None:
    # bench/era/generate.py: 10,000 claims are 130,016 segments and 580,084 elements
    assert DEFAULT_LIMITS.max_segments > 130_016 and DEFAULT_LIMITS.max_elements > 580_084


def _recording_reader_thread(into: list[str], result: Any) -> Callable[..., Any]:
    def read(*_args: Any) -> Any:
        into.append(threading.current_thread().name)
        return result

    return read


async def test_read_off_the_loop_runs_on_an_x12_reader_thread_with_the_callers_context() -> None:
    import contextvars

    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker")
    marker.set("the request's span")
    seen = await read_off_the_loop(lambda: (threading.current_thread().name, marker.get()))
    assert seen[0].startswith("x12-reader") and seen[1] == "the request's span"


async def test_an_835_is_parsed_on_a_reader_thread_not_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    monkeypatch.setattr(posting, "parse_835", _recording_reader_thread(threads, []))
    reading = await posting.read_era_file("ISA...")
    assert threads and threads[0].startswith("x12-reader") and threading.current_thread().name not in threads
    assert reading.error is None


async def test_an_ack_is_parsed_on_a_reader_thread_not_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    monkeypatch.setattr(acknowledgements, "parse_acknowledgement", _recording_reader_thread(threads, object()))
    reading = await acknowledgements.read_acknowledgement("x12.999", "ISA...")
    assert threads and threads[0].startswith("x12-reader")
    assert reading.error is None


async def test_an_835_over_the_limit_reads_as_a_parse_error_naming_the_limit() -> None:
    reading = await posting.read_era_file(two_letter_segments(MIB))
    assert reading.remittances == [] and reading.error is not None
    assert f"more than the {DEFAULT_LIMITS.max_segments}" in reading.error
