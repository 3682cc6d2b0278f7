"""Time the peer 835 parsers on one file; run by the throwaway venv's python, prints one JSON line.

    python peer_parse.py FILE pyx12|linuxforhealth

Imports nothing from the project: the peers live only in the bench's own virtual environment.
"""

from __future__ import annotations

import json
import logging
import sys
import time


def parse_with_pyx12(path: str) -> int:
    """pyx12's context reader walks the file against the 835 map segment by segment; count the CLPs."""
    import pyx12.error_handler
    import pyx12.params
    import pyx12.x12context

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    with open(path) as fd:
        reader = pyx12.x12context.X12ContextReader(pyx12.params.params(), pyx12.error_handler.errh_null(), fd)
        return sum(1 for node in reader.iter_segments() if node.id == "CLP")


def parse_with_linuxforhealth(path: str) -> int:
    """LinuxForHealth builds a validated pydantic model per transaction; count its 2100 loops."""
    from linuxforhealth.x12.io import X12ModelReader

    claims = 0
    with X12ModelReader(path) as reader:
        for model in reader.models():
            claims += sum(len(payment.loop_2100) for payment in model.loop_2000)
    return claims


PEERS = {"pyx12": parse_with_pyx12, "linuxforhealth": parse_with_linuxforhealth}


def main() -> int:
    path, peer = sys.argv[1], sys.argv[2]
    wall, cpu = time.perf_counter(), time.process_time()
    claims = PEERS[peer](path)
    print(json.dumps({"peer": peer, "claims": claims, "wall_seconds": time.perf_counter() - wall,
                      "cpu_seconds": time.process_time() - cpu}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
