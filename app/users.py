"""The app's users file: one ``name:bcrypt-hash`` line per user, never a plain-text password.

The file is written with mode 0600 and replaced atomically. Lines starting with ``#`` and
blank lines are ignored. :func:`make_auth` turns the file into the callable Gradio's login
calls; it re-reads the file when it changes, so adding or removing a user needs no restart.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable

from policykb.errors import ConfigError

__all__ = ["USER_NAME", "MIN_PASSWORD", "MAX_PASSWORD_BYTES", "load_users", "list_users", "add_user", "remove_user", "verify", "make_auth", "require_users", "UsersFile"]

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further
_ROUNDS = 12


def load_users(path: Path) -> dict[str, bytes]:
    """The users of a users file: name → bcrypt hash.

    Raises:
        ConfigError: the file is missing, unreadable, or a line is not ``name:$2b$...``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"users file {str(path)!r} does not exist; create it with `policykb users add NAME --auth-file {path}`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read users file {str(path)!r} ({type(exc).__name__}); check its permissions, or recreate it with `policykb users add`") from None
    users: dict[str, bytes] = {}
    for line_no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not USER_NAME.match(name) or not hashed.startswith(("$2a$", "$2b$", "$2y$")):
            raise ConfigError(
                f"{path}:{line_no}: expected 'name:<bcrypt hash>', got {_redact(line)!r}; "
                "never write passwords by hand, use `policykb users add NAME`"
            )
        users[name] = hashed.encode("ascii")
    return users


def list_users(path: Path) -> list[str]:
    """User names in the file, sorted; [] when the file does not exist yet."""
    return sorted(load_users(path)) if Path(path).exists() else []


def add_user(path: Path, name: str, password: str) -> bool:
    """Add a user or change their password; returns True when the user is new.

    Raises:
        ConfigError: a bad name, a password shorter than :data:`MIN_PASSWORD` characters or longer than
            :data:`MAX_PASSWORD_BYTES` bytes (UTF-8), or one holding a NUL character.
    """
    import bcrypt

    if not USER_NAME.match(name or ""):
        raise ConfigError(f"user name {name!r} is not allowed; use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password is too short ({len(password)} characters); use at least {MIN_PASSWORD}")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise ConfigError(
            f"the password is too long ({len(password.encode('utf-8'))} bytes in UTF-8); bcrypt reads at most "
            f"{MAX_PASSWORD_BYTES}, so use a shorter one (up to {MAX_PASSWORD_BYTES} letters or 24 Chinese characters)"
        )
    if "\x00" in password:
        raise ConfigError("the password holds a NUL character; choose one without it")
    users = load_users(path) if Path(path).exists() else {}
    is_new = name not in users
    users[name] = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(_ROUNDS))
    _write(Path(path), users)
    return is_new


def remove_user(path: Path, name: str) -> None:
    """Remove a user.

    Raises:
        ConfigError: the user is not in the file.
    """
    users = load_users(path)
    if name not in users:
        known = ", ".join(sorted(users)) or "none"
        raise ConfigError(f"no user {name!r} in {str(path)!r} (users: {known}); `policykb users list` shows them")
    del users[name]
    _write(Path(path), users)


def verify(users: dict[str, bytes], name: str, password: str) -> bool:
    """True when ``password`` is the password of ``name`` (constant work for unknown names)."""
    import bcrypt

    hashed = users.get(name)
    try:
        ok = bcrypt.checkpw(password.encode("utf-8"), hashed or _dummy_hash())
    except ValueError:
        return False
    return ok and hashed is not None


def require_users(path: Path | None) -> dict[str, bytes]:
    """The users of ``path``, which must name a file holding at least one user.

    Raises:
        ConfigError: no file given, the file is missing or unreadable, or it has no users.
    """
    if path is None:
        raise ConfigError("no users file given; add a user with `policykb users add NAME --auth-file FILE`, then pass --auth-file FILE (or set POLICYKB_USERS=FILE)")
    users = load_users(path)
    if not users:
        raise ConfigError(f"users file {str(path)!r} has no users; add one with `policykb users add NAME --auth-file {path}`")
    return users


class UsersFile:
    """The users of a users file as the running app sees them: re-read when the file changes (no restart)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: object = None
        self._users: dict[str, bytes] = {}

    def current(self) -> dict[str, bytes]:
        """name → bcrypt hash, now; {} when the file is missing or unreadable (nobody can sign in)."""
        try:
            stat = self.path.stat()
            stamp: object = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            return {}
        with self._lock:
            if self._stamp != stamp:
                try:
                    self._users = load_users(self.path)
                except ConfigError:
                    self._users = {}
                self._stamp = stamp
            return dict(self._users)

    def names(self) -> set[str]:
        """The user names in the file now."""
        return set(self.current())


def make_auth(path: Path | UsersFile) -> Callable[[str, str], bool]:
    """The login check Gradio calls: bcrypt against the users file, re-read when it changes."""
    users = path if isinstance(path, UsersFile) else UsersFile(Path(path))

    def auth(name: str, password: str) -> bool:
        return verify(users.current(), (name or "").strip(), password or "")

    return auth


def _write(path: Path, users: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# policykb users: name:bcrypt-hash (manage with `policykb users add|remove|list`)"]
    lines += [f"{name}:{hashed.decode('ascii')}" for name, hashed in sorted(users.items())]
    fd, tmp = tempfile.mkstemp(prefix=".users-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@lru_cache(maxsize=1)
def _dummy_hash() -> bytes:
    """A hash no password matches by chance, so checking an unknown name costs as much as a known one."""
    import bcrypt

    return bcrypt.hashpw(os.urandom(16).hex().encode("ascii"), bcrypt.gensalt(_ROUNDS))


def _redact(line: str) -> str:
    name, _, rest = line.partition(":")
    return f"{name[:40]}:{'…' if rest else ''}"
