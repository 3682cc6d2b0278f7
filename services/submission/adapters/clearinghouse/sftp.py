"""The X12-over-SFTP clearinghouse adapter: batch files dropped in an inbound folder, acks picked up
from an outbound folder and moved to an archive folder once applied."""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass

import asyncssh

from services.submission.adapters.clearinghouse.interface import (
    ClearinghouseUnavailable,
    InboundAcknowledgement,
    OutboundBatch,
    SubmissionReceipt,
)
from shared.x12.tokenizer import X12SyntaxError, element, read_delimiters, split_segments

log = logging.getLogger(__name__)
ACK_KINDS = {"999": "x12.999", "277": "x12.277ca"}


@dataclass(frozen=True, slots=True)
class SftpEndpoint:
    """Where and as whom to connect, and the clearinghouse's folder layout."""

    host: str
    port: int
    username: str
    client_key_path: str
    known_hosts_path: str  # the clearinghouse's host key: we never connect to an unknown server
    inbound_dir: str = "inbound"
    outbound_dir: str = "outbound"
    archive_dir: str = "archive"
    connect_timeout_seconds: float = 10.0


class SftpClearinghouse:
    """Uploads each batch under its deterministic file name: to a temporary name first, then renamed,
    so the clearinghouse never reads half a file. A resend first looks for that name in the inbound
    and archive folders: if the first upload got there, it is not uploaded again."""

    picks_up_acknowledgements = True

    def __init__(self, name: str, endpoint: SftpEndpoint):
        self.name = name
        self.endpoint = endpoint
        self._connection: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None

    async def submit(self, batch: OutboundBatch) -> SubmissionReceipt:
        target = posixpath.join(self.endpoint.inbound_dir, batch.file_name)
        async with self._session() as sftp:
            if await self._delivered_before(sftp, batch.file_name):
                return SubmissionReceipt(batch.file_name, replayed=True)
            partial = posixpath.join(self.endpoint.inbound_dir, f".{batch.file_name}.part")
            async with sftp.open(partial, "wb") as upload:
                await upload.write(batch.x12.encode())
            await sftp.rename(partial, target)
        return SubmissionReceipt(batch.file_name)

    async def _delivered_before(self, sftp: asyncssh.SFTPClient, file_name: str) -> bool:
        for folder in (self.endpoint.inbound_dir, self.endpoint.archive_dir):
            if await sftp.exists(posixpath.join(folder, file_name)):
                return True
        return False

    async def pending_acknowledgements(self) -> list[InboundAcknowledgement]:
        """Every complete file in the outbound folder (dot files are uploads in progress)."""
        acknowledgements = []
        async with self._session() as sftp:
            for name in sorted(await sftp.listdir(self.endpoint.outbound_dir)):
                if name.startswith("."):
                    continue
                path = posixpath.join(self.endpoint.outbound_dir, name)
                async with sftp.open(path, "rb") as download:
                    text = (await download.read()).decode("utf-8", errors="replace")
                acknowledgements.append(InboundAcknowledgement(
                    delivery_id=f"sftp:{self.name}:{name}", kind=_ack_kind(name, text), x12=text, handle=name))
        return acknowledgements

    async def archive(self, acknowledgement: InboundAcknowledgement) -> None:
        source = posixpath.join(self.endpoint.outbound_dir, acknowledgement.handle)
        target = posixpath.join(self.endpoint.archive_dir, acknowledgement.handle)
        async with self._session() as sftp:
            if await sftp.exists(target):  # archived before a crash, then picked up again
                await sftp.remove(source)
            else:
                await sftp.rename(source, target)

    def _session(self) -> _SftpSession:
        return _SftpSession(self)

    async def _client(self) -> asyncssh.SFTPClient:
        if self._sftp is None:
            endpoint = self.endpoint
            self._connection = await asyncssh.connect(
                endpoint.host, port=endpoint.port, username=endpoint.username,
                client_keys=[endpoint.client_key_path], known_hosts=endpoint.known_hosts_path,
                connect_timeout=endpoint.connect_timeout_seconds)
            self._sftp = await self._connection.start_sftp_client()
        return self._sftp

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            await self._connection.wait_closed()
        self._connection = self._sftp = None


class _SftpSession:
    """One use of the (re-used) connection; any SSH or SFTP failure drops it and reads as unavailable."""

    def __init__(self, adapter: SftpClearinghouse):
        self.adapter = adapter

    async def __aenter__(self) -> asyncssh.SFTPClient:
        try:
            return await self.adapter._client()
        except (OSError, asyncssh.Error) as error:
            await self.adapter.close()
            raise ClearinghouseUnavailable(f"SFTP connect: {type(error).__name__}") from error

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        if isinstance(error, (OSError, asyncssh.Error)):
            await self.adapter.close()
            # The server's text may echo paths; the error type and code are enough to act on.
            raise ClearinghouseUnavailable(f"SFTP: {type(error).__name__} {getattr(error, 'code', '')}".strip()) \
                from error


ACK_KIND_HEAD_CHARACTERS = 4096


def _ack_kind(name: str, text: str) -> str:
    """999 or 277CA by the transaction set inside; by file extension when the file cannot be read."""
    try:
        # ISA, GS and ST open the file: its first few KiB name the transaction set, however large it is
        # (the whole file is read later, on a reader thread, when it is received)
        head = text[:text.rfind(read_delimiters(text).segment, 0, ACK_KIND_HEAD_CHARACTERS) + 1] or text
        _, segments = split_segments(head)
        code = next((element(s, 1) for s in segments if s[0] == "ST"), "")
    except X12SyntaxError:
        code = ""
    if code in ACK_KINDS:
        return ACK_KINDS[code]
    return "x12.999" if name.lower().endswith(".999") else "x12.277ca"
