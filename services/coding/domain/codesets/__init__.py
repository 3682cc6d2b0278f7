"""Code sets and coding tables by date of service: ICD-10-CM, HCPCS Level II, CPT rules, NCCI, MCE."""

from services.coding.domain.codesets.code_ranges import CodeRange, parse_reference, references_in_note
from services.coding.domain.codesets.cpt import CptDescriptorFile, cpt_category, em_family
from services.coding.domain.codesets.demographics import AgeRule, DemographicRules, SexRule
from services.coding.domain.codesets.hcpcs import HcpcsCode, HcpcsCodeSet, is_level_ii
from services.coding.domain.codesets.icd10cm import (
    Icd10CmCodeSets,
    Icd10CmRelease,
    TabularNotes,
    billable_leaves,
    derive_release,
)
from services.coding.domain.codesets.ncci import (
    BYPASS_MODIFIERS,
    DISTINCT_SERVICE_MODIFIERS,
    EM_BYPASS_MODIFIERS,
    MueTable,
    MueValue,
    PtpEdit,
    PtpTable,
)
from services.coding.domain.codesets.procedure_rules import AddOnCode, ProcedureRules

__all__ = [
    "BYPASS_MODIFIERS", "DISTINCT_SERVICE_MODIFIERS", "EM_BYPASS_MODIFIERS", "AddOnCode", "AgeRule", "CodeRange",
    "CptDescriptorFile", "DemographicRules", "HcpcsCode", "HcpcsCodeSet", "Icd10CmCodeSets", "Icd10CmRelease",
    "MueTable", "MueValue", "ProcedureRules", "PtpEdit", "PtpTable", "SexRule", "TabularNotes", "billable_leaves",
    "cpt_category", "derive_release", "em_family", "is_level_ii", "parse_reference", "references_in_note",
]
