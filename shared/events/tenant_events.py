"""Tenant facts other than credentials, announced by intake on the compacted tenants topic.

API keys and token keys keep their contracts in shared/tenancy.py and shared/access_tokens.py; this
module holds the rest, registered wherever any claim event is decoded (see claim_events).
"""

from __future__ import annotations

from shared.events.registry import CONTRACTS, ClaimEvent


@CONTRACTS.register
class PayeeIdentifiersSet(ClaimEvent):
    """The complete set of payee identifiers a tenant is paid under (an 835's N1*PE and REF*TJ).

    Keyed on the topic by `payees:<tenant id>`, so compaction keeps each tenant's latest set; `revision`
    rises with every change, so a replayed older set never overwrites a newer one. An identifier is held
    by at most one tenant: intake refuses to register one another tenant holds.
    """

    event_type = "tenant.payee_identifiers_set"
    tenant_id: str
    revision: int
    npis: list[str]  # 10-digit NPIs (N1*PE*..*XX)
    tins: list[str]  # 9-digit federal tax ids, digits only (N1*PE*..*FI, REF*TJ)
