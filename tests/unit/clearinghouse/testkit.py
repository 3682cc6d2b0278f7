"""Clearinghouse test helpers: samples, pyx12, an independent 835 balance check, a webhook receiver."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyx12.params
import pyx12.x12n_document

from shared.webhooks import verify
from shared.x12.tokenizer import element, render_segments, split_segments
from tools.clearinghouse.app import create_app
from tools.clearinghouse.claims import BillingProvider, PersonName, ServiceLine, SubmittedClaim
from tools.clearinghouse.settings import ClearinghouseSettings

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "whsec_" + "c2ltdWxhdG9yLXRlc3Qtc2VjcmV0"  # base64 of "simulator-test-secret"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
PYX12_NOISE = "Failed to create 999 response"  # logged for every 835, says nothing about the file


def read_fixture(name: str) -> str:
    """One of the hand-written 837 samples."""
    return (FIXTURES / name).read_text()


Segments = list[list[str]]


def segments_of(text: str, segment_id: str) -> Segments:
    """Every segment of X12 text with the given id."""
    return [s for s in split_segments(text)[1] if s[0] == segment_id]


def rewrite(text: str, change: Callable[[Segments], Segments], recount: bool = True) -> str:
    """X12 text with its segments changed, SE01 recounted unless asked not to."""
    _, segments = split_segments(text)
    segments = change([list(s) for s in segments])
    if recount:
        start = 0
        for index, segment in enumerate(segments):
            if segment[0] == "ST":
                start = index
            elif segment[0] == "SE":
                segment[1] = str(index - start + 1)
    return render_segments(segments)


def drop(segment_text: str) -> Callable[[Segments], Segments]:
    """A change removing every segment equal to segment_text (elements joined by '*')."""
    return lambda segments: [s for s in segments if "*".join(s) != segment_text]


def replace(old: str, new: str) -> Callable[[Segments], Segments]:
    """A change replacing the segment equal to old with new."""
    return lambda segments: [new.split("*") if "*".join(s) == old else s for s in segments]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def pyx12_errors(text: str, directory: Path) -> list[str]:
    """Validate X12 text with pyx12; returns its complaints, empty when the file is valid."""
    path = directory / "document.x12"
    path.write_text(text)
    collector = _Collector()
    logger = logging.getLogger("pyx12")
    logger.addHandler(collector)
    previous = logger.level
    logger.setLevel(logging.INFO)
    try:
        valid = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(path),
            fd_997=io.StringIO(),
            fd_html=None,
            fd_xmldoc=None,
        )
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous)
    complaints = [m for m in collector.messages if PYX12_NOISE not in m]
    return complaints if complaints or valid else ["pyx12 says invalid without a message"]


def balance_problems(text: str) -> list[str]:
    """TR3 1.10.2 balancing of an 835, read straight from the X12 text."""
    _, segments = split_segments(text)
    problems: list[str] = []
    claims_paid, plb_total, bpr_amount = Decimal(0), Decimal(0), None
    claim: dict[str, Any] | None = None
    line: dict[str, Any] | None = None

    def close_line() -> None:
        if line is not None and line["charge"] != line["paid"] + line["cas"]:
            problems.append(f"line {line['code']}: {line['charge']} != {line['paid']} + {line['cas']}")

    def close_claim() -> None:
        close_line()
        if claim is not None:
            if claim["charge"] - claim["paid"] != claim["cas"]:
                problems.append(f"claim {claim['id']}: charge - paid != sum of CAS")
            if claim["responsibility"] != claim["pr"]:
                problems.append(f"claim {claim['id']}: CLP05 != sum of PR adjustments")

    for segment in segments:
        sid = segment[0]
        if sid == "BPR":
            bpr_amount = Decimal(element(segment, 2))
        elif sid == "CLP":
            close_claim()
            line = None
            claim = {
                "id": element(segment, 1),
                "charge": Decimal(element(segment, 3)),
                "paid": Decimal(element(segment, 4)),
                "responsibility": Decimal(element(segment, 5) or 0),
                "cas": Decimal(0),
                "pr": Decimal(0),
            }
            claims_paid += claim["paid"]
        elif sid == "SVC":
            close_line()
            line = {
                "code": element(segment, 1),
                "charge": Decimal(element(segment, 2)),
                "paid": Decimal(element(segment, 3)),
                "cas": Decimal(0),
            }
        elif sid == "CAS" and claim is not None:
            amounts = [Decimal(element(segment, i)) for i in range(3, 19, 3) if element(segment, i)]
            claim["cas"] += sum(amounts)
            if element(segment, 1) == "PR":
                claim["pr"] += sum(amounts)
            if line is not None:
                line["cas"] += sum(amounts)
        elif sid == "PLB":
            close_claim()
            claim, line = None, None
            plb_total += sum(Decimal(element(segment, i)) for i in range(4, 15, 2) if element(segment, i))
    close_claim()
    if bpr_amount is None or bpr_amount != claims_paid - plb_total:
        problems.append(f"BPR02 {bpr_amount} != sum CLP04 {claims_paid} - sum PLB {plb_total}")
    return problems


@dataclass
class ReceivedWebhook:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def event_type(self) -> str:
        return str(self.payload["type"])

    @property
    def x12(self) -> str:
        return str(self.payload["data"]["x12"])


@dataclass
class WebhookReceiver:
    """A tiny ASGI app standing in for the submission and remittance services' webhook endpoints."""

    received: list[ReceivedWebhook] = field(default_factory=list)
    attempts: list[ReceivedWebhook] = field(default_factory=list)
    scripted_statuses: list[int] = field(default_factory=list)  # answers for the next attempts, then 204
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        webhook = ReceivedWebhook(scope["path"], headers, b"".join(chunks))
        self.attempts.append(webhook)
        status = self.scripted_statuses.pop(0) if self.scripted_statuses else 204
        if 200 <= status < 300:
            self.received.append(webhook)
            self.arrived.set()
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def of_type(self, event_type: str) -> list[ReceivedWebhook]:
        return [w for w in self.received if w.event_type == event_type]

    async def wait_for(self, count: int, within_seconds: float = 5.0) -> list[ReceivedWebhook]:
        """Wait until count webhooks were delivered."""
        async with asyncio.timeout(within_seconds):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.received


def assert_signed(webhook: ReceivedWebhook, secret: str = SECRET) -> None:
    """The webhook verifies with the shared secret."""
    verify(secret, webhook.headers, webhook.body)


@dataclass
class RunningSimulator:
    client: httpx.AsyncClient
    receiver: WebhookReceiver
    app: Any

    async def post_837(self, text: str, key: str, **headers: str) -> httpx.Response:
        return await self.client.post(
            "/v1/interchanges", content=text, headers={"Idempotency-Key": key, **headers}
        )

    async def settle(self) -> None:
        """Wait for every background delivery to finish."""
        await self.app.state.jobs.drain()


@asynccontextmanager
async def running_simulator() -> AsyncIterator[RunningSimulator]:
    """The simulator app in-process, started; its webhooks go to an in-process receiver."""
    receiver = WebhookReceiver()
    app = create_app(simulator_settings(), webhook_transport=httpx.ASGITransport(app=receiver))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://clearinghouse.test") as client:
            yield RunningSimulator(client, receiver, app)


def simulator_settings(**overrides: Any) -> ClearinghouseSettings:
    values: dict[str, Any] = {
        "webhook_secret": SECRET,
        "ack_webhook_url": "http://services.test/submission/webhooks/clearinghouse",
        "era_webhook_url": "http://services.test/remittance/webhooks/era",
        "adjudication_delay_seconds": 0.01,
        "webhook_retry_initial_seconds": 0.01,
        "webhook_retry_max_seconds": 0.05,
        "webhook_retry_window_seconds": 2.0,
    }
    values.update(overrides)
    return ClearinghouseSettings(**values)


def submitted_claim(
    lines: list[tuple[str, str]],
    payer_id: str = "SIMPAY",
    prior_authorization: str | None = None,
    frequency_code: str = "1",
    original_reference: str | None = None,
    patient_control_number: str = "PCN9001",
    modifiers: tuple[str, ...] = (),
) -> SubmittedClaim:
    """A professional claim with (procedure code, charge) lines, for rule tests."""
    service_lines = tuple(
        ServiceLine(
            line_number=number,
            qualifier="HC",
            procedure_code=code,
            modifiers=modifiers,
            charge=Decimal(charge),
            units=Decimal("1"),
            service_date="20260110",
            line_control_number=f"{patient_control_number}L{number}",
        )
        for number, (code, charge) in enumerate(lines, start=1)
    )
    return SubmittedClaim(
        transaction_set_control_number="0001",
        patient_control_number=patient_control_number,
        total_charge=sum((line.charge for line in service_lines), Decimal("0")),
        facility_code="11",
        frequency_code=frequency_code,
        payer_id=payer_id,
        payer_name="A PAYER",
        claim_filing_indicator="CI",
        billing_provider=BillingProvider("RIVERSIDE FAMILY MEDICINE", "1234567893", "371234567"),
        subscriber=PersonName("DOE", "JANE"),
        member_id="MEM123456",
        patient=PersonName("DOE", "JANE"),
        patient_is_subscriber=True,
        lines=service_lines,
        original_reference=original_reference,
        prior_authorization=prior_authorization,
    )
