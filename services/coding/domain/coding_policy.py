"""A tenant's coding policy: which findings hold a claim for a coder beyond the severities the rules give.

Undercoding (the note supports a higher E/M level than was billed) is revenue left behind, not a
compliance risk: by default it is a warning on the claim and in the coding API, and the claim goes
on; a tenant may choose to hold it. Overcoding (billed above what the note supports) always holds.
When no ICD-10-CM release covers the date of service the claim is checked against the nearest
release with a warning, and only a claim with a code that release lacks is held; a tenant may
choose to hold every such claim. Intake owns the policy; coding reads it from the tenants topic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from services.coding.domain.decision_rules import Finding
from shared.events.tenant_events import WhenNoReleaseCovers

UNDERCODED = "COD-EM-UNDERCODED"
RELEASE_ASSUMED = "COD-ICD-RELEASE-ASSUMED"


@dataclass(frozen=True)
class CodingPolicy:
    """What a tenant holds for a coder; the defaults are the policy of a tenant that never set one."""

    hold_undercoding: bool = False
    when_no_release_covers: WhenNoReleaseCovers = "hold_unknown_codes"

    def held_findings(self) -> frozenset[str]:
        """The ids of warning findings this policy turns into holds."""
        return frozenset({UNDERCODED} if self.hold_undercoding else set()) | frozenset(
            {RELEASE_ASSUMED} if self.when_no_release_covers == "hold_all" else set())


DEFAULT_POLICY = CodingPolicy()


def apply_policy(findings: Sequence[Finding], policy: CodingPolicy) -> tuple[Finding, ...]:
    """The findings with the severities the policy gives them: one it holds becomes an error, saying why."""
    held = policy.held_findings()
    return tuple(replace(f, severity="error", message=f"{f.message} (held by the tenant's coding policy)")
                 if f.edit_id in held and f.severity != "error" else f for f in findings)
