"""Assess the office/outpatient E/M level a note supports (2021+ AMA rules) against the level billed."""

from __future__ import annotations

from services.coding.domain.documentation.assignment import ASSESSMENT, CodedProblem, assign_codes
from services.coding.domain.documentation.code_releases import code_releases
from services.coding.domain.documentation.model import EvidenceSpan
from services.coding.domain.documentation.pipeline import DX, Mention, ParsedNote, parse_note
from services.coding.domain.documentation.reading import note_problem
from services.coding.domain.evaluation_management.levels import (
    ELEMENT_NAMES,
    MDM_NAMES,
    NURSE_VISIT,
    billed_level,
    code_for,
    data_level,
    mdm_level,
    problems_level,
    risk_level,
    time_level,
)
from services.coding.domain.evaluation_management.model import EmAssessment

RISK_LABELS = ("HOSPITALIZATION", "TOXICITY_MONITORING", "MAJOR_SURGERY", "SURGICAL_RISK", "RX", "RX_ACTION", "SDOH",
               "OTC", "LOW_RISK")


def _managed(mention: Mention, parsed: ParsedNote) -> bool:
    """A management fact counts when it is in the plan (or the note has none) and is actually happening."""
    in_scope = mention.section == ASSESSMENT or not parsed.has_assessment
    return in_scope and not (mention.negated or mention.hypothetical or mention.family or mention.historical)


def _problem_kinds(problems: list[CodedProblem]) -> tuple[list[tuple[str, str | None]], list[Mention]]:
    kinds, evidence = [], []
    for problem in problems:
        if problem.kind in ("status", "family_history"):
            continue  # Z codes (status, long-term drug use) are not problems addressed
        modifiers = {m for mention in problem.mentions for m in mention.modifiers}
        status = ("severe" if "SEVERE_EXACERBATION" in modifiers else
                  "exacerbation" if problem.status == "exacerbation" or "EXACERBATION" in modifiers else None)
        kind = problem.kind
        if kind == "injury_complicated" and problem.code.endswith("D"):
            kind = "healing_injury"  # a fracture healing as expected is no longer a complicated injury
        kinds.append((kind, status))
        evidence.extend(problem.mentions)
    return kinds, evidence


def _undiagnosed(parsed: ParsedNote) -> list[Mention]:
    """An undiagnosed new problem with uncertain prognosis: 'etiology unclear', or a diagnosis still to rule out."""
    return [m for m in parsed.of(DX) if (m.section == ASSESSMENT or not parsed.has_assessment) and not m.negated
            and not m.family and ("UNDIAGNOSED" in m.modifiers or m.uncertain)]


def _data(parsed: ParsedNote) -> tuple[int, bool, bool, bool, list[Mention]]:
    live = [m for m in parsed.mentions if not (m.negated or m.hypothetical)]
    interpretations = [m for m in live if m.label == "INTERPRETATION"]
    interpreted_sentences = {m.sentence for m in interpretations}
    tests = {}
    for mention in live:
        if mention.label != "TEST" or mention.sentence in interpreted_sentences:
            continue
        if {"ORDERED", "REVIEWED"} & mention.modifiers or mention.section == "data":
            tests.setdefault(mention.key, mention)
    documents = {m.sentence: m for m in live if m.label == "EXTERNAL_NOTES"}
    historian = [m for m in live if m.label == "HISTORIAN"]
    discussion = [m for m in live if m.label == "DISCUSSION"]
    evidence = list(tests.values()) + list(documents.values()) + historian[:1] + interpretations[:1] + discussion[:1]
    return len(tests) + len(documents), bool(historian), bool(interpretations), bool(discussion), evidence


def _risk(parsed: ParsedNote) -> tuple[int, list[Mention]]:
    facts = [m for m in parsed.mentions if m.label in RISK_LABELS and _managed(m, parsed)]
    present = {m.label for m in facts}
    level = risk_level(hospitalization="HOSPITALIZATION" in present,
                       toxicity_monitoring="TOXICITY_MONITORING" in present,
                       major_surgery="MAJOR_SURGERY" in present, surgical_risk="SURGICAL_RISK" in present,
                       prescription=bool({"RX", "RX_ACTION"} & present), sdoh="SDOH" in present,
                       low_risk=bool({"OTC", "LOW_RISK"} & present))
    return level, facts


def _total_minutes(parsed: ParsedNote) -> tuple[int | None, list[Mention]]:
    times = [m for m in parsed.of("TOTAL_TIME") if m.number is not None and 0 < m.number <= 600 and not m.hypothetical]
    if not times:
        return None, []
    longest = max(times, key=lambda m: m.number or 0)
    return longest.number, [longest]


def _not_assessable(billed_code: str, reason: str) -> EmAssessment:
    return EmAssessment(billed_code, None, "none", "minimal", "minimal", "minimal", None, "not_assessable", reason, ())


def assess_em(note: str, billed_code: str) -> EmAssessment | None:
    """The E/M level the note supports and whether the billed code matches; None when not office E/M."""
    billed = billed_level(str(billed_code).strip())
    if billed is None:
        return None
    billed_index, new_patient = billed
    problem = note_problem(note)
    if problem:
        return _not_assessable(billed_code, f"E/M level cannot be assessed: {problem}")
    try:
        parsed = parse_note(note)  # the note's recent reading if coding just read it, under whichever release
        problems, _ = assign_codes(parsed, parsed.release or code_releases()[-1], note)
    except Exception as error:  # noqa: BLE001 - a note we cannot read becomes a review reason, never a crash
        return _not_assessable(billed_code, f"E/M level cannot be assessed: note could not be read "
                                            f"({type(error).__name__})")
    kinds, problem_evidence = _problem_kinds(problems)
    undiagnosed = _undiagnosed(parsed)
    minutes, time_evidence = _total_minutes(parsed)
    if not kinds and not undiagnosed and minutes is None:
        if billed_code == NURSE_VISIT:
            return EmAssessment(billed_code, NURSE_VISIT, "none", "minimal", "minimal", "minimal", None, "supported",
                                "no problem addressed by a physician is documented: consistent with 99211", ())
        return _not_assessable(billed_code, "no problem addressed and no total time are documented")
    problems_index = problems_level(kinds, bool(undiagnosed))
    tests_and_documents, historian, interpretation, discussion, data_evidence = _data(parsed)
    data_index = data_level(tests_and_documents, historian, interpretation, discussion)
    risk_index, risk_evidence = _risk(parsed)
    mdm_index = mdm_level(problems_index, data_index, risk_index)
    time_index = time_level(minutes, new_patient)
    by_time = time_index is not None and time_index > mdm_index
    supported_index = time_index if by_time and time_index is not None else mdm_index
    supported = code_for(supported_index, new_patient)
    verdict = ("supported" if supported_index == billed_index else
               "overcoded" if billed_index > supported_index else "undercoded")
    mdm_text = (f"MDM {MDM_NAMES[mdm_index]} (problems {ELEMENT_NAMES[problems_index]}, data "
                f"{ELEMENT_NAMES[data_index]}, risk {ELEMENT_NAMES[risk_index]})")
    basis_text = f"total time {minutes} minutes supports {supported}; {mdm_text}" if by_time else \
        f"{mdm_text} supports {supported}" + (f"; total time {minutes} minutes" if minutes is not None else "")
    verdict_text = {"supported": f"billed {billed_code} matches",
                    "overcoded": f"billed {billed_code} is higher than the documentation supports",
                    "undercoded": f"billed {billed_code} is lower than the documentation supports"}[verdict]
    spans = {(m.start, m.end) for m in problem_evidence + undiagnosed + data_evidence + risk_evidence + time_evidence}
    return EmAssessment(
        billed_code=billed_code, supported_code=supported, basis="time" if by_time else "mdm",
        problems_level=ELEMENT_NAMES[problems_index], data_level=ELEMENT_NAMES[data_index],
        risk_level=ELEMENT_NAMES[risk_index], total_minutes=minutes, verdict=verdict,
        reason=f"{basis_text}: {verdict_text}", evidence=tuple(EvidenceSpan(s, e) for s, e in sorted(spans)))
