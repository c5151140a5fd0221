"""Session fixtures of the KB integration tests, built on tests/conftest.py's ingested corpus."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.built_once import built_once
from kb_helpers import EN_RULE_TXT, OPINIONS, ZH_RULE_TXT, copy_opinions, settings_for


@pytest.fixture(scope="session")
def mixed_kb_dir(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ingested Opinions plus the Chinese test rule (read-only; copy it to write)."""

    def build(target: Path) -> None:
        from policykb.kb import KnowledgeBase

        shutil.copytree(corpus_kb_dir, target)
        kb = KnowledgeBase(settings_for(target))
        try:
            report = kb.ingest([ZH_RULE_TXT])
        finally:
            kb.close()
        assert (report.added, report.failed) == (1, 0), report

    return built_once(tmp_path_factory, "mixed-kb", build)


@pytest.fixture(scope="session")
def mixed_kb(mixed_kb_dir: Path):
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(settings_for(mixed_kb_dir))
    yield kb
    kb.close()


@pytest.fixture(scope="session")
def own_corpus(corpus_kb_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(folder holding a private copy of the Opinions, a pristine copy of that folder, a KB ingested from it).

    The KB is the session's ingested corpus, copied, with the Opinions recorded at the private copy's path (the bytes
    are the same, so an ingest of the folder would embed nothing and only relocate it)."""
    from policykb.kb import KnowledgeBase

    root = tmp_path_factory.mktemp("own-corpus")
    folder = root / "corpus"
    copied = copy_opinions(folder)
    pristine = root / "pristine"
    shutil.copytree(folder, pristine)
    kb_dir = root / "kb"
    shutil.copytree(corpus_kb_dir, kb_dir)
    kb = KnowledgeBase(settings_for(kb_dir))
    try:
        kb.manifest.relocate(OPINIONS, str(copied.resolve()))
        assert [(d.doc_id, d.source_path) for d in kb.documents()] == [(OPINIONS, str(copied.resolve()))]
    finally:
        kb.close()
    return folder, pristine, kb_dir


@pytest.fixture
def own_corpus_copy(own_corpus: tuple[Path, Path, Path], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A writable (corpus folder, KB ingested from it) pair.

    The manifest records absolute source paths, and a document id claimed by a file at
    another existing path is refused; so the KB is copied per test while the folder stays
    at its path, free to edit, and is restored afterwards.
    """
    folder, pristine, kb_dir = own_corpus
    target = tmp_path / "kb"
    shutil.copytree(kb_dir, target)
    try:
        yield folder, target
    finally:
        shutil.rmtree(folder)
        shutil.copytree(pristine, folder)


@pytest.fixture(scope="session")
def en_rule_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB holding only the English sample rule (read-only: copy it to write)."""

    def build(kb_dir: Path) -> None:
        from policykb.kb import KnowledgeBase

        kb = KnowledgeBase(settings_for(kb_dir))
        try:
            assert kb.ingest([EN_RULE_TXT]).added == 1
        finally:
            kb.close()

    return built_once(tmp_path_factory, "en-rule-kb", build)
