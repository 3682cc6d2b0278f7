"""The clearinghouse webhooks of submission (999, 277CA) and remittance (835): signatures, storage, outcomes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
import pytest

from shared.webhooks import new_message_id, webhook_headers
from tests.e2e.conftest import webhook_body
from tests.e2e.x12_documents import ack_277ca, ack_999, era_835, unknown_claim

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Receiver:
    """One webhook endpoint, the table it keeps deliveries in, and a valid delivery for a claim nobody sent."""

    service: str  # the stack variable holding its base URL
    table: str
    kind: str
    document: Callable[[], str]
    duplicate_outcome: str

    def url(self, stack: dict[str, str]) -> str:
        return f"{stack[self.service]}/v1/webhooks/clearinghouse"

    def body(self) -> bytes:
        return webhook_body(self.kind, self.document())


SUBMISSION_277CA = Receiver("SUBMISSION_URL", "submission.acknowledgements", "x12.277ca",
                            lambda: ack_277ca("E2EUNKNOWN" + uuid.uuid4().hex[:10].upper()), "duplicate")
SUBMISSION_999 = Receiver("SUBMISSION_URL", "submission.acknowledgements", "x12.999",
                          lambda: ack_999(900_000_000 + uuid.uuid4().int % 99_999_999), "duplicate")
REMITTANCE_835 = Receiver("REMITTANCE_URL", "remittance.era_files", "x12.835",
                          lambda: era_835(unknown_claim(), f"E2E{uuid.uuid4().hex[:16].upper()}"),
                          "duplicate_delivery")
RECEIVERS = {"submission": SUBMISSION_277CA, "remittance": REMITTANCE_835}
ALL_KINDS = {"999": SUBMISSION_999, "277ca": SUBMISSION_277CA, "835": REMITTANCE_835}


async def recorded(database: asyncpg.Pool, receiver: Receiver, delivery_id: str) -> list[asyncpg.Record]:
    return await database.fetch(f"SELECT * FROM {receiver.table} WHERE delivery_id = $1", delivery_id)


def unsigned(msg_id: str, _body: bytes, _secret: str) -> dict[str, str]:
    return {"webhook-id": msg_id}


def unsigned_with_timestamp(msg_id: str, _body: bytes, _secret: str) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(time.time()))}


def other_secret(msg_id: str, body: bytes, _secret: str) -> dict[str, str]:
    return webhook_headers("whsec_" + "QW5vdGhlclNlY3JldEZvclRlc3Rz", body, msg_id=msg_id)


def other_body(msg_id: str, body: bytes, secret: str) -> dict[str, str]:
    return webhook_headers(secret, body.replace(b'"data"', b'"data" '), msg_id=msg_id)


def ten_minutes_old(msg_id: str, body: bytes, secret: str) -> dict[str, str]:
    return webhook_headers(secret, body, msg_id=msg_id, now=time.time() - 600)


def ten_minutes_ahead(msg_id: str, body: bytes, secret: str) -> dict[str, str]:
    return webhook_headers(secret, body, msg_id=msg_id, now=time.time() + 600)


FORGERIES = {"no signature headers": unsigned, "no signature header": unsigned_with_timestamp,
             "wrong secret": other_secret, "signature of another body": other_body,
             "timestamp 10 minutes old": ten_minutes_old, "timestamp 10 minutes ahead": ten_minutes_ahead}


@pytest.mark.parametrize("forgery", FORGERIES)
@pytest.mark.parametrize("receiver", RECEIVERS)
async def test_unverified_delivery_is_401_and_not_recorded(anonymous, stack, database, receiver, forgery):
    target, msg_id = RECEIVERS[receiver], new_message_id()
    body = target.body()
    headers = {"content-type": "application/json", **FORGERIES[forgery](msg_id, body, stack["WEBHOOK_SECRET"])}
    response = await anonymous.post(target.url(stack), content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["status"] == 401
    assert await recorded(database, target, msg_id) == []


async def test_unparseable_835_is_422_and_kept_whole(post_webhook, stack, database):
    claim = unknown_claim()
    whole = era_835(claim, f"E2E{uuid.uuid4().hex[:16].upper()}")
    truncated = whole[: whole.index("CAS*CO*45*") + len("CAS*CO*45*")]  # ends inside a CAS, no SE/GE/IEA
    msg_id = new_message_id()
    response = await post_webhook(REMITTANCE_835.url(stack), webhook_body("x12.835", truncated), msg_id=msg_id)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["status"] == 422 and problem["delivery_id"] == msg_id
    [row] = await recorded(database, REMITTANCE_835, msg_id)
    assert row["x12"] == truncated
    assert row["outcome"] == "parse_error" and row["parse_error"]
    for phi in (claim.patient_last, claim.patient_first, claim.member_id):
        assert phi not in response.text and phi not in row["parse_error"]


@pytest.mark.parametrize("kind", ["999", "277ca"])
async def test_unparseable_acknowledgement_is_422_and_kept_whole(post_webhook, stack, database, kind):
    target = ALL_KINDS[kind]
    broken = target.document().split("SE*", 1)[0]  # no SE/GE/IEA
    msg_id = new_message_id()
    response = await post_webhook(target.url(stack), webhook_body(target.kind, broken), msg_id=msg_id)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    [row] = await recorded(database, target, msg_id)
    assert (row["x12"], row["kind"], row["outcome"]) == (broken, target.kind, "parse_error")
    assert row["parse_error"]


@pytest.mark.parametrize("kind", ALL_KINDS)
async def test_delivery_for_an_unknown_claim_is_accepted_as_unmatched(post_webhook, stack, database, kind):
    target = ALL_KINDS[kind]
    document, msg_id = target.document(), new_message_id()
    response = await post_webhook(target.url(stack), webhook_body(target.kind, document), msg_id=msg_id)
    assert response.status_code == 200, response.text
    assert response.json() == {"delivery_id": msg_id, "outcome": "unmatched"}
    [row] = await recorded(database, target, msg_id)
    assert (row["x12"], row["outcome"]) == (document, "unmatched")


@pytest.mark.parametrize("kind", ALL_KINDS)
async def test_a_redelivery_with_the_same_webhook_id_is_a_no_op(post_webhook, stack, database, kind):
    target = ALL_KINDS[kind]
    body, msg_id = target.body(), new_message_id()
    first = await post_webhook(target.url(stack), body, msg_id=msg_id)
    again = await post_webhook(target.url(stack), body, msg_id=msg_id)
    assert first.status_code == again.status_code == 200, again.text
    assert first.json()["outcome"] == "unmatched"
    assert again.json() == {"delivery_id": msg_id, "outcome": target.duplicate_outcome}
    [row] = await recorded(database, target, msg_id)
    assert row["outcome"] == "unmatched"


@pytest.mark.parametrize(("kind", "wrong_type"), [("277ca", "x12.835"), ("835", "x12.999"), ("835", "x12.277ca")])
async def test_a_delivery_of_the_wrong_type_is_refused_and_not_recorded(post_webhook, stack, database, kind,
                                                                       wrong_type):
    target, msg_id = ALL_KINDS[kind], new_message_id()
    response = await post_webhook(target.url(stack), webhook_body(wrong_type, target.document()), msg_id=msg_id)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert await recorded(database, target, msg_id) == []
