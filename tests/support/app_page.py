"""Driving the app in a browser test: open a page of it, ask in its Chat tab (one question in, its finished
answer bubble out), and open a clause from a chip."""
from __future__ import annotations

from typing import Any

ANSWERS = "#pk-chatbot .pk-meta, #pk-chatbot .pk-msg-error"  # one per finished answer (or error)
QUESTIONS = "#pk-chatbot .pk-question"


def open_page(browser: Any, url: str, viewport: dict, **options: Any) -> Any:
    """A new browser context's page on the app at ``url``, once its chat input is there; the page's script errors
    collect in ``page.page_errors`` (close it with ``page.context.close()``)."""
    context = browser.new_context(viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(90_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("#pk-chat-input textarea")
    page.page_errors = errors
    return page


def ask(page: Any, question: str) -> Any:
    """Send ``question`` in the Chat tab and return the locator of its finished answer bubble.

    The page is first given its document lists (``body[data-pk-lists=ready]``, set once the page's load events are
    done), so the question is not typed while the load still redraws the page."""
    page.wait_for_selector("body[data-pk-lists=ready]", state="attached")
    before, asked = page.locator(ANSWERS).count(), page.locator(QUESTIONS).count()
    page.fill("#pk-chat-input textarea", question)
    page.click("#pk-send")
    page.wait_for_function(f"document.querySelectorAll({QUESTIONS!r}).length > {asked}")
    page.wait_for_function(f"document.querySelectorAll({ANSWERS!r}).length > {before}")
    return page.locator("#pk-chatbot .pk-answer, #pk-chatbot .pk-msg-error").last


def click_until_shown(chip: Any, shown: Any, attempts: int = 3) -> None:
    """Click ``chip`` until ``shown`` (a locator) is visible, at most ``attempts`` times.

    A click that lands while the chat redraws the answer (its bubble replaced between press and release) reaches
    no chip, so nothing opens, as for a user, who clicks again: in full suite runs at phone width the panel has
    twice still shown its hint 30 s later."""
    from playwright.sync_api import expect

    for attempt in range(attempts):
        chip.click()
        last = attempt == attempts - 1
        try:
            expect(shown).to_be_visible(timeout=30_000 if last else 10_000)
            return
        except AssertionError:
            if last:
                raise
