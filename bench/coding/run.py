"""Coding accuracy benchmark: suggested ICD-10-CM codes and E/M level against coder labels.

Usage: python bench/coding/run.py [notes_dir ...]
(default: notes, holdout, holdout2, holdout3, holdout4 under bench/coding)
For each set: micro precision and recall over codes, E/M agreement, the same per specialty, every miss.
`notes` was written before the lexicon and labelled by a coder's rules, but the lexicon's author had read it;
`holdout` was written and labelled after the lexicon was frozen; its misses then led to general lexicon fixes, so
its current figures are no longer blind; `holdout2` was written after those fixes and measured once, untuned.
`holdout3` (ten new specialties, FY2027 dates) was written before the coder read the whole code set: the blind set.
`holdout4` (ten more specialties, FY2027 dates) was written and labelled on 2026-12-08, before further coder changes.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.coding.domain.documentation import read_note, read_notes  # noqa: E402
from services.coding.domain.evaluation_management import assess_em  # noqa: E402

WARM_UP_NOTE = "Assessment: Essential hypertension, stable. Continue lisinopril."

DEFAULT_DIRS = [Path(__file__).parent / name for name in ("notes", "holdout", "holdout2", "holdout3", "holdout4")]


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = self.em_agree = self.notes = 0

    def add(self, got: set[str], expected: set[str], em_agrees: bool) -> None:
        self.tp += len(got & expected)
        self.fp += len(got - expected)
        self.fn += len(expected - got)
        self.em_agree += em_agrees
        self.notes += 1

    def line(self, name: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return (f"{name:<20} notes {self.notes:>3}  precision {precision:.3f}  recall {recall:.3f}  "
                f"E/M agreement {self.em_agree}/{self.notes} ({self.em_agree / self.notes:.3f})")


def run_set(directory: Path) -> bool:
    overall, by_specialty, misses, timings = Tally(), defaultdict(Tally), [], []
    for path in sorted(directory.glob("*.json")):
        case = json.loads(path.read_text())
        started = time.process_time()  # CPU time: wall time on a shared machine measures the neighbours
        reading = read_note(case["note"], dt.date.fromisoformat(case["date_of_service"]))
        assessment = assess_em(case["note"], case["billed_em"])
        timings.append(time.process_time() - started)
        got, expected = {d.code for d in reading.diagnoses}, set(case["expected_codes"])
        supported = assessment.supported_code if assessment else None
        em_agrees = supported == case["expected_em"]
        overall.add(got, expected, em_agrees)
        by_specialty[case["specialty"]].add(got, expected, em_agrees)
        if got != expected:
            misses.append(f"  {case['id']}: extra {sorted(got - expected)} missing {sorted(expected - got)}")
        if not em_agrees:
            misses.append(f"  {case['id']}: E/M {supported} expected {case['expected_em']} "
                          f"({assessment.reason if assessment else 'not assessed'})")
    if not overall.notes:
        print(f"{directory}: no notes found")
        return False
    print(f"== {directory.name}")
    print(overall.line("all"))
    for specialty in sorted(by_specialty):
        print(by_specialty[specialty].line(specialty))
    timings.sort()
    median, longest = timings[len(timings) // 2] * 1000, timings[-1] * 1000
    print(f"per note, one at a time (read_note + assess_em), CPU: median {median:.1f} ms, max {longest:.1f} ms")
    print(f"per note, batched (read_notes over the set, then assess_em), CPU: {_batched_cpu(directory):.2f} ms")
    if misses:
        print("misses:")
        print("\n".join(misses))
    return True


def _batched_cpu(directory: Path) -> float:
    """CPU per note when the set is read as one batch, the way the consumer reads a consumed batch; each note is
    made distinct so no cache of an earlier pass (or the batch's own deduplication) flatters the figure."""
    cases = [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]
    notes = [(f"{case['note']}\n[{time.time_ns()}]", dt.date.fromisoformat(case["date_of_service"])) for case in cases]
    started = time.process_time()
    read_notes(notes)
    for (note, _), case in zip(notes, cases, strict=True):
        assess_em(note, case["billed_em"])
    return (time.process_time() - started) / max(1, len(notes)) * 1000


def main(directories: list[Path]) -> int:
    started, wall = time.process_time(), time.monotonic()
    read_note(WARM_UP_NOTE, dt.date.today())  # loads the pipeline, the lexicon and the whole tabular list
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"reader load {time.process_time() - started:.1f} s CPU, {time.monotonic() - wall:.1f} s wall, "
          f"peak RSS {rss:.0f} MB")
    results = [run_set(directory) for directory in directories]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main([Path(arg) for arg in sys.argv[1:]] or DEFAULT_DIRS))
