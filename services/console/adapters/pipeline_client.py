"""The console's calls to the running services: readiness, metrics, intake's admin claim views and
remittance's operator queue of ERAs no tenant owns."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.console.domain.pipeline_health import (
    Icd10CmCoverage,
    ServiceHealth,
    claims_by_status,
    icd10cm_coverage,
    service_health,
)


class PipelineClient:
    """HTTP reads with a short timeout: a slow service shows as down instead of hanging the page."""

    def __init__(self, service_urls: dict[str, str], admin_token: str, timeout: float = 3.0):
        self.service_urls = service_urls
        self.client = httpx.AsyncClient(timeout=timeout, headers={"Authorization": f"Bearer {admin_token}"})

    async def close(self) -> None:
        await self.client.aclose()

    async def _get(self, url: str) -> httpx.Response | None:
        try:
            return await self.client.get(url)
        except httpx.HTTPError:
            return None

    async def _health(self, name: str, base_url: str) -> tuple[ServiceHealth, str | None]:
        ready, metrics = await asyncio.gather(self._get(f"{base_url}/readyz"), self._get(f"{base_url}/metrics"))
        readiness = ready.json() if ready is not None and ready.status_code in (200, 503) else None
        metrics_text = metrics.text if metrics is not None and metrics.status_code == 200 else None
        return service_health(name, readiness, metrics_text), metrics_text

    async def pipeline_and_code_sets(self) -> tuple[list[ServiceHealth], dict[str, float], Icd10CmCoverage]:
        """Every service's health, claims per status from intake's gauge, ICD-10-CM coverage from coding's."""
        results = await asyncio.gather(*(self._health(n, u) for n, u in self.service_urls.items()))
        metrics_by_service = {health.name: text for health, text in results}
        return ([health for health, _ in results], claims_by_status(metrics_by_service.get("intake")),
                icd10cm_coverage(metrics_by_service.get("coding")))

    async def stuck_claims(self, per_status: int = 5) -> dict[str, list[dict[str, Any]]]:
        response = await self._get(f"{self.service_urls['intake']}/v1/admin/claims/stuck?per_status={per_status}")
        return response.json()["stuck"] if response is not None and response.status_code == 200 else {}

    async def claim_events(self, claim_id: str) -> dict[str, Any] | None:
        response = await self._get(f"{self.service_urls['intake']}/v1/admin/claims/{claim_id}/events")
        return response.json() if response is not None and response.status_code == 200 else None

    async def unrouted_eras(self) -> list[dict[str, Any]] | None:
        """Remittance's operator queue, newest first; None when remittance does not answer."""
        response = await self._get(f"{self.service_urls['remittance']}/v1/admin/eras/unrouted?limit=500")
        return response.json()["eras"] if response is not None and response.status_code == 200 else None

    async def route_era(self, era_id: str) -> tuple[int, dict[str, Any]]:
        """Ask remittance to route a waiting ERA by today's payee registrations: (status code, body)."""
        try:
            response = await self.client.post(f"{self.service_urls['remittance']}/v1/admin/eras/{era_id}/route",
                                              timeout=30)  # routing posts the whole ERA
        except httpx.HTTPError as error:
            return 503, {"detail": f"remittance did not answer ({type(error).__name__})"}
        return response.status_code, response.json()
