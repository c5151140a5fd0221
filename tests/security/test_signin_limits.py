"""Sign-in floods and session lifetimes, in process: the real Gradio login route behind the real auth gate,
with an injected clock instead of sleeps (issue 14, points 5 and 7)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from policykb.app.cors import OwnOriginCORS
from policykb.app.sessions import SessionTracker
from policykb.app.signin import SignInLimiter, refusal_message

USER, PASSWORD = "dana", "the right password 7"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Gated:
    """A Gradio app with users behind the auth gate; ``client(address)`` is a test client from that address."""

    def __init__(self, users_file: Path, *, idle_s: float = 600.0) -> None:
        import gradio as gr
        from gradio.routes import App
        from starlette.middleware import Middleware

        from policykb.app.auth_gate import AuthGate
        from policykb.app.signin import async_auth
        from policykb.app.users import UsersFile, make_auth, verify

        self.clock = Clock()
        self.checks = 0
        users = UsersFile(users_file)

        def check(name: str, password: str) -> bool:
            self.checks += 1
            return verify(users.current(), name, password)

        self.sessions = SessionTracker(idle_s, users.names, clock=self.clock)
        self.limiter = SignInLimiter(5, 30.0, clock=self.clock)
        with gr.Blocks() as demo:
            gr.Markdown("policykb test page")
        demo.auth = async_auth(check)
        demo.auth_message = "sign in"
        self.app = App.create_app(demo, app_kwargs={"middleware": [Middleware(AuthGate, sessions=self.sessions, limiter=self.limiter)]})
        assert make_auth(users)(USER, PASSWORD)

    def client(self, address: str = "10.0.0.1") -> Any:
        from starlette.testclient import TestClient

        return TestClient(self.app, client=(address, 40000))


@pytest.fixture(scope="module")
def users_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from policykb.app.users import add_user

    path = tmp_path_factory.mktemp("users") / "users.txt"
    add_user(path, USER, PASSWORD)
    add_user(path, "erik", "another good password")
    return path


@pytest.fixture
def users_file(users_template: Path, tmp_path: Path) -> Path:
    """A private copy of the users file (a test may remove a user)."""
    import shutil

    return Path(shutil.copy(users_template, tmp_path / "users.txt"))


@pytest.fixture
def gated(users_file: Path) -> Iterator[Gated]:
    yield Gated(users_file)


def sign_in(client: Any, user: str = USER, password: str = PASSWORD) -> Any:
    return client.post("/login", data={"username": user, "password": password})


def test_fifty_wrong_passwords_lock_the_user_until_the_wait_passes(gated: Gated) -> None:
    client = gated.client()
    answers = [sign_in(client, password=f"guess {i}") for i in range(50)]
    assert [a.status_code for a in answers[:5]] == [400] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    assert answers[-1].json()["detail"] == "too many attempts, try again in 30 s"
    assert answers[-1].headers["retry-after"] == "30"
    assert gated.checks == 5  # refused attempts never reach bcrypt
    refused = sign_in(client)  # the right password, during the wait
    assert refused.status_code == 429 and "too many attempts, try again in" in refused.json()["detail"]
    assert client.get("/config").status_code == 401
    gated.clock.now += 20
    assert sign_in(client).json()["detail"] == "too many attempts, try again in 10 s"
    gated.clock.now += 11
    assert sign_in(client).status_code == 200 and client.get("/config").status_code == 200


def test_each_failure_after_a_wait_doubles_it_and_a_success_forgives(gated: Gated) -> None:
    client = gated.client()
    for i in range(5):
        sign_in(client, password=f"guess {i}")
    gated.clock.now += 31
    assert sign_in(client, password="guess again").status_code == 400
    assert sign_in(client).json()["detail"] == "too many attempts, try again in 60 s"
    gated.clock.now += 61
    assert sign_in(client, password="and again").status_code == 400
    assert sign_in(client).json()["detail"] == "too many attempts, try again in 120 s"
    gated.clock.now += 121
    assert sign_in(client).status_code == 200
    assert sign_in(client, password="one typo").status_code == 400  # counting starts afresh
    assert sign_in(client).status_code == 200


def test_an_address_trying_many_names_is_limited_and_others_are_not(gated: Gated) -> None:
    flood = gated.client("10.6.6.6")
    codes = [sign_in(flood, user=f"user{i}", password="x" * 12).status_code for i in range(40)]
    assert codes[:20] == [400] * 20 and set(codes[20:]) == {429}
    assert sign_in(flood).status_code == 429  # a real user at that address waits too
    assert sign_in(gated.client("10.0.0.2")).status_code == 200  # the user from elsewhere signs in
    assert gated.checks == 21


def test_a_signed_in_user_keeps_working_through_a_flood(gated: Gated) -> None:
    staff = gated.client("10.0.0.3")
    assert sign_in(staff).status_code == 200
    flood = gated.client("10.0.0.3")  # even from the same address
    for i in range(60):
        sign_in(flood, password=f"guess {i}")
    assert sign_in(flood).status_code == 429
    assert staff.get("/config").status_code == 200


def test_an_idle_session_ends(users_file: Path) -> None:
    gated = Gated(users_file, idle_s=900)
    client = gated.client()
    assert sign_in(client).status_code == 200
    gated.clock.now += 800
    assert client.get("/config").status_code == 200  # used: the idle time restarts
    gated.clock.now += 800
    assert client.get("/config").status_code == 200
    gated.clock.now += 901
    assert client.get("/config").status_code == 401
    assert not gated.app.tokens  # the session is gone, not only refused
    assert sign_in(client).status_code == 200 and client.get("/config").status_code == 200


def test_removing_a_user_ends_their_sessions_at_once(gated: Gated, users_file: Path) -> None:
    from policykb.app.users import remove_user

    dana, erik = gated.client("10.0.0.4"), gated.client("10.0.0.5")
    assert sign_in(dana).status_code == 200 and sign_in(erik, "erik", "another good password").status_code == 200
    assert dana.get("/config").status_code == 200
    remove_user(users_file, USER)
    assert dana.get("/config").status_code == 401 and dana.get("/gradio_api/info").status_code == 401
    assert erik.get("/config").status_code == 200
    assert sign_in(dana).status_code == 400


def test_the_refusal_says_how_long_to_wait() -> None:
    assert refusal_message(0.2) == "too many attempts, try again in 1 s"
    assert refusal_message(29.01) == "too many attempts, try again in 30 s"


def test_the_limiter_forgets_after_a_quiet_hour_and_caps_its_memory() -> None:
    clock = Clock()
    limiter = SignInLimiter(2, 10.0, clock=clock, max_keys=100)
    limiter.failed("u", "a")
    clock.now += 3601
    limiter.failed("u", "a")
    assert limiter.retry_after("u", "a") == 0  # the old failure was forgotten: 1 of 2
    for i in range(500):
        limiter.failed(f"made-up-{i}", "")
    assert len(limiter._state) <= 100


@pytest.mark.parametrize("origin, host, allowed", [
    ("http://127.0.0.1:7860", "127.0.0.1:7860", True),
    ("http://localhost:9999", "127.0.0.1:7860", False),
    ("http://localhost:9999", "localhost:7860", False),
    ("http://127.0.0.1:7861", "127.0.0.1:7860", False),
    ("https://evil.example", "kb.example:443", False),
    ("https://intranet.example", "kb.example", True),
    ("null", "127.0.0.1:7860", False),
])
def test_only_the_apps_own_origin_and_configured_ones_are_allowed(origin: str, host: str, allowed: bool) -> None:
    cors = OwnOriginCORS(lambda *a: None, allowed=("https://intranet.example",))
    assert cors.is_allowed(origin, host) is allowed
