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
from tools.clearinghouse.claims import VOID, Interchange, InterchangeHeader
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
    ack_url: str
    era_url: str
    adjudication_delay_seconds: float


@dataclass(frozen=True, slots=True)
class Source:
    """The inbound request a webhook answers."""

    interchange_control_number: str | None
    idempotency_key: str | None
    trace: dict[str, str]


class ClearinghouseSimulator:
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

    def receive_interchange(self, text: str, source: Source) -> Interchange:
        """Record and answer an 837; raises InterchangeRejected after scheduling the 999 R."""
        received_at = self.clock()
        key = source.idempotency_key or ""
        try:
            interchange = read_interchange(text)
        except InterchangeRejected as rejection:
            icn = rejection.header.control_number if rejection.header else None
            problems = [p.detail for p in rejection.problems]
            self.ledger.interchanges.append(
                InterchangeRecord(icn, key, received_at, False, problems=problems)
            )
            log.info("interchange %s rejected: %d problems", icn, len(problems))
            if rejection.header is not None and rejection.groups:
                groups = rejected_groups(rejection.groups, rejection.problems, rejection.transaction_sets)
                x12 = write_999(groups, *self._parties(rejection.header), self._control(rejection.header))
                source = Source(icn, source.idempotency_key, source.trace)
                self.jobs.start(
                    self._send([self._message(self.routes.ack_url, "x12.999", x12, source)]),
                    name=f"999 for {icn}",
                )
            raise
        header = interchange.header
        source = Source(header.control_number, source.idempotency_key, source.trace)
        acknowledgements = [acknowledge_claim(c, self.payers, self.ledger) for c in interchange.claims]
        records = [
            ClaimRecord(
                a.claim,
                a.status,
                a.accepted,
                a.payer_claim_control_number,
                self.ledger.note_claim_version(a.claim),
            )
            for a in acknowledgements
        ]
        self.ledger.interchanges.append(
            InterchangeRecord(header.control_number, key, received_at, True, records)
        )
        parties = self._parties(header)
        ack_999 = write_999(accepted_groups(interchange), *parties, self._control(header))
        ack_277 = write_277ca(interchange, acknowledgements, *parties, self._control(header))
        messages = [
            self._message(self.routes.ack_url, "x12.999", ack_999, source),
            self._message(self.routes.ack_url, "x12.277ca", ack_277, source),
        ]
        accepted = sum(1 for a in acknowledgements if a.accepted)
        log.info(
            "interchange %s accepted: %d claims, %d into adjudication",
            header.control_number,
            len(records),
            accepted,
        )
        self.jobs.start(
            self._answer(messages, acknowledgements, records, header, source),
            name=f"answers for {header.control_number}",
        )
        return interchange

    def inject_era(self, text: str, source: Source) -> str:
        """Deliver an operator's 835 as-is through the ERA webhook; returns the webhook id."""
        try:
            _, segments = split_segments(text)
        except X12SyntaxError as error:
            raise EraRejected(str(error)) from error
        if not any(s[0] == "ST" and element(s, 1) == "835" for s in segments):
            raise EraRejected("the interchange holds no 835 transaction set")
        data_source = Source(None, source.idempotency_key, source.trace)
        message = self._message(self.routes.era_url, "x12.835", text, data_source, segments[0][13])
        self.jobs.start(self._send([message]), name=f"injected ERA {message.webhook_id}")
        return message.webhook_id

    async def _answer(
        self,
        messages: list[WebhookMessage],
        acknowledgements: list[ClaimAcknowledgement],
        records: list[ClaimRecord],
        header: InterchangeHeader,
        source: Source,
    ) -> None:
        await self._send(messages)
        await asyncio.sleep(self.routes.adjudication_delay_seconds)
        results: list[tuple[PayerConfig, ClaimAdjudication]] = []
        for ack, record in zip(acknowledgements, records, strict=True):
            if not ack.accepted or ack.payer_claim_control_number is None:
                continue
            payer = self.payers[ack.claim.payer_id]
            result = self._adjudicate(ack, payer)
            record.adjudication = _outcome(result)
            if result is not None:
                results.append((payer, result))
        await self._send(
            [self._remittance(payer, batch, header, source) for payer, batch in _batches(results)]
        )

    def _adjudicate(self, ack: ClaimAcknowledgement, payer: PayerConfig) -> ClaimAdjudication | None:
        assert ack.payer_claim_control_number is not None
        if ack.claim.frequency_code == VOID:
            original = self.ledger.take_for_reversal(ack.payer_claim_control_number)
            return reverse(original) if original is not None else None
        result = adjudicate(ack.claim, payer, ack.payer_claim_control_number)
        if result is not None:
            self.ledger.record_adjudication(result)
        return result

    def _remittance(
        self, payer: PayerConfig, batch: list[ClaimAdjudication], header: InterchangeHeader, source: Source
    ) -> WebhookMessage:
        remittance = Remittance(
            payer=payer,
            payee=batch[0].claim.billing_provider,
            claims=tuple(batch),
            trace_number=self.ledger.next_trace_number(),
            payment_date=self.clock().date(),
        )
        x12 = write_835(remittance, *self._parties(header), self._control(header))
        return self._message(self.routes.era_url, "x12.835", x12, source)

    async def _send(self, messages: list[WebhookMessage]) -> None:
        for message in messages:
            await self.sender.deliver(message)

    def _message(
        self, url: str, event_type: str, x12: str, source: Source, icn: str | None = None
    ) -> WebhookMessage:
        data = {
            "x12": x12,
            "interchange_control_number": icn or _isa13(x12),
            "source_interchange_control_number": source.interchange_control_number,
            "source_idempotency_key": source.idempotency_key,
        }
        return webhook_message(url, event_type, data, source.trace, self.clock())

    def _control(self, header: InterchangeHeader) -> OutboundControl:
        number = self.ledger.next_control_number()
        return OutboundControl(number, number, self.clock(), header.usage_indicator)

    @staticmethod
    def _parties(header: InterchangeHeader) -> tuple[Party, Party]:
        # the answer goes back the way the 837 came: our id is its receiver, its sender is ours
        clearinghouse = Party(header.receiver_qualifier, header.receiver_id, header.receiver_id)
        submitter = Party(header.sender_qualifier, header.sender_id, header.sender_id)
        return clearinghouse, submitter


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
