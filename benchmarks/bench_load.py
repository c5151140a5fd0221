"""Load benchmark: N simulated staff ask the running app's API at once, for a bounded time.

    python -m benchmarks.bench_load [--url URL [--user U --password P] | --start [--kb DIR]]
        [--users 1,8,32] [--seconds 60] [--mix ask:0.7,search:0.3] [--think S]
        [--concurrency 1,2,4] [--repeats R] [--json PATH]

Each staff member is a thread with its own HTTP session. It picks gold questions at random
(seeded; follow-ups excluded), sends them to the named endpoints ``/ask`` or ``/search``
through Gradio's queue API (``POST /gradio_api/call/<name>``, then the event stream of the
result) and times the whole round trip, queueing included. Without think time (the default)
the loop is closed: a member asks again as soon as an answer arrives. A request fails on an
exception, an HTTP error, an error event, or a malformed result (an answer with neither
citations nor an abstention counts as malformed).

With ``--start`` the script runs ``policykb serve`` on a free loopback port (once per
``--concurrency`` value, via ``POLICYKB_QUEUE_CONCURRENCY``), warms it up, measures, and stops
it; the server's resident memory is reported. The table gives, per setting and N, the
requests, throughput, p50/p95/p99 latency (medians over ``--repeats`` runs) and errors. The
exit code is 1 when any request failed. The load only ever goes to loopback addresses. Run from the
repository root.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlsplit

from benchmarks import GOLD_DIR
from policykb.errors import ConfigError, PolicyKBError
from policykb.eval.gold import load_gold
from policykb.eval.metrics import percentile
from policykb.settings import Settings
from tests.support.serve import ServeError, start_serve, stop_serve

__all__ = [
    "main", "load_questions", "parse_mix", "parse_counts", "check_result", "call", "run_load",
    "summarize", "started_server", "RequestRecord", "LoadRun", "Server",
]

GOLD = GOLD_DIR / "opinions.jsonl"
KINDS = ("ask", "search")
WARMUP_QUESTIONS = 6
START_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class RequestRecord:
    """One request as a staff member saw it."""

    kind: str
    latency_ms: float
    error: str = ""  # empty when the request succeeded
    server_ms: float | None = None  # the KB's own timing inside the app (Answer/SearchResult latency_ms)


@dataclass
class LoadRun:
    """The requests of one timed run with ``users`` staff members."""

    users: int
    seconds: float
    elapsed_s: float = 0.0
    records: list[RequestRecord] = field(default_factory=list)


@dataclass
class Server:
    """A ``policykb serve`` process started by this script."""

    url: str
    process: subprocess.Popen
    log: Path
    concurrency: int

    def memory_mb(self) -> dict[str, float | None]:
        """Resident memory now and its peak so far, in MB (None where /proc is not readable)."""
        values: dict[str, float | None] = {"rss_mb": None, "peak_rss_mb": None}
        try:
            text = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return values
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = round(int(rest.split()[0]) / 1024, 1)
        return values


# -- inputs ---------------------------------------------------------------------------------

def load_questions(path: Path) -> list[str]:
    """The gold questions a staff member may ask: Chinese, English and off-topic, without follow-ups."""
    rows = [row for row in load_gold(path) if not row.history and row.kind not in ("followup", "follow-up")]
    if not rows:
        raise ConfigError(f"gold file {str(path)!r} holds no questions without history; pass a gold set with standalone questions")
    return [row.question for row in rows]


def parse_mix(text: str) -> dict[str, float]:
    """``"ask:0.7,search:0.3"`` → ``{"ask": 0.7, "search": 0.3}`` (weights, not necessarily summing to 1)."""
    mix: dict[str, float] = {}
    for part in text.split(","):
        kind, sep, weight = part.strip().partition(":")
        if kind not in KINDS or not sep:
            raise ConfigError(f"--mix part {part.strip()!r} is not KIND:WEIGHT with KIND in {', '.join(KINDS)}; e.g. ask:0.7,search:0.3")
        try:
            value = float(weight)
        except ValueError:
            raise ConfigError(f"--mix weight {weight!r} of {kind!r} is not a number; e.g. ask:0.7,search:0.3") from None
        if value < 0 or kind in mix:
            raise ConfigError(f"--mix part {part.strip()!r}: weights must be ≥ 0 and each kind named once")
        mix[kind] = value
    if sum(mix.values()) <= 0:
        raise ConfigError(f"--mix {text!r} gives every kind weight 0; give at least one a positive weight")
    return mix


def parse_counts(text: str, option: str) -> list[int]:
    """``"1,8,32"`` → ``[1, 8, 32]``; every value a positive integer."""
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a comma-separated list of whole numbers; e.g. 1,8,32") from None
    if not counts or min(counts) < 1:
        raise ConfigError(f"{option} {text!r} needs positive whole numbers; e.g. 1,8,32")
    return counts


# -- one request ----------------------------------------------------------------------------

def check_result(kind: str, value: Any) -> str:
    """Why a result of ``/ask`` or ``/search`` is malformed ("" when it is well formed)."""
    if not isinstance(value, dict):
        return f"{kind} returned {type(value).__name__}, not an object"
    if kind == "search":
        results = value.get("results")
        if not isinstance(results, list):
            return "search result has no list 'results'"
        if any(not isinstance(r, dict) or not r.get("id") or not isinstance(r.get("score"), (int, float)) for r in results):
            return "a search result row lacks an 'id' or a numeric 'score'"
        return ""
    if not isinstance(value.get("answer"), str) or not value["answer"].strip():
        return "answer text is missing or empty"
    citations = value.get("citations")
    if not isinstance(citations, list) or not isinstance(value.get("abstained"), bool):
        return "answer lacks a 'citations' list or an 'abstained' flag"
    if not citations and not value["abstained"]:
        return "answer has no citations and does not abstain"
    if any(not isinstance(c, dict) or not c.get("id") or not c.get("quote") for c in citations):
        return "a citation lacks an 'id' or a 'quote'"
    return ""


def _payload(kind: str, question: str) -> list[Any]:
    return [question, "", "", ""] if kind == "ask" else [question, 5, "", "", ""]  # ask(question, mode, history, doc)


def call(client: Any, base_url: str, kind: str, question: str) -> dict:
    """One request through Gradio's queue: submit, then read the event stream to its last event.

    Raises:
        RuntimeError: an HTTP error, an error event, a stream without a result, or a malformed result.
    """
    response = client.post(f"{base_url}gradio_api/call/{kind}", json={"data": _payload(kind, question)})
    if response.status_code != 200:
        raise RuntimeError(f"POST /{kind}: HTTP {response.status_code} {response.text[:120]!r}")
    event_id = response.json().get("event_id")
    if not event_id:
        raise RuntimeError(f"POST /{kind}: no event_id in {response.text[:120]!r}")
    event = ""
    with client.stream("GET", f"{base_url}gradio_api/call/{kind}/{event_id}") as stream:
        if stream.status_code != 200:
            raise RuntimeError(f"GET /{kind} result: HTTP {stream.status_code}")
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = line[5:].strip()
                if event == "error":
                    raise RuntimeError(f"/{kind} error event: {data[:160]}")
                outputs = json.loads(data)
                value = outputs[0] if isinstance(outputs, list) and outputs else outputs
                problem = check_result(kind, value)
                if problem:
                    raise RuntimeError(f"/{kind} malformed: {problem}")
                return value
    raise RuntimeError(f"/{kind}: the event stream ended without a result (last event {event!r})")


def _session(base_url: str, auth: tuple[str, str] | None, timeout_s: float) -> Any:
    import httpx

    client = httpx.Client(timeout=httpx.Timeout(timeout_s, connect=10.0))
    if auth is not None:
        response = client.post(f"{base_url}login", data={"username": auth[0], "password": auth[1]})
        if response.status_code != 200:
            client.close()
            raise ConfigError(f"sign-in as {auth[0]!r} at {base_url} failed (HTTP {response.status_code}); check --user and --password")
    return client


def _timed(client: Any, base_url: str, kind: str, question: str) -> RequestRecord:
    started = time.perf_counter()
    try:
        value = call(client, base_url, kind, question)
    except Exception as exc:  # every failure a staff member would see is counted, none stops the run
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return RequestRecord(kind, (time.perf_counter() - started) * 1000, f"{type(exc).__name__}: {message}")
    server_ms = value.get("latency_ms")
    return RequestRecord(kind, (time.perf_counter() - started) * 1000, "",
                         float(server_ms) if isinstance(server_ms, (int, float)) else None)


# -- a run ----------------------------------------------------------------------------------

def run_load(base_url: str, users: int, seconds: float, questions: Sequence[str], mix: dict[str, float], *,
             seed: int = 60, think_s: float = 0.0, auth: tuple[str, str] | None = None, timeout_s: float = 120.0) -> LoadRun:
    """``users`` staff members ask for ``seconds`` (requests in flight at the deadline are finished and counted)."""
    kinds, weights = list(mix), list(mix.values())
    sessions = [_session(base_url, auth, timeout_s) for _ in range(users)]
    run = LoadRun(users=users, seconds=seconds)
    lock = threading.Lock()
    gate = threading.Barrier(users + 1)
    deadline = [0.0]

    def member(index: int) -> None:
        rng = random.Random(seed * 1009 + index)
        mine: list[RequestRecord] = []
        gate.wait()
        while time.monotonic() < deadline[0]:
            kind = rng.choices(kinds, weights)[0]
            mine.append(_timed(sessions[index], base_url, kind, rng.choice(questions)))
            if think_s > 0:
                time.sleep(rng.uniform(0, 2 * think_s))
        with lock:
            run.records.extend(mine)

    threads = [threading.Thread(target=member, args=(i,), name=f"staff-{i}", daemon=True) for i in range(users)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    deadline[0] = started + seconds
    gate.wait()
    for thread in threads:
        thread.join()
    run.elapsed_s = time.monotonic() - started
    for session in sessions:
        session.close()
    return run


def _latency_figures(records: Sequence[RequestRecord]) -> dict[str, float | None]:
    latencies = [r.latency_ms for r in records if not r.error]
    server = [r.server_ms for r in records if not r.error and r.server_ms is not None]
    return {
        "p50_ms": percentile(latencies, 50), "p95_ms": percentile(latencies, 95), "p99_ms": percentile(latencies, 99),
        "server_p50_ms": percentile(server, 50),
    }


def summarize(run: LoadRun) -> dict[str, Any]:
    """Requests, throughput, latency percentiles and errors of one run, overall and per kind."""
    errors = [r.error for r in run.records if r.error]
    summary: dict[str, Any] = {
        "users": run.users, "seconds": run.seconds, "elapsed_s": round(run.elapsed_s, 2),
        "requests": len(run.records), "errors": len(errors),
        "throughput_rps": round(len(run.records) / run.elapsed_s, 2) if run.elapsed_s > 0 else 0.0,
        **_latency_figures(run.records),
        "error_samples": sorted(set(errors))[:5],
        "by_kind": {},
        "latencies_ms": {kind: [round(r.latency_ms, 1) for r in run.records if r.kind == kind and not r.error] for kind in KINDS},
    }
    for kind in KINDS:
        mine = [r for r in run.records if r.kind == kind]
        if mine:
            summary["by_kind"][kind] = {"requests": len(mine), "errors": sum(1 for r in mine if r.error), **_latency_figures(mine)}
    return summary


# -- a server of our own --------------------------------------------------------------------

@contextmanager
def started_server(kb_dir: Path, concurrency: int | None, work: Path) -> Iterator[Server]:
    """Run ``policykb serve --kb kb_dir`` on a free loopback port until the block ends.

    The server gets this process's environment (the user's POLICYKB_* settings included) without a users file,
    and ``POLICYKB_QUEUE_CONCURRENCY`` when ``concurrency`` is given.

    Raises:
        PolicyKBError: the server exited or did not answer within the start timeout (the log's tail says why).
    """
    env = {k: v for k, v in os.environ.items() if k != "POLICYKB_USERS"}
    if concurrency is not None:
        env["POLICYKB_QUEUE_CONCURRENCY"] = str(concurrency)
    shown = concurrency if concurrency is not None else Settings.from_env().queue_concurrency
    try:
        served = start_serve(kb_dir, work, env=env, timeout=START_TIMEOUT_S)
    except ServeError as exc:
        raise PolicyKBError(str(exc)) from None
    try:
        yield Server(served.url, served.process, served.log, shown)
    finally:
        stop_serve(served, timeout=30)


def _warm_up(base_url: str, questions: Sequence[str], mix: dict[str, float], auth: tuple[str, str] | None,
             timeout_s: float) -> list[str]:
    """A few untimed requests of each kind in the mix (model load, caches); returns their errors."""
    client = _session(base_url, auth, timeout_s)
    try:
        records = [_timed(client, base_url, kind, question)
                   for question in questions[:WARMUP_QUESTIONS] for kind in mix if mix[kind] > 0]
    finally:
        client.close()
    return [r.error for r in records if r.error]


# -- the report -----------------------------------------------------------------------------

def median_rows(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (setting, N): medians of the repeated runs' figures, errors added up."""
    groups: dict[tuple[Any, int], list[dict[str, Any]]] = {}
    for run in runs:
        groups.setdefault((run["concurrency"], run["users"]), []).append(run)

    def med(values: Sequence[Any]) -> float | None:
        present = [v for v in values if v is not None]
        return round(statistics.median(present), 1) if present else None

    rows = []
    for (concurrency, users), group in groups.items():
        row: dict[str, Any] = {"concurrency": concurrency, "users": users, "runs": len(group),
                               "errors": sum(r["errors"] for r in group)}
        for key in ("requests", "throughput_rps", "p50_ms", "p95_ms", "p99_ms", "server_p50_ms", "rss_mb"):
            row[key] = med([r.get(key) for r in group])
        for kind in KINDS:
            row[f"{kind}_p95_ms"] = med([r["by_kind"].get(kind, {}).get("p95_ms") for r in group])
        rows.append(row)
    return rows


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as a Markdown table (figures are medians when a cell ran more than once)."""
    def cell(value: Any, digits: int = 0) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    lines = ["| queue concurrency | N | runs | requests | req/s | p50 ms | p95 ms | p99 ms | ask p95 ms | search p95 ms "
             "| in-KB p50 ms | errors | server RSS MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['concurrency'] if r['concurrency'] is not None else 'server'} | {r['users']} | {r['runs']} "
            f"| {cell(r['requests'])} | {cell(r['throughput_rps'], 1)} | {cell(r['p50_ms'])} | {cell(r['p95_ms'])} "
            f"| {cell(r['p99_ms'])} | {cell(r['ask_p95_ms'])} | {cell(r['search_p95_ms'])} | {cell(r['server_p50_ms'])} "
            f"| {r['errors']} | {cell(r['rss_mb'])} |"
        )
    return "\n".join(lines)


def _conditions() -> dict[str, Any]:
    load1, load5, load15 = os.getloadavg()
    return {"cores": os.cpu_count(), "loadavg": [round(load1, 2), round(load5, 2), round(load15, 2)],
            "python": sys.version.split()[0], "platform": sys.platform}


# -- command line ---------------------------------------------------------------------------

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_load", description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running app on this machine, e.g. http://127.0.0.1:7860/")
    target.add_argument("--start", action="store_true", help="start `policykb serve` on a free loopback port, and stop it after")
    parser.add_argument("--kb", type=Path, help="with --start: the KB folder to serve (default: the configured KB; "
                                                 "an empty one is filled from the bundled corpus, as serve does)")
    parser.add_argument("--concurrency", help="with --start: queue concurrency values to compare, e.g. 1,2,4 "
                                              "(default: the configured POLICYKB_QUEUE_CONCURRENCY)")
    parser.add_argument("--user", help="with --url: user name of an app that requires sign-in")
    parser.add_argument("--password", help="with --user: that user's password")
    parser.add_argument("--users", default="1,8,32", help="staff members asking at once, one run per value (default 1,8,32)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each run (default 60)")
    parser.add_argument("--mix", default="ask:0.7,search:0.3", help="share of each endpoint (default ask:0.7,search:0.3)")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a member's requests, s (default 0: closed loop)")
    parser.add_argument("--repeats", type=int, default=1, help="runs of every (setting, N); the table shows medians (default 1)")
    parser.add_argument("--seed", type=int, default=60, help="seed of the question picks (default 60)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before one request counts as failed (default 120)")
    parser.add_argument("--gold", type=Path, default=GOLD, help="gold JSONL whose questions are asked")
    parser.add_argument("--json", type=Path, help="write the raw figures (every run, every latency) to this file")
    return parser


def _check_args(args: argparse.Namespace) -> None:
    if args.url:
        parts = urlsplit(args.url)
        host = (parts.hostname or "").lower()
        from policykb.app.server import is_loopback

        if parts.scheme not in ("http", "https") or not is_loopback(host):
            raise ConfigError(f"--url {args.url!r} must be an http(s) address on this machine (127.0.0.1, localhost or ::1)")
        if args.kb or args.concurrency:
            raise ConfigError("--kb and --concurrency go with --start; a running server keeps its own KB and settings")
    elif args.user:
        raise ConfigError("--user goes with --url; a server started with --start needs no sign-in (loopback only)")
    if args.user and not args.password:
        raise ConfigError(f"--user {args.user!r} needs --password")
    if args.seconds <= 0 or args.timeout <= 0 or args.think < 0:
        raise ConfigError("--seconds and --timeout must be positive, --think zero or more")
    if args.repeats < 1:
        raise ConfigError(f"--repeats {args.repeats!r} must be at least 1")


def _measure(url: str, args: argparse.Namespace, questions: Sequence[str], mix: dict[str, float],
             auth: tuple[str, str] | None, concurrency: int | None, repeat: int, server: Server | None) -> list[dict[str, Any]]:
    errors = _warm_up(url, questions, mix, auth, args.timeout)
    if errors:
        print(f"warm-up: {len(errors)} failed request(s), e.g. {errors[0]}", file=sys.stderr)
    runs = []
    for users in parse_counts(args.users, "--users"):
        load1 = round(os.getloadavg()[0], 2)
        summary = summarize(run_load(url, users, args.seconds, questions, mix, seed=args.seed + repeat,
                                     think_s=args.think, auth=auth, timeout_s=args.timeout))
        summary.update({"concurrency": concurrency, "repeat": repeat, "loadavg_before": load1,
                        "warmup_errors": len(errors)})
        if server is not None:
            summary.update(server.memory_mb())
        print(f"  concurrency {concurrency if concurrency is not None else 'server'}, N={users}: "
              f"{summary['requests']} requests, {summary['throughput_rps']} req/s, p95 {summary['p95_ms']} ms, "
              f"{summary['errors']} errors", file=sys.stderr, flush=True)
        runs.append(summary)
        errors = []  # warm-up errors are counted once
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _check_args(args)
        mix = parse_mix(args.mix)
        parse_counts(args.users, "--users")
        questions = load_questions(args.gold)
        runs: list[dict[str, Any]] = []
        started_at = _conditions()
        if args.url:
            url = args.url if args.url.endswith("/") else args.url + "/"
            auth = (args.user, args.password) if args.user else None
            for repeat in range(args.repeats):
                runs.extend(_measure(url, args, questions, mix, auth, None, repeat, None))
        else:
            kb_dir = args.kb or Settings.from_env().kb_dir
            settings: list[int | None] = [*parse_counts(args.concurrency, "--concurrency")] if args.concurrency else [None]
            with tempfile.TemporaryDirectory(prefix="policykb-bench-load-") as tmp:
                for repeat in range(args.repeats):  # settings interleaved, so drift of a shared machine hits all alike
                    for concurrency in settings:
                        with started_server(Path(kb_dir), concurrency, Path(tmp)) as server:
                            print(f"serving {kb_dir} on {server.url} (queue concurrency {server.concurrency}), "
                                  f"repeat {repeat + 1}/{args.repeats}", file=sys.stderr, flush=True)
                            runs.extend(_measure(server.url, args, questions, mix, None, server.concurrency, repeat, server))
    except PolicyKBError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    rows = median_rows(runs)
    print(markdown_table(rows))
    total_errors = sum(r["errors"] + r["warmup_errors"] for r in runs)
    if args.json:
        options = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items() if k != "password"}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"options": options, "questions": len(questions), "conditions": started_at,
                                         "conditions_after": _conditions(), "table": rows, "runs": runs,
                                         "errors": total_errors}, ensure_ascii=False, indent=1) + "\n")
    for run in runs:
        for sample in run["error_samples"]:
            print(f"error (concurrency {run['concurrency']}, N={run['users']}): {sample}", file=sys.stderr)
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
