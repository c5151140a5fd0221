"""Shared constants and small helpers of the KB integration tests (imported by tests/kb/conftest.py and tests)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Sequence

from policykb.settings import Settings, repo_root
from tests.support.serve import free_port  # noqa: F401 - the kb tests import it from here

# The Opinions alone (a copy of corpus/'s file and sidecar): the fixtures and figures of these tests are about it.
CORPUS = repo_root() / "tests" / "fixtures" / "opinions-corpus"
FIXTURES = repo_root() / "tests" / "fixtures"
OPINIONS_TXT = CORPUS / "pbc-2022-60-zhejiang-common-prosperity-opinions.txt"
OPINIONS_META = OPINIONS_TXT.with_suffix(".meta.json")
OPINIONS = "pbc-2022-60"
ZH_RULE_TXT = FIXTURES / "zj-inclusive-finance-rules.txt"
ZH_RULE = "zj-inclusive-finance-rules"
EN_RULE_TXT = FIXTURES / "en-article-rules.txt"
EN_RULE = "en-article-rules"
POLICYKB = Path(sys.executable).parent / "policykb"


# Queries over the Opinions and the clause number each must rank first (shared by the embedded and server tests).
LOOKUPS = [
    ("(12)", 12),
    ("clause 12", 12),
    ("第十二条", 12),
    ("第（十二）条", 12),
    ("Article 12", 12),
    ("What does (18) say?", 18),
    ("第十八条讲了什么", 18),
    ("Clause (5)", 5),
    ("第三十一条", 31),
    ("article 1", 1),
]

ENGLISH = [
    ("charitable trusts", 13),
    ("housing lease guarantee bonds for affordable rental homes", 19),
    ("catastrophe insurance pilots for natural disasters", 20),
    ("hedging exchange rate risk for small foreign trade firms", 11),
    ("Qualified Foreign Limited Partners pilot", 10),
    ("digital renminbi pilots and mobile payment for overseas visitors", 21),
    ("carbon emission reduction support tools", 24),
    ("illegal fund-raising and protective stop payment for bank accounts", 26),
    ("remote sensing monitoring of agricultural disasters", 16),
    ("wealth management subsidiaries of commercial banks", 14),
    ("technology sub-branches of banks", 5),
    ("financial consumer complaints and personal information protection", 27),
]
CHINESE = [
    ("储蓄国债下乡", 18),
    ("慈善信托", 13),
    ("保障性租赁住房的金融支持", 19),
    ("巨灾保险试点", 20),
    ("外汇衍生品保证金比例", 11),
    ("合格境外有限合伙人试点", 10),
    ("数字人民币试点", 21),
    ("碳减排支持工具", 24),
    ("打击非法集资", 26),
    ("山区26县一县一策", 17),
    ("理财子公司", 14),
    ("科技支行", 5),
    ("第三支柱养老保险", 20),
    ("老年人和残疾人的金融便利服务", 22),
]


def op(number: int | str) -> str:
    """Clause id of the Opinions' clause ``(number)``."""
    return f"{OPINIONS}:{number}"


def zj(number: int | str) -> str:
    """Clause id of the Chinese test rule's article 第``number``条."""
    return f"{ZH_RULE}:{number}"


@contextmanager
def retriever_pair(kb_dir: Path, **off: Any) -> Iterator[tuple[Any, Any]]:
    """A KB's retriever with its default config, and the same retriever with the ``off`` config fields set."""
    from policykb.kb import KnowledgeBase

    kb = KnowledgeBase(Settings.from_env(env={}, kb_dir=kb_dir))
    try:
        on = kb._current_retriever()
        yield on, on.with_config(replace(on.config, **off))
    finally:
        kb.close()


def settings_for(kb_dir: Path, **overrides: Any) -> Settings:
    """Settings for a KB folder, untouched by POLICYKB_* variables of the environment running the tests."""
    return Settings.from_env(env={}, kb_dir=kb_dir, **overrides)


def copy_opinions(folder: Path, *, name: str | None = None, doc_id: str | None = None) -> Path:
    """Copy the bundled Opinions (and its sidecar) into ``folder``; optionally renamed and under another doc id."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = name or OPINIONS_TXT.stem
    target = folder / f"{stem}.txt"
    shutil.copyfile(OPINIONS_TXT, target)
    meta = json.loads(OPINIONS_META.read_text(encoding="utf-8"))
    if doc_id is not None:
        meta["doc_id"] = doc_id
    (folder / f"{stem}.meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a `policykb` subprocess: no POLICYKB_* settings leak in from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKB_")}
    env.update({"ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"}, **extra)
    return env


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def jsonl(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def run_cli(args: Sequence[str], *, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 600) -> Run:
    """Run the installed `policykb` console script; stdout and stderr captured separately."""
    proc = subprocess.run(
        [str(POLICYKB), *map(str, args)], capture_output=True, text=True, env=env or clean_env(),
        input=stdin, timeout=timeout, cwd=repo_root(),
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
