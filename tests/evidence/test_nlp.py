"""The statistical pipelines: the English copy is verified before it loads, its documented
accuracy is spaCy's, and the parse gives the subject of an amount's act."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from stargate.errors import StargateError
from stargate.evidence import nlp, syntax

# spaCy's published figures for en_core_web_sm 3.8.0 (OntoNotes 5 test set):
# https://github.com/explosion/spacy-models/blob/master/meta/en_core_web_sm-3.8.0.json
DOCUMENTED = {"tag_acc": 0.972937262, "dep_uas": 0.9176955214, "dep_las": 0.8991533598,
              "ents_p": 0.8429743795, "ents_r": 0.8436498397, "ents_f": 0.8433119744}  # fmt: skip


def test_the_installed_english_model_is_the_reviewed_one() -> None:
    folder = nlp.english_model_folder()
    assert nlp.model_digest(folder) == nlp.ENGLISH_SHA256
    assert nlp.verified_english_folder(folder) == folder


def test_its_documented_accuracy_is_spacys() -> None:
    meta = json.loads((nlp.english_model_folder() / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == nlp.ENGLISH_VERSION
    for key, value in DOCUMENTED.items():
        assert meta["performance"][key] == pytest.approx(value, abs=1e-9), key
    assert meta["sources"][0]["name"] == "OntoNotes 5"


def test_a_tampered_copy_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(nlp.english_model_folder(), copy)
    weights = copy / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(nlp.ModelError, match="do not match the reviewed release") as caught:
        nlp.verified_english_folder(copy)
    assert isinstance(caught.value, StargateError)


def test_an_extra_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(nlp.english_model_folder(), copy)
    (copy / "tokenizer.py").write_text("print('hello')\n")
    with pytest.raises(nlp.ModelError):
        nlp.verified_english_folder(copy)


def test_focus_keeps_the_sentence_before_and_the_budget() -> None:
    spans = [(0, 10), (10, 20), (20, 30), (30, 40)]
    assert nlp.focus(spans, [2]) == [1, 2]
    assert nlp.focus(spans, [0, 3]) == [0, 2, 3]
    assert nlp.focus(spans, [1, 3], budget=25) == [0, 1]


@pytest.mark.parametrize(
    ("language", "text", "amount", "subject"),
    [
        ("en", "SoftBank will invest $22.5 billion in OpenAI.", "$22.5 billion", "SoftBank"),
        ("en", "Oracle said Microsoft, which owns 27.5%, agreed.", "27.5%", "Microsoft"),
        ("en", "OpenAI plans to spend $1.4 trillion on data centres.", "$1.4 trillion", "OpenAI"),
        ("fr", "Nvidia investira 100 milliards de dollars dans OpenAI.", "100 milliards", "Nvidia"),
        (
            "fr",
            "Microsoft a investi 13 milliards de dollars dans OpenAI.",
            "13 milliards",
            "Microsoft",
        ),
    ],
)
def test_the_parse_gives_the_actor(language: str, text: str, amount: str, subject: str) -> None:
    (doc,) = nlp.analyse(text, [(0, len(text))], language)
    start = text.index(amount)
    found = syntax.actor(doc, 0, start, start + len(amount))
    assert found is not None
    assert subject in text[found.start : found.end]


@pytest.mark.parametrize(
    ("language", "text", "verb_tense"),
    [
        ("en", "Oracle raised $18 billion.", "past"),
        ("en", "Oracle will raise $18 billion.", "future"),
        ("fr", "Oracle a levé 18 milliards de dollars.", "past"),
        ("fr", "Oracle lèvera 18 milliards de dollars.", "future"),
        ("fr", "Oracle lèverait 18 milliards de dollars.", "conditional"),
    ],
)
def test_tense_of_the_governing_verb(language: str, text: str, verb_tense: str) -> None:
    (doc,) = nlp.analyse(text, [(0, len(text))], language)
    start = text.index("18")
    assert syntax.tense(syntax.governing_verb(doc, 0, start, start + 2)) == verb_tense
