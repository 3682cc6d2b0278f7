"""A transaction of an 835 already stored, read again when a late match, reversal or secondary billing needs it.

Read on an X12 reader thread like every other X12 file: a stored file may be as large as the
limits allow, and re-reading it on the event loop would stall every request and consumer meanwhile.
"""

from __future__ import annotations

from services.remittance.adapters.repository import RemittanceStore
from services.remittance.domain.era_model import Remittance
from services.remittance.domain.era_parser import parse_835
from shared.x12.reader_threads import read_off_the_loop


async def stored_remittance(store: RemittanceStore, delivery_id: str, transaction_index: int) -> Remittance:
    """Transaction `transaction_index` of the 835 stored under delivery_id (it parsed when it was posted)."""
    return (await read_off_the_loop(parse_835, await store.file_x12(delivery_id)))[transaction_index]
