"""Scopes, principals and client credentials: who may do what."""

from __future__ import annotations

import pytest

from services.intake.domain.access import (
    InvalidScope,
    hash_secret,
    known_scopes,
    new_client_credentials,
    requested_scopes,
)
from shared.access_tokens import CLAIMS_READ, ENCOUNTERS_WRITE, SCOPES
from shared.tenancy import InsufficientScope, Principal

BOTH = frozenset({ENCOUNTERS_WRITE, CLAIMS_READ})
ALL = frozenset(SCOPES)


@pytest.mark.parametrize(("asked", "granted", "expected"), [
    (None, BOTH, BOTH),
    (None, ALL, ALL),
    ("", BOTH, BOTH),
    ("  ", frozenset({CLAIMS_READ}), frozenset({CLAIMS_READ})),
    (CLAIMS_READ, BOTH, frozenset({CLAIMS_READ})),
    (f"{ENCOUNTERS_WRITE} {CLAIMS_READ}", BOTH, BOTH),
    (f"{CLAIMS_READ}  {CLAIMS_READ}", BOTH, frozenset({CLAIMS_READ})),
])
def test_a_token_gets_what_was_asked_within_the_grant(asked, granted, expected):
    assert requested_scopes(asked, granted) == expected


@pytest.mark.parametrize(("asked", "granted"), [
    (ENCOUNTERS_WRITE, frozenset({CLAIMS_READ})),
    ("claims:delete", BOTH),
    (f"{CLAIMS_READ} admin", BOTH),
])
def test_asking_beyond_the_grant_is_invalid_scope(asked, granted):
    with pytest.raises(InvalidScope):
        requested_scopes(asked, granted)


def test_a_client_is_granted_only_known_scopes():
    assert known_scopes([CLAIMS_READ]) == frozenset({CLAIMS_READ})
    assert known_scopes(list(SCOPES)) == ALL
    for bad in ([], ["claims:delete"], [CLAIMS_READ, "*"], ["payments:read"]):
        with pytest.raises(InvalidScope):
            known_scopes(bad)


@pytest.mark.parametrize(("scopes", "scope", "allowed"), [
    (BOTH, CLAIMS_READ, True),
    (BOTH, ENCOUNTERS_WRITE, True),
    (frozenset({CLAIMS_READ}), ENCOUNTERS_WRITE, False),
    (frozenset({ENCOUNTERS_WRITE}), CLAIMS_READ, False),
    (frozenset(), CLAIMS_READ, False),
])
def test_a_principal_needs_the_scope(scopes, scope, allowed):
    principal = Principal("tenant-a", "oauth_client", "clc_1", scopes)
    if allowed:
        principal.require(scope)
    else:
        with pytest.raises(InsufficientScope) as refused:
            principal.require(scope)
        assert refused.value.status == 403 and refused.value.extensions == {"required_scope": scope}


def test_client_credentials_are_fresh_and_only_their_hash_is_kept():
    (first_id, first_secret), (second_id, second_secret) = new_client_credentials(), new_client_credentials()
    assert first_id != second_id and first_secret != second_secret
    assert first_id.startswith("clc_") and first_secret.startswith("cls_") and len(first_secret) > 40
    assert "." not in first_secret  # never mistaken for an access token
    assert hash_secret(first_secret) == hash_secret(first_secret) != hash_secret(second_secret)
    assert len(hash_secret(first_secret)) == 64
