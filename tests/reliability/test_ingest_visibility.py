"""Queries during an ingest answer from the last committed state: a document being embedded is invisible, then
appears whole at once, to a long-lived reader in another process (as `serve` is), to CLI readers, and to the app's
API while the app itself ingests an upload (which the app commits first and embeds in the background: whole and
searchable at once, its vectors following)."""
from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from reliability_helpers import SEED, settings_for

from benchmarks.bench_crash import POLICYKB, UploadWatch, upload
from benchmarks.synthetic import queries, write_corpus
from policykb.ingest import load_document
from policykb.ingest.model import Clause
from policykb.kb import KnowledgeBase
from tests.support.serve import cli_env, start_serve, stop_serve


def parsed(files: tuple[Path, ...], kb_dir: Path) -> dict[str, dict[str, Clause]]:
    """doc id → clause id → clause, parsed here from the files the writer ingests."""
    out = {}
    for path in files:
        doc = load_document(path, settings_for(kb_dir))
        out[doc.doc_id] = {c.id: c for c in doc.clauses}
    return out


def probe_queries(new: dict[str, dict[str, Clause]]) -> list[str]:
    """Exact texts of new clauses (their vectors are the nearest while uncommitted), topical queries, and lookups."""
    exact = [clause.text for clauses in new.values() for clause in list(clauses.values())[:: max(len(clauses) // 3, 1)]]
    return exact + queries(6, seed=SEED) + ["(12)", "第十二条"]


class Observations:
    """What readers saw, in order: per observation the visible clause count of each new document."""

    def __init__(self, new: dict[str, dict[str, Clause]]) -> None:
        self.new = new
        self.states: list[dict[str, int]] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def hits(self, hits: list[tuple[str, str]], where: str) -> set[str]:
        """Check hits (clause id, text): a new document's clause only with its committed text; returns their new docs."""
        seen = set()
        for clause_id, text in hits:
            doc_id = clause_id.rsplit(":", 1)[0]
            if doc_id in self.new:
                seen.add(doc_id)
                if self.new[doc_id][clause_id].text != text:
                    self.fail(f"{where}: {clause_id} came back with another text")
        return seen

    def state(self, visible: dict[str, int], with_hits: set[str], where: str) -> None:
        """Record a state; each new document is visible with none or all of its clauses, and never disappears again."""
        with self.lock:
            previous = self.states[-1] if self.states else {}
            for doc_id, clauses in self.new.items():
                n = visible.get(doc_id, 0)
                if n not in (0, len(clauses)):
                    self.fail(f"{where}: {n} of the {len(clauses)} clauses of {doc_id} are visible")
                if previous.get(doc_id) and not n:
                    self.fail(f"{where}: {doc_id} disappeared after it had been visible")
                if doc_id in with_hits and not n:
                    self.fail(f"{where}: {doc_id} was found by a search before it was visible")
            self.states.append({d: visible.get(d, 0) for d in self.new})

    def fail(self, message: str) -> None:
        self.errors.append(message)


@pytest.mark.slow
def test_an_ingest_in_another_process_appears_whole_and_at_once(kb_copy: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "docs", 80, seed=SEED, per_doc=40)  # two documents, committed one after the other
    new = parsed(corpus.files, kb_copy)
    assert len(new) == 2
    probes = probe_queries(new)
    reader = KnowledgeBase(settings_for(kb_copy))  # long-lived, opened before the ingest, as `serve` keeps its KB
    reader.warm_up()
    seen = Observations(new)
    writer = subprocess.Popen([str(POLICYKB), "ingest", str(corpus.folder), "--kb", str(kb_copy), "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())

    def in_process() -> None:
        turn = 0
        while writer.poll() is None:
            query = probes[turn % len(probes)]
            turn += 1
            try:
                found = seen.hits([(h.clause.id, h.clause.text) for h in reader.search(query, 10).hits], f"search {query!r}")
                visible = Counter(c.doc_id for c in reader.clauses())
                seen.state(visible, found, f"in-process reader after {query!r}")
            except Exception as exc:  # a reader must keep answering during the ingest
                seen.fail(f"in-process search {query!r} raised {exc!r}")
            time.sleep(0.05)

    def cli_reader() -> None:
        doc_id = sorted(new)[-1]  # the document committed last
        turn = 0
        while writer.poll() is None:
            query = probes[turn % len(probes)]
            turn += 1
            found = subprocess.run([str(POLICYKB), "search", query, "-k", "10", "--kb", str(kb_copy), "--json"],
                                   capture_output=True, text=True, env=cli_env(), timeout=300)
            if found.returncode != 0:
                seen.fail(f"policykb search {query!r} failed: {found.stderr.strip()}")
                continue
            with_hits = seen.hits([(r["id"], r["text"]) for r in json.loads(found.stdout)["results"]], f"CLI search {query!r}")
            listed = subprocess.run([str(POLICYKB), "clauses", "--doc", doc_id, "--kb", str(kb_copy), "--json"],
                                    capture_output=True, text=True, env=cli_env(), timeout=300)
            if listed.returncode == 0:
                n = len(json.loads(listed.stdout))
            elif "no document" in listed.stderr:
                n = 0
            else:
                seen.fail(f"policykb clauses --doc {doc_id} failed: {listed.stderr.strip()}")
                continue
            if n not in (0, len(new[doc_id])) or (doc_id in with_hits and not n):
                seen.fail(f"CLI reader: {n} of the {len(new[doc_id])} clauses of {doc_id} listed (found by search: {doc_id in with_hits})")

    threads = [threading.Thread(target=in_process), threading.Thread(target=cli_reader)]
    for thread in threads:
        thread.start()
    out, err = writer.communicate(timeout=600)
    for thread in threads:
        thread.join(timeout=300)

    assert writer.returncode == 0, err
    assert json.loads(out)["added"] == 2
    assert not seen.errors, seen.errors[:10]
    first, second = sorted(new, key=lambda d: next((i for i, s in enumerate(seen.states) if s[d]), len(seen.states)))
    assert any(not any(s.values()) for s in seen.states), "no reader ran before the first document was committed"
    assert any(s[first] and not s[second] for s in seen.states), \
        f"no reader ran while {second} was being embedded after {first} had been committed"

    try:  # the same long-lived reader, never reopened by the test, now sees both documents whole
        visible = Counter(c.doc_id for c in reader.clauses())
        assert {d: visible[d] for d in new} == {d: len(c) for d, c in new.items()}
        for doc_id, clauses in new.items():
            for clause in list(clauses.values())[:3]:
                top = [h.clause.id for h in reader.search(clause.text, 3, doc=doc_id, mode="dense").hits]
                assert clause.id in top, (clause.id, top)
        check = reader.check()
        assert check.ok, check.problems
        assert check.stores["manifest"] == check.stores["clause_vectors"] == check.stores["lexical"] == 31 + 80
    finally:
        reader.close()


@pytest.mark.slow
def test_an_upload_through_the_app_appears_whole_and_at_once_to_its_api(kb_copy: Path, tmp_path: Path) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    corpus = write_corpus(tmp_path / "docs", 40, seed=SEED + 5, per_doc=40)
    path = corpus.files[0].rename(tmp_path / "docs" / "uploaded-rules.txt")
    new = parsed((path,), kb_copy)
    doc_id, clauses = next(iter(new.items()))
    probes = probe_queries(new)
    served = start_serve(kb_copy, tmp_path / "app")
    try:
        client = Client(served.url, verbose=False)
        manifest_reader = KnowledgeBase(settings_for(kb_copy))  # another process's view of the committed state
        seen = Observations(new)
        watch = UploadWatch(served.url, upload(served.url, path))
        watch.start()
        turn, api_visible = 0, False
        while not watch.completed.is_set():
            query = probes[turn % len(probes)]
            turn += 1
            results = client.predict(query, 10, "", "", "", api_name="/search")["results"]
            with_hits = seen.hits([(r["id"], r["text"]) for r in results], f"API search {query!r}")
            try:
                client.predict(query, 3, doc_id, "", "", api_name="/search")
                api_visible = True
            except AppError as exc:
                if "no document" not in str(exc):
                    raise
                if api_visible:
                    seen.fail(f"{doc_id} disappeared from the API after it had been visible")
            visible = Counter(c.doc_id for c in manifest_reader.clauses())
            seen.state(visible, with_hits | ({doc_id} if api_visible else set()), f"API reader after {query!r}")
        manifest_reader.close()

        assert "1 added" in json.dumps(watch.output)
        assert not seen.errors, seen.errors[:10]
        # The app commits an upload before embedding it (the background fill follows): the document is visible,
        # whole, while the upload is still under way, and stays so.
        assert api_visible and any(s[doc_id] for s in seen.states), "the upload was not visible before its vectors were in"
        for clause in list(clauses.values())[:3]:  # the app's own long-lived KB sees the new vectors
            top = [r["id"] for r in client.predict(clause.text, 3, doc_id, "", "", api_name="/search")["results"]]
            assert clause.id in top, (clause.id, top)
    finally:
        stop_serve(served)
    assert "Traceback" not in served.log.read_text()
