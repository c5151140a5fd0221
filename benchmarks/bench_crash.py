"""Crash-safety benchmark: SIGKILL `policykb ingest` or `policykb serve` in the middle of an ingest, then check,
repair and ingest again.

    python -m benchmarks.bench_crash [--rounds 20] [--target both|ingest|serve] [--clauses 60]
                                     [--seed 7] [--kb DIR] [--chroma-url URL] [--json PATH]

Each round writes a fresh synthetic document (:mod:`benchmarks.synthetic`) and starts its ingest:
``ingest`` rounds run `policykb ingest FILE`; ``serve`` rounds start `policykb serve` and upload the
file through the app's upload route, as the Documents tab does (the app commits the upload at once and
embeds it in the background; the upload's progress bar follows those vectors). At a random moment (seeded; uniform
over a window timed by one uninterrupted ingest: from half the time until embedding began to the end)
the process gets SIGKILL. Then:

1. what the crash left: how much of the document was embedded, and how many of its clauses a
   reader sees (all or none, never part);
2. `policykb check --json`; when it fails, `policykb check --repair --json` and a second check;
3. the next `policykb ingest` of the same file, then the check again and a count of every
   committed clause in the manifest, the vectors and the lexical index.

Figures are printed as Markdown tables (and written as JSON with --json), never asserted; the
tests in tests/reliability assert them. Without --kb a temporary KB is built from the bundled
corpus; with --kb the crash documents are added to that KB. Run from the repository root.
"""
from __future__ import annotations

import argparse
import json
import os
import pty
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

from benchmarks import module_command, with_root_on_path
from policykb.settings import Settings, repo_root
from tests.support.serve import Served, cli_env, start_serve, stop_serve

__all__ = [
    "main", "CrashBench", "RoundResult", "upload", "UploadWatch", "IngestRun", "problem_kinds", "markdown", "summary",
    "POLICYKB",
]

POLICYKB = Path(sys.executable).parent / "policykb"
TARGETS = ("ingest", "serve")
# What `policykb check` reports, by the words of its messages.
KINDS = (
    ("vectors belong to no committed clause", "orphan vectors"),
    ("the lexical index is from generation", "stale lexical index"),
    ("temporary files of an interrupted save", "lexical temp files"),
    ("has no vector for its current text", "missing vectors"),
    ("the lexical index disagrees", "lexical index ≠ manifest"),
    ("the lexical index cannot be read", "unreadable lexical index"),
    ("appears more than once", "duplicate clause"),
    ("clauses in the manifest", "half a document"),
)
REPAIRABLE = frozenset({"orphan vectors", "stale lexical index", "lexical temp files", "missing vectors",
                        "lexical index ≠ manifest", "unreadable lexical index"})


def problem_kinds(problems: Sequence[str]) -> list[str]:
    """Short names of `policykb check` problems, in order, each once ("other: …" for an unknown message)."""
    out: list[str] = []
    for problem in problems:
        kind = next((name for words, name in KINDS if words in problem), f"other: {problem}")
        if kind not in out:
            out.append(kind)
    return out


# -- the app, driven over HTTP ------------------------------------------------------------------------------


def _add_documents_endpoint(url: str) -> tuple[int, int]:
    """(fn_index, trigger id) of the Documents tab's "add" event, read from the app's config."""
    with urllib.request.urlopen(url + "config", timeout=30) as response:
        config = json.load(response)
    for dep in config["dependencies"]:
        if dep.get("api_name") == "on_add" and dep.get("targets"):
            return int(dep["id"]), int(dep["targets"][0][0])
    raise RuntimeError(f"the app at {url} has no upload event named 'on_add'; has the Documents tab changed?")


def upload(url: str, path: Path, *, lang: str = "en") -> str:
    """Upload one file and press "add" as the Documents tab does; returns the session whose events tell the outcome."""
    fn_index, trigger = _add_documents_endpoint(url)
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{path.name}"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url + "gradio_api/upload", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        stored = json.load(response)[0]
    session = uuid.uuid4().hex[:12]
    payload = {"data": [[{"path": stored, "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}], lang],
               "fn_index": fn_index, "trigger_id": trigger, "session_hash": session, "event_data": None}
    request = urllib.request.Request(url + "gradio_api/queue/join", data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        json.load(response)
    return session


class UploadWatch(threading.Thread):
    """Follows an upload's event stream: the last progress fraction, and whether (and how) it completed."""

    def __init__(self, url: str, session: str) -> None:
        super().__init__(daemon=True)
        self.url, self.session = url, session
        self.fraction = 0.0
        self.embedding_at: float | None = None  # perf_counter() of the first counted (or "embedding") progress message
        self.completed = threading.Event()
        self.output: dict[str, Any] | None = None

    def run(self) -> None:
        try:
            with urllib.request.urlopen(f"{self.url}gradio_api/queue/data?session_hash={self.session}", timeout=600) as stream:
                for raw in stream:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    event = json.loads(line[5:])
                    if event.get("msg") == "progress":
                        for step in event.get("progress_data") or []:
                            self.fraction = _fraction(step)
                            # The upload's bar counts embedded clauses ("name: 0 of 64 clauses" from the start of the
                            # ingest, 16 of 64 after a batch); older builds said "embedding".
                            counted = step.get("length") is not None
                            if self.embedding_at is None and (counted or self.fraction > 0 or "embedding" in (step.get("desc") or "")):
                                self.embedding_at = time.perf_counter()
                    elif event.get("msg") == "process_completed":
                        self.output = event
                        self.completed.set()
                        return
        except (OSError, ValueError):
            return  # the app went away (it was killed)


def _fraction(step: dict[str, Any]) -> float:
    """How far one progress step is: its ``progress`` fraction, or ``index`` of ``length`` for a counted bar."""
    if step.get("progress") is not None:
        return float(step["progress"])
    index, length = step.get("index"), step.get("length")
    return float(index) / float(length) if isinstance(index, (int, float)) and isinstance(length, (int, float)) and length else 0.0


class IngestRun:
    """`policykb ingest` with its progress bar drawn on a pseudo-terminal and followed as it is drawn."""

    _BAR = re.compile(r"\]\s*([\d.]+)% (\S+)")

    def __init__(self, args: Sequence[str]) -> None:
        master, slave = pty.openpty()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(list(args), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
                                        env=cli_env())
        os.close(slave)
        self.fraction = 0.0
        self.drawn = threading.Event()  # set once the bar is first drawn (the files are found; nothing written yet)
        self.embedding_at: float | None = None  # perf_counter() when the bar first said "embedding"
        self._reader = threading.Thread(target=self._follow, args=(master,), daemon=True)
        self._reader.start()

    def _follow(self, fd: int) -> None:
        pending = ""
        try:
            while True:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    return  # the process closed the terminal (it exited or was killed)
                if not chunk:
                    return
                # The bar is redrawn after a "\r" and flushed whole: the text after the last "\r" is the current bar.
                *lines, pending = re.split(r"[\r\n]", pending + chunk.decode("utf-8", "replace"))
                for line in [*lines, pending]:
                    match = self._BAR.search(line)
                    if match:
                        self.fraction = float(match.group(1)) / 100
                        self.drawn.set()
                        if self.embedding_at is None and match.group(2) == "embedding":
                            self.embedding_at = time.perf_counter()
        finally:
            os.close(fd)

    def wait(self, timeout: float | None = None) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code


# -- one round --------------------------------------------------------------------------------------------


@dataclass
class RoundResult:
    """What one kill left and what checking, repairing and re-ingesting found."""

    target: str
    round: int
    doc_id: str
    clauses: int
    kill_ms: float  # after the ingest started (ingest: the process; serve: the upload's "add"); unkilled: when it ended
    killed: bool  # False when the work had finished before the kill moment
    phase: str  # where the kill landed: "starting", "embedding", "filling" (committed, vectors coming in the background),
    # "committed" (before the end), or "finished" (no kill)
    embedded: float  # fraction of the document's clauses whose clause vector was stored when it died
    visible: int  # clauses of the document a reader saw after the crash (0 or all)
    progress: float | None = None  # the last progress fraction the process reported before it died
    before: list[str] = field(default_factory=list)  # problem kinds of the first check
    repaired: list[str] = field(default_factory=list)  # what --repair did
    after: list[str] = field(default_factory=list)  # problem kinds left after --repair
    after_ok: bool | None = None  # None: no repair needed
    repair_s: float = 0.0  # `policykb check --repair`, the whole command
    repair_work_s: float = 0.0  # the repair itself, as the check reports it
    next_status: str = ""  # status of the document in the next ingest
    final_ok: bool = False  # `policykb check` after the next ingest
    duplicates: int = 0  # clause ids stored more than once in any store, after the next ingest
    missing: int = 0  # clauses of ingested documents absent after the next ingest
    stores: dict[str, int] = field(default_factory=dict)  # counts per store after the next ingest
    expected: int = 0  # clauses every store should hold after the next ingest


class CrashBench:
    """The kill / check / repair / re-ingest loop over one KB folder (embedded Chroma or a Chroma server)."""

    def __init__(self, kb_dir: Path, work: Path, *, clauses: int = 60, seed: int = 7, chroma_url: str | None = None,
                 log: Any = None) -> None:
        self.kb_dir, self.work = Path(kb_dir), Path(work)
        self.clauses, self.seed, self.chroma_url = clauses, seed, chroma_url
        self.inbox = self.work / "inbox"
        self.log = log or sys.stderr
        self.expected = self._committed_clauses()
        self.window: dict[str, tuple[float, float]] = {}

    # -- the command line ------------------------------------------------------------------------------
    def cli(self, *args: str | Path, timeout: float = 600) -> tuple[int, dict[str, Any] | None, str]:
        """Run `policykb ARGS --kb KB [--chroma-url URL]`; (exit code, parsed JSON stdout or None, stderr)."""
        extra = ["--kb", str(self.kb_dir)] + (["--chroma-url", self.chroma_url] if self.chroma_url else [])
        done = subprocess.run([str(POLICYKB), *map(str, args), *extra], capture_output=True, text=True,
                              env=cli_env(), timeout=timeout)
        try:
            data = json.loads(done.stdout) if done.stdout.strip() else None
        except ValueError:
            data = None
        return done.returncode, data, done.stderr

    def _ingest_run(self, path: Path) -> IngestRun:
        extra = ["--chroma-url", self.chroma_url] if self.chroma_url else []
        return IngestRun([str(POLICYKB), "ingest", str(path), "--kb", str(self.kb_dir), "--json", *extra])

    def _serve(self) -> Served:
        """`policykb serve` over the KB (and the Chroma server, if any), once its page answers."""
        return start_serve(self.kb_dir, self.work, *(["--chroma-url", self.chroma_url] if self.chroma_url else []))

    # -- the KB, read by a fresh process ---------------------------------------------------------------
    def inspect(self, *, check: bool = False) -> dict[str, Any]:
        """What a fresh process reads: committed clause ids per document, clause ids with a clause vector, and with
        ``check`` the integrity report. (Embedded Chroma is not built for several processes: a reader that stays
        open while others write is what the tests in tests/reliability examine; the figures come from fresh reads.)"""
        args = module_command("benchmarks.bench_crash", "--inspect", str(self.kb_dir))
        args += (["--chroma-url", self.chroma_url] if self.chroma_url else []) + (["--with-check"] if check else [])
        done = subprocess.run(args, capture_output=True, text=True, env=with_root_on_path(cli_env()), timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"reading the KB at {self.kb_dir} failed: {done.stderr.strip()[-800:]}")
        return json.loads(done.stdout)

    def _committed_clauses(self) -> dict[str, list[str]]:
        return self.inspect()["clauses"]

    def crash_state(self, doc_id: str, clause_ids: Sequence[str]) -> tuple[float, int]:
        """(fraction of the document's clauses whose clause vector is stored, clauses of it a reader sees) after a crash."""
        state = self.inspect()
        stored = set(state["vectors"]) & set(clause_ids)
        return round(len(stored) / max(len(clause_ids), 1), 3), len(state["clauses"].get(doc_id, []))

    # -- documents ------------------------------------------------------------------------------------
    def write_document(self, name: str, seed: int) -> tuple[Path, str, list[str]]:
        """A synthetic document of ``self.clauses`` clauses saved as ``inbox/NAME.txt``; (path, doc id, clause ids)."""
        from benchmarks.synthetic import write_corpus
        from policykb.ingest import load_document

        scratch = self.work / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        written = write_corpus(scratch, self.clauses, seed=seed, per_doc=self.clauses)
        self.inbox.mkdir(parents=True, exist_ok=True)
        path = self.inbox / f"{name}.txt"
        shutil.move(str(written.files[0]), path)
        doc = load_document(path, Settings.from_env(env={}, kb_dir=self.kb_dir))
        return path, doc.doc_id, [c.id for c in doc.clauses]

    def _staged(self, path: Path) -> Path:
        """Where the app kept an uploaded file (the inbox file when the upload never got that far)."""
        kept = sorted((self.kb_dir / "uploads").glob(f"*/{path.name}"))
        return kept[-1] if kept else path

    # -- calibration: how long one whole ingest takes ----------------------------------------------------
    def calibrate(self, target: str) -> tuple[float, float]:
        """Ingest one document without a kill and time it; the kill window runs from half the time until embedding
        began (so some kills land while the process starts) to the end of the ingest."""
        path, doc_id, ids = self.write_document(f"calibrate-{target}", self.seed * 1000 + 999 - TARGETS.index(target))
        if target == "ingest":
            run = self._ingest_run(path)
            if run.wait(timeout=600) != 0:
                raise RuntimeError(f"the calibration ingest of {path} failed; run `policykb ingest {path}` to see why")
            started, embedding_at, ended = run.started, run.embedding_at, time.perf_counter()
        else:
            served = self._serve()
            try:
                watch = UploadWatch(served.url, upload(served.url, path))
                started = time.perf_counter()
                watch.start()
                if not watch.completed.wait(600):
                    raise RuntimeError("the calibration upload did not complete within 600 s")
                embedding_at, ended = watch.embedding_at, time.perf_counter()
            finally:
                stop_serve(served)
        self.expected[doc_id] = ids
        took = ended - started
        begins = (embedding_at - started) if embedding_at is not None else 0.1 * took
        self.window[target] = (round(begins / 2, 2), round(took, 2))
        print(f"calibration: one {self.clauses}-clause ingest through {target} took {took:.1f} s, "
              f"embedding from {begins:.1f} s", file=self.log, flush=True)
        return self.window[target]

    # -- the loop ---------------------------------------------------------------------------------------
    def run(self, target: str, rounds: int, *, window: tuple[float, float] | None = None) -> list[RoundResult]:
        """``rounds`` kill rounds against ``target`` ("ingest" or "serve"); kill moments uniform over ``window`` (s),
        timed by :meth:`calibrate` when not given."""
        if target not in TARGETS:
            raise ValueError(f"target {target!r} is not one of {', '.join(TARGETS)}")
        lo, hi = window or self.window.get(target) or self.calibrate(target)
        rng = random.Random(f"{self.seed}-{target}")
        return self.kills(target, [(rng.uniform(lo, hi), None) for _ in range(rounds)])

    def kills(self, target: str, moments: Sequence[tuple[float, float | None]]) -> list[RoundResult]:
        """One round per kill moment ``(delay, after)`` (see :meth:`round`), numbered from 1."""
        results = []
        for index, (delay, after) in enumerate(moments, 1):
            result = self.round(target, index, delay, after=after)
            results.append(result)
            print(_progress_line(result), file=self.log, flush=True)
        return results

    def round(self, target: str, index: int, delay: float, *, after: float | None = None) -> RoundResult:
        """Kill ``target`` ``delay`` seconds into the ingest of a new document, then check, repair and re-ingest.

        ``after``: count the delay from the moment the process reported embedding progress of at least this
        fraction (0.0: as soon as embedding began) instead of from the start.
        """
        name = f"crash-{target}-{index:03d}"
        path, doc_id, ids = self.write_document(name, self.seed * 1000 + index + (500 if target == "serve" else 0))
        killed, kill_s, progress, embedding = (self._kill_ingest if target == "ingest" else self._kill_serve)(path, delay, after)
        embedded, visible = self.crash_state(doc_id, ids)
        # "filling": the app commits an upload at once and embeds it in the background; killed before every vector was in
        phase = ("finished" if not killed else "filling" if visible and embedded < 1 else "committed" if visible
                 else "embedding" if embedding else "starting")
        result = RoundResult(target=target, round=index, doc_id=doc_id, clauses=len(ids), kill_ms=round(kill_s * 1000),
                             killed=killed, phase=phase, embedded=embedded if phase == "filling" else 1.0 if visible else embedded,
                             visible=visible, progress=progress)

        _, first, err = self.cli("check", "--json")
        if first is None:
            raise RuntimeError(f"`policykb check --json` printed no report: {err.strip()[-500:]}")
        result.before = problem_kinds(first["problems"])
        if not first["ok"]:
            started = time.perf_counter()
            _, fixed, err = self.cli("check", "--repair", "--json")
            result.repair_s = round(time.perf_counter() - started, 2)
            if fixed is None:
                raise RuntimeError(f"`policykb check --repair --json` printed no report: {err.strip()[-500:]}")
            result.repaired = list(fixed["repaired"])
            result.repair_work_s = float(fixed.get("repair_seconds", 0.0))
            _, second, _ = self.cli("check", "--json")
            result.after = problem_kinds((second or {"problems": ["no report"]})["problems"])
            result.after_ok = bool(second and second["ok"])

        source = self._staged(path) if target == "serve" else path
        code, report, err = self.cli("ingest", source, "--json")
        statuses = [d["status"] for d in (report or {}).get("documents", []) if d["doc_id"] == doc_id]
        result.next_status = statuses[0] if statuses and code == 0 else f"failed ({code}): {err.strip()[-300:]}"
        self.expected[doc_id] = ids
        self._verify(result)
        return result

    def _kill_ingest(self, path: Path, delay: float, after: float | None) -> tuple[bool, float, float, bool]:
        run = self._ingest_run(path)

        def finished(timeout: float) -> bool:
            try:
                run.process.wait(timeout=timeout)
                return True
            except subprocess.TimeoutExpired:
                return False

        alive = _until_kill_moment(run, finished, delay, after)
        if alive:
            os.kill(run.process.pid, signal.SIGKILL)
        at = time.perf_counter() - run.started
        run.wait(timeout=30)
        return alive, at, round(run.fraction, 3), run.embedding_at is not None

    def _kill_serve(self, path: Path, delay: float, after: float | None) -> tuple[bool, float, float, bool]:
        served = self._serve()
        try:
            watch = UploadWatch(served.url, upload(served.url, path))
            started = time.perf_counter()
            watch.start()
            alive = _until_kill_moment(watch, watch.completed.wait, delay, after)
            if alive:
                os.kill(served.process.pid, signal.SIGKILL)
            at = time.perf_counter() - started
            if alive:
                served.process.wait(timeout=30)
            return alive, at, round(watch.fraction, 3), watch.embedding_at is not None
        finally:
            stop_serve(served)

    def _verify(self, result: RoundResult) -> None:
        """After the next ingest: the integrity check, and every expected clause visible once."""
        state = self.inspect(check=True)
        final = state["check"]
        ids = [i for clause_ids in state["clauses"].values() for i in clause_ids]
        result.final_ok = bool(final["ok"])
        result.stores = dict(final["stores"])
        result.expected = sum(len(v) for v in self.expected.values())
        wanted = {i for clause_ids in self.expected.values() for i in clause_ids}
        result.duplicates = final["duplicates"] + len(ids) - len(set(ids))
        result.missing = len(wanted - set(ids))


def _until_kill_moment(watch: IngestRun | UploadWatch, finished: Any, delay: float, after: float | None) -> bool:
    """Wait for the kill moment; True when the work is still running then. ``finished(timeout)`` waits and says
    whether the work completed."""
    if after is not None:
        while watch.embedding_at is None or watch.fraction < after:
            if finished(0.02):
                return False
    return not finished(delay)


def _progress_line(r: RoundResult) -> str:
    state = (f"killed at {r.kill_ms} ms while {r.phase}, {r.embedded:.0%} embedded, {r.visible} visible" if r.killed
             else "finished before the kill")
    return (f"{r.target} round {r.round}: {state}; check: {', '.join(r.before) or 'ok'}"
            f"{'; repaired: ' + ('ok' if r.after_ok else ', '.join(r.after)) if r.after_ok is not None else ''}; "
            f"next ingest {r.next_status}; duplicates {r.duplicates}, missing {r.missing}")


# -- reporting ------------------------------------------------------------------------------------------------


def markdown(results: Sequence[RoundResult]) -> str:
    """One Markdown row per round."""
    head = ("| target | round | kill at (ms) | phase | progress at kill | embedded at kill | visible after kill | check before repair "
            "| check after repair | repair: command / work (s) | next ingest | duplicates | missing |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        when = str(r.kill_ms) if r.killed else f"— (done at {r.kill_ms})"
        visible = "all" if r.visible == r.clauses else ("none" if r.visible == 0 else f"{r.visible}/{r.clauses}")
        after = "—" if r.after_ok is None else ("pass" if r.after_ok else ", ".join(r.after))
        progress = "—" if r.progress is None else f"{r.progress:.0%}"
        lines.append(f"| {r.target} | {r.round} | {when} | {r.phase} | {progress} | {r.embedded:.0%} | {visible} | {', '.join(r.before) or 'pass'} "
                     f"| {after} | {f'{r.repair_s} / {r.repair_work_s}' if r.after_ok is not None else '—'} | {r.next_status} | {r.duplicates} | {r.missing} |")
    return "\n".join(lines)


def summary(results: Sequence[RoundResult]) -> list[dict[str, Any]]:
    """Per target: rounds, kills that landed mid-ingest, check outcomes, duplicates, missing clauses, repair time."""
    out = []
    for target in TARGETS:
        rows = [r for r in results if r.target == target]
        if not rows:
            continue
        repairs = [r.repair_s for r in rows if r.after_ok is not None]
        kinds: dict[str, int] = {}
        for r in rows:
            for kind in r.before:
                kinds[kind] = kinds.get(kind, 0) + 1
        out.append({
            "target": target,
            "rounds": len(rows),
            "killed mid-ingest": sum(r.killed for r in rows),
            "killed while starting": sum(r.phase == "starting" for r in rows),
            "killed while embedding": sum(r.phase == "embedding" for r in rows),
            "killed after the commit": sum(r.phase == "committed" for r in rows),
            "partly visible after kill": sum(0 < r.visible < r.clauses for r in rows),
            "check passed without repair": sum(not r.before for r in rows),
            "problems found": kinds,
            "check passed after repair": sum(bool(r.after_ok) for r in rows),
            "repair failed": sum(r.after_ok is False for r in rows),
            "repair command s (median)": round(statistics.median(repairs), 2) if repairs else "—",
            "repair command s (max)": max(repairs) if repairs else "—",
            "repair work s (max)": max((r.repair_work_s for r in rows if r.after_ok is not None), default="—"),
            "next ingest failed": sum(r.next_status.startswith("failed") for r in rows),
            "check passed after next ingest": sum(r.final_ok for r in rows),
            "duplicates": sum(r.duplicates for r in rows),
            "missing clauses": sum(r.missing for r in rows),
        })
    return out


def _summary_markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    keys = [k for k in rows[0] if k != "target"]
    lines = ["| | " + " | ".join(r["target"] for r in rows) + " |", "|---|" + "---|" * len(rows)]
    for key in keys:
        cells = []
        for r in rows:
            value = r[key]
            cells.append((", ".join(f"{k} {n}" for k, n in value.items()) or "—") if isinstance(value, dict) else str(value))
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------------------


def _inspect(kb_dir: Path, chroma_url: str | None, with_check: bool) -> dict[str, Any]:
    """The child side of :meth:`CrashBench.inspect`."""
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=kb_dir, chroma_url=chroma_url))
    try:
        clauses: dict[str, list[str]] = {}
        for clause in kb.clauses():
            clauses.setdefault(clause.doc_id, []).append(clause.id)
        out: dict[str, Any] = {"clauses": clauses,
                               "vectors": sorted({v.split("@", 1)[0] for v in kb.vectors.all_ids("clauses")})}
        if with_check:
            out["check"] = kb.check().to_json()
        return out
    finally:
        kb.close()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_crash", description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=20, help="kill rounds per target (default 20)")
    p.add_argument("--target", choices=("both", *TARGETS), default="both", help="what to kill (default both)")
    p.add_argument("--clauses", type=int, default=60, help="clauses of each synthetic document (default 60)")
    p.add_argument("--seed", type=int, default=7, help="seed of the documents and the kill moments (default 7)")
    p.add_argument("--kb", type=Path, help="a KB to add the crash documents to (default: a temporary KB with the corpus)")
    p.add_argument("--chroma-url", help="a Chroma server instead of the embedded store")
    p.add_argument("--json", type=Path, help="also write every round and the summary as JSON to this file")
    p.add_argument("--inspect", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--with-check", action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.inspect:
        print(json.dumps(_inspect(args.inspect, args.chroma_url, args.with_check)))
        return 0
    if args.rounds < 1 or args.clauses < 1:
        print(f"error: --rounds {args.rounds!r} and --clauses {args.clauses!r} must be at least 1", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="policykb-crash-"))
    try:
        kb_dir = args.kb or work / "kb"
        if args.kb is None:
            print(f"building a KB from {repo_root() / 'corpus'} …", file=sys.stderr, flush=True)
            extra = ["--chroma-url", args.chroma_url] if args.chroma_url else []
            built = subprocess.run([str(POLICYKB), "ingest", str(repo_root() / "corpus"), "--kb", str(kb_dir), *extra],
                                   capture_output=True, text=True, env=cli_env())
            if built.returncode != 0:
                print(f"error: ingesting the corpus failed: {built.stderr.strip()[-500:]}", file=sys.stderr)
                return 1
        bench = CrashBench(kb_dir, work, clauses=args.clauses, seed=args.seed, chroma_url=args.chroma_url)
        targets = TARGETS if args.target == "both" else (args.target,)
        results = [r for target in targets for r in bench.run(target, args.rounds)]
        totals = summary(results)
        print(f"\n{args.clauses}-clause documents, seed {args.seed}, {'Chroma server' if args.chroma_url else 'embedded Chroma'}; "
              f"kill windows (s): " + ", ".join(f"{t} {lo:.1f}–{hi:.1f}" for t, (lo, hi) in bench.window.items()) + "\n")
        print(_summary_markdown(totals) + "\n")
        print(markdown(results))
        if args.json:
            args.json.write_text(json.dumps({"clauses": args.clauses, "seed": args.seed, "chroma": args.chroma_url or "embedded",
                                             "windows": bench.window, "summary": totals,
                                             "rounds": [asdict(r) for r in results]}, ensure_ascii=False, indent=1) + "\n")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
