"""Claim adjustment group codes and the few CARCs posting treats specially.

CARC and RARC lists change three times a year (X12 / CMS); only codes whose meaning the posting
rules depend on live here, each with why. Everything else is carried through as data.
"""

from __future__ import annotations

CONTRACTUAL_OBLIGATION = "CO"
PATIENT_RESPONSIBILITY = "PR"
OTHER_ADJUSTMENT = "OA"
PAYER_INITIATED = "PI"
# CR (corrections and reversals) left the code list in 5010 but older payer systems still send it.
CORRECTION_REVERSAL = "CR"
GROUP_CODES = frozenset(
    {CONTRACTUAL_OBLIGATION, PATIENT_RESPONSIBILITY, OTHER_ADJUSTMENT, PAYER_INITIATED, CORRECTION_REVERSAL}
)

DEDUCTIBLE = "1"
COINSURANCE = "2"
COPAY = "3"

# Reductions that price a covered service rather than refuse it: an adjustment with one of these
# reasons is an expected write-off, any other non-PR reason counts as denied money.
PRICING_REASON_CODES = frozenset(
    {
        "45",  # charge exceeds fee schedule / maximum allowable
        "42",  # charges exceed our fee schedule or maximum allowable (older form of 45)
        "59",  # processed under multiple or concurrent procedure rules
        "131",  # claim-specific negotiated discount
        "253",  # sequestration (Medicare payment reduction)
        "23",  # impact of prior payer adjudication (secondary claims)
        "A2",  # contractual adjustment (the TR3 managed-care example's claim-level CO-A2)
    }
)

# CARC 23, "the impact of prior payer(s) adjudication including payments and/or adjustments": on a
# secondary's or tertiary's 835 it is the part earlier payers decided, posted as such and never as a write-off.
PRIOR_PAYER_ADJUDICATION = "23"

# CLP02 claim status codes that change how a claim is posted.
STATUS_DENIED = "4"
STATUS_REVERSAL = "22"
STATUS_FORWARDED = frozenset({"19", "20", "21"})
# Processed as secondary or tertiary (forwarded or not): a later payer in coordination of benefits.
STATUS_LATER_PAYER = frozenset({"2", "3", "20", "21"})
CROSSOVER_CARRIER = "TT"
