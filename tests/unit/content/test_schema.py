"""Content entries parsed into frozen records (medref.content.schema); a bad value is named by
file, line and field."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from medref.content.schema import (
    AssertedInteraction,
    ClassEntry,
    DrugEntry,
    InteractionEntry,
    PageEntry,
    ProductEntry,
    TopicEntry,
)
from medref.knowledge.importers.errors import ImportFailed

FILE = Path("content/interactions/core.yaml")
DRUGS = {"warfarin", "aspirin"}


def _interaction(**changes):
    raw = {
        "__line__": 12,
        "a": "warfarin",
        "b": "aspirin",
        "severity": "Major",
        "mechanism": " Both impair haemostasis. ",
        "consequence": "Bleeding.",
        "management": "Avoid.",
        "patient_mechanism": "m",
        "patient_management": "g",
        "references": ["Label, section 4.5"],
    }
    raw.update(changes)
    return raw


def test_interaction_entry_parses_into_a_frozen_record():
    entry = InteractionEntry.parse(_interaction(), FILE, drugs=DRUGS, classes=set())

    assert (entry.file, entry.line, entry.severity) == (FILE, 12, "major")
    assert entry.mechanism == "Both impair haemostasis."
    assert entry.references == ({"text": "Label, section 4.5"},)
    assert (entry.status, entry.review_status) == ("published", "unreviewed")
    assert entry.pair == "aspirin|warfarin"
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.severity = "minor"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"severity": "catastrophic"}, "severity"),
        ({"b": "paracetamol"}, "b"),
        ({"references": [{"txt": "typo"}]}, "references[1]"),
        ({"status": "draftish"}, "status"),
        ({"reviewed_at": "last week"}, "reviewed_at"),
    ],
)
def test_interaction_entry_with_a_bad_field_names_file_line_and_field(change, field):
    with pytest.raises(ImportFailed) as failure:
        InteractionEntry.parse(_interaction(**change), FILE, drugs=DRUGS, classes=set())

    assert str(failure.value).startswith(f"{FILE}:12: field '{field}'")


def test_drug_entry_keeps_names_brands_and_codes():
    raw = {
        "__line__": 3,
        "slug": "warfarin",
        "name": "Warfarin ",
        "names": {"__line__": 5, "synonyms": ["coumadin sodium"]},
        "brands": [{"name": "Coumadin", "country": "US"}],
        "codes": {"__line__": 8, "atc": ["B01AA03"]},
    }

    drug = DrugEntry.parse(raw, Path("content/drugs/drugs.yaml"))

    assert (drug.slug, drug.name, drug.kind, drug.line) == ("warfarin", "Warfarin", "medicine", 3)
    assert drug.names == (("synonyms", ("coumadin sodium",)),)
    assert drug.brands[0].country == "US"
    assert drug.codes == (("atc", ("B01AA03",)),)


def test_drug_entry_with_a_bad_kind_names_file_and_line():
    path = Path("content/drugs/drugs.yaml")

    with pytest.raises(ImportFailed, match=r"^content/drugs/drugs\.yaml:7: field 'kind'"):
        DrugEntry.parse({"__line__": 7, "slug": "x", "name": "X", "kind": "mineral"}, path)


def test_topic_entry_names_the_body_line_of_a_citation_without_a_reference():
    meta = {
        "slug": "warfarin-and-nsaids",
        "title": "Warfarin and NSAIDs",
        "authors": "medref team",
        "last_edited": "2026-11-01",
        "references": ["Label, section 4.5"],
        "interactions": [{"drugs": ["warfarin", "ibuprofen"], "severity": "Major"}],
    }
    path = Path("content/topics/warfarin-and-nsaids.md")

    topic = TopicEntry.parse(meta, "Bleeding [1].", 12, path, drugs=DRUGS, topics=set())
    assert topic.interactions == (AssertedInteraction(("warfarin", "ibuprofen"), "major"),)
    assert topic.status == "published" and topic.last_reviewed is None
    with pytest.raises(ImportFailed, match=r"warfarin-and-nsaids\.md:13: field 'body'"):
        TopicEntry.parse(meta, "Bleeding [1].\nSee [2].", 12, path, drugs=DRUGS, topics=set())


def test_class_and_product_entries_name_an_unknown_member_with_file_and_line():
    path = Path("content/classes/classes.yaml")
    raw = {"__line__": 4, "slug": "nsaids", "name": "NSAIDs", "members": ["aspirin", "ibuprofen"]}

    with pytest.raises(ImportFailed, match=r"classes\.yaml:4: field 'members': unknown drug"):
        ClassEntry.parse(raw, path, drugs=DRUGS)
    with pytest.raises(ImportFailed, match=r"products\.yaml:9: field 'ingredients'"):
        ProductEntry.parse(
            {"__line__": 9, "name": "Combo", "ingredients": ["aspirin"]},
            Path("content/products.yaml"),
            drugs=DRUGS,
        )


def test_page_entry_requires_a_last_edited_date():
    with pytest.raises(ImportFailed, match=r"^content/pages/about\.md:2: field 'last_edited'"):
        PageEntry.parse(
            {"slug": "about", "title": "About"}, "Text.", Path("content/pages/about.md")
        )
