"""Feedback loop: count recurring preventable denials into scrubber proposals; accept or reject them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from services.denials.adapters.repository import DenialStore
from services.denials.domain.classification import LineDenial, carc_table
from services.denials.domain.scrubber_proposals import (
    DenialPattern,
    condition_for,
    edit_id_for,
    edit_wording,
    is_due,
    needs_retiring,
    patterns_in,
    proposal_id_for,
)
from services.denials.service_layer.policy import DenialsPolicy
from shared.events.denial_events import ClaimScrubberEditAccepted, ClaimScrubberEditRetired, LearnedEditCondition
from shared.events.envelope import EventEnvelope
from shared.http.problems import Conflict, NotFound
from shared.messaging.outbox import envelope_for

SOURCE = "denials"


async def note_patterns(store: DenialStore, envelope: EventEnvelope, payer_id: str, lines: Sequence[LineDenial],
                        procedure_by_line: dict[str, str], policy: DenialsPolicy) -> None:
    """After a denial is recorded: propose an edit for each pattern that has now recurred often enough."""
    for pattern in sorted(patterns_in(payer_id, lines, procedure_by_line),
                          key=lambda p: (p.procedure_code, p.reason_code)):
        occurrences = await store.count_pattern(envelope.tenant_id, pattern.payer_id, pattern.procedure_code,
                                                pattern.reason_code)
        if not is_due(occurrences, policy.scrubber_proposal_threshold):
            continue
        await store.upsert_proposal({
            "proposal_id": proposal_id_for(envelope.tenant_id, pattern), "tenant_id": envelope.tenant_id,
            "payer_id": pattern.payer_id, "procedure_code": pattern.procedure_code,
            "reason_code": pattern.reason_code, "category": pattern.category, "occurrences": occurrences,
            "status": "proposed", "edit_id": edit_id_for(await store.proposal_count(envelope.tenant_id) + 1),
            "last_claim_id": envelope.claim_id})


def proposal_view(row: dict[str, Any]) -> dict[str, Any]:
    """A proposal as the API shows it, with the edit it would add."""
    pattern = DenialPattern(row["payer_id"], row["procedure_code"], row["reason_code"], row["category"])
    message, hint = edit_wording(pattern, carc_table().get(row["reason_code"], {}).get("description", "unknown"))
    return {"proposal_id": row["proposal_id"], "status": row["status"], "edit_id": row["edit_id"],
            "payer_id": row["payer_id"], "procedure_code": row["procedure_code"], "reason_code": row["reason_code"],
            "category": row["category"], "occurrences": row["occurrences"], "requires": condition_for(pattern),
            "message": message, "fix_hint": hint, "decided_by": row["decided_by"],
            "decided_at": row["decided_at"].isoformat() if row["decided_at"] else None,
            "retired_by": row.get("retired_by"), "retirement_reason": row.get("retirement_reason"),
            "retired_at": row["retired_at"].isoformat() if row.get("retired_at") else None}


async def decide_proposal(store: DenialStore, tenant_id: str, proposal_id: str, accept: bool, user: str
                          ) -> dict[str, Any]:
    """Accept (announcing the edit to submission) or reject a proposed edit; repeating a decision is a no-op."""
    row = await store.proposal(tenant_id, proposal_id)
    if row is None:
        raise NotFound(f"no scrubber proposal {proposal_id}")
    wanted = "accepted" if accept else "rejected"
    if row["status"] == wanted:
        return proposal_view(row)
    if row["status"] != "proposed":
        raise Conflict(f"the proposal is already {row['status']}")
    now = dt.datetime.now(dt.UTC)
    await store.update_proposal(proposal_id, status=wanted, decided_by=user, decided_at=now)
    row = {**row, "status": wanted, "decided_by": user, "decided_at": now}
    view = proposal_view(row)
    if accept:
        accepted = ClaimScrubberEditAccepted(
            edit_id=row["edit_id"], proposal_id=proposal_id, reason_code=row["reason_code"],
            category=row["category"], message=view["message"], fix_hint=view["fix_hint"],
            condition=LearnedEditCondition(payer_id=row["payer_id"], procedure_code=row["procedure_code"],
                                           requires=view["requires"]))
        # Tenant-level news carried on the stream of the claim whose denial completed the pattern.
        await store.record(row["last_claim_id"], [envelope_for(accepted, source=SOURCE,
                                                               claim_id=row["last_claim_id"], tenant_id=tenant_id)])
    return view


async def retire_edit(store: DenialStore, tenant_id: str, proposal_id: str, user: str, reason: str
                      ) -> dict[str, Any]:
    """Retire an accepted edit, announcing it so submission stops enforcing it; repeating it is a no-op."""
    row = await store.proposal(tenant_id, proposal_id)
    if row is None:
        raise NotFound(f"no scrubber proposal {proposal_id}")
    if not needs_retiring(row["status"]):
        return proposal_view(row)
    now = dt.datetime.now(dt.UTC)
    retired = {"status": "retired", "retired_by": user, "retired_at": now, "retirement_reason": reason}
    await store.update_proposal(proposal_id, **retired)
    event = ClaimScrubberEditRetired(edit_id=row["edit_id"], proposal_id=proposal_id, reason=reason, retired_by=user)
    await store.record(row["last_claim_id"], [envelope_for(event, source=SOURCE, claim_id=row["last_claim_id"],
                                                           tenant_id=tenant_id)])
    return proposal_view({**row, **retired})
