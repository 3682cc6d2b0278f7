"""The lexicon is data: every code it can produce must be a billable FY ICD-10-CM code, every rule well-formed."""

from __future__ import annotations

import simple_icd_10_cm as icd

from services.coding.domain.documentation.lexicon import lexicon
from services.coding.domain.documentation.pipeline import concept_lexicon, expand_phrase


def billable(code: str) -> bool:
    return icd.is_valid_item(code) and icd.is_leaf(code)


def producible_codes() -> set[str]:
    lex = lexicon()
    codes = set()
    for concept in lex.concepts.values():
        for variant in concept.variants:
            if concept.episode:
                codes.update(variant.code + char for char in ("A", "D", "S"))
            else:
                codes.add(variant.code)
    codes.update(rule.add for rule in lex.combinations)
    return codes


def test_every_code_the_lexicon_can_produce_is_billable() -> None:
    not_billable = sorted(code for code in producible_codes() if not billable(code))
    assert not_billable == []


def test_the_check_rejects_category_and_invented_codes() -> None:
    assert not billable("E11")  # a category, not a leaf
    assert not billable("M54.5")  # made non-billable in FY2022
    assert not billable("Q99.999")
    assert billable("E11.22")


def test_every_concept_has_a_default_code_and_known_qualifiers() -> None:
    lex = lexicon()
    for concept in lex.concepts.values():
        assert concept.variants[-1].when == (), concept.id
        for variant in concept.variants:
            assert set(variant.when) <= set(lex.qualifiers), (concept.id, variant.when)


def test_concept_ids_are_unique_and_phrases_expand() -> None:
    ids = [item["id"] for item in concept_lexicon()["concepts"]]
    assert len(ids) == len(set(ids))
    assert expand_phrase("osteoarthritis of {the |}{right |left |}knee") == [
        "osteoarthritis of the right knee", "osteoarthritis of the left knee", "osteoarthritis of the knee",
        "osteoarthritis of right knee", "osteoarthritis of left knee", "osteoarthritis of knee"]


def test_the_lexicon_covers_four_specialties() -> None:
    codes = producible_codes()
    for prefix in ("I10", "E11", "F32", "F33", "F41.1", "I48", "I50", "M17", "S52", "M54.50", "J44"):
        assert any(code.startswith(prefix) for code in codes), prefix
