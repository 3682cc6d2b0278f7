"""Which tenant an 835 belongs to: the one paid under the payee it names.

The 1000B loop names the payee: N1*PE with its NPI (N1*PE03 = XX) or federal tax id (FI), and REF*TJ
with the tax id. Tenants register the identifiers they are paid under (intake refuses one another
tenant holds), and every ERA transaction is routed on arrival, whether or not any of its claims is
known. Rules, first that decides wins:

1. No identifier the ERA names is registered: nobody's; the ERA waits in the operator queue.
2. The identifiers name two tenants (say the NPI is one tenant's and the tax id another's): nobody's
   either. Registration keeps one identifier to one tenant, but an NPI and a tax id are registered
   apart, and choosing one would show a practice money that may be another's; an operator decides,
   once the tenants' registrations agree.
3. Otherwise the one tenant named: an identifier the ERA names but nobody registered does not count
   against it (a group's tax id registered, one of its NPIs not yet).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.remittance.domain.era_model import Remittance

NPI, TIN = "npi", "tin"
NPI_QUALIFIER, TAX_ID_QUALIFIER, TAX_ID_REFERENCE = "XX", "FI", "TJ"


@dataclass(frozen=True, slots=True)
class Payee:
    """The payee an ERA names: its name (an organisation's, never a patient's) and identifiers."""

    name: str
    npi: str | None
    tin: str | None

    def identifiers(self) -> set[tuple[str, str]]:
        """(kind, identifier) pairs, as tenants register them."""
        return {(kind, value) for kind, value in ((NPI, self.npi), (TIN, self.tin)) if value}


@dataclass(frozen=True, slots=True)
class Route:
    """The tenant an ERA belongs to, or why it belongs to none yet (identifiers only, never tenant ids)."""

    tenant_id: str | None
    reason: str | None = None


def normalise_tin(value: str) -> str:
    """A tax id as digits only: 37-1234567 and 371234567 are the same EIN."""
    return value.strip().replace("-", "")


def payee_of(remittance: Remittance) -> Payee:
    """The payee's NPI (N1*PE*..*XX) and tax id (N1*PE*..*FI, else REF*TJ)."""
    party = remittance.payee
    npi = party.identifier.strip() if party.id_qualifier == NPI_QUALIFIER and party.identifier else None
    tin = normalise_tin(party.identifier) if party.id_qualifier == TAX_ID_QUALIFIER and party.identifier else None
    if tin is None:
        reference = party.reference(TAX_ID_REFERENCE)
        tin = normalise_tin(reference) if reference else None
    return Payee(party.name[:60], npi or None, tin or None)


def route(payee: Payee, owners: Mapping[tuple[str, str], str]) -> Route:
    """The tenant paid under the payee's identifiers; owners maps (kind, identifier) -> tenant id."""
    named = {pair: owners[pair] for pair in sorted(payee.identifiers()) if pair in owners}
    tenants = set(named.values())
    if len(tenants) == 1:
        return Route(tenants.pop())
    described = ", ".join(f"{kind.upper()} {identifier}" for kind, identifier in sorted(payee.identifiers()))
    if not tenants:
        return Route(None, f"payee not registered by any tenant: {described or 'the ERA names no NPI or tax id'}")
    return Route(None, f"payee identifiers belong to different tenants: {described}")
