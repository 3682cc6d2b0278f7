"""py-spy on one running service while a bench drives it: the frames where its CPU time goes.

py-spy (pinned 0.4.3) goes into the bench's throwaway virtual environment, never the project's.
`record --format raw` writes collapsed stacks ("frame;frame;frame count"); we sum the leaf frame
(self time) and the whole stack (inclusive time) of every sample.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

PY_SPY = "py-spy==0.4.3"
LINE_NUMBER = re.compile(r":\d+\)$")


def start(venv_python: Path, pid: int, seconds: int, out: Path) -> subprocess.Popen:
    """Begin sampling pid (and its children) for seconds; the caller waits on the returned process."""
    py_spy = venv_python.parent / "py-spy"
    if not py_spy.exists():
        subprocess.run([str(venv_python), "-m", "pip", "install", "-q", PY_SPY], check=True)
    return subprocess.Popen([str(py_spy), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "50",
                             "--format", "raw", "--subprocesses", "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def top_frames(collapsed: Path, count: int = 12) -> dict[str, list[tuple[str, float]]]:
    """The heaviest frames by self and by inclusive share of samples, as (frame, percent)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not stack or not samples.isdigit():
            continue
        n = int(samples)
        # Per function, not per line: drop the line number py-spy puts after the file.
        frames = [LINE_NUMBER.sub(")", frame) for frame in stack.split(";")]
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return {"self": [], "inclusive": [], "samples": []}
    return {"self": [(f, 100 * n / total) for f, n in own.most_common(count)],
            "inclusive": [(f, 100 * n / total) for f, n in inclusive.most_common()
                          if "services/" in f or "shared/" in f][:count],
            "samples": [("total", float(total))]}
