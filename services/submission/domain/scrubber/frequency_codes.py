"""Claim frequency codes (CLM05-3) allowed per claim type.

Professional (837P, X12 005010X222A1): only 1, 7 and 8 are used.
Institutional (837I, X12 005010X223A2): the third digit of the NUBC type of bill (UB-04 FL 4).
Code 6 (adjustment of a prior claim) is left out: 5010 corrections use 7 and payers reject 6.
The Medicare-only letter codes (G-Q, for intermediary adjustments) are not sent by providers.
"""

from __future__ import annotations

PROFESSIONAL = {
    "1": "original claim",
    "7": "replacement of a prior claim",
    "8": "void or cancel of a prior claim",
}

INSTITUTIONAL = {
    "0": "non-payment / zero claim",
    "1": "admit through discharge claim",
    "2": "interim, first claim",
    "3": "interim, continuing claim",
    "4": "interim, last claim",
    "5": "late charge(s) only",
    "7": "replacement of a prior claim",
    "8": "void or cancel of a prior claim",
    "9": "final claim for a home health PPS episode",
}

BY_CLAIM_TYPE = {"professional": PROFESSIONAL, "institutional": INSTITUTIONAL}
ORIGINAL = "1"
CORRECTING = frozenset({"7", "8"})  # these name the payer's claim control number they correct
