"""Loads the coding engines once, at startup: reference data (code sets, NCCI, MUE) and the note reader.

The composition root calls `load_coding_engines()` in the service's lifespan; every claim then
runs against the loaded objects. When an engine package is not installed in this build the
adapter says so instead of failing: the edits fall back to the first-pass checks in
`domain/review.py` and notes are not read (a warning on every claim with a note).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from services.coding.domain.coding_decision import dotted
from services.coding.domain.coding_engines import EditDefinition, EmResult, Reading
from services.coding.domain.decision_rules import RULES, Finding
from services.coding.domain.review import review_encounter
from shared.contracts.encounter import Encounter

log = logging.getLogger(__name__)
FIRST_PASS_SOURCE = "claimline coding first pass"
WARM_UP_NOTE = "Follow-up visit. Essential hypertension, stable. Continue current medication."


@dataclass(frozen=True)
class EditDefinitionView:
    edit_id: str
    severity: str
    message: str
    source: str


class LoadedCodingEngines:
    """The engines as loaded in this process (see CodingEngines in the domain)."""

    def __init__(self, edits: Callable[[Encounter], Sequence[Any]], definitions: Sequence[EditDefinition],
                 read_note: Callable[[str, dt.date], Reading] | None,
                 assess_em: Callable[[str, str], EmResult | None] | None,
                 covers: Callable[[str], bool] = lambda code: True,
                 read_notes: Callable[[Sequence[tuple[str, dt.date]]], Sequence[Reading]] | None = None):
        self._edits = edits
        self._definitions = list(definitions)
        self._read_note = read_note
        self._read_notes = read_notes
        self._assess_em = assess_em
        self._covers = covers
        self.reads_notes = read_note is not None

    def reader_covers(self, code: str) -> bool:
        return self._covers(code)

    def read_note(self, note: str, date_of_service: dt.date) -> Reading:
        assert self._read_note is not None, "check reads_notes first"
        return self._read_note(note, date_of_service)

    def read_notes(self, notes: Sequence[tuple[str, dt.date]]) -> Sequence[Reading]:
        assert self._read_note is not None, "check reads_notes first"
        if self._read_notes is not None:
            return self._read_notes(notes)
        return [self._read_note(note, date_of_service) for note, date_of_service in notes]

    def assess_em(self, note: str, billed_code: str) -> EmResult | None:
        return None if self._assess_em is None else self._assess_em(note, billed_code)

    def run_edits(self, encounter: Encounter) -> Sequence[Any]:
        return self._edits(encounter)

    def edit_definitions(self) -> Sequence[EditDefinition]:
        """Every edit and decision rule this deployment can fire."""
        decision_rules = [EditDefinitionView(r.edit_id, r.severity, r.message, r.source) for r in RULES.values()]
        return [*self._definitions, *decision_rules]


def _first_pass_edits(encounter: Encounter) -> list[Finding]:
    return [Finding(f.edit_id, f.severity, f.message, FIRST_PASS_SOURCE) for f in review_encounter(encounter)]


FIRST_PASS_DEFINITIONS = [
    EditDefinitionView("COD-EXTCAUSE-FIRST", "error", "an external-cause code cannot be the first-listed diagnosis",
                       FIRST_PASS_SOURCE),
    EditDefinitionView("COD-SEQUELA-FIRST", "error",
                       "a sequela (7th character S) code cannot be the first-listed diagnosis", FIRST_PASS_SOURCE),
    EditDefinitionView("COD-DX-UNUSED", "warning", "diagnoses not pointed to by any service line", FIRST_PASS_SOURCE),
]


def _load_edits() -> tuple[Callable[[Encounter], Sequence[Any]], Sequence[EditDefinition]]:
    try:
        from services.coding.domain.coding_claim import CodingClaim
        from services.coding.domain.edits import list_edit_definitions, load_coding_reference, run_coding_edits
    except ImportError:
        log.warning("coding edits engine not installed; using the first-pass checks")
        return _first_pass_edits, FIRST_PASS_DEFINITIONS
    reference = load_coding_reference()

    def run(encounter: Encounter) -> Sequence[Any]:
        # a date of service no loaded release covers comes back as the COD-ICD-NO-CODESET error edit
        return run_coding_edits(CodingClaim.from_encounter(encounter), reference)

    return run, [EditDefinitionView(d.edit_id, d.severity, d.description, d.source) for d in list_edit_definitions()]


NoteReader = tuple[Callable[[str, dt.date], Reading] | None, Callable[[str, str], Any] | None,
                   Callable[[Sequence[tuple[str, dt.date]]], Sequence[Reading]] | None]


def _load_note_reader() -> NoteReader:
    try:
        from services.coding.domain.documentation import read_note, read_notes
        from services.coding.domain.evaluation_management import assess_em
    except ImportError:
        log.warning("clinical note reader not installed; notes are not read")
        return None, None, None
    # builds the NLP pipeline and the whole tabular list of every release now, not on the first claim
    read_notes([(WARM_UP_NOTE, release_day) for release_day in (dt.date(2025, 10, 1), dt.date.today())])
    return read_note, assess_em, read_notes


def _reader_coverage() -> Callable[[str], bool]:
    """The diagnoses the reader's lexicon can name: its codes, and every code of a category where it has a
    catch-all (unspecified) code. Without the lexicon every code counts as covered (absence then reviews)."""
    try:
        from services.coding.domain.documentation.lexicon import lexicon
        variants = [variant for concept in lexicon().concepts.values() for variant in concept.variants]
        codes = {dotted(v.code) for v in variants}
        open_categories = {v.code[:3] for v in variants if v.unspecified}
    except (ImportError, AttributeError):
        return lambda code: True
    return lambda code: dotted(code) in codes or dotted(code)[:3] in open_categories


def load_coding_engines() -> LoadedCodingEngines:
    """Load reference data and the note reader (seconds to a minute on a busy machine); once per process."""
    edits, definitions = _load_edits()
    read_note, assess_em, read_notes = _load_note_reader()
    covers = _reader_coverage() if read_note is not None else (lambda code: True)
    return LoadedCodingEngines(edits, definitions, read_note, assess_em, covers, read_notes)


class CodingEnginesLoading:
    """The engines, loading in a background thread from startup so the service is up (and answers its health
    checks) at once; a claim that arrives first waits for them in its worker thread. A load that fails
    makes every claim a review item naming the failure, never a lost claim."""

    def __init__(self) -> None:
        self._loaded = threading.Event()
        self._engines: LoadedCodingEngines | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        threading.Thread(target=self._load, name="coding-engines-load", daemon=True).start()

    def _load(self) -> None:
        started = time.monotonic()
        try:
            self._engines = load_coding_engines()
        except BaseException as error:  # noqa: BLE001 - reported on every claim instead
            self._error = error
            log.critical("coding engines failed to load", extra={"error": type(error).__name__})
        finally:
            log.info("coding engines loaded", extra={"seconds": round(time.monotonic() - started, 1)})
            self._loaded.set()

    def state(self) -> str:
        """For readiness: "ok" once loaded, "loading" before, "failed: <error type>" when the load failed."""
        if not self._loaded.is_set():
            return "loading"
        return "ok" if self._engines is not None else f"failed: {type(self._error).__name__}"

    def _ready(self) -> LoadedCodingEngines:
        self._loaded.wait()  # called from worker threads only
        if self._engines is None:
            raise RuntimeError(f"coding engines did not load ({type(self._error).__name__})")
        return self._engines

    @property
    def reads_notes(self) -> bool:
        return self._ready().reads_notes

    def reader_covers(self, code: str) -> bool:
        return self._ready().reader_covers(code)

    def read_note(self, note: str, date_of_service: dt.date) -> Reading:
        return self._ready().read_note(note, date_of_service)

    def read_notes(self, notes: Sequence[tuple[str, dt.date]]) -> Sequence[Reading]:
        return self._ready().read_notes(notes)

    def assess_em(self, note: str, billed_code: str) -> EmResult | None:
        return self._ready().assess_em(note, billed_code)

    def run_edits(self, encounter: Encounter) -> Sequence[Any]:
        return self._ready().run_edits(encounter)

    def edit_definitions(self) -> Sequence[EditDefinition]:
        return self._ready().edit_definitions()
