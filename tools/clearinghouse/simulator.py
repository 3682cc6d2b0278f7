"""The clearinghouse's behaviour: take an 837, answer with 999, 277CA and, later, 835s.

Receiving is synchronous (read, edit, number, record, write the 999 and 277CA); delivering
and adjudicating run as one background job per interchange, so its webhooks arrive in order:
999, then 277CA, then after the adjudication delay one 835 per payer and billing provider.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from shared.x12.tokenizer import X12SyntaxError, element, split_segments
from tools.clearinghouse.adjudication import DENIED, REVERSAL, ClaimAdjudication, adjudicate, reverse
from tools.clearinghouse.claim_acknowledgement import acknowledge_claim
from tools.clearinghouse.claims import VOID, FunctionalGroup, Interchange, InterchangeHeader
from tools.clearinghouse.envelope_837 import read_interchange
from tools.clearinghouse.ledger import ClaimRecord, InterchangeRecord, Ledger
from tools.clearinghouse.outbound_envelope import OutboundControl, Party
from tools.clearinghouse.payer_rules import PayerConfig
from tools.clearinghouse.problems import InterchangeRejected
from tools.clearinghouse.webhook_delivery import (
    BackgroundJobs,
    WebhookMessage,
    WebhookSender,
    webhook_message,
)
from tools.clearinghouse.x12_277ca import ClaimAcknowledgement, write_277ca
from tools.clearinghouse.x12_835 import Remittance, write_835
from tools.clearinghouse.x12_999 import accepted_groups, rejected_groups, write_999

log = logging.getLogger("tools.clearinghouse")


class EraRejected(ValueError):
    """Text posted to /v1/eras is not an 835 interchange."""


@dataclass(frozen=True, slots=True)
class Routes:
    """Where the answers go and how long the payers take."""

    ack_url: str
    era_url: str
    adjudication_delay_seconds: float


@dataclass(frozen=True, slots=True)
class _Reply:
    """Everything the answers to one inbound request share."""

    interchange_control_number: str | None  # of the inbound interchange
    idempotency_key: str | None
    trace: dict[str, str]
    usage_indicator: str = "T"
    clearinghouse: Party | None = None  # the answer goes back the way the 837 came
    submitter: Party | None = None

    @staticmethod
    def to(header: InterchangeHeader, group: FunctionalGroup, key: str, trace: dict[str, str]) -> _Reply:
        return _Reply(
            header.control_number,
            key,
            trace,
            header.usage_indicator,
            Party(header.receiver_qualifier, header.receiver_id, group.receiver_code or header.receiver_id),
            Party(header.sender_qualifier, header.sender_id, group.sender_code or header.sender_id),
        )

    @property
    def parties(self) -> tuple[Party, Party]:
        assert self.clearinghouse is not None and self.submitter is not None
        return self.clearinghouse, self.submitter


class ClearinghouseSimulator:
    """Receives 837s and schedules the 999, 277CA and 835 webhooks that answer them."""

    def __init__(
        self,
        payers: dict[str, PayerConfig],
        ledger: Ledger,
        sender: WebhookSender,
        jobs: BackgroundJobs,
        routes: Routes,
        clock: Callable[[], dt.datetime],
    ):
        self.payers = payers
        self.ledger = ledger
        self.sender = sender
        self.jobs = jobs
        self.routes = routes
        self.clock = clock

    def receive_interchange(self, text: str, idempotency_key: str, trace: dict[str, str]) -> Interchange:
        """Record and answer an 837; raises InterchangeRejected after scheduling its 999 R."""
        try:
            interchange = read_interchange(text)
        except InterchangeRejected as rejection:
            self._reject(rejection, idempotency_key, trace)
            raise
        reply = _Reply.to(interchange.header, interchange.groups[0], idempotency_key, trace)
        acknowledgements = [acknowledge_claim(c, self.payers, self.ledger) for c in interchange.claims]
        records = []
        for ack in acknowledgements:
            duplicate = self.ledger.note_claim_version(ack.claim)
            records.append(
                ClaimRecord(ack.claim, ack.status, ack.accepted, ack.payer_claim_control_number, duplicate)
            )
        icn = interchange.header.control_number
        self.ledger.interchanges.append(InterchangeRecord(icn, idempotency_key, self.clock(), True, records))
        ack_999 = write_999(accepted_groups(interchange), *reply.parties, self._control(reply))
        ack_277 = write_277ca(interchange, acknowledgements, *reply.parties, self._control(reply))
        messages = [
            self._message(self.routes.ack_url, "x12.999", ack_999, reply),
            self._message(self.routes.ack_url, "x12.277ca", ack_277, reply),
        ]
        adjudicating = sum(1 for a in acknowledgements if a.accepted)
        log.info("interchange %s accepted: %d claims, %d into adjudication", icn, len(records), adjudicating)
        self.jobs.start(self._answer(messages, acknowledgements, records, reply), name=f"answers for {icn}")
        return interchange

    def inject_era(self, text: str, idempotency_key: str | None, trace: dict[str, str]) -> str:
        """Deliver an operator's 835 as-is through the ERA webhook; returns the webhook id."""
        try:
            _, segments = split_segments(text)
        except X12SyntaxError as error:
            raise EraRejected(str(error)) from error
        if not any(s[0] == "ST" and element(s, 1) == "835" for s in segments):
            raise EraRejected("the interchange holds no 835 transaction set")
        reply = _Reply(None, idempotency_key, trace)
        message = self._message(self.routes.era_url, "x12.835", text, reply, icn=segments[0][13])
        self.jobs.start(self._send([message]), name=f"injected ERA {message.webhook_id}")
        return message.webhook_id

    def _reject(self, rejection: InterchangeRejected, key: str, trace: dict[str, str]) -> None:
        icn = rejection.header.control_number if rejection.header else None
        problems = [p.detail for p in rejection.problems]
        self.ledger.interchanges.append(InterchangeRecord(icn, key, self.clock(), False, problems=problems))
        log.info("interchange %s rejected: %d problems", icn, len(problems))
        if rejection.header is None or not rejection.groups:
            return  # nothing to address a 999 to
        reply = _Reply.to(rejection.header, rejection.groups[0], key, trace)
        groups = rejected_groups(rejection.groups, rejection.problems, rejection.transaction_sets)
        x12 = write_999(groups, *reply.parties, self._control(reply))
        message = self._message(self.routes.ack_url, "x12.999", x12, reply)
        self.jobs.start(self._send([message]), name=f"999 for {icn}")

    async def _answer(
        self,
        messages: list[WebhookMessage],
        acknowledgements: list[ClaimAcknowledgement],
        records: list[ClaimRecord],
        reply: _Reply,
    ) -> None:
        await self._send(messages)
        await asyncio.sleep(self.routes.adjudication_delay_seconds)
        results: list[tuple[PayerConfig, ClaimAdjudication]] = []
        for ack, record in zip(acknowledgements, records, strict=True):
            if not ack.accepted or ack.payer_claim_control_number is None:
                continue
            payer = self.payers[ack.claim.payer_id]
            result = self._adjudicate(ack, ack.payer_claim_control_number, payer)
            record.adjudication = _outcome(result)
            if result is not None:
                results.append((payer, result))
        await self._send([self._remittance(payer, batch, reply) for payer, batch in _batches(results)])

    def _adjudicate(
        self, ack: ClaimAcknowledgement, number: str, payer: PayerConfig
    ) -> ClaimAdjudication | None:
        if ack.claim.frequency_code == VOID:
            original = self.ledger.take_for_reversal(number)
            return reverse(original) if original is not None else None
        result = adjudicate(ack.claim, payer, number)
        if result is not None:
            self.ledger.record_adjudication(result)
        return result

    def _remittance(
        self, payer: PayerConfig, batch: list[ClaimAdjudication], reply: _Reply
    ) -> WebhookMessage:
        remittance = Remittance(
            payer=payer,
            payee=batch[0].claim.billing_provider,
            claims=tuple(batch),
            trace_number=self.ledger.next_trace_number(),
            payment_date=self.clock().date(),
        )
        x12 = write_835(remittance, *reply.parties, self._control(reply))
        return self._message(self.routes.era_url, "x12.835", x12, reply)

    async def _send(self, messages: list[WebhookMessage]) -> None:
        for message in messages:
            await self.sender.deliver(message)

    def _message(
        self, url: str, event_type: str, x12: str, reply: _Reply, icn: str | None = None
    ) -> WebhookMessage:
        data = {
            "x12": x12,
            "interchange_control_number": icn or _isa13(x12),
            "source_interchange_control_number": reply.interchange_control_number,
            "source_idempotency_key": reply.idempotency_key,
        }
        return webhook_message(url, event_type, data, reply.trace, self.clock())

    def _control(self, reply: _Reply) -> OutboundControl:
        number = self.ledger.next_control_number()
        return OutboundControl(number, number, self.clock(), reply.usage_indicator)


def _outcome(result: ClaimAdjudication | None) -> str:
    if result is None:
        return "none"
    if result.status_code == REVERSAL:
        return "reversed"
    return "denied" if result.status_code == DENIED else "paid"


def _batches(
    results: list[tuple[PayerConfig, ClaimAdjudication]],
) -> list[tuple[PayerConfig, list[ClaimAdjudication]]]:
    batches: dict[tuple[str, str], tuple[PayerConfig, list[ClaimAdjudication]]] = {}
    for payer, result in results:
        key = (payer.payer_id, result.claim.billing_provider.npi)
        batches.setdefault(key, (payer, []))[1].append(result)
    return list(batches.values())


def _isa13(x12: str) -> str:
    # only for X12 this module wrote, whose element separator is "*"
    return x12.split("*", 14)[13]
