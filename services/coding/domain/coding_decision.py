"""The coding decision: from the encounter, its note, the E/M assessment and the edits to a final code set.

Diagnoses: a PMS code the note supports is confirmed; one it does not support (or supports only at
another specificity) goes to a coder, unless the note reader has no vocabulary for it at all (then
its absence proves nothing: a warning). A code the note suggests beyond the PMS's is added when the
reader is confident and it does not compete with a PMS code in its category, else a coder decides.
Procedures: an E/M line the note over-supports goes to a coder; one it under-supports is a warning
(lost revenue, not a compliance risk) unless the tenant's coding policy holds it. Any error edit goes
to a coder; the tenant's policy (`coding_policy.py`) may turn some warnings into holds. A missing
note is a warning, not a block: many practice-management systems send none, and the PMS codes are
still checked by the edits. An empty or unreadable note, a date with no code set
or an engine failure is an error with its reason: never a crash, never a silent pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from services.coding.domain.coding_engines import CodeSetUnavailable, CodingEngines, EmResult, Reading
from services.coding.domain.coding_policy import DEFAULT_POLICY, CodingPolicy, apply_policy
from services.coding.domain.decision_rules import Finding, finding
from services.coding.domain.note_text import note_problem
from shared.contracts.encounter import Encounter, normalise_icd10

ADD_CONFIDENCE = 0.85  # a suggestion at or above this is added without a coder
MAX_DIAGNOSES = 12
MAX_REASON = 200
ICD10_CM = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")  # FY2027 brought QA1.71

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class EmOutcome:
    billed_code: str
    supported_code: str | None
    verdict: str
    basis: str
    reason: str


@dataclass(frozen=True)
class CodedDiagnosis:
    """A diagnosis the decision considered; `pointer` is its billed position, None when not billed."""

    code: str
    source: str  # pms, suggested, coder
    status: str  # confirmed, not_checked, unsupported, added, flagged, accepted, replaced by coder ...
    pointer: int | None
    evidence: Spans = ()
    confidence: float | None = None
    description: str | None = None
    edits: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodedLine:
    """A service line's procedure as decided."""

    line_number: int
    code: str
    modifiers: tuple[str, ...]
    diagnosis_pointers: tuple[int, ...]
    source: str
    status: str  # confirmed, not_checked, overcoded, undercoded, not_assessable, ...
    evidence: Spans = ()
    em: EmOutcome | None = None
    edits: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodingDecision:
    encounter: Encounter  # as it will be billed
    diagnoses: tuple[CodedDiagnosis, ...]  # billed, in pointer order
    suggestions: tuple[CodedDiagnosis, ...]  # from the note, not billed
    procedures: tuple[CodedLine, ...]
    findings: tuple[Finding, ...]
    note_status: str  # missing, read, unreadable, not_read
    skipped: tuple[tuple[int, int, str], ...] = ()  # mentions the reader left out (negated, historical, ...)

    @property
    def needs_review(self) -> bool:
        return any(f.blocks for f in self.findings)

    @property
    def review_reasons(self) -> list[str]:
        return [f"{f.edit_id}: {f.message}" for f in self.findings if f.blocks]

    def under(self, policy: CodingPolicy) -> CodingDecision:
        """The decision with the tenant's policy applied to its findings (made without one: see decide_coding)."""
        return replace(self, findings=apply_policy(self.findings, policy))


@dataclass(frozen=True)
class NoteRead:
    """What came of reading an encounter's note: the reading to weigh the codes against (None when there is none),
    its status (missing, read, unreadable, not_read) and the finding that says why there is none."""

    reading: Reading | None
    status: str
    findings: tuple[Finding, ...] = ()


@dataclass
class _Draft:
    findings: list[Finding] = field(default_factory=list)


def dotted(code: str) -> str:
    """An ICD-10-CM code in the contract's form: upper case, with its dot after the category."""
    bare = normalise_icd10(code.strip())
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def decide_coding(encounter: Encounter, engines: CodingEngines, policy: CodingPolicy = DEFAULT_POLICY,
                  note: NoteRead | None = None) -> CodingDecision:
    """Code one encounter: read its note (or take the reading given, from `read_notes_of` over a batch), weigh the
    PMS codes, check E/M levels, run the edits, apply the tenant's policy."""
    return assess_coding(encounter, engines, note).under(policy)


def assess_coding(encounter: Encounter, engines: CodingEngines, note: NoteRead | None = None) -> CodingDecision:
    """The decision before the tenant's policy (pure CPU: a consumer makes it before its transaction opens, when it
    has not read the policy yet); `note` is the encounter's reading, read here when not given."""
    note = note if note is not None else read_note_of(encounter, engines)
    draft = _Draft(list(note.findings))
    reading = note.reading
    diagnoses, suggestions = _weigh_diagnoses(encounter, reading, engines, draft)
    billed = encounter.model_copy(update={"diagnoses": [d.code for d in diagnoses]})
    lines = _weigh_lines(billed, reading, engines, draft)
    findings = tuple(draft.findings) + edit_findings(billed, engines)
    return CodingDecision(billed, attach_edits(diagnoses, findings), attach_edits(suggestions, findings),
                          attach_line_edits(lines, findings), findings, note.status, skipped_spans(reading))


def read_note_of(encounter: Encounter, engines: CodingEngines) -> NoteRead:
    """Read one encounter's note; a missing, empty or unreadable note, or a reader failure, is named, never raised."""
    before = _before_reading(encounter, engines)
    if before is not None:
        return before
    assert encounter.clinical_note is not None  # _before_reading said so
    try:
        reading = engines.read_note(encounter.clinical_note, encounter.date_of_service)
    except Exception as error:  # noqa: BLE001 - an engine fault is a review item, not a lost claim
        return _read_failed(encounter, error)
    return _after_reading(reading)


def read_notes_of(encounters: Sequence[Encounter], engines: CodingEngines) -> list[NoteRead]:
    """Read a batch of encounters' notes with one `engines.read_notes` call (one NLP pass, identical notes read
    once); the same outcome per encounter as `read_note_of`. If the batch call itself fails, each note is read on
    its own, so a failure is named on the claims it concerns."""
    outcomes: list[NoteRead | None] = [_before_reading(encounter, engines) for encounter in encounters]
    wanted = [index for index, outcome in enumerate(outcomes) if outcome is None]
    try:
        readings = engines.read_notes([(encounters[i].clinical_note or "", encounters[i].date_of_service)
                                       for i in wanted]) if wanted else []
        if len(readings) != len(wanted):
            raise ValueError(f"the reader answered for {len(readings)} of {len(wanted)} notes")
    except Exception:  # noqa: BLE001 - read one by one below, where each failure becomes its claim's finding
        return [outcome if outcome is not None else read_note_of(encounter, engines)
                for outcome, encounter in zip(outcomes, encounters, strict=True)]
    for index, reading in zip(wanted, readings, strict=True):
        outcomes[index] = _after_reading(reading)
    return [outcome for outcome in outcomes if outcome is not None]


def _before_reading(encounter: Encounter, engines: CodingEngines) -> NoteRead | None:
    """The outcome when the note cannot or need not go to the reader; None when it should be read."""
    note = encounter.clinical_note
    if note is None:
        return NoteRead(None, "missing", (finding("COD-NOTE-MISSING"),))
    problem = note_problem(note)
    if problem is not None:
        return NoteRead(None, "unreadable", (finding("COD-NOTE-UNREADABLE", problem=problem[:MAX_REASON]),))
    if not engines.reads_notes:
        return NoteRead(None, "not_read", (finding("COD-NOTE-NOT-READ"),))
    return None


def _read_failed(encounter: Encounter, error: Exception) -> NoteRead:
    if isinstance(error, CodeSetUnavailable):
        return NoteRead(None, "unreadable",
                        (finding("COD-CODESET-MISSING", date=encounter.date_of_service.isoformat()),))
    return NoteRead(None, "unreadable", (finding("COD-ENGINE-FAILED", part="note reading",
                                                 error=type(error).__name__),))


def _after_reading(reading: Reading) -> NoteRead:
    if reading.problems is not None:
        return NoteRead(None, "unreadable", (finding("COD-NOTE-UNREADABLE", problem=reading.problems[:MAX_REASON]),))
    return NoteRead(reading, "read")


def rivals_of(code: str, suggested: dict[str, object]) -> list[str]:
    """Suggested codes in the same category as code."""
    return [other for other in suggested if other[:3] == code[:3] and other != code]


def _weigh_diagnoses(encounter: Encounter, reading: Reading | None, engines: CodingEngines,
                     draft: _Draft) -> tuple[list[CodedDiagnosis], list[CodedDiagnosis]]:
    """PMS codes against the note's suggestions; suggestions beyond the PMS codes added or flagged."""
    suggested = {}
    for suggestion in (reading.diagnoses if reading else ()):
        code = dotted(suggestion.code)
        if ICD10_CM.match(code) and (code not in suggested or suggestion.confidence > suggested[code].confidence):
            suggested[code] = suggestion
    billed: list[CodedDiagnosis] = []
    for code in (dotted(c) for c in encounter.diagnoses):
        pointer = len(billed) + 1
        match = suggested.get(code)
        if reading is None:
            billed.append(CodedDiagnosis(code, "pms", "not_checked", pointer))
        elif match is not None:
            billed.append(CodedDiagnosis(code, "pms", "confirmed", pointer, spans(match.evidence),
                                         round(match.confidence, 2), match.description))
        elif not rivals_of(code, suggested) and not engines.reader_covers(code):
            draft.findings.append(finding("COD-DX-NOT-COVERED", codes=(code,), code=code))
            billed.append(CodedDiagnosis(code, "pms", "not_checked", pointer))
        else:
            rivals = rivals_of(code, suggested)
            draft.findings.append(finding("COD-DX-SPECIFICITY", codes=(code, *rivals), code=code,
                                          suggested=", ".join(rivals)) if rivals else
                                  finding("COD-DX-UNSUPPORTED", codes=(code,), code=code))
            billed.append(CodedDiagnosis(code, "pms", "unsupported", pointer))
    pms = {d.code for d in billed}
    categories = {code[:3] for code in pms}
    not_billed: list[CodedDiagnosis] = []
    for code, suggestion in suggested.items():
        if code in pms:
            continue
        confidence = round(suggestion.confidence, 2)
        if code[:3] in categories:  # competes with a PMS code: reported on the PMS code above
            status = "alternative"
        elif confidence < ADD_CONFIDENCE:
            status = "flagged"
            draft.findings.append(finding("COD-DX-SUGGESTED-LOW", codes=(code,), code=code, confidence=confidence))
        elif len(billed) >= MAX_DIAGNOSES:
            status = "flagged"
            draft.findings.append(finding("COD-DX-LIMIT", codes=(code,), code=code))
        else:
            draft.findings.append(finding("COD-DX-SUGGESTED", codes=(code,), code=code, confidence=confidence))
            billed.append(CodedDiagnosis(code, "suggested", "added", len(billed) + 1, spans(suggestion.evidence),
                                         confidence, suggestion.description))
            continue
        not_billed.append(CodedDiagnosis(code, "suggested", status, None, spans(suggestion.evidence),
                                         confidence, suggestion.description))
    return billed, not_billed


def _weigh_lines(encounter: Encounter, reading: Reading | None, engines: CodingEngines,
                 draft: _Draft) -> list[CodedLine]:
    lines = []
    for number, line in enumerate(encounter.service_lines, start=1):
        base = CodedLine(number, line.procedure_code, tuple(line.modifiers), tuple(line.diagnosis_pointers),
                         "pms", "not_checked")
        assessment = _assess_em(encounter, line.procedure_code, reading, engines, draft, number)
        lines.append(base if assessment is None else _judge_em(base, assessment, draft))
    return lines


def _assess_em(encounter: Encounter, code: str, reading: Reading | None, engines: CodingEngines,
               draft: _Draft, number: int) -> EmResult | None:
    if reading is None or encounter.clinical_note is None:
        return None
    try:
        return engines.assess_em(encounter.clinical_note, code)
    except Exception as error:  # noqa: BLE001 - an engine fault is a review item, not a lost claim
        draft.findings.append(finding("COD-ENGINE-FAILED", line_numbers=(number,), part="E/M assessment",
                                      error=type(error).__name__))
        return None


def _judge_em(line: CodedLine, assessment: EmResult, draft: _Draft) -> CodedLine:
    em = EmOutcome(assessment.billed_code, assessment.supported_code, assessment.verdict, assessment.basis,
                   assessment.reason[:MAX_REASON])
    values = {"line": line.line_number, "code": line.code, "supported": em.supported_code, "reason": em.reason}
    rule = {"overcoded": "COD-EM-OVERCODED", "undercoded": "COD-EM-UNDERCODED",
            "not_assessable": "COD-EM-NOT-ASSESSABLE"}.get(em.verdict)
    if rule is not None:
        draft.findings.append(finding(rule, codes=(line.code,), line_numbers=(line.line_number,), **values))
    status = "confirmed" if em.verdict == "supported" else em.verdict
    return replace(line, status=status, em=em, evidence=spans(assessment.evidence))


def edit_findings(encounter: Encounter, engines: CodingEngines) -> tuple[Finding, ...]:
    """The edits that fire on an encounter; an engine fault or a missing code set is itself a finding."""
    try:
        edits = engines.run_edits(encounter)
    except CodeSetUnavailable:
        return (finding("COD-CODESET-MISSING", date=encounter.date_of_service.isoformat()),)
    except Exception as error:  # noqa: BLE001 - an engine fault is a review item, not a lost claim
        return (finding("COD-ENGINE-FAILED", part="edits", error=type(error).__name__),)
    return tuple(Finding(e.edit_id, e.severity, e.message, e.source, tuple(e.codes), tuple(e.line_numbers))
                 for e in edits)


def spans(evidence: Sequence[object]) -> Spans:
    """Evidence as (start, end) offsets, whatever shape the engine gave."""
    found = []
    for span in evidence or ():
        start, end = (span if isinstance(span, tuple) else (getattr(span, "start", None), getattr(span, "end", None)))
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            found.append((start, end))
    return tuple(found)


def skipped_spans(reading: Reading | None) -> tuple[tuple[int, int, str], ...]:
    """What the reader skipped, as (start, end, reason)."""
    found = []
    for mention in (reading.skipped if reading else ()):
        span = spans([getattr(mention, "text_span", None)])
        if span:
            found.append((*span[0], str(getattr(mention, "reason", "skipped"))[:40]))
    return tuple(found)


def _same_code(left: str, right: str) -> bool:
    return normalise_icd10(left) == normalise_icd10(right) or left.upper() == right.upper()


def attach_edits(diagnoses: Sequence[CodedDiagnosis], findings: Sequence[Finding]) -> tuple[CodedDiagnosis, ...]:
    """Each diagnosis with the ids of the findings that name it."""
    return tuple(replace(d, edits=tuple(f.edit_id for f in findings if any(_same_code(d.code, c) for c in f.codes)))
                 for d in diagnoses)


def attach_line_edits(lines: Sequence[CodedLine], findings: Sequence[Finding]) -> tuple[CodedLine, ...]:
    """Each line with the ids of the findings that name its line number or its procedure code."""
    return tuple(replace(line, edits=tuple(
        f.edit_id for f in findings
        if line.line_number in f.line_numbers or (not f.line_numbers and line.code in f.codes)))
        for line in lines)
