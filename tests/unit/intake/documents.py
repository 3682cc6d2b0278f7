"""Encounter documents for intake's unit tests: the public example, changed at a JSON pointer."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from pydantic import ValidationError

from shared.contracts.encounter import EXAMPLE, Encounter
from shared.http.problems import validation_errors

TODAY = dt.date(2026, 11, 27)
DELETE = object()


def professional() -> dict[str, Any]:
    """The public example (professional, date of service 2026-11-02)."""
    return copy.deepcopy(EXAMPLE)


def institutional() -> dict[str, Any]:
    """A valid outpatient hospital claim built from the example."""
    document = professional()
    document.update(claim_type="institutional", place_of_service="22", type_of_bill="0131",
                    admission_date="2026-11-01", admission_hour=9, discharge_date="2026-11-03", discharge_hour=15,
                    patient_status="01",
                    attending_provider={"npi": "1987654328", "first_name": "Alan", "last_name": "Grant"})
    for line, revenue_code in zip(document["service_lines"], ("0510", "0300"), strict=True):
        line["revenue_code"] = revenue_code
    return document


def changed(document: dict[str, Any], *changes: tuple[str, Any]) -> dict[str, Any]:
    """A copy with each (JSON pointer, value) applied; DELETE removes the member."""
    result = copy.deepcopy(document)
    for path, value in changes:
        *parents, leaf = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
        target: Any = result
        for part in parents:
            target = target[part]
        if value is DELETE:
            del target[leaf]
        elif isinstance(target, list) and leaf == len(target):
            target.append(value)
        else:
            target[leaf] = value
    return result


def contract_errors(document: dict[str, Any]) -> list[dict[str, str]]:
    """The contract's errors as the API reports them ({pointer, detail}), or [] when valid."""
    try:
        Encounter.model_validate(document)
    except ValidationError as error:
        return validation_errors(list(error.errors()))
    return []


def pointers(errors: list[dict[str, str]]) -> list[str]:
    """Just the pointers, in order."""
    return [error["pointer"] for error in errors]
