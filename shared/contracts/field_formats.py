"""Formats and small fixed code lists of the encounter contract: what a field may look like.

Large or yearly code sets (ICD-10-CM, place of service) are checked by intake, not here: the
contract holds only what does not change with the calendar.
"""

from __future__ import annotations

from typing import Literal

ZIP = r"^\d{5}(\d{4})?$"
STATE = r"^[A-Z]{2}$"
TAXONOMY = r"^[0-9]{3}[0-9A-Z]{6}X$"  # NUCC Health Care Provider Taxonomy: 10 characters ending in X
TAX_ID = r"^\d{9}$"
NPI = r"^\d{10}$"
# ICD-10-CM as written with its dot: a letter, two alphanumerics (a digit second until FY2027 added QA1.71),
# then up to four more after the dot; whether the code exists for the date of service is a code-set rule.
ICD10CM = r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$"
# CPT: five digits, or four digits and A (vaccine), F (Cat II), M (MAAA), T (Cat III) or U (PLA);
# HCPCS Level II: a letter in use by CMS (no F, I, N, O, W-Z) and four digits.
PROCEDURE = r"^([0-9]{4}[0-9AFMTU]|[A-EGHJ-MP-V][0-9]{4})$"
MODIFIER = r"^[0-9A-Z]{2}$"
PLACE_OF_SERVICE = r"^\d{2}$"
NDC_11 = r"^\d{11}$"  # 5-4-2 labeler-product-package, zero-padded, without dashes
TYPE_OF_BILL = r"^0[1-9][0-9][0-9A-Z]$"  # leading zero, facility type, care type, frequency
REVENUE_CODE = r"^\d{4}$"
PATIENT_STATUS = r"^\d{2}$"

# USPS codes: the 50 states, DC, the territories, the freely associated states and military mail.
USPS_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
    "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
    "DC", "AS", "GU", "MP", "PR", "VI", "FM", "MH", "PW", "AA", "AE", "AP",
})

# NUBC patient discharge status (UB-04 FL 17, 837I CL103).
NUBC_PATIENT_STATUSES = frozenset({
    "01", "02", "03", "04", "05", "06", "07", "09", "20", "21", "30", "40", "41", "42", "43", "50", "51",
    "61", "62", "63", "64", "65", "66", "69", "70",
    *(str(code) for code in range(81, 96)),
})

# NDC unit of measure qualifiers allowed in 837 CTP05-1.
NdcUnit = Literal["F2", "GR", "ME", "ML", "UN"]
