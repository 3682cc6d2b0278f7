"""Who may call a route, declared on the route so the OpenAPI document shows it and a test can walk it.

Every route names one of four ways in, each an OpenAPI security scheme:
- `tenant_credential` with the one scope it needs (`caller: ClaimsWriter` and the like): a tenant's API key or OAuth2
  access token, rate-limited per tenant, 401 without a credential, 429 over budget, 403 without the scope;
- `admin_token` (`administrator`): the operator's ADMIN_TOKEN, for cross-tenant views and tenant admin;
- `clearinghouse_signature`: Standard Webhooks from the clearinghouse (shared/http/webhook_receiver.py);
- `oauth_client`: the token endpoint's client credentials.
Health probes declare an empty `security` list (shared/http/health.py): they are open on purpose.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Request, Security
from fastapi.openapi.models import (
    APIKey,
    APIKeyIn,
    HTTPBase,
    HTTPBearer,
    OAuth2,
    OAuthFlowClientCredentials,
    OAuthFlows,
)
from fastapi.openapi.models import (
    SecurityBase as SecuritySchemeModel,
)
from fastapi.security import SecurityScopes
from fastapi.security.base import SecurityBase

from shared.access_tokens import (
    CLAIMS_READ,
    CLAIMS_WRITE,
    CODING_REVIEW,
    ENCOUNTERS_WRITE,
    PAYMENTS_WRITE,
    SCOPE_DESCRIPTIONS,
    SCRUBBER_MANAGE,
    WEBHOOKS_MANAGE,
)
from shared.http.problems import Unauthorized
from shared.tenancy import Principal

TOKEN_URL = "/v1/oauth/token"  # intake's; every service verifies the tokens it issues


class DeclaredScheme(SecurityBase):
    """A security scheme as the OpenAPI document shows it; checking it is the route's dependency's job."""

    def __init__(self, model: SecuritySchemeModel, scheme_name: str):
        self.model = model
        self.scheme_name = scheme_name

    async def __call__(self) -> None:
        return None


TENANT_CREDENTIAL = DeclaredScheme(OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes=SCOPE_DESCRIPTIONS)),
    description="`Authorization: Bearer <access token>` from intake's token endpoint, holding the scope the "
                "operation names; or `Bearer <API key>` (clk_...), which carries every scope."), "tenant_credential")
ADMIN_TOKEN = DeclaredScheme(HTTPBearer(description="`Authorization: Bearer <ADMIN_TOKEN>`: the operator, "
                                                    "across tenants"), "admin_token")
CLEARINGHOUSE_SIGNATURE = DeclaredScheme(APIKey(**{"in": APIKeyIn.header}, name="webhook-signature", description=(
    "Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature (HMAC-SHA256 with WEBHOOK_SECRET)")),
    "clearinghouse_signature")
OAUTH_CLIENT = DeclaredScheme(HTTPBase(scheme="basic", description="the OAuth2 client's id and secret (HTTP Basic, "
                                                                  "or client_id and client_secret in the form)"),
                              "oauth_client")


async def _scoped_caller(security_scopes: SecurityScopes, request: Request,
                         _declared: Annotated[None, Security(TENANT_CREDENTIAL)]) -> Principal:
    """Authenticate (401), take a token from the tenant's budget (429), then check the scope (403)."""
    await request.app.state.runtime.authenticate(request)
    principal: Principal = request.state.principal
    await request.app.state.rate_limiter.admit(principal.tenant_id)
    for scope in security_scopes.scopes:
        principal.require(scope)
    return principal


# One type per scope; a route takes its caller as `caller: ClaimsWriter` and so declares the scope.
ClaimsReader = Annotated[Principal, Security(_scoped_caller, scopes=[CLAIMS_READ])]
EncounterWriter = Annotated[Principal, Security(_scoped_caller, scopes=[ENCOUNTERS_WRITE])]
ClaimsWriter = Annotated[Principal, Security(_scoped_caller, scopes=[CLAIMS_WRITE])]
PaymentsWriter = Annotated[Principal, Security(_scoped_caller, scopes=[PAYMENTS_WRITE])]
CodingReviewer = Annotated[Principal, Security(_scoped_caller, scopes=[CODING_REVIEW])]
ScrubberManager = Annotated[Principal, Security(_scoped_caller, scopes=[SCRUBBER_MANAGE])]
WebhooksManager = Annotated[Principal, Security(_scoped_caller, scopes=[WEBHOOKS_MANAGE])]


async def _tenant_of(caller: Annotated[Principal, Security(_scoped_caller)]) -> str:
    return caller.tenant_id


# For a read that needs only the tenant id: `tenant_id: ReadingTenant` (claims:read, like ClaimsReader).
ReadingTenant = Annotated[str, Security(_tenant_of, scopes=[CLAIMS_READ])]


async def administrator(request: Request, _declared: Annotated[None, Security(ADMIN_TOKEN)]) -> None:
    """Dependency: the request carries `Authorization: Bearer <ADMIN_TOKEN>`, checked against the token's SHA-256
    (in constant time): a service verifies the operator without holding the operator's credential."""
    settings = request.app.state.runtime.settings
    expected = settings.admin_token_sha256 or (
        hashlib.sha256(settings.admin_token.encode()).hexdigest() if settings.admin_token else "")
    if not expected:
        raise Unauthorized("the admin API is disabled: this service has no ADMIN_TOKEN_SHA256")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    offered = hashlib.sha256(token.strip().encode()).hexdigest()
    if scheme.lower() != "bearer" or not hmac.compare_digest(offered, expected.lower()):
        raise Unauthorized("send Authorization: Bearer <admin token>")


def principal_name(principal: Principal) -> str:
    """The caller as records name it: credential kind and id (`api_key:…`, `oauth_client:…`), never a person."""
    return f"{principal.kind}:{principal.credential_id}"
