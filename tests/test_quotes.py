"""Every clause quotes its policy wording verbatim from the source text the project ships."""

from pathlib import Path

import pytest

from forcecheck.diagnostics import InputError
from forcecheck.policy.load import load_policy, source_passages, verify_quotes
from forcecheck.policy.model import PROVENANCE_LABELS

from conftest import POLICY_DIR, policy_tree

SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources" / "dhs-policy-text.md"
RESEARCH = SHARED.parent / "dhs-policy-research.md"


def all_quotes(policy):
    yield from ((c.id, q) for c in policy.clauses for q in c.quotes)
    yield from ((d.name, x.quote) for d in policy.definitions.values() for x in d.exceptions)


def test_every_shipped_quote_is_verbatim_in_its_document(policy):
    assert verify_quotes(policy) == []
    for owner, q in all_quotes(policy):
        text = Path(policy.documents[q.document].text_file).read_text(encoding="utf-8")
        assert any(q.text in p for p in source_passages(text)), owner


def test_every_clause_has_a_quote_and_a_known_provenance(policy):
    for c in policy.clauses:
        assert c.quotes, c.id
        assert all(q.provenance in PROVENANCE_LABELS for q in c.quotes), c.id


def test_seed_quotes_come_from_the_seed_document(policy):
    for owner, q in all_quotes(policy):
        if q.provenance == "seed-quote":
            assert q.document == "SEED", owner


@pytest.mark.skipif(not SHARED.exists(), reason="the shared source notes are not beside this checkout")
def test_shipped_source_passages_are_copied_unchanged_from_the_source_notes():
    text = SHARED.read_text(encoding="utf-8")
    research = RESEARCH.read_text(encoding="utf-8")
    for f in sorted(POLICY_DIR.parent.glob("*/sources/*.md")):  # every shipped policy's sources
        # Press-reported and partial passages (reported.md, and the DOJ passages the research
        # notes hold verbatim, e.g. the 2021 restraint release) come from the research notes;
        # the rest from the text notes. Either way: word for word from shared/sources.
        notes = research if f.name == "reported.md" else text + "\n" + research
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.startswith("> "):
                passage = line[2:]
            elif "`paraphrase`" in line and "): " in line:
                passage = line.rsplit("): ", 1)[1]  # the summary after the item's label and source
            else:
                continue
            assert passage.rstrip(".") in notes, f"{f.name}: {passage[:60]}"


@pytest.fixture
def policy_copy(tmp_path):
    return policy_tree(tmp_path)


def test_a_tidied_quote_stops_the_policy_loading(policy_copy):
    rules = policy_copy / "policy.rules"
    text = rules.read_text(encoding="utf-8")
    tidied = text.replace("does not constitute as a use", "does not constitute a use")
    assert tidied != text
    rules.write_text(tidied, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_policy(policy_copy)
    (d,) = info.value.diagnostics
    assert d.code == "Q001" and "not found verbatim" in d.message
    assert d.span.line == next(i for i, line in enumerate(tidied.splitlines(), 1)
                               if "constitute a use" in line) - 1


def test_a_quote_matching_only_commentary_is_refused(policy_copy):
    rules = policy_copy / "policy.rules"
    text = rules.read_text(encoding="utf-8")
    # "Provenance labels" appears in the source file's header, not in any passage.
    text = text.replace('"imminent threat of death or serious bodily injury"', '"Provenance labels"')
    rules.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_policy(policy_copy)
    assert [d.code for d in info.value.diagnostics] == ["Q001"]


def test_a_missing_source_file_is_reported(policy_copy):
    (policy_copy / "sources" / "dhs-2018.md").unlink()
    with pytest.raises(InputError) as info:
        load_policy(policy_copy)
    assert [d.code for d in info.value.diagnostics] == ["Q002"]


def label_of_passage(text: str, quote: str) -> str | None:
    """The provenance label the source notes give the passage holding `quote`: a label
    written on the passage's item line (`partial`, `paraphrase`), else its section's."""
    section, item = None, ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3]  # "## A. ...", "## B. ...", "## C. ..."
        elif line[:1].isalpha() and line[1:2].isdigit():
            item = line  # "C5. General standard, `partial` (...)"
        passage = line[2:] if line.startswith("> ") else line if "`paraphrase`" in line else None
        if passage is not None and quote in passage:
            for label in ("partial", "paraphrase"):
                if f"`{label}`" in item or f"`{label}`" in line:
                    return label
            return {"A": "seed-quote", "B": "transcription", "C": "transcription"}.get(section)
    return None


def test_every_quote_carries_the_label_its_source_gives_it(policy):
    for owner, q in all_quotes(policy):
        text = Path(policy.documents[q.document].text_file).read_text(encoding="utf-8")
        assert label_of_passage(text, q.text) == q.provenance, (owner, q.text[:40])
