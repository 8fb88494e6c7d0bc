"""Shared fixtures: the loaded rules and lexicon, and a sentence factory."""

from __future__ import annotations

import pytest

from graph.model import OffsetMap, Sentence
from graph.normalize import normalize
from graph.pipeline import load_resources


@pytest.fixture(scope="session")
def resources():
    return load_resources()


def make_sentences(*texts: str) -> list[Sentence]:
    """Sentences of one article, normalised as the pipeline does, offsets into the joined text."""
    sentences = []
    offset = 0
    for index, text in enumerate(texts):
        norm, offsets = normalize(text)
        sentences.append(Sentence("test.txt", 0, index, norm, OffsetMap.of([o + offset for o in offsets])))
        offset += len(text) + 1
    return sentences


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """One build of seeds/ for the whole session: (output folder, report)."""
    from graph.pipeline import build

    out = tmp_path_factory.mktemp("seed-build")
    return out, build([ROOT / "seeds"], out)


@pytest.fixture(scope="session")
def seed_graph(seed_build):
    from graph.query import load_graph

    return load_graph(seed_build[0] / "graph.ttl")
