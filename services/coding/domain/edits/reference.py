"""Everything the coding edits look codes up in, loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass

from services.coding.domain.codesets import (
    CptDescriptorFile,
    DemographicRules,
    HcpcsCodeSet,
    Icd10CmCodeSets,
    MueTable,
    ProcedureRules,
    PtpTable,
)


@dataclass(frozen=True)
class CodingReference:
    """The code sets and tables of one load; immutable, shared by every claim."""

    icd10cm: Icd10CmCodeSets
    hcpcs: HcpcsCodeSet
    cpt: CptDescriptorFile
    ptp: PtpTable
    mue: MueTable
    demographics: DemographicRules
    procedures: ProcedureRules
