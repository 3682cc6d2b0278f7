"""A real SFTP server for tests: asyncssh on a free localhost port, a temporary root, key auth only.

The clearinghouse's folders (inbound, outbound, archive) are created under the root; the client key
and a known_hosts line for the server's host key are written beside it for the service to use.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncssh

FOLDERS = ("inbound", "outbound", "archive")


@dataclass(frozen=True)
class RunningSftpServer:
    host: str
    port: int
    username: str
    root: Path  # the SFTP user's "/"
    client_key_path: Path
    known_hosts_path: Path

    def folder(self, name: str) -> Path:
        return self.root / name

    def clearinghouse_config(self) -> dict[str, Any]:
        """The service's SUBMISSION_CLEARINGHOUSES entry for this server."""
        return {"kind": "sftp", "host": self.host, "port": self.port, "username": self.username,
                "client_key_path": str(self.client_key_path), "known_hosts_path": str(self.known_hosts_path),
                "inbound_dir": "inbound", "outbound_dir": "outbound", "archive_dir": "archive"}


@asynccontextmanager
async def sftp_server(directory: Path, username: str = "claimline") -> AsyncIterator[RunningSftpServer]:
    """Serve directory/root over SFTP until the context exits."""
    root = directory / "root"
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)
    keys = directory / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key_path = keys / "client_ed25519"
    client_key.write_private_key(str(client_key_path))
    os.chmod(client_key_path, 0o600)
    listener = await asyncssh.listen(
        "127.0.0.1", 0, server_host_keys=[host_key],
        authorized_client_keys=asyncssh.import_authorized_keys(client_key.export_public_key().decode()),
        sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=str(root)),
        allow_scp=False, password_auth=False, kbdint_auth=False)
    port = listener.get_port()
    known_hosts_path = keys / "known_hosts"
    known_hosts_path.write_text(f"[127.0.0.1]:{port} {host_key.export_public_key().decode().strip()}\n")
    try:
        yield RunningSftpServer("127.0.0.1", port, username, root, client_key_path, known_hosts_path)
    finally:
        listener.close()
        await listener.wait_closed()
