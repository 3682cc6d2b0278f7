"""The main job, end to end: post the sample encounters, follow each claim to its end state.

    python deploy/demo/run_demo.py            (after `make up`; reads .run/stack.env's variables)

Prints each claim's timeline (stage, status, time, trace id) and a summary table; exits 1 when a
claim misses its expected end state. Each run suffixes the external ids so it can be repeated, and
dates each encounter a week before today (every date of the encounter moves together, the patient's
birth date stays): a demo shows what a practice's claim of today does, in the ICD-10-CM release of today.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ACCEPTABLE = {"paid": {"paid", "partially_paid"}, "denied": {"denied"}, "rejected": {"rejected"},
              "accepted": {"accepted"}}
TIMEOUT_SECONDS = 90
DAYS_AGO = 7
SERVICE_DATES = ("date_of_service", "date_of_service_through", "admission_date", "discharge_date")


def dated_days_ago(encounter: dict[str, Any], days: int, today: dt.date) -> dict[str, Any]:
    """The encounter with its date of service `days` before today and its other service dates moved alike."""
    shift = today - dt.timedelta(days=days) - dt.date.fromisoformat(encounter["date_of_service"])

    def moved(value: str | None) -> str | None:
        return None if value is None else (dt.date.fromisoformat(value) + shift).isoformat()

    dated = {**encounter, **{name: moved(encounter[name]) for name in SERVICE_DATES if name in encounter}}
    dated["service_lines"] = [{**line, **({"date_of_service": moved(line["date_of_service"])}
                                          if line.get("date_of_service") else {})}
                              for line in encounter["service_lines"]]
    return dated


def load_encounters(run_tag: str, today: dt.date | None = None) -> list[tuple[dict, str]]:
    expected = json.loads((HERE / "expected_end_states.json").read_text())
    encounters = []
    for path in sorted((HERE / "encounters").glob("*.json")):
        encounter = dated_days_ago(json.loads(path.read_text()), DAYS_AGO, today or dt.date.today())
        expect = expected[encounter["external_id"]]
        encounter["external_id"] = f"{encounter['external_id']}-{run_tag}"
        encounters.append((encounter, expect))
    return encounters


def follow(client: httpx.Client, intake: str, claim_id: str, expect: str) -> str:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    status = "unknown"
    while time.monotonic() < deadline:
        status = client.get(f"{intake}/v1/claims/{claim_id}").json()["status"]
        if status in ACCEPTABLE[expect] and (expect != "denied" or has_denial(client, claim_id)):
            return status
        time.sleep(0.25)
    return status


def has_denial(client: httpx.Client, claim_id: str) -> bool:
    denials = client.get(f"{os.environ['DENIALS_URL']}/v1/denials").json()["denials"]
    return any(d["claim_id"] == claim_id for d in denials)


def print_timeline(client: httpx.Client, intake: str, external_id: str, claim_id: str) -> None:
    events = client.get(f"{intake}/v1/claims/{claim_id}/events").json()["events"]
    print(f"\n{external_id}  claim {claim_id}")
    print(f"  {'time (UTC)':<26} {'stage':<11} {'event':<28} {'status':<15} trace id")
    for event in events:
        print(f"  {event['time'][:26]:<26} {event['source']:<11} {event['type']:<28} {event['status'] or '':<15} "
              f"{event['trace_id']}")


def main() -> int:
    intake = os.environ["INTAKE_URL"]
    headers = {"Authorization": f"Bearer {os.environ['API_KEY']}"}
    run_tag = time.strftime("%Y%m%d%H%M%S")
    results = []
    with httpx.Client(headers=headers, timeout=10) as client:
        posted = []
        for encounter, expect in load_encounters(run_tag):
            response = client.post(f"{intake}/v1/encounters", json=encounter,
                                   headers={"Idempotency-Key": f"demo-{encounter['external_id']}"})
            if response.status_code != 202:
                print(f"{encounter['external_id']}: intake answered {response.status_code}: {response.text}")
                return 1
            posted.append((encounter, expect, response.json()["claim_id"]))
        for encounter, expect, claim_id in posted:
            status = follow(client, intake, claim_id, expect)
            print_timeline(client, intake, encounter["external_id"], claim_id)
            ledger = client.get(f"{os.environ['REMITTANCE_URL']}/v1/claims/{claim_id}/ledger")
            paid = ledger.json()["paid"] if ledger.status_code == 200 else "-"
            patient = ledger.json()["patient_responsibility"]["total"] if ledger.status_code == 200 else "-"
            results.append((encounter["external_id"], encounter["coverages"][0]["payer"]["payer_id"], expect,
                            status, paid, patient, status in ACCEPTABLE[expect]))
    print(f"\n{'encounter':<26} {'payer':<7} {'expected':<9} {'end state':<15} {'paid':>9} {'patient':>9}  ok")
    for external_id, payer, expect, status, paid, patient, ok in results:
        print(f"{external_id:<26} {payer:<7} {expect:<9} {status:<15} {paid:>9} {patient:>9}  {'yes' if ok else 'NO'}")
    failed = [r for r in results if not r[-1]]
    print(f"\n{len(results) - len(failed)} of {len(results)} claims reached their expected end state")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
