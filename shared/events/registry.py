"""Typed event contracts: one pydantic model per (type, version), with explicit upcasters.

A producer always writes the current version. A consumer decodes any known version and
upcasts it step by step (v1 -> v2 -> ...) before handing the typed event to its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.events.envelope import EventEnvelope


class UnknownEventError(ValueError):
    """An event type or version this service does not know."""


class EventContractError(ValueError):
    """An event whose data does not match its declared contract."""


class ClaimEvent(BaseModel):
    """Base of every claim event payload; subclasses set `event_type` and `version`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_type: ClassVar[str]
    version: ClassVar[int] = 1


Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class ContractRegistry:
    """Known event contracts and the upcasters between their versions."""

    current: dict[str, type[ClaimEvent]]
    upcasters: dict[tuple[str, int], Upcaster]

    def register(self, model: type[ClaimEvent]) -> type[ClaimEvent]:
        self.current[model.event_type] = model
        return model

    def upcaster(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Register a function turning data of from_version into from_version + 1."""

        def decorate(function: Upcaster) -> Upcaster:
            self.upcasters[(event_type, from_version)] = function
            return function

        return decorate

    def decode(self, envelope: EventEnvelope) -> ClaimEvent:
        """The typed, current-version event inside an envelope."""
        model = self.current.get(envelope.type)
        if model is None:
            raise UnknownEventError(f"unknown event type {envelope.type!r}")
        if envelope.schema_version > model.version or envelope.schema_version < 1:
            raise UnknownEventError(f"{envelope.type} v{envelope.schema_version} is newer than v{model.version}")
        data = envelope.data
        for version in range(envelope.schema_version, model.version):
            step = self.upcasters.get((envelope.type, version))
            if step is None:
                raise UnknownEventError(f"no upcaster for {envelope.type} v{version}")
            data = step(data)
        try:
            return model.model_validate(data)
        except ValidationError as error:
            # Field locations and error kinds only: input values may be PHI.
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in error.errors()[:10])
            raise EventContractError(f"{envelope.type} v{envelope.schema_version} invalid: {problems}") from None


CONTRACTS = ContractRegistry(current={}, upcasters={})
