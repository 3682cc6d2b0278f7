"""Schemathesis against intake's live OpenAPI document: no server error, no response outside the schema.

The same command, for a person at a terminal, is in the README.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from services.intake.adapters.tenant_admin import ensure_tenant_key
from shared.tenancy import new_api_key

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def schemathesis_command(intake_url: str, api_key: str, max_examples: int = 15) -> list[str]:
    """The bounded run make test performs (README: raise --max-examples for a deeper run)."""
    st = Path(sys.executable).with_name("st")
    return [str(st), "run", f"{intake_url}/openapi.json", "-H", f"Authorization: Bearer {api_key}",
            "--checks", CHECKS, "--max-examples", str(max_examples), "--phases", "examples,coverage,fuzzing",
            # One worker: hypothesis describes filter lambdas with ast.parse, and CPython 3.11.7's AST
            # constructor is not thread-safe ("AST constructor recursion depth mismatch" with two).
            "--workers", "1", "--seed", "20261127",
            # raw X12 bodies have no JSON schema to generate from; tests/e2e/test_intake_formats.py covers them
            "--exclude-path", "/v1/x12/837"]


async def test_intake_openapi_has_no_server_errors_or_schema_violations(stack: dict[str, str]) -> None:
    # A tenant of its own: the fuzzer registers webhook endpoints and claims nobody else should see.
    key_id, key = new_api_key()
    await ensure_tenant_key(stack["DATABASE_URL"], f"fuzz-{key_id}", key_id, key)
    result = await asyncio.to_thread(
        subprocess.run, schemathesis_command(stack["INTAKE_URL"], key), capture_output=True, text=True,
        timeout=600, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "generated" in result.stdout
