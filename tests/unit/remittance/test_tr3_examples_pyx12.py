"""What the independent pyx12 validator says about X12's published 835 examples, as independent evidence.

pyx12 rejects all five as published, each for reasons that are the example's, not ours: the payer loop
has no PER*BL (required since 5010), the COB examples put AMT*AU (a claim-level qualifier) in 2110,
the Medicare Part A example fills TS3 elements 5010 marks unused, the managed-care BPR16 is no date
and the tertiary SVC01 has no procedure code. Once exactly those are repaired pyx12 finds nothing
else, so the rest of each example is valid 005010X221A1.
"""

from __future__ import annotations

import pytest

from .fixture_files import fixture_text
from .test_fixtures_pyx12 import pyx12_errors

NO_PAYER_CONTACT = 'Mandatory segment "Payer Technical Contact Information" (PER) missing'
AMT_AU_IN_2110 = "Segment AMT*AU not found.  Started at /ISA_LOOP/GS_LOOP/ST_LOOP/DETAIL/2000/2100/2110/REF[0B]"
PAYER_CONTACT = "PER*BL*EDI SUPPORT*TE*8005551212~\n"

# example -> (pyx12's errors as "Line:<n> <message>", the repairs that leave it nothing to report)
EXAMPLES = {
    "tr3_example_managed_care.835": (
        ['Line:4 Data element "Check Issue or EFT Effective Date" (BPR16) contains an invalid date (20002316) '
         "(20002316)", f"Line:10 {NO_PAYER_CONTACT}"],
        [("*20002316~", "*20020316~")],
    ),
    "tr3_example_medicare_part_a.835": (
        [f"Line:11 {NO_PAYER_CONTACT}"]
        + [f'Line:{n} Data element "Monetary Amount" ({e}) is marked as Not Used' for n in (13, 23)
           for e in ("TS309", "TS311")],
        [("*211366.97****138018.40**73348.57~", "*211366.97~"), ("*15000.00****11980.33**3019.67~", "*15000.00~")],
    ),
    "tr3_example_cob_contractual_adjustment.835": (
        [f"Line:11 {NO_PAYER_CONTACT}", f"Line:26 {AMT_AU_IN_2110}"],
        [("AMT*AU*550.00~", "AMT*B6*550.00~")],
    ),
    "tr3_example_secondary_payment.835": (
        [f"Line:11 {NO_PAYER_CONTACT}", f"Line:33 {AMT_AU_IN_2110}", f"Line:39 {AMT_AU_IN_2110}"],
        [("AMT*AU*150.00~", "AMT*B6*150.00~"), ("AMT*AU*500.00~", "AMT*B6*500.00~")],
    ),
    "tr3_example_tertiary_payment.835": (
        [f"Line:11 {NO_PAYER_CONTACT}", 'Line:20 Mandatory data element "Adjudicated Procedure Code" (SVC01-02) '
         "is missing", 'Line:20 Data element "Product or Service ID Qualifier" (SVC06-01) is too short: '
         'len("1") = 1 < 2 (min_len) (1)', "Line:20 (1) is not a valid code for Product or Service ID Qualifier "
         "(SVC06-01) (1)", 'Line:20 Mandatory data element "Procedure Code" (SVC06-02) is missing',
         f"Line:24 {AMT_AU_IN_2110}"],
        [("SVC*HC*24599.00*", "SVC*HC>24599*"), ("AMT*AU*1700.00~", "AMT*B6*1700.00~")],
    ),
}


def _without_position(message: str) -> str:
    """'Line:4 ELE:8 - text' -> 'Line:4 text': the SEG/ELE position pyx12 adds says nothing the text does not."""
    line, _, rest = message.partition(" ")
    return f"{line} {rest.split(' - ', 1)[1]}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_pyx12_rejects_the_published_example_for_the_example_s_own_reasons(name, tmp_path):
    path = tmp_path / name
    path.write_text(fixture_text(name))
    valid, errors = pyx12_errors(str(path))
    assert not valid
    assert [_without_position(e) for e in errors] == EXAMPLES[name][0]


@pytest.mark.parametrize("name", EXAMPLES)
def test_pyx12_finds_nothing_else_once_those_reasons_are_repaired(name, tmp_path):
    text = fixture_text(name)
    for old, new in EXAMPLES[name][1]:
        assert old in text
        text = text.replace(old, new)
    payee = text.index("N1*PE*")
    segments = text.count("~", text.index("ST*835"), text.index("SE*"))
    text = text[:payee] + PAYER_CONTACT + text[payee:]
    text = text.replace(f"SE*{segments + 1}*", f"SE*{segments + 2}*")
    path = tmp_path / name
    path.write_text(text)
    assert pyx12_errors(str(path)) == (True, [])
