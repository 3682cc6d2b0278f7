"""A malformed or unexpected 999/277CA is refused whole, before anything is applied, naming where it broke."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.submission.domain.errors import AckParseError
from services.submission.service_layer.acknowledgements import content_digest, parse_acknowledgement

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "x12"
ACK_999 = (FIXTURES / "999" / "999_partially_accepted.x12").read_text()
ACK_277CA = (FIXTURES / "277ca" / "277ca_rejected_mixed.x12").read_text()
DOCUMENTS = {"x12.999": ACK_999, "x12.277ca": ACK_277CA}

MANGLES: dict[str, Callable[[str], str]] = {
    "truncated before SE": lambda x: x[: x.index("SE*")],
    "truncated mid-segment": lambda x: x[: len(x) // 2],
    "wrong element separator after the ISA": lambda x: x[:106] + x[106:].replace("*", "|"),
    "segment terminators lost": lambda x: x.replace("~", "").replace("\n", ""),
    "SE count off by one": lambda x: x.replace("SE*", "SE*9", 1),
    "IEA control number differs": lambda x: x[: x.rindex("IEA*")] + "IEA*1*000000001~",
    "empty": lambda _x: "",
}


@pytest.mark.parametrize("mangle", MANGLES)
@pytest.mark.parametrize("kind", DOCUMENTS)
def test_malformed_acknowledgement_is_refused(kind: str, mangle: str) -> None:
    with pytest.raises(AckParseError):
        parse_acknowledgement(kind, MANGLES[mangle](DOCUMENTS[kind]))


@pytest.mark.parametrize(("kind", "document"), [
    ("x12.277ca", ACK_999),  # a 999 delivered as a 277CA
    ("x12.999", ACK_277CA),  # and the other way round
    ("x12.835", ACK_999),  # a type submission does not take
])
def test_unexpected_transaction_is_refused(kind: str, document: str) -> None:
    with pytest.raises(AckParseError):
        parse_acknowledgement(kind, document)


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_well_formed_acknowledgements_read(kind: str) -> None:
    parsed = parse_acknowledgement(kind, DOCUMENTS[kind])
    assert parsed.functional_acknowledgements or parsed.claim_acknowledgements


def test_the_same_content_has_the_same_digest_whatever_the_delivery() -> None:
    assert content_digest(ACK_999) == content_digest(str(ACK_999)) != content_digest(ACK_277CA)
