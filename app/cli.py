"""The `policykb` command line: a thin adapter over policykb.kb (DESIGN.md §3).

Each verb imports what it needs inside its branch, so `policykb --help` starts fast.
JSON goes to stdout only; progress and messages go to stderr. Exit 0 = success,
1 = the work (or some of it) failed, 2 = bad usage. No traceback reaches the user.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from policykb.app.text import short as _short
from policykb.kinds import ANSWER_MODES, SEARCH_MODES

if TYPE_CHECKING:
    from policykb.kb import KnowledgeBase
    from policykb.settings import Settings

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--kb", metavar="DIR", default=argparse.SUPPRESS,
                        help="knowledge base folder (default: $POLICYKB_HOME, else ./data)")
    common.add_argument("--chroma-url", metavar="URL", default=argparse.SUPPRESS,
                        help="use a Chroma server (http://host:port) instead of the embedded store")
    as_json = argparse.ArgumentParser(add_help=False)
    as_json.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")

    parser = argparse.ArgumentParser(
        prog="policykb", parents=[common],
        description="Bilingual knowledge base and cited question answering over numbered policy clauses.",
        epilog="Environment: POLICYKB_HOME, POLICYKB_CHROMA_URL, POLICYKB_EMBED_MODEL, POLICYKB_LLM_BASE_URL … (see README).",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = sub.add_parser("ingest", parents=[common, as_json], help="add or update documents (files or folders)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--rebuild", action="store_true", help="forget the KB and rebuild it from PATHs (e.g. after changing the embedder)")

    p = sub.add_parser("parse", parents=[as_json], help="show how one file would be cut into clauses (no KB change)")
    p.add_argument("file", metavar="FILE")

    p = sub.add_parser("clauses", parents=[common, as_json], help="list clauses")
    p.add_argument("--doc", metavar="DOC_ID")

    sub.add_parser("documents", parents=[common, as_json], help="list documents in the KB")

    p = sub.add_parser("remove", parents=[common, as_json], help="remove a document and its clauses")
    p.add_argument("doc_id", metavar="DOC_ID")

    p = sub.add_parser("search", parents=[common, as_json], help="find clauses for a query")
    p.add_argument("query", nargs="?", metavar="QUERY")
    p.add_argument("-k", type=_k, default=None, metavar="K", help="number of results, 1 to 100 (default 5)")
    p.add_argument("--doc", metavar="DOC_ID", action="append", type=_doc,
                   help="only this document; repeat for several (default: every document)")
    p.add_argument("--lang", type=_lang, default=None, metavar="LANG", help="only clauses in this language: en or zh")
    p.add_argument("--mode", choices=SEARCH_MODES, default="fused", help=argparse.SUPPRESS)
    p.add_argument("--batch", metavar="FILE", help="JSONL of {id, question}; prints JSONL")

    p = sub.add_parser("ask", parents=[common, as_json], help="answer a question, citing clauses")
    p.add_argument("question", nargs="?", metavar="QUESTION")
    p.add_argument("--batch", metavar="FILE", help="JSONL of {id, question[, history]}; prints JSONL")
    p.add_argument("--mode", choices=ANSWER_MODES, default=None, help="force the answer mode")
    p.add_argument("--doc", metavar="DOC_ID", action="append", type=_doc,
                   help="answer only from this document; repeat for several (default: every document)")
    p.add_argument("--history", action="append", default=[], metavar="EARLIER",
                   help="an earlier question of the conversation (repeat, oldest first): QUESTION is a follow-up")

    p = sub.add_parser("eval", parents=[common, as_json], help="measure retrieval and answer accuracy on a gold file")
    p.add_argument("--gold", required=True, metavar="FILE")
    p.add_argument("--report", metavar="DIR", help="write report.json, report.md and PNG plots here")

    p = sub.add_parser("calibrate", parents=[common, as_json],
                       help="fit fusion weights and abstention/confidence thresholds to a gold file; store them with the KB")
    p.add_argument("--gold", required=True, metavar="FILE", help="gold JSONL (at least 30 answerable and 5 off-topic rows)")
    p.add_argument("--folds", type=_positive_int, default=5, help="cross-validation folds (default 5; one per document "
                   "when every answerable row names its document in 'kind', e.g. fact:DOC_ID)")
    p.add_argument("--dry-run", action="store_true", help="print the figures, do not write tuning.json")

    p = sub.add_parser("check", parents=[common, as_json], help="check the KB's integrity")
    p.add_argument("--repair", action="store_true", help="fix what an interrupted ingest can leave")

    p = sub.add_parser("copy-vectors", parents=[common, as_json],
                       help="copy the KB's vectors to a Chroma server (no re-embedding); then use --chroma-url")
    p.add_argument("--to", required=True, metavar="URL", help="the Chroma server to copy to (http://host:port)")

    p = sub.add_parser("feedback", parents=[common], help="work with answer ratings from the app")
    p.add_argument("action", choices=("export", "list"))
    p.add_argument("--out", metavar="FILE", help="write exported gold rows here (default: stdout)")

    p = sub.add_parser("users", help="manage the app's users (bcrypt password hashes in the users file)")
    p.add_argument("action", choices=("add", "remove", "list"))
    p.add_argument("name", nargs="?", metavar="NAME", help="user name (add, remove)")
    p.add_argument("--auth-file", metavar="FILE", help="users file (default: $POLICYKB_USERS)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin instead of prompting")

    p = sub.add_parser("serve", parents=[common], help="run the web app (ingests corpus/ into an empty KB first)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=_positive_int, default=7860)
    p.add_argument("--auth-file", metavar="FILE", help="users and password hashes (required beyond 127.0.0.1)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from policykb.errors import PolicyKBError

    try:
        return int(_VERBS[args.verb](args) or 0)
    except PolicyKBError as exc:
        _err(f"error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if os.environ.get("POLICYKB_DEBUG"):
            raise
        _err(f"error: unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
             "(set POLICYKB_DEBUG=1 to see details, and please report it)")
        return 1


# -- verbs -------------------------------------------------------------------------------
def _ingest(args: argparse.Namespace) -> int:
    kb = _kb(args)
    report = kb.ingest([Path(p) for p in args.paths], rebuild=args.rebuild, progress=_progress_bar())
    _clear_progress()
    for note in report.notes:
        _err(f"skipped: {note}")
    for doc in report.documents:
        if doc.status == "failed":
            _err(f"failed: {doc.error}")
        elif doc.error:
            _err(f"note: {_display_path(doc.path)}: {doc.error}")
        for warning in doc.warnings:
            _err(f"warning: {doc.doc_id}: {warning}")
    if args.json:
        data = report.to_json()
        data["documents"] = [{k: d[k] for k in ("doc_id", "path", "status", "clauses", "error")} for d in data["documents"]]
        data.pop("notes", None)
        _print_json(data)
    else:
        for doc in report.documents:
            if doc.status != "failed":
                print(f"{doc.status:<9} {doc.doc_id:<32} {doc.clauses:>4} clauses  {_display_path(doc.path)}")
        print(f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, {report.removed} removed, "
              f"{report.failed} failed; {report.embedded} clauses embedded in {report.seconds:.1f} s")
    return 1 if report.failed else 0


def _parse(args: argparse.Namespace) -> int:
    from policykb.ingest import load_document

    doc = load_document(Path(args.file), _settings(args))
    if args.json:
        _print_json(doc.to_dict())
        return 0
    print(f"{doc.title}  [{doc.doc_id}]  {doc.doc_number}  lang={doc.lang}")
    for warning in doc.warnings:
        _err(f"warning: {warning}")
    for section in doc.sections:
        print(f"{section.label} {section.title}".strip())
        for clause in section.clauses:
            print(f"  {clause.label:<10} {_short(clause.title or clause.text, 70)}"
                  f"{'  items: ' + str(len(clause.items)) if clause.items else ''}"
                  f"{'  refs: ' + ', '.join(clause.refs) if clause.refs else ''}")
    print(f"{len(doc.sections)} sections, {len(doc.clauses)} clauses")
    return 0


def _clauses(args: argparse.Namespace) -> int:
    clauses = _kb(args).clauses(args.doc)
    if args.json:
        _print_json([c.to_dict() for c in clauses])
    else:
        for c in clauses:
            print(f"{c.id:<24} {c.label:<10} {_short(c.title or c.text, 80)}")
    return 0


def _documents(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    docs = _kb(args).documents()
    if args.json:
        _print_json([asdict(d) for d in docs])
    else:
        for d in docs:
            print(f"{d.doc_id:<32} {d.clauses:>4} clauses  {d.doc_number:<16} {_short(d.title, 70)}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    removed = _kb(args).remove(args.doc_id)
    if args.json:
        _print_json({"doc_id": args.doc_id, "removed_clauses": removed})
    else:
        print(f"removed {args.doc_id} ({removed} clauses)")
    return 0


def _search(args: argparse.Namespace) -> int:
    kb = _kb(args)
    if args.batch:
        kb.warm_up()  # batch latencies exclude model loading
        return _run_batch(args.batch, lambda q, *_history: kb.search(q, args.k, doc=args.doc, lang=args.lang, mode=args.mode).to_json())
    query = _required(args.query, "QUERY", "search")
    result = kb.search(query, args.k, doc=args.doc, lang=args.lang, mode=args.mode)
    if args.json:
        _print_json(result.to_json())
        return 0
    if result.missing:
        print(f"{result.message}; `policykb clauses` lists the clauses")
    for rank, hit in enumerate(result.hits, 1):
        _print_hit(rank, hit)
    if result.related:
        print("related clauses:")
        for rank, hit in enumerate(result.related, len(result.hits) + 1):
            _print_hit(rank, hit)
    if not result.hits and not result.related and not result.missing:
        print("no clauses found (is the KB empty? `policykb ingest corpus/`)")
    _signals_note(result.signals, result.missing_vectors)
    if result.scope:
        _err(f"searched in: {', '.join(result.scope)}")
    _err(f"{result.latency_ms:.1f} ms")
    return 0


def _turns(kb: Any, questions: Sequence[str], mode: Any, doc: Any = None) -> tuple[Any, ...]:
    """The earlier turns of a conversation: each earlier question asked in order, as the app would have."""
    from policykb.kb.model import Turn

    turns: list[Turn] = []
    for earlier in questions:
        if earlier.strip():
            turns.append(Turn(earlier, kb.ask(earlier, history=tuple(turns), mode=mode, doc=doc)))
    return tuple(turns)


def _print_hit(rank: int, hit: Any) -> None:
    c = hit.clause
    print(f"{rank}. {c.label:<8} {c.id:<22} {hit.score:6.3f}  {_short(c.title or c.text, 70)}")
    if hit.best_sentence and hit.best_sentence != c.title:
        print(f"   … {_short(hit.best_sentence, 100)}")


def _signals_note(signals: Sequence[str], missing_vectors: int) -> None:
    """Say on stderr when the semantic index did not cover every clause (a background fill is still at work)."""
    if missing_vectors:
        how = "lexical only" if "dense" not in signals else "semantic search partial"
        _err(f"({how}: {missing_vectors} clauses have no vectors yet; `policykb serve` embeds them in the background)")


def _ask(args: argparse.Namespace) -> int:
    kb = _kb(args)
    if args.batch:
        kb.warm_up()
        return _run_batch(args.batch, lambda q, history=(): kb.ask(q, history=_turns(kb, history, args.mode, args.doc), mode=args.mode, doc=args.doc).to_json())
    question = _required(args.question, "QUESTION", "ask")
    answer = kb.ask(question, history=_turns(kb, args.history, args.mode, args.doc), mode=args.mode, doc=args.doc)
    if args.json:
        _print_json(answer.to_json())
        return 0
    print(answer.answer)
    for c in answer.citations:
        print(f"  [{c.label}] {c.id}: “{_short(c.quote, 160)}”")
    for c in answer.related:
        print(f"  possibly related: {c.label} {c.id}")
    if answer.scope:
        _err(f"searched in: {', '.join(answer.scope)}")
    if answer.reason:
        _err(f"({answer.mode}: {answer.reason})")
    _signals_note(answer.signals, answer.missing_vectors)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from policykb.eval import evaluate, load_gold, write_report
    from policykb.eval.progress import ProgressBar

    rows = load_gold(Path(args.gold))
    kb = _kb(args)
    bar = ProgressBar(sys.stderr)  # redrawn with \r: only on a terminal, never into a log file
    result = evaluate(kb, rows, progress=bar if sys.stderr.isatty() else None)
    bar.close()
    written = write_report(result, Path(args.report)) if args.report else []
    if args.json:
        _print_json(result.to_json())
    else:
        from policykb.eval.report import summary_text

        print(summary_text(result))
    for path in written:
        _err(f"wrote {path}")
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from policykb.eval.calibrate import calibrate, summary_text
    from policykb.eval.gold import load_gold

    rows = load_gold(Path(args.gold))
    kb = _kb(args)
    result = calibrate(kb, rows, gold_name=Path(args.gold).name, folds=args.folds, write=not args.dry_run,
                       progress=_progress_bar())
    _clear_progress()
    if args.json:
        _print_json(result)
    else:
        print(summary_text(result))
    return 0


def _check(args: argparse.Namespace) -> int:
    result = _kb(args).check(repair=args.repair)
    if args.json:
        _print_json(result.to_json())
    else:
        for problem in result.problems:
            print(f"problem: {problem}")
        for fix in result.repaired:
            print(f"repaired: {fix}")
        if result.pending:
            print(f"note: {result.pending} of {result.clauses} clauses wait for their vectors (found by lookups and words "
                  "until then); `policykb serve` embeds them in the background, `policykb check --repair` now")
        print("ok" if result.ok else "the KB has problems; run `policykb check --repair`")
    return 0 if result.ok else 1


def _copy_vectors(args: argparse.Namespace) -> int:
    from policykb.errors import ConfigError
    from policykb.settings import Settings

    target = Settings.from_env(chroma_url=args.to).chroma_url  # validates the URL
    if target is None:
        raise ConfigError("copy-vectors --to needs a Chroma server URL, e.g. --to http://127.0.0.1:8000")
    result = _kb(args).copy_vectors_to(target, progress=None if args.json else _progress_bar())
    if args.json:
        _print_json(result.to_json())
    else:
        _clear_progress()
        print(f"copied {result.clauses} clause and {result.sentences} sentence vectors from {result.source} "
              f"to {result.target} in {result.seconds} s; from now on pass --chroma-url {result.target} "
              "(or set POLICYKB_CHROMA_URL)")
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from policykb.app.feedback import FeedbackStore

    store = FeedbackStore.for_settings(_settings(args))
    rows = store.export_gold() if args.action == "export" else store.list()
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        _err(f"wrote {len(rows)} rows to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from policykb.app.server import serve

    _check_kb_dir(Path(_settings(args).kb_dir), must_exist=False, given="kb" in args)
    return serve(_settings(args), host=args.host, port=args.port, auth_file=args.auth_file)


def _users(args: argparse.Namespace) -> int:
    from policykb.app.users import add_user, list_users, remove_user
    from policykb.errors import ConfigError

    path = Path(args.auth_file) if args.auth_file else _settings(args).users_file
    if path is None:
        raise ConfigError("which users file? give --auth-file FILE or set POLICYKB_USERS=FILE")
    if args.action == "list":
        for name in list_users(path):
            print(name)
        return 0
    if not args.name:
        raise ConfigError(f"users {args.action} needs NAME; e.g. policykb users {args.action} alice --auth-file {path}")
    if args.action == "remove":
        remove_user(path, args.name)
        _err(f"removed user {args.name!r} from {path}")
        return 0
    added = add_user(path, args.name, _read_password(args.password_stdin))
    _err(f"{'added' if added else 'changed the password of'} user {args.name!r} in {path}")
    return 0


def _read_password(from_stdin: bool) -> str:
    import getpass

    from policykb.errors import ConfigError

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ConfigError("no terminal to prompt for the password; pipe it in with --password-stdin")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ConfigError("the two passwords differ; run the command again")
    return first


_VERBS: dict[str, Callable[[argparse.Namespace], int]] = {
    "ingest": _ingest, "parse": _parse, "clauses": _clauses, "documents": _documents, "remove": _remove,
    "search": _search, "ask": _ask, "eval": _eval, "calibrate": _calibrate, "check": _check, "copy-vectors": _copy_vectors, "feedback": _feedback, "users": _users, "serve": _serve,
}


# -- helpers -----------------------------------------------------------------------------
def _settings(args: argparse.Namespace) -> Settings:
    from policykb.settings import Settings

    return Settings.from_env(kb_dir=getattr(args, "kb", None), chroma_url=getattr(args, "chroma_url", None),
                             users_file=getattr(args, "auth_file", None))


# verbs that only read a KB: a missing folder is a mistake (a typo in --kb), never a reason to create an empty KB
_READ_VERBS = frozenset({"clauses", "search", "ask", "documents", "eval", "check", "remove", "copy-vectors"})


def _kb(args: argparse.Namespace) -> KnowledgeBase:
    from policykb.kb import KnowledgeBase

    settings = _settings(args)
    _check_kb_dir(Path(settings.kb_dir), must_exist=args.verb in _READ_VERBS, given="kb" in args)
    return KnowledgeBase(settings)


def _check_kb_dir(kb_dir: Path, *, must_exist: bool, given: bool) -> None:
    """Refuse a KB folder that is a file, or (for a verb that reads) one that does not exist.

    Raises:
        ConfigError: exit code 2, naming the folder and the fix.
    """
    from policykb.errors import ConfigError

    where = f"--kb {str(kb_dir)!r}" if given else f"the KB folder {str(kb_dir)!r} (from $POLICYKB_HOME, else ./data)"
    if kb_dir.exists() and not kb_dir.is_dir():
        raise ConfigError(f"{where} is a file, not a folder; give the folder that holds the KB (or a new folder name to ingest into)")
    if must_exist and not kb_dir.exists():
        raise ConfigError(f"{where} does not exist; check the path, or create the KB with `policykb ingest PATH --kb {kb_dir}`")


def _run_batch(path: str, run: Callable[..., dict[str, Any]]) -> int:
    from policykb.errors import PolicyKBError

    failed = 0
    for line_no, row in _read_batch(path):
        if "error" in row:
            failed += 1
            _emit(row)
            _err(f"error: {path}:{line_no}: {row['error']}")
            continue
        try:
            result = run(row["question"], row["history"]) if row.get("history") else run(row["question"])
        except PolicyKBError as exc:
            failed += 1
            result = {"error": str(exc)}
        _emit({"id": row["id"], **result})
    return 1 if failed else 0


def _read_batch(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    from policykb.errors import ConfigError

    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read batch file {path!r} ({type(exc).__name__}); give a UTF-8 JSONL file of {{\"id\", \"question\"}} rows") from None
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not isinstance(row.get("question"), str) or not row["question"].strip():
                raise ValueError("needs a non-empty string \"question\"")
            history = row.get("history", [])
            if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
                raise ValueError("\"history\" must be a list of earlier questions, oldest first")
            yield line_no, {"id": row.get("id", line_no), "question": row["question"], "history": history}
        except ValueError as exc:
            yield line_no, {"id": line_no, "error": f"bad JSONL row ({exc}); expected {{\"id\": ..., \"question\": \"...\"}}"}


def _emit(row: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _required(value: str | None, name: str, verb: str) -> str:
    from policykb.errors import ConfigError

    if not value or not value.strip():
        raise ConfigError(f"{verb} needs {name} (or --batch FILE); e.g. policykb {verb} \"第十八条讲了什么？\"")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _k(text: str) -> int | None:
    from policykb.app.contracts import check_k
    from policykb.errors import ConfigError

    try:
        return check_k(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _doc(text: str) -> str:
    from policykb.app.contracts import check_docs
    from policykb.errors import ConfigError

    try:
        if not text.strip():
            raise ConfigError(f"--doc {text!r} is empty; give a document id (`policykb documents` lists them)")
        return check_docs(text, name="--doc")[0]
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _lang(text: str) -> str | None:
    from policykb.app.contracts import check_lang
    from policykb.errors import ConfigError

    try:
        return check_lang(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _progress_bar() -> Callable[[str, float], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(message: str, fraction: float) -> None:
        filled = int(fraction * 30)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction * 100:5.1f}% {_short(message, 40):<40}")
        sys.stderr.flush()

    return show


def _clear_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 90 + "\r")


def _display_path(path: str) -> str:
    """A path relative to the working folder when it lies inside it, as one printable line."""
    try:
        return _printable(str(Path(path).resolve().relative_to(Path.cwd())))
    except ValueError:
        return _printable(path)


# control characters (a newline or a terminal escape in a file name) are shown as escapes: one line, inert
_UNPRINTABLE = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}


def _printable(text: str) -> str:
    return text.translate(_UNPRINTABLE)


def _err(message: str) -> None:
    print(_printable(message), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
