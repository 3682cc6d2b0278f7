"""Signed headers: verification passes with the current secret, and with the old one during a rotation."""

from __future__ import annotations

import datetime as dt

import pytest

from services.intake.adapters.webhook_sender import signed_headers
from services.intake.domain.outbound_webhooks import DueDelivery, new_endpoint_secret
from shared.webhooks import WebhookVerificationError, verify

CURRENT, PREVIOUS, STRANGER = new_endpoint_secret(), new_endpoint_secret(), new_endpoint_secret()
BODY = b'{"type":"claim.status_changed"}'


def due(*secrets: str) -> DueDelivery:
    return DueDelivery(delivery_id="msg_abc", endpoint_id="ep_1", tenant_id="t", claim_id="c", url="http://x",
                       body=BODY.decode(), signing_secrets=secrets, queued_at=dt.datetime.now(dt.UTC),
                       window_failures=0, traceparent=None)


def test_headers_carry_the_delivery_id_and_verify_with_the_secret():
    headers = signed_headers(due(CURRENT), BODY)
    assert headers["webhook-id"] == "msg_abc"
    verify(CURRENT, headers, BODY)


def test_during_a_rotation_both_secrets_verify():
    headers = signed_headers(due(CURRENT, PREVIOUS), BODY)
    assert len(headers["webhook-signature"].split()) == 2
    verify(CURRENT, headers, BODY)
    verify(PREVIOUS, headers, BODY)


def test_another_secret_or_body_does_not_verify():
    headers = signed_headers(due(CURRENT, PREVIOUS), BODY)
    with pytest.raises(WebhookVerificationError):
        verify(STRANGER, headers, BODY)
    with pytest.raises(WebhookVerificationError):
        verify(CURRENT, headers, BODY + b" ")
