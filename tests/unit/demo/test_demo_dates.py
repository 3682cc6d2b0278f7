"""make demo dates its encounters a week before today, inside the ICD-10-CM release of today."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

from services.intake.domain.validation import encounter_violations
from shared.contracts.encounter import Encounter

RUNNER = Path(__file__).resolve().parents[3] / "deploy" / "demo" / "run_demo.py"
spec = importlib.util.spec_from_file_location("run_demo", RUNNER)
assert spec is not None and spec.loader is not None
run_demo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_demo)


def test_every_date_of_service_moves_to_a_week_ago_and_birth_dates_stay() -> None:
    encounter = {"date_of_service": "2026-09-15", "date_of_service_through": "2026-09-16",
                 "patient": {"date_of_birth": "1984-03-09"},
                 "service_lines": [{"procedure_code": "99213"}, {"procedure_code": "20610",
                                                                 "date_of_service": "2026-09-16"}]}
    dated = run_demo.dated_days_ago(encounter, 7, dt.date(2026, 12, 7))
    assert (dated["date_of_service"], dated["date_of_service_through"]) == ("2026-11-30", "2026-12-01")
    assert [line.get("date_of_service") for line in dated["service_lines"]] == [None, "2026-12-01"]
    assert dated["patient"] == {"date_of_birth": "1984-03-09"} and encounter["date_of_service"] == "2026-09-15"


def test_the_demo_encounters_pass_intake_today() -> None:
    today = dt.date.today()
    for encounter, _expect in run_demo.load_encounters("unit", today):
        assert dt.date.fromisoformat(encounter["date_of_service"]) == today - dt.timedelta(days=7)
        assert encounter_violations(Encounter.model_validate(encounter), today) == [], encounter["external_id"]
