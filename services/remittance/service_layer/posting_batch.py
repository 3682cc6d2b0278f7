"""Post a set of claim payments in a handful of statements: read every claim's book at once, decide in
memory (claim_posting), write one statement per table.

Locks first (lock_claim_numbers, then the claims in id order, as RemittanceStore documents): the books
are read under them, so nothing another transaction writes to these claims can interleave.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from services.remittance.adapters.posting_store import PostingStore
from services.remittance.adapters.repository import TOPIC
from services.remittance.adapters.tables import messaging
from services.remittance.domain import adjustment_codes as codes
from services.remittance.domain.era_model import ClaimPayment, Remittance
from services.remittance.domain.era_parser import parse_835
from services.remittance.service_layer.claim_posting import (
    ClaimBook,
    EraPosting,
    PostingBatch,
    era_claim_row,
    post_claim,
)
from shared.messaging.outbox import PendingEvent, append_events
from shared.telemetry import current_traceparent
from shared.x12.reader_threads import read_off_the_loop

_postings_in_progress = 0
_collector_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file posts (a counter: concurrent postings in one process).

    Parsing and posting 10,000 claims allocates millions of objects that stay alive until the commit, so
    the collector's full passes kept walking a growing heap: a third of the posting's CPU (bench/era).
    Nothing here builds reference cycles; whatever another coroutine leaves meanwhile is collected after.
    """
    global _postings_in_progress, _collector_was_enabled
    if _postings_in_progress == 0:
        _collector_was_enabled = gc.isenabled()
        gc.disable()
    _postings_in_progress += 1
    try:
        yield
    finally:
        _postings_in_progress -= 1
        if _postings_in_progress == 0 and _collector_was_enabled:
            gc.enable()


async def read_books(store: PostingStore, billed: Iterable[dict]) -> dict[str, ClaimBook]:
    """Lock the claims and read each one's book: versions, posted payments, ledger, coverages (4 reads)."""
    rows = {str(b["claim_id"]): b for b in billed}
    claim_ids = sorted(rows)
    await store.lock_claims(claim_ids)  # before reading the encounter: see RemittanceStore.lock_claim
    versions = await store.versions_of(claim_ids)
    payments = await store.posted_payments_of(claim_ids)
    ledger = await store.ledger_rows_of(claim_ids)
    coverages = await store.coverage_priorities_of(claim_ids)
    return {claim_id: ClaimBook(row, versions.get(claim_id, []), payments.get(claim_id, []),
                                ledger.get(claim_id, []), coverages.get(claim_id))
            for claim_id, row in rows.items()}


async def transactions_reader(store: PostingStore, books: Iterable[ClaimBook], claims: Sequence[ClaimPayment],
                              current: dict[tuple[str, int], Remittance]) -> Callable[[str, int], Remittance]:
    """What a reversal needs to re-read its original posting: the files of the reversed claims' payments,
    read in one statement (only when the file reverses something) and each parsed once."""
    reversed_ccns = {c.payer_claim_control_number for c in claims if c.status_code == codes.STATUS_REVERSAL}
    deliveries = {p["delivery_id"] for book in books for p in book.payments
                  if p["payer_claim_control_number"] in reversed_ccns} if reversed_ccns else set()
    texts = await store.files(deliveries - {delivery for delivery, _ in current})
    # read on an X12 reader thread, as every X12 file is: a stored file may be as large as the limits allow
    parsed = {delivery_id: await read_off_the_loop(parse_835, text) for delivery_id, text in texts.items()}

    def transaction_of(delivery_id: str, transaction_index: int) -> Remittance:
        known = current.get((delivery_id, transaction_index))
        return known if known is not None else parsed[delivery_id][transaction_index]

    return transaction_of


async def write_batch(store: PostingStore, batch: PostingBatch) -> None:
    """The batch's rows: ledger entries, era_claims, claim statuses, events and their outbox rows."""
    await store.add_entries(batch.entries)
    await store.add_era_claims(batch.era_claims)
    await store.set_claim_statuses(batch.statuses)
    fallback = current_traceparent()  # a claim billed before its trace was kept continues the request's
    await append_events(store.session, messaging, [PendingEvent(TOPIC, event, trace or fallback)
                                                   for event, trace in batch.events])


async def post_claim_payments(store: PostingStore, era_id: str, delivery_id: str, transaction_index: int,
                              remittance: Remittance, payments: Sequence[tuple[int, ClaimPayment]],
                              billed_by_number: dict[str, dict], batch: PostingBatch) -> int:
    """Post (claim index, claim payment) pairs of one ERA transaction to the billed claims their CLP01 names
    (a number not among them waits unposted); returns how many posted. The caller writes the batch."""
    books = await read_books(store, {str(b["claim_id"]): b for b in billed_by_number.values()}.values())
    transaction_of = await transactions_reader(store, books.values(), [claim for _, claim in payments],
                                               {(delivery_id, transaction_index): remittance})
    era = EraPosting(era_id, delivery_id, transaction_index, remittance, transaction_of)
    posted = 0
    for claim_index, claim in payments:
        billed = billed_by_number.get(claim.patient_control_number)
        if billed is None:
            batch.era_claims.append(era_claim_row(era_id, claim_index, claim, None, None, posted=False))
            continue
        posted += post_claim(books[str(billed["claim_id"])], batch, era, claim_index, claim)
    return posted
