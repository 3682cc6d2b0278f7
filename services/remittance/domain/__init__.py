"""Remittance domain core: read 835 ERAs, check their balancing, and compute posting. No I/O."""

from services.remittance.domain.balancing import BalanceError, BalanceRule, find_balance_errors
from services.remittance.domain.era_model import (
    Adjustment,
    ClaimParty,
    ClaimPayment,
    Party,
    PaymentInstruction,
    ProcedureCode,
    ProviderAdjustment,
    ProviderSummary,
    Reference,
    RemarkCode,
    Remittance,
    ServiceLine,
    Trace,
)
from services.remittance.domain.era_parser import parse_835
from services.remittance.domain.errors import EraParseError, ReversalMismatchError
from services.remittance.domain.line_matching import (
    BilledLine,
    LineMatch,
    LineMatching,
    MatchMethod,
    match_lines,
)
from services.remittance.domain.posting import claim_outcome, post_claim_payment, reverse_posting
from services.remittance.domain.posting_model import (
    ClaimOutcome,
    ClaimPosting,
    EntryKind,
    LinePosting,
    PostingEntry,
    PostingTotals,
)

__all__ = [
    "Adjustment",
    "BalanceError",
    "BalanceRule",
    "BilledLine",
    "ClaimOutcome",
    "ClaimParty",
    "ClaimPayment",
    "ClaimPosting",
    "EntryKind",
    "EraParseError",
    "LineMatch",
    "LineMatching",
    "LinePosting",
    "MatchMethod",
    "Party",
    "PaymentInstruction",
    "PostingEntry",
    "PostingTotals",
    "ProcedureCode",
    "ProviderAdjustment",
    "ProviderSummary",
    "Reference",
    "RemarkCode",
    "Remittance",
    "ReversalMismatchError",
    "ServiceLine",
    "Trace",
    "claim_outcome",
    "find_balance_errors",
    "match_lines",
    "parse_835",
    "post_claim_payment",
    "reverse_posting",
]
