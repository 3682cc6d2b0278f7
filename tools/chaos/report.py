"""The run's table: faults injected by kind, then what was checked and the violations found."""

from __future__ import annotations

from tools.chaos.run import RunOutcome

VIOLATION_COUNTS = ("duplicate submissions", "unbalanced ledgers", "version gaps")


def table(outcome: RunOutcome) -> str:
    """A plain-text table of the run, ending with PASS or FAIL."""
    rows: list[tuple[str, str]] = [("FAULTS INJECTED", "")]
    rows += [(f"  {kind}", str(count)) for kind, count in outcome.faults.items()]
    rows += [(f"  client retries ({kind})", str(count)) for kind, count in sorted(outcome.client_retries.items())]
    rows.append(("CHECKED", ""))
    rows += [(f"  {name}", str(count)) for name, count in outcome.check.counts.items()]
    rows.append(("VIOLATIONS", ""))
    kinds = sorted(outcome.check.violations)
    rows += [(f"  {kind}", str(len(outcome.check.violations[kind]))) for kind in kinds]
    if not kinds:
        rows.append(("  none", "0"))
    rows += [(f"  fault not injected: {error}", "!") for error in outcome.fault_errors]
    rows.append(("TIMINGS", ""))
    rows += [(f"  {name}", f"{seconds:.1f}") for name, seconds in outcome.timings.items()]
    width = max(len(name) for name, _ in rows) + 2
    lines = [f"chaos run {outcome.run_id}: {outcome.claims_requested} claims requested", "-" * (width + 10)]
    lines += [f"{name:<{width}}{value:>10}" for name, value in rows]
    for kind in kinds:
        lines.append(f"{kind}, first examples: " + "; ".join(outcome.check.violations[kind][:3]))
    lines.append("PASS" if outcome.ok else "FAIL")
    return "\n".join(lines)
