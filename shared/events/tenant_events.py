"""Tenant facts other than credentials, announced by intake on the compacted tenants topic.

API keys and token keys keep their contracts in shared/tenancy.py and shared/access_tokens.py; this
module holds the rest, registered wherever any claim event is decoded (see claim_events).

`tenant.coding_policy_set` carries a tenant's whole coding policy (not a change to it), keyed by
`coding-policy:<tenant>`, so compaction keeps exactly the latest policy per tenant and a consumer
reading the topic from its start ends with every tenant's current policy. The defaults are the
policy of a tenant that never set one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.events.registry import CONTRACTS, ClaimEvent

# When no ICD-10-CM release covers a claim's date of service, coding checks it against the nearest release:
# hold only the claims with a code that release lacks (the default), or hold every such claim for a coder.
WhenNoReleaseCovers = Literal["hold_unknown_codes", "hold_all"]
WHEN_NO_RELEASE_COVERS: tuple[WhenNoReleaseCovers, ...] = ("hold_unknown_codes", "hold_all")


def coding_policy_subject(tenant_id: str) -> str:
    """The tenants-topic key of a tenant's coding policy."""
    return f"coding-policy:{tenant_id}"


@CONTRACTS.register
class TenantCodingPolicySet(ClaimEvent):
    """A tenant's coding policy, as it now stands."""

    event_type = "tenant.coding_policy_set"
    tenant_id: str
    hold_undercoding: bool = Field(
        default=False, description="hold a claim whose E/M level is below what the note supports (default: a "
                                   "warning on the claim, not a hold)")
    when_no_release_covers: WhenNoReleaseCovers = Field(
        default="hold_unknown_codes", description="hold_unknown_codes: code against the nearest ICD-10-CM release "
                                                  "and hold only claims with a code it lacks; hold_all: hold every "
                                                  "claim no release covers")




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
