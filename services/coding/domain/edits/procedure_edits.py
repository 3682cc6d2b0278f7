"""Edits on the procedure codes: format, HCPCS dates, the practice's CPT file, add-ons and modifier 25."""

from __future__ import annotations

from collections import defaultdict

from services.coding.domain.codesets import cpt_category, em_family, is_level_ii
from services.coding.domain.coding_claim import CodedLine, CodingClaim
from services.coding.domain.edits.model import CodingEdit, edit
from services.coding.domain.edits.reference import CodingReference


def _code_edits(claim: CodingClaim, line: CodedLine, reference: CodingReference) -> list[CodingEdit]:
    code, day = line.procedure_code, claim.line_date(line)
    numbers = (line.line_number,)
    if is_level_ii(code):
        hcpcs = reference.hcpcs
        known = hcpcs.lookup(code)
        if known is None and hcpcs.complete:
            return [edit("COD-HCPCS-UNKNOWN", f"{code} is not a HCPCS Level II code in {hcpcs.release}.",
                         hcpcs.release, (code,), numbers)]
        if known is None:
            return [edit("COD-HCPCS-UNVERIFIED",
                         f"{code} is not in the HCPCS extract loaded ({hcpcs.release}); load the full quarterly "
                         "file to verify it.", hcpcs.release, (code,), numbers)]
        if not known.active_on(day):
            when = (f"terminated after {known.terminated.isoformat()}" if known.terminated and day > known.terminated
                    else f"added on {known.added.isoformat() if known.added else 'a later date'}")
            return [edit("COD-HCPCS-INACTIVE", f"{code} is not valid on the date of service: {when}.",
                         f"{hcpcs.release}: ADD DT / TERM DT", (code,), numbers)]
        return []
    if cpt_category(code) is None:
        return [edit("COD-PROC-FORMAT",
                     f"{code} is neither a CPT code (five digits, or four digits and A, F, M, T or U) nor a HCPCS "
                     "Level II code (a letter and four digits).",
                     "AMA CPT code structure; CMS HCPCS Level II code structure", (code,), numbers)]
    if reference.cpt.loaded and code not in reference.cpt.descriptors:
        return [edit("COD-CPT-UNKNOWN", f"{code} is not in the practice's CPT file ({reference.cpt.name}).",
                     reference.cpt.name, (code,), numbers)]
    return []


def _lines_by_day(claim: CodingClaim) -> dict[object, list[CodedLine]]:
    by_day: dict[object, list[CodedLine]] = defaultdict(list)
    for line in claim.lines:
        by_day[claim.line_date(line)].append(line)
    return by_day


def _add_on_edits(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    rules = reference.procedures
    found = []
    for lines in _lines_by_day(claim).values():
        codes_that_day = {line.procedure_code for line in lines}
        for line in lines:
            add_on = rules.add_on_codes.get(line.procedure_code)
            if add_on and not add_on.primaries & codes_that_day:
                primaries = ", ".join(sorted(add_on.primaries))
                found.append(edit("COD-ADDON-NO-PRIMARY",
                                  f"{add_on.code} is an add-on code and needs one of its primary procedures "
                                  f"({primaries}) on the same day.", rules.add_on_source, (add_on.code,),
                                  (line.line_number,)))
    return found


def _modifier_25_edits(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    rules = reference.procedures
    found = []
    for lines in _lines_by_day(claim).values():
        minors = [line for line in lines if line.procedure_code in rules.minor_procedures]
        if not minors:
            continue
        for line in lines:
            if em_family(line.procedure_code) and "25" not in line.modifiers:
                minor = minors[0]
                found.append(edit(
                    "COD-MOD25-MISSING",
                    f"{line.procedure_code} is billed the same day as the minor procedure {minor.procedure_code} "
                    f"(global {rules.minor_procedures[minor.procedure_code]} days): append modifier 25 when the "
                    "E/M is significant and separately identifiable, or drop it.",
                    rules.minor_procedure_source, (line.procedure_code, minor.procedure_code),
                    (line.line_number, minor.line_number)))
    return found


def procedure_edits(claim: CodingClaim, reference: CodingReference) -> list[CodingEdit]:
    """Every procedure-code edit that fires on the claim."""
    found = [found_edit for line in claim.lines for found_edit in _code_edits(claim, line, reference)]
    return found + _add_on_edits(claim, reference) + _modifier_25_edits(claim, reference)
