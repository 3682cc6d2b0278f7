"""What every bench needs from the running stack: its environment, a tenant that the limiter leaves
alone, encounters with unique external ids, intake's database, and percentiles."""

from __future__ import annotations

import copy
import json
import math
import os
import random
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bench.lifecycle.notes import visit
from shared.contracts.encounter import EXAMPLE
from tests.support.encounters import CODED_DATE_OF_SERVICE

ROOT = Path(__file__).resolve().parents[1]
BENCH_TENANT = "bench-practice"
# The bench tenant's billing provider: 835s are routed by payee, and the dev tenant holds the example's.
BENCH_NPI, BENCH_TIN = "1999000015", "919990001"
# High enough that intake's token bucket never answers 429 during a bench run.
BENCH_RATE_LIMIT = 1_000_000


def stack_env(run_dir: Path) -> dict[str, str]:
    """The variables of <run>/stack.env (written by `stack.py up`)."""
    env = {}
    for line in (run_dir / "stack.env").read_text().splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = json.loads(value)
    return env


def _admin(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "services.intake.admin", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, **env})
    return json.loads(done.stdout)


def bench_api_key(env: dict[str, str], run_dir: Path) -> str:
    """An API key of the bench tenant, created once per run dir with a rate limit that never binds."""
    saved = run_dir / "bench-api-key.json"
    if saved.exists():
        return json.loads(saved.read_text())["api_key"]
    _admin(env, "create-tenant", BENCH_TENANT, "--rate-limit-per-second", str(BENCH_RATE_LIMIT),
           "--rate-limit-burst", str(BENCH_RATE_LIMIT))
    _admin(env, "set-payees", BENCH_TENANT, "--npi", BENCH_NPI, "--tin", BENCH_TIN)
    issued = _admin(env, "issue-key", BENCH_TENANT)
    _wait_for_payee_route(env)
    saved.write_text(json.dumps(issued))
    return issued["api_key"]


def _wait_for_payee_route(env: dict[str, str], timeout: float = 90) -> None:
    """Until remittance routes 835s naming the bench NPI to the bench tenant (it learns it from a topic)."""
    request = urllib.request.Request(f"{env['REMITTANCE_URL']}/v1/admin/payee-identifiers/{BENCH_NPI}",
                                     headers={"Authorization": f"Bearer {env['ADMIN_TOKEN']}"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if {o["tenant_id"] for o in json.loads(response.read())["owners"]} == {BENCH_TENANT}:
                    return
        except OSError:  # URLError and HTTPError: the service is still starting
            pass
        time.sleep(0.5)
    raise RuntimeError(f"remittance did not route NPI {BENCH_NPI} to {BENCH_TENANT} within {timeout:.0f}s")


EM_CHARGES = {"99213": "120.00", "99214": "185.00"}


def encounter_for(payer_id: str, label: str, rng: random.Random | None = None) -> dict[str, Any]:
    """The example encounter billed to payer_id under a unique external id by the bench tenant's billing
    provider, dated a week ago like a practice's claim of today (inside the ICD-10-CM release covering today,
    so no claim waits for a coder). With `rng`, a visit of its own: a distinct note (bench/lifecycle/notes.py)
    and exactly the diagnoses and E/M level it documents."""
    encounter = copy.deepcopy(EXAMPLE)
    encounter["billing_provider"] |= {"npi": BENCH_NPI, "tax_id": BENCH_TIN}
    encounter["external_id"] = f"B-{label}-{uuid.uuid4().hex[:16]}"
    encounter["date_of_service"] = CODED_DATE_OF_SERVICE
    encounter["coverages"][0]["payer"]["payer_id"] = payer_id
    if rng is not None:
        seen = visit(rng)
        encounter["clinical_note"] = seen.note
        encounter["diagnoses"] = seen.diagnoses
        encounter["service_lines"] = [{"procedure_code": seen.em_code, "modifiers": [], "units": 1,
                                       "charge": EM_CHARGES[seen.em_code],
                                       "diagnosis_pointers": list(range(1, len(seen.diagnoses) + 1))}]
    return encounter


def plain_dsn(database_url: str) -> str:
    """asyncpg wants postgresql://, the services' URL says postgresql+asyncpg://."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://")


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]
