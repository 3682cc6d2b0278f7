"""The claim.status_changed payload: its exact shape, ids and statuses only, stable text across attempts."""

from __future__ import annotations

import datetime as dt
import json
import typing

from services.intake.domain.outbound_webhooks import (
    EVENT_TYPES,
    StatusChange,
    encode_body,
    new_delivery_id,
    new_endpoint_secret,
    status_changed_payload,
)
from services.intake.entrypoints.http_webhooks import EventType
from shared.webhooks import signing_key

CHANGE = StatusChange(tenant_id="dev-practice", claim_id="6f1c1d2e-8a53-4c39-9b1e-0e1f0c3a9d11",
                      external_id="ENC-1001", status="accepted", previous_status="submitted",
                      event_type="claim.accepted", event_id="evt-42",
                      occurred_at=dt.datetime(2025, 3, 1, 12, 0, 5, tzinfo=dt.UTC))
NOW = dt.datetime(2025, 3, 1, 12, 0, 6, tzinfo=dt.UTC)


def test_payload_shape():
    assert status_changed_payload(CHANGE, NOW) == {
        "type": "claim.status_changed",
        "timestamp": "2025-03-01T12:00:06+00:00",
        "data": {"claim_id": CHANGE.claim_id, "external_id": "ENC-1001", "status": "accepted",
                 "previous_status": "submitted", "event_type": "claim.accepted", "event_id": "evt-42",
                 "occurred_at": "2025-03-01T12:00:05+00:00"},
    }


def test_a_new_claim_has_no_previous_status():
    received = StatusChange(**{**CHANGE.__dict__, "status": "received", "previous_status": None,
                               "event_type": "claim.received"})
    assert status_changed_payload(received, NOW)["data"]["previous_status"] is None


def test_payload_carries_no_tenant_or_encounter_fields():
    data = status_changed_payload(CHANGE, NOW)["data"]
    assert set(data) == {"claim_id", "external_id", "status", "previous_status", "event_type", "event_id",
                         "occurred_at"}


def test_body_is_compact_json_of_the_payload():
    payload = status_changed_payload(CHANGE, NOW)
    body = encode_body(payload)
    assert json.loads(body) == payload and ", " not in body and ": " not in body


def test_secrets_are_standard_webhooks_secrets_of_32_random_bytes():
    secrets = {new_endpoint_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(s.startswith("whsec_") and len(signing_key(s)) == 32 for s in secrets)


def test_delivery_ids_are_message_ids():
    assert new_delivery_id().startswith("msg_") and new_delivery_id() != new_delivery_id()


def test_the_api_accepts_exactly_the_domain_event_types():
    assert typing.get_args(EventType) == EVENT_TYPES
