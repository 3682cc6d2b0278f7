"""The ICD-10-CM Official Guidelines conventions that decide codes beyond the words (outpatient, section IV):

- history and family history (I.C.21.c.4): a condition named as the patient's past becomes its personal-history
  code (Z85-Z87), one named for a relative its family-history code (Z80-Z84), by the tabular list's own
  "Conditions classifiable to ..." terms and the table in conventions.json;
- long-term drug therapy (I.C.21.c.3, I.C.4.a.3): a current drug of a listed class gives its Z79 code, not for
  a short course, and not Z79.4/Z79.84/Z79.85 with type 1 or gestational diabetes;
- symptoms integral to a confirmed diagnosis are not coded (IV.D), unless the diagnosis's "use additional code"
  note asks for them (N40.1 and its urinary symptoms);
- BMI (Z68) only with the weight diagnosis it supports (I.B.14), from the value or percentile the note gives;
- weeks of gestation (Z3A) with a pregnancy code, trimester read from the weeks (I.C.15.a.3).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from services.coding.domain.documentation.code_releases import CodeRelease, code_releases, dotted
from services.coding.domain.documentation.note_words import phrase_words

HERE = Path(__file__).parent
CLASSIFIABLE = re.compile(r"classifiable (?:elsewhere )?(?:in|to) (.+)", re.IGNORECASE)
RANGE = re.compile(r"([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]+)?)(?:\.?-(?![A-Z]))?(?:\s*-\s*([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]+)?))?")
CODE_IN_NOTE = re.compile(r"\(([A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)-?\)")
BMI_VALUE = re.compile(r"\bBMI\b[^0-9\n]{0,20}(\d{2}(?:\.\d)?)", re.IGNORECASE)
BMI_PERCENTILE = re.compile(r"\bBMI\b[^\n]{0,25}?(\d{1,3})(?:st|nd|rd|th)\s*"
                            r"(?:-\s*\d{1,3}(?:st|nd|rd|th)\s*)?percentile", re.IGNORECASE)
GESTATION = re.compile(r"\b(?:at|is)\s+(\d{1,2})\s*(?:weeks?|wks?)\b|\b(\d{1,2})\s*(?:weeks?|wks?)\s*(?:\d\s*days?\s*)?"
                       r"(?:gestation|pregnant|of pregnancy|ga)\b", re.IGNORECASE)
GRAVIDA = re.compile(r"\bG(\d{1,2})\s*P\d", re.IGNORECASE)
WEIGHT_DIAGNOSES = ("E66", "E44", "E43", "R63.6", "E46")


@functools.cache
def convention_data() -> dict[str, Any]:
    """conventions.json, parsed once."""
    return json.loads((HERE / "conventions.json").read_text())


def _ranges(text: str) -> list[tuple[str, str]]:
    found = []
    for start, end in RANGE.findall(text):
        found.append((start.replace(".", ""), (end or start).replace(".", "")))
    return found


@functools.cache
def _classifiable() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(first, last, history code) for family (Z80-Z84) and personal (Z85-Z87) history, from the tabular list."""
    release = code_releases()[0]
    family, personal = [], []
    for code in release.codes():
        if not code.startswith(("Z80", "Z81", "Z82", "Z83", "Z84", "Z85", "Z86", "Z87")) or not release.billable(code):
            continue
        entry = release.entry(code)
        for term in entry.inclusion_terms if entry else ():
            match = CLASSIFIABLE.search(term)
            if match:
                target = family if code.startswith(("Z80", "Z81", "Z82", "Z83", "Z84")) else personal
                target.extend((first, last, code) for first, last in _ranges(match.group(1)))
    return family, personal


def _in_range(code: str, first: str, last: str) -> bool:
    bare = code.replace(".", "")
    return first <= bare[:len(first)] and bare[:len(last)] <= last


def _narrowest(code: str, table: list[tuple[str, str, str]]) -> str | None:
    fits = [(len(first) + len(last), -_span(first, last), z) for first, last, z in table
            if _in_range(code, first, last)]
    return max(fits)[2] if fits else None


def _span(first: str, last: str) -> int:
    return (ord(last[0]) - ord(first[0])) * 100 + int(last[1:3]) - int(first[1:3]) if last[1:3].isdigit() and \
        first[1:3].isdigit() else 0


def _by_prefix(code: str, table: dict[str, str]) -> str | None:
    best = max((p for p in table if code.startswith(p)), key=len, default=None)
    return table[best] if best is not None else None


def history_code(code: str, family: bool, release: CodeRelease) -> str | None:
    """The family- or personal-history code for a condition, or None when the condition has none we code."""
    data = convention_data()
    family_ranges, personal_ranges = _classifiable()
    if family:
        found = _by_prefix(code, data["family_history"]) or _narrowest(code, family_ranges)
    else:
        found = _by_prefix(code, data["personal_history"])
        if found == "tabular":
            found = _narrowest(code, personal_ranges) or _history_by_title(code, release)
    return found if found and release.billable(found) else None


HISTORY_TITLE_WORDS = frozenset({"personal", "history", "malignant", "neoplasm", "other", "unspecified", "part",
                                 "site", "carcinoid", "tumor"})


@functools.cache
def _history_titles(release: CodeRelease) -> tuple[tuple[frozenset[str], str], ...]:
    """(site words, code) of every 'Personal history of malignant neoplasm of <site>' code (Z85)."""
    found = []
    for code in release.billable_under("Z85"):
        words = frozenset(phrase_words(release.description(code))) - HISTORY_TITLE_WORDS
        if words and "carcinoid" not in release.description(code).lower():
            found.append((words, code))
    return tuple(found)


def _history_by_title(code: str, release: CodeRelease) -> str | None:
    """Z85 for a malignancy whose history code has no "Conditions classifiable to" term: the Z85 title whose site
    words the malignancy's title holds (C61 "... of prostate" -> Z85.46 "... of prostate")."""
    if not code.startswith("C"):
        return None
    words = frozenset(phrase_words(release.description(code)))
    fits = [(len(site), z) for site, z in _history_titles(release) if site <= words]
    return max(fits)[1] if fits else None


@functools.cache
def _complicating_pregnancy() -> tuple[tuple[str, str, str], ...]:
    """(first, last, O98/O99 subcategory) from their "Conditions in ..." terms: a condition in pregnancy is coded
    in chapter 15 first, the condition after it (I.C.15.a.1)."""
    release = code_releases()[0]
    found = []
    for code in release.codes():
        if not code.startswith(("O98", "O99")) or len(code) != 5:
            continue
        entry = release.entry(code)
        for term in entry.inclusion_terms if entry else ():
            if term.startswith("Conditions in"):
                found += [(first, last, code) for first, last in _ranges(term[len("Conditions in"):])]
    return tuple(found)


def pregnancy_complications(note: str, codes: set[str], release: CodeRelease) -> set[str]:
    """The O98/O99 code of each coded condition when the note is about a pregnancy, trimester from the weeks."""
    pregnant = any(c.startswith(("O", "Z34", "Z33", "Z3A")) for c in codes) or gestation_weeks(note) is not None \
        or re.search(r"\b(?:in|during|complicating) pregnancy\b", note, re.IGNORECASE)
    if not pregnant:
        return set()
    from services.coding.domain.documentation.tabular_terms import tabular_terms

    terms = tabular_terms()
    added = set()
    for code in codes:
        if code.startswith(("O", "Z", "R")):
            continue
        node = _narrowest(code, list(_complicating_pregnancy()))
        if node is None:
            continue
        # the node's own words, in pregnancy (not childbirth or the puerperium), in the trimester of the weeks
        words = (frozenset(phrase_words(release.description(node))) - {"childbirth", "puerperium"}) | \
            frozenset(("pregnancy", *trimester_words(note)))
        chosen = terms.choose(terms.by_code.get(node, [])[:1], words, release)
        added.update(chosen[:1])
    return added


@functools.cache
def _drug_classes() -> dict[str, str]:
    """Folded drug name -> Z79 code."""
    return {" ".join(phrase_words(drug)): code for code, drugs in convention_data()["drug_classes"].items()
            for drug in drugs}


def drug_class(drug: str) -> str | None:
    """The Z79 code for a drug name as written, or None."""
    return _drug_classes().get(" ".join(phrase_words(drug)))


def _says(words: tuple[str, ...], phrases: Iterable[str]) -> bool:
    text = " " + " ".join(words) + " "
    return any(f" {' '.join(phrase_words(p))} " in text for p in phrases)


def drug_therapy_code(drug: str, sentence_words: tuple[str, ...], note_words: tuple[str, ...]) -> str | None:
    """The Z79 code a current drug mention supports, or None (short course, or a class needing a reason)."""
    data = convention_data()
    code = drug_class(drug)
    if code is None or _says(sentence_words, data["short_course"]):
        return None
    needs = data["drug_class_needs"].get(code)
    if needs and not _says(note_words if code == "Z79.899" else sentence_words, needs):
        return None
    return code


def drop_diabetes_drug_codes(codes: set[str]) -> set[str]:
    """Z79.4/Z79.84/Z79.85 are not coded with type 1 diabetes or gestational diabetes (I.C.4.a.3, I.C.15.g)."""
    data = convention_data()
    if any(c.startswith(tuple(data["no_diabetes_drug_codes_with"])) for c in codes):
        return {c for c in codes if c not in data["diabetes_drug_classes"]}
    return codes


def integral_to(symptom: str, confirmed: Iterable[str]) -> bool:
    """Whether a symptom code is integral to one of the confirmed (non-symptom) codes."""
    table = convention_data()["integral_symptoms"]
    prefixes = max((p for p in table if symptom.startswith(p)), key=len, default=None)
    if prefixes is None:
        return False
    return any(code.startswith(tuple(table[prefixes])) for code in confirmed if code != symptom)


@functools.cache
def additional_symptom_codes(code: str) -> tuple[str, ...]:
    """Codes a diagnosis's "use additional code for associated symptoms" note lists (N40.1: R39.12, R35.1, ...)."""
    note = "\n".join(code_releases()[0].use_additional_notes(code))
    if "symptom" not in note.lower():
        return ()
    return tuple(dotted(c) for c in CODE_IN_NOTE.findall(note))


def bmi_code(note: str, codes: set[str], release: CodeRelease) -> str | None:
    """Z68 for the BMI the note gives, when a weight diagnosis is coded (adult value or pediatric percentile)."""
    if not any(c.startswith(WEIGHT_DIAGNOSES) for c in codes):
        return None
    percentile = BMI_PERCENTILE.search(note)
    if percentile:
        value = int(percentile.group(1))
        code = "Z68.51" if value < 5 else "Z68.52" if value < 85 else "Z68.53" if value < 95 else "Z68.54"
        return code if release.billable(code) else None
    match = BMI_VALUE.search(note)
    if not match:
        return None
    value = float(match.group(1))
    for code in release.billable_under("Z68"):
        title = release.description(code)
        bounds = re.search(r"(\d+\.\d)-(\d+\.\d), adult", title)
        if bounds and float(bounds.group(1)) <= value <= float(bounds.group(2)) + 0.05:
            return code
        low = re.search(r"(\d+\.\d) or less, adult", title)
        if low and value <= float(low.group(1)) + 0.05:
            return code
        high = re.search(r"(\d+\.\d) or greater, adult", title)
        if high and value >= float(high.group(1)):
            return code
    return None


def gestation_weeks(note: str) -> int | None:
    """The weeks of gestation the note first states ("at 24 weeks 3 days", "31 weeks gestation")."""
    match = GESTATION.search(note)
    if not match:
        return None
    weeks = int(match.group(1) or match.group(2))
    return weeks if 4 <= weeks <= 42 else None


def trimester_words(note: str) -> tuple[str, ...]:
    """'first/second/third trimester' from the weeks of gestation, for choosing chapter 15 codes."""
    weeks = gestation_weeks(note)
    if weeks is None:
        return ()
    return ("first" if weeks < 14 else "second" if weeks < 28 else "third", "trimester")


def pregnancy_codes(note: str, codes: set[str], release: CodeRelease) -> set[str]:
    """Z3A weeks of gestation with a pregnancy code; a normal pregnancy's first or other by gravida (Z34.0/Z34.8)."""
    if not any(c.startswith(("O", "Z34", "Z33")) for c in codes):
        return codes
    out = set(codes)
    weeks = gestation_weeks(note)
    if weeks is not None and release.billable(f"Z3A.{weeks:02d}"):
        out.add(f"Z3A.{weeks:02d}")
    gravida = GRAVIDA.search(note)
    for code in codes:
        if code.startswith("Z34.9") and gravida:
            first_or_other = "Z34.0" if int(gravida.group(1)) == 1 else "Z34.8"
            replacement = first_or_other + code[5:]
            if release.billable(replacement):
                out.discard(code)
                out.add(replacement)
    return out


# A routine examination "with abnormal findings" when the visit also found or addressed a condition (guidelines
# I.C.21.c.13): the well-child, adult and gynaecological examination codes each have the pair.
WITH_ABNORMAL_FINDINGS = {"Z00.129": "Z00.121", "Z00.00": "Z00.01", "Z01.419": "Z01.411"}
NOT_FINDINGS = ("Z",)  # other encounter, status and history codes (Z23, Z68, Z79, Z87) are not findings


def routine_exam_code(exam: str, codes: Iterable[str]) -> str:
    """The examination code, switched to its "with abnormal findings" twin when any non-Z code is coded beside it."""
    twin = WITH_ABNORMAL_FINDINGS.get(exam)
    if twin and any(not code.startswith(NOT_FINDINGS) for code in codes):
        return twin
    return exam
