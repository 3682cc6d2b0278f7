"""The contract as published: the shared example is its example and every field is described."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.contracts.encounter import EXAMPLE, Encounter
from tests.unit.intake.documents import contract_errors

SHARED_EXAMPLE = Path(__file__).resolve().parents[4] / "shared" / "examples" / "encounter.json"


def test_the_packaged_example_is_the_shared_example() -> None:
    if not SHARED_EXAMPLE.exists():
        pytest.skip("the shared examples folder is not beside this checkout")
    assert EXAMPLE == json.loads(SHARED_EXAMPLE.read_text())


def test_the_example_is_valid_and_is_the_schema_example() -> None:
    assert contract_errors(EXAMPLE) == []
    assert Encounter.model_json_schema()["examples"] == [EXAMPLE]


def _described(schema: dict[str, Any]) -> list[str]:
    undocumented = []
    for name, definition in [("Encounter", schema), *schema.get("$defs", {}).items()]:
        if not definition.get("description"):
            undocumented.append(name)
        for field, property_schema in definition.get("properties", {}).items():
            if not property_schema.get("description"):
                undocumented.append(f"{name}.{field}")
    return undocumented


def test_every_model_and_field_has_a_description() -> None:
    assert _described(Encounter.model_json_schema()) == []


def test_field_names_of_the_example_are_all_kept() -> None:
    properties = Encounter.model_json_schema()["properties"]
    assert set(EXAMPLE) <= set(properties)
    assert {"type_of_bill", "admission_date", "admission_hour", "discharge_date", "discharge_hour", "patient_status",
            "attending_provider", "date_of_service_through"} <= set(properties)
