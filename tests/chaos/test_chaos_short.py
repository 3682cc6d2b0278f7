"""make test's fault run: 80 claims while each service is SIGKILLed once, webhooks are duplicated,
clearinghouse calls fail or are slow and poisons land on every claim topic; nothing may be lost or doubled.

The broker and the database are not restarted here (the stack is shared with the rest of the suite);
`make chaos` does that. Every service killed is restarted and ready again before the test ends.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.chaos.report import table
from tools.chaos.run import chaos_run
from tools.chaos.schedule import SHORT
from tools.chaos.stack_control import SERVICES, StackControl

pytestmark = pytest.mark.e2e
CLAIMS = 80  # small: it shares make test's time; make chaos runs the thousands


async def test_no_claim_is_lost_or_doubled_while_services_crash(stack: dict[str, str]) -> None:
    run_dir = Path(stack["RUN_DIR"])
    try:
        outcome = await chaos_run(run_dir, stack, CLAIMS, SHORT, drain_timeout=300, stall_seconds=90,
                                  settle_seconds=60, log=lambda _line: None)
    finally:
        control = StackControl(run_dir)
        for service in SERVICES:  # whatever happened, hand the stack back whole
            if not control.running(service):
                await control.start_service(service)
        await control.wait_ready()
    report = table(outcome)
    print(report)
    assert outcome.ok, report
    for service in SERVICES:
        assert outcome.faults.get(f"SIGKILL {service}") == 1, report
    assert outcome.faults.get("clearinghouse webhook_duplicate", 0) > 0, report
    assert outcome.check.counts["claims stored (intake)"] == CLAIMS, report
    assert outcome.check.counts["poisons dead-lettered"] == outcome.check.counts["poisons injected"] == 6, report
