"""CloudEvents Kafka protocol binding (binary mode): metadata in headers, data as the JSON value.

Headers: ce_id ce_type ce_source ce_time ce_subject ce_specversion plus the extensions
ce_tenantid and ce_schemaversion; content-type application/json. The message key is the
claim id so one claim's events stay ordered on one partition. W3C traceparent travels beside them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
# Event ids we mint are UUIDs; a longer ce_id cannot be an inbox key, and says the record is not ours.
MAX_EVENT_ID_LENGTH = 200
Headers = list[tuple[str, bytes]]
KNOWN = frozenset({"ce_id", "ce_type", "ce_source", "ce_time", "ce_subject", "ce_specversion", "ce_tenantid",
                   "ce_schemaversion"})


class EnvelopeError(ValueError):
    """A Kafka message that is not a well-formed claim event envelope."""


@dataclass(frozen=True, slots=True)
class EventEnvelope:
    """One claim event as it travels: identity, type and version, claim, tenant, time and data."""

    type: str
    source: str
    subject: str
    tenant_id: str
    schema_version: int
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    # CloudEvents extension attributes beyond tenantid and schemaversion (e.g. a tenants-topic event's
    # signature): carried through as ce_<name> headers, never interpreted here.
    extensions: dict[str, str] = field(default_factory=dict)

    @property
    def claim_id(self) -> str:
        return self.subject

    def kafka_key(self) -> bytes:
        return self.subject.encode()

    def kafka_headers(self) -> Headers:
        """CloudEvents binary-mode headers (traceparent is added by the producer instrumentation)."""
        return [
            ("ce_specversion", SPEC_VERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_type", self.type.encode()),
            ("ce_source", self.source.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_subject", self.subject.encode()),
            ("ce_tenantid", self.tenant_id.encode()),
            ("ce_schemaversion", str(self.schema_version).encode()),
            ("content-type", CONTENT_TYPE.encode()),
            *((f"ce_{name}", value.encode()) for name, value in self.extensions.items()),
        ]

    def kafka_value(self) -> bytes:
        # Not ASCII-escaped: escaping turns every emoji of a note into 12 bytes, a 400 KB note into 1.2 MB.
        return json.dumps(self.data, separators=(",", ":"), ensure_ascii=False, default=str).encode()

    @classmethod
    def from_kafka(cls, headers: Headers | tuple, value: bytes | None) -> EventEnvelope:
        """Read an envelope from a consumed record; raises EnvelopeError naming what is wrong."""
        found = {key: raw.decode("utf-8", "replace") for key, raw in headers if raw is not None}
        missing = [name for name in ("ce_id", "ce_type", "ce_source", "ce_time", "ce_subject",
                                     "ce_specversion", "ce_tenantid", "ce_schemaversion") if not found.get(name)]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
        if len(found["ce_id"]) > MAX_EVENT_ID_LENGTH:
            raise EnvelopeError(f"ce_id is longer than {MAX_EVENT_ID_LENGTH} characters")
        if found["ce_specversion"] != SPEC_VERSION:
            raise EnvelopeError(f"unsupported ce_specversion {found['ce_specversion']!r}")
        try:
            schema_version = int(found["ce_schemaversion"])
            time = dt.datetime.fromisoformat(found["ce_time"])
        except ValueError as error:
            raise EnvelopeError("ce_schemaversion must be an integer and ce_time ISO 8601") from error
        try:
            data = json.loads(value or b"")
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise EnvelopeError("value is not JSON") from error
        if not isinstance(data, dict):
            raise EnvelopeError("value must be a JSON object")
        extensions = {key[3:]: text for key, text in found.items() if key.startswith("ce_") and key not in KNOWN}
        return cls(type=found["ce_type"], source=found["ce_source"], subject=found["ce_subject"],
                   tenant_id=found["ce_tenantid"], schema_version=schema_version, data=data,
                   id=found["ce_id"], time=time, extensions=extensions)
