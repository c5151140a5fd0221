"""The users file (bcrypt hashes only), the login check, and the `policykb users` verbs."""
from __future__ import annotations

import io
import stat

import pytest

from policykb.app import users
from policykb.app.cli import main
from policykb.errors import ConfigError


def test_add_stores_a_bcrypt_hash_never_the_password(tmp_path):
    path = tmp_path / "users.txt"
    assert users.add_user(path, "alice", "s3cret-password") is True
    text = path.read_text()
    assert "s3cret-password" not in text and "alice:$2b$12$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert users.add_user(path, "alice", "another-password") is False
    loaded = users.load_users(path)
    assert users.verify(loaded, "alice", "another-password") and not users.verify(loaded, "alice", "s3cret-password")
    assert not users.verify(loaded, "bob", "another-password")


@pytest.mark.parametrize(("name", "password", "message"), [
    ("", "long-enough-pw", "is not allowed"),
    ("../etc", "long-enough-pw", "is not allowed"),
    ("alice:x", "long-enough-pw", "is not allowed"),
    ("alice", "short", "too short"),
])
def test_bad_names_and_short_passwords_are_refused(tmp_path, name, password, message):
    with pytest.raises(ConfigError, match=message):
        users.add_user(tmp_path / "users.txt", name, password)
    assert not (tmp_path / "users.txt").exists()


@pytest.mark.parametrize(("content", "message"), [
    ("alice:plaintext-password\n", "expected 'name:<bcrypt hash>'"),
    ("no colon here\n", "expected 'name:<bcrypt hash>'"),
])
def test_a_hand_written_file_with_plain_passwords_is_refused(tmp_path, content, message):
    path = tmp_path / "users.txt"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        users.load_users(path)
    assert "plaintext-password" not in str(caught.value)


def test_require_users_explains_how_to_add_one(tmp_path):
    with pytest.raises(ConfigError, match="policykb users add NAME --auth-file FILE"):
        users.require_users(None)
    with pytest.raises(ConfigError, match="does not exist"):
        users.require_users(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_text("# nobody\n")
    with pytest.raises(ConfigError, match="has no users"):
        users.require_users(tmp_path / "empty.txt")


def test_auth_callable_follows_changes_to_the_file(tmp_path):
    path = tmp_path / "users.txt"
    users.add_user(path, "alice", "first-password")
    auth = users.make_auth(path)
    assert auth("alice", "first-password") and not auth("alice", "wrong-password") and not auth("mallory", "first-password")
    users.add_user(path, "bob", "bobs-password")
    users.remove_user(path, "alice")
    assert auth("bob", "bobs-password") and not auth("alice", "first-password")
    path.unlink()
    assert not auth("bob", "bobs-password")


def test_cli_users_add_list_remove(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.txt"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["users", "add", "carol", "--auth-file", str(path), "--password-stdin"]) == 0
    assert "added user 'carol'" in capsys.readouterr().err
    monkeypatch.setenv("POLICYKB_USERS", str(path))
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out == "carol\n"
    assert main(["users", "remove", "dave"]) == 2
    assert "no user 'dave'" in capsys.readouterr().err
    assert main(["users", "remove", "carol"]) == 0
    assert users.list_users(path) == []


@pytest.mark.parametrize(("argv", "message"), [
    (["users", "add", "erin"], "give --auth-file FILE or set POLICYKB_USERS"),
    (["users", "add", "--auth-file", "{tmp}/u.txt"], "users add needs NAME"),
    (["users", "add", "erin", "--auth-file", "{tmp}/u.txt"], "--password-stdin"),
])
def test_cli_users_errors_are_one_line(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.delenv("POLICYKB_USERS", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
