"""The X12-over-SFTP clearinghouse adapter against a real SFTP server (asyncssh, key auth).

First the adapter alone: atomic upload under a deterministic name, no second upload of a batch the
server already has, ack pickup and archiving, refusal of an unknown host key. Then the stack: claims
routed to the SFTP clearinghouse land as pyx12-valid batch files; the 999 and 277CA we drop in the
outbound folder (written by the simulator's own X12 writers) move them to accepted or rejected.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from services.submission.adapters.clearinghouse import ClearinghouseUnavailable, OutboundBatch
from services.submission.adapters.clearinghouse.sftp import SftpClearinghouse, SftpEndpoint
from services.submission.domain.submission_plan import patient_control_number_for
from tests.e2e.conftest import claim_reaching, post_encounter
from tests.e2e.polling import eventually
from tests.e2e.x12_documents import ack_277ca, ack_999, pyx12_errors, segments
from tests.support.encounters import encounter_for
from tests.support.sftp_server import RunningSftpServer, sftp_server
from tests.support.submission_process import submission_with
from tools.clearinghouse.claim_acknowledgement import acknowledge_claim
from tools.clearinghouse.envelope_837 import read_interchange
from tools.clearinghouse.ledger import Ledger
from tools.clearinghouse.outbound_envelope import OutboundControl, Party
from tools.clearinghouse.payer_rules import load_payers
from tools.clearinghouse.settings import DEFAULT_PAYERS_FILE
from tools.clearinghouse.x12_277ca import write_277ca
from tools.clearinghouse.x12_999 import accepted_groups, write_999

NOW = dt.datetime(2026, 11, 27, 9, 0)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[RunningSftpServer]:
    async with sftp_server(tmp_path) as running:
        yield running


def _adapter(server: RunningSftpServer, **changes: object) -> SftpClearinghouse:
    config = {k: v for k, v in server.clearinghouse_config().items() if k != "kind"} | changes
    return SftpClearinghouse("sftp-test", SftpEndpoint(**config))  # type: ignore[arg-type]


def _batch(name: str = "CLAIMLINE_000000042.837", x12: str = "ISA*...~") -> OutboundBatch:
    return OutboundBatch("b-1", "batch-key", name, 42, x12)


def _answers(text: str, control: int) -> tuple[str, str]:
    """What the clearinghouse answers to an 837: its 999 and its 277CA (the simulator's writers and edits)."""
    interchange = read_interchange(text)
    header, group = interchange.header, interchange.groups[0]
    clearinghouse = Party(header.receiver_qualifier, header.receiver_id, group.receiver_code or header.receiver_id)
    submitter = Party(header.sender_qualifier, header.sender_id, group.sender_code or header.sender_id)
    ledger = Ledger(lambda: NOW)
    acks = [acknowledge_claim(claim, load_payers(DEFAULT_PAYERS_FILE), ledger) for claim in interchange.claims]
    ack_999 = write_999(accepted_groups(interchange), clearinghouse, submitter, OutboundControl(control, control, NOW))
    ack_277 = write_277ca(interchange, acks, clearinghouse, submitter, OutboundControl(control + 1, control + 1, NOW))
    return ack_999, ack_277


def _drop(folder: Path, name: str, text: str) -> None:
    """Write like a clearinghouse would: a dot-named partial file, renamed when complete."""
    partial = folder / f".{name}.part"
    partial.write_text(text)
    os.rename(partial, folder / name)


@pytest.mark.e2e
async def test_a_batch_is_uploaded_atomically_under_its_name(server: RunningSftpServer) -> None:
    adapter = _adapter(server)
    try:
        receipt = await adapter.submit(_batch(x12="ISA*00*first~"))
        assert not receipt.replayed
        assert [p.name for p in server.folder("inbound").iterdir()] == ["CLAIMLINE_000000042.837"]
        assert (server.folder("inbound") / "CLAIMLINE_000000042.837").read_text() == "ISA*00*first~"
    finally:
        await adapter.close()


@pytest.mark.e2e
@pytest.mark.parametrize("folder", ["inbound", "archive"])
async def test_a_resend_does_not_upload_what_the_server_already_has(server: RunningSftpServer, folder: str) -> None:
    (server.folder(folder) / "CLAIMLINE_000000042.837").write_text("ISA*00*first~")
    adapter = _adapter(server)
    try:
        receipt = await adapter.submit(_batch(x12="ISA*00*second~"))
    finally:
        await adapter.close()
    assert receipt.replayed
    assert (server.folder(folder) / "CLAIMLINE_000000042.837").read_text() == "ISA*00*first~"
    assert len(list(server.folder("inbound").iterdir())) == (1 if folder == "inbound" else 0)


@pytest.mark.e2e
async def test_acks_are_picked_up_by_content_and_archived(server: RunningSftpServer) -> None:
    _drop(server.folder("outbound"), "answer-a.x12", ack_999(500))
    _drop(server.folder("outbound"), "answer-b.x12", ack_277ca("PCN0001"))
    (server.folder("outbound") / ".still-uploading.part").write_text("ISA")
    adapter = _adapter(server)
    try:
        pending = await adapter.pending_acknowledgements()
        assert [(a.delivery_id, a.kind) for a in pending] == [
            ("sftp:sftp-test:answer-a.x12", "x12.999"), ("sftp:sftp-test:answer-b.x12", "x12.277ca")]
        for acknowledgement in pending:
            await adapter.archive(acknowledgement)
    finally:
        await adapter.close()
    assert [p.name for p in server.folder("outbound").iterdir()] == [".still-uploading.part"]
    assert sorted(p.name for p in server.folder("archive").iterdir()) == ["answer-a.x12", "answer-b.x12"]


@pytest.mark.e2e
async def test_an_unknown_host_key_or_a_dead_server_is_unavailable(server: RunningSftpServer, tmp_path: Path) -> None:
    strangers = tmp_path / "other_known_hosts"
    strangers.write_text("")
    for adapter in (_adapter(server, known_hosts_path=str(strangers)), _adapter(server, port=1)):
        try:
            with pytest.raises(ClearinghouseUnavailable):
                await adapter.submit(_batch())
        finally:
            await adapter.close()
    assert list(server.folder("inbound").iterdir()) == []


async def _batch_files(server: RunningSftpServer, count: int) -> list[Path]:
    async def listing() -> list[Path]:
        return sorted(p for p in server.folder("inbound").iterdir() if not p.name.startswith("."))

    return await eventually(listing, lambda files: len(files) >= count, f"{count} batch files in inbound", 90)


@pytest.mark.e2e
async def test_claims_routed_to_sftp_are_dropped_and_their_acks_picked_up(
        server: RunningSftpServer, api: httpx.AsyncClient, stack: dict[str, str]) -> None:
    settings = {
        "SUBMISSION_CLEARINGHOUSES": json.dumps({"sftp-test": server.clearinghouse_config()}),
        "SUBMISSION_PAYER_ROUTES": json.dumps({"SIMPAY": "sftp-test", "SIMREJ": "sftp-test"}),
        "SUBMISSION_BATCH_MAX_AGE_SECONDS": "4", "SUBMISSION_ACK_PICKUP_SECONDS": "0.5"}
    async with submission_with(settings):
        claims = {}
        for payer in ("SIMPAY", "SIMPAY", "SIMREJ"):
            response = await post_encounter(api, stack, encounter_for(payer))
            assert response.status_code == 202, response.text
            claims[response.json()["claim_id"]] = payer

        files = await _batch_files(server, 2)
        assert len(files) == 2  # one interchange per payer
        billed = {}
        for control, path in enumerate(files, start=1):
            text = path.read_text()
            assert pyx12_errors(text) == []
            billed[path.name] = [s[1] for s in segments(text) if s[0] == "CLM"]
            ack_999, ack_277 = _answers(text, 700 + 2 * control)
            _drop(server.folder("outbound"), f"{path.stem}-1.999", ack_999)  # picked up in name order: 999 first
            _drop(server.folder("outbound"), f"{path.stem}-2.277", ack_277)
        pcns = {patient_control_number_for(claim_id): payer for claim_id, payer in claims.items()}
        assert sorted(sorted(pcns[p] for p in batch) for batch in billed.values()) == [
            ["SIMPAY", "SIMPAY"], ["SIMREJ"]]

        for claim_id, payer in claims.items():
            await claim_reaching(api, stack, claim_id, {"accepted"} if payer == "SIMPAY" else {"rejected"}, 60)
            submission = (await api.get(f"{stack['SUBMISSION_URL']}/v1/claims/{claim_id}/submissions")
                          ).json()["submissions"][-1]
            assert submission["ack_999"] == "A"
            assert submission["status"] == ("accepted" if payer == "SIMPAY" else "rejected")
        await eventually(lambda: _listing(server.folder("outbound")), lambda names: names == [],
                         "the outbound folder to be emptied")
        assert len(_sync_listing(server.folder("archive"))) == 4


async def _listing(folder: Path) -> list[str]:
    return _sync_listing(folder)


def _sync_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
