"""Payee identifiers: the NPIs and federal tax ids a tenant is paid under, as an 835 names its payee.

An 835's 1000B loop names the payee: N1*PE with an NPI (qualifier XX) or a tax id (FI), and usually
REF*TJ with the tax id. Remittance routes each 835 to the tenant holding one of those identifiers, so
an identifier may belong to one tenant only: registering one another tenant holds is refused (409),
never shared and never taken over. A tenant's set is replaced whole, which keeps the announcement on
the compacted tenants topic self-contained (the latest set per tenant is all a service needs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.contracts.npi import is_valid_npi
from shared.errors import DomainError

NPI, TIN = "npi", "tin"
MAX_IDENTIFIERS = 200  # per kind: a large group's NPIs, far below what would make one announcement heavy


class InvalidPayeeIdentifier(DomainError):
    """An NPI without its check digit, or a tax id that is not nine digits."""


class PayeeIdentifierTaken(DomainError):
    """Another tenant is paid under one of these identifiers; names the identifiers, never that tenant."""

    def __init__(self, taken: Iterable[tuple[str, str]]):
        self.taken = sorted(taken)
        super().__init__("already registered to another tenant: "
                         + ", ".join(f"{kind.upper()} {identifier}" for kind, identifier in self.taken))


@dataclass(frozen=True, slots=True)
class PayeeIdentifiers:
    npis: frozenset[str]
    tins: frozenset[str]

    def pairs(self) -> set[tuple[str, str]]:
        """(kind, identifier) of every identifier."""
        return {(NPI, n) for n in self.npis} | {(TIN, t) for t in self.tins}

    def __or__(self, other: PayeeIdentifiers) -> PayeeIdentifiers:
        return PayeeIdentifiers(self.npis | other.npis, self.tins | other.tins)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> PayeeIdentifiers:
        listed = list(pairs)
        return cls(frozenset(i for k, i in listed if k == NPI), frozenset(i for k, i in listed if k == TIN))


def normalise_tin(value: str) -> str:
    """A tax id as digits only: 37-1234567 and 371234567 are the same EIN."""
    return value.strip().replace("-", "")


def payee_identifiers(npis: Iterable[str], tins: Iterable[str]) -> PayeeIdentifiers:
    """Checked identifiers; every invalid one is named at once, by its position."""
    npi_list, tin_list = [n.strip() for n in npis], [normalise_tin(t) for t in tins]
    npi_set, tin_set = set(npi_list), set(tin_list)
    # By position, not value: an individual provider's tax id may be a social security number.
    problems = [f"npis[{i}] is not a 10-digit NPI with its check digit" for i, n in enumerate(npi_list)
                if not is_valid_npi(n)]
    problems += [f"tins[{i}] is not a 9-digit tax id" for i, t in enumerate(tin_list)
                 if len(t) != 9 or not t.isdigit()]
    if len(npi_set) > MAX_IDENTIFIERS or len(tin_set) > MAX_IDENTIFIERS:
        problems.append(f"at most {MAX_IDENTIFIERS} NPIs and {MAX_IDENTIFIERS} tax ids per tenant")
    if problems:
        raise InvalidPayeeIdentifier("; ".join(problems))
    return PayeeIdentifiers(frozenset(npi_set), frozenset(tin_set))
