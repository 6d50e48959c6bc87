"""The renderers, tested against documents directly (no command line): one registry picks the
renderer for a document's kind and a format; a format a kind lacks is bad input that names the
formats it has."""

import json

import pytest

import forcecheck
from forcecheck.diagnostics import InputError
from forcecheck.report.render import RENDERERS, formats, kind_of, render

from conftest import SCENARIOS

MINNEAPOLIS = SCENARIOS / "real" / "minneapolis-2026-01-07.yaml"


@pytest.fixture(scope="module")
def result():
    return forcecheck.check(MINNEAPOLIS)


def test_every_registered_renderer_can_be_imported():
    from importlib import import_module

    for target in RENDERERS.values():
        module, name = target.split(":")
        assert callable(getattr(import_module(module), name)), target


def test_each_document_kind_renders_in_each_of_its_formats(result):
    from forcecheck.report.compare import build as compare

    documents = {"check": result.document(), "questions": result.document(questions=True),
                 "compare": compare([result.evaluation,
                                     forcecheck.check(MINNEAPOLIS, policy="doj").evaluation])}
    for kind, doc in documents.items():
        assert kind_of(doc) == kind
        for fmt in formats(kind):
            out = render(doc, fmt)
            # CI formats name the clause and the file, not the incident's title
            ci = fmt in ("sarif", "junit", "github")
            said = "deadly-force-imminent-threat" if ci else "Renee Nicole Good"
            assert out.endswith("\n") and said in out or kind == "questions", (kind, fmt)
            if fmt == "json":
                assert json.loads(out)["format"].startswith("forcecheck.")


def test_a_format_a_document_lacks_is_bad_input_naming_those_it_has(result):
    with pytest.raises(InputError) as caught:
        render(result.document(), "pdf")
    message = caught.value.render()
    assert "no format 'pdf' for a check report" in message and \
        "text, markdown, html, json, sarif, junit, github" in message


def test_options_a_renderer_has_no_use_for_are_dropped_and_others_are_kept(result):
    doc = result.document(traces=False)
    assert render(doc, "json", width=60, colour=True) == render(doc, "json")
    narrow = render(doc, "text", width=60)
    assert max(len(line) for line in narrow.splitlines()) <= 60 < max(len(line) for line in
                                                                       render(doc, "text").splitlines())
    with pytest.raises(TypeError):
        render(doc, "text", widht=60)  # a misspelt option is the caller's mistake, not dropped


def test_a_document_the_registry_does_not_know_is_refused():
    with pytest.raises(TypeError, match="not a forcecheck document"):
        kind_of({"format": "something/1"})
