"""X12 files over the segment limit, on the running stack: refused by count, naming the limit, nothing stops.

Intake's 837P upload answers 413; a clearinghouse webhook carrying an 835 or a 999 keeps the file
(nothing accepted is lost) and answers 422 "kept but not posted", with the limit in the parse error.
That the files are read on reader threads is shown in process (tests/unit/untrusted_input).
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from services.intake.entrypoints.http_formats import X12_837_LIMITS
from shared.x12.tokenizer import DEFAULT_LIMITS
from tests.e2e.conftest import webhook_body

pytestmark = pytest.mark.e2e

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261207*1200*^*00501*000000001*0*P*:~"


def two_letter_segments(count: int) -> str:
    return ISA + "AB~" * count


async def test_an_837p_over_the_segment_limit_is_413_naming_it(api: httpx.AsyncClient, stack: dict[str, str]) -> None:
    limit = X12_837_LIMITS.max_segments
    response = await api.post(f"{stack['INTAKE_URL']}/v1/x12/837", content=two_letter_segments(limit).encode(),
                              headers={"Content-Type": "application/edi-x12"})
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (response.json()["unit"], response.json()["limit"]) == ("segments", limit)


@pytest.mark.parametrize(("service", "kind", "table"), [
    ("REMITTANCE", "x12.835", "remittance.era_files"), ("SUBMISSION", "x12.999", "submission.acknowledgements")])
async def test_a_webhook_file_over_the_segment_limit_is_kept_and_answered_422_naming_it(
        post_webhook, database, stack: dict[str, str], service: str, kind: str, table: str) -> None:
    delivery_id = f"msg_{uuid.uuid4().hex}"
    x12 = two_letter_segments(DEFAULT_LIMITS.max_segments)
    response = await post_webhook(f"{stack[f'{service}_URL']}/v1/webhooks/clearinghouse", webhook_body(kind, x12),
                                  msg_id=delivery_id)
    assert response.status_code == 422, response.text
    assert f"more than the {DEFAULT_LIMITS.max_segments}" in response.json()["detail"]
    row = await database.fetchrow(f"SELECT outcome, parse_error FROM {table} WHERE delivery_id = $1", delivery_id)
    assert row["outcome"] == "parse_error" and str(DEFAULT_LIMITS.max_segments) in row["parse_error"]
