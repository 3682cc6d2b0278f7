"""CPU per note of note reading, one at a time and batched, and the reader's load time and memory.

Usage: python bench/coding/cpu.py [passes]   (default 3)
Reads every labelled note of bench/coding (development and blind sets) `passes` times. Each pass makes every note
distinct (a line with a fresh number is appended), so neither the batch's deduplication nor any cache of an
earlier pass flatters the figure; CPU time (process_time), not wall time: the machine is shared.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.coding.domain import documentation  # noqa: E402
from services.coding.domain.evaluation_management import assess_em  # noqa: E402

HERE = Path(__file__).parent
SETS = ("notes", "holdout", "holdout2", "holdout3", "holdout4")


def main(passes: int) -> int:
    started, wall = time.process_time(), time.monotonic()
    documentation.read_note("Assessment: Essential hypertension, stable.", dt.date.today())
    load_cpu, load_wall = time.process_time() - started, time.monotonic() - wall
    cases = [json.loads(p.read_text()) for name in SETS for p in sorted((HERE / name).glob("*.json"))]
    single, batched, em = [], [], []
    for number in range(passes):
        notes = [(f"{c['note']}\n[{number}-{time.time_ns()}]", dt.date.fromisoformat(c["date_of_service"]))
                 for c in cases]
        started = time.process_time()
        for note, date_of_service in notes:
            documentation.read_note(note, date_of_service)
        single.append((time.process_time() - started) / len(notes) * 1000)
        notes = [(f"{note}.", date_of_service) for note, date_of_service in notes]
        if hasattr(documentation, "read_notes"):
            started = time.process_time()
            documentation.read_notes(notes)
            batched.append((time.process_time() - started) / len(notes) * 1000)
        started = time.process_time()
        for (note, _), case in zip(notes, cases, strict=True):
            assess_em(note, case["billed_em"])
        em.append((time.process_time() - started) / len(notes) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(cases)} notes x {passes} passes; reader load {load_cpu:.1f} s CPU ({load_wall:.1f} s wall); "
          f"peak RSS {rss:.0f} MB")
    print(f"read_note, one note at a time: {statistics.median(single):.2f} ms/note")
    if batched:
        print(f"read_notes, the whole set as one batch: {statistics.median(batched):.2f} ms/note")
    print(f"assess_em after reading (E/M level): {statistics.median(em):.2f} ms/note")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
