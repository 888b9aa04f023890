"""The web form in a real browser: Playwright driving the system's headless Chromium.

The browser is Debian's ``chromium`` package (``/usr/bin/chromium``), not one
downloaded by ``playwright install``. When it is missing, the session fixture
installs it with apt-get (through sudo when not root) so that CI runs these
tests rather than skipping them; they skip, saying why, only if that fails.
Screenshots go to the test's ``tmp_path`` and are copied to ``tests/output/``
(ignored by git) for a person to look at.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(__file__).parent / "output"

REQUEST = """Dear FOI team,

I would like the following information:
1. How many hate crimes against disabled people were recorded in each of the last three calendar years, broken down by ward.
2. How many of those led to a charge, by the age of the victim.
3. A copy of your policy on recording hate incidents.

Kind regards,
Morgan"""


def _install_chromium() -> str:
    """Try apt-get; returns what went wrong, or "" when chromium is now there."""
    apt = shutil.which("apt-get")
    if not apt:
        return "no apt-get on this system"
    prefix: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        if not shutil.which("sudo"):
            return "not root and no sudo"
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in ([*prefix, apt, "update"], [*prefix, apt, "install", "-y", "chromium"]):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"{' '.join(cmd)} failed: {e}"
        if proc.returncode != 0 and "install" in cmd:
            return f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-300:]}"
    return "" if CHROMIUM.exists() else "apt-get ran but /usr/bin/chromium is still missing"


@pytest.fixture(scope="session")
def chromium() -> str:
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install '.[test]'")
    if not CHROMIUM.exists():
        problem = _install_chromium()
        if problem:
            pytest.skip(f"no Chromium at {CHROMIUM} and installing it failed: {problem}")
    return str(CHROMIUM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``foi-triage``'s app under uvicorn on a free local port, in its own process."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # keeping texts makes the feedback form carry the text back, which the server checks against its hash
    env = {**os.environ, "FOI_TRIAGE_FEEDBACK_DB": str(tmp_path_factory.mktemp("fb") / "feedback.db"),
           "FOI_TRIAGE_FEEDBACK_KEEP_TEXT": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "triage.api:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server exited: {proc.stdout.read()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not start within 120 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True)
        yield b
        b.close()


def _shot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    OUTPUT.mkdir(exist_ok=True)
    shutil.copy(path, OUTPUT / name)
    return path


def _triage(page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Request text").fill(REQUEST)
    page.get_by_label("Received").fill("2024-01-15")
    page.get_by_role("button", name="Triage").click()
    page.wait_for_selector("#result")


def test_pasting_a_request_shows_numbered_questions_highlights_and_chips(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _triage(page, server)
    assert page.locator(".request-text .qnum").all_inner_texts() == ["Q1", "Q2", "Q3"]
    assert page.locator("#q1").inner_text().startswith("Q1")
    assert page.locator(".request-text mark.hl-period").count() >= 1
    assert page.locator(".request-text mark.hl-breakdown").count() >= 2  # ward, age
    chips = page.locator("#topics .chip").all_inner_texts()
    assert any(c.startswith("hate crime") for c in chips)
    assert page.locator("#copy-json").is_visible()  # the script ran and showed the button
    assert page.locator("#deadline time").get_attribute("datetime") == "2024-02-12"
    path = _shot(page, tmp_path, "web_result_desktop.png")
    assert path.stat().st_size > 10_000
    page.close()


def test_the_result_fits_a_phone_screen_without_sideways_scrolling(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 375, "height": 812}, device_scale_factor=2)
    _triage(page, server)
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1] == 375
    _shot(page, tmp_path, "web_result_phone.png")
    page.close()


def test_the_form_works_from_the_keyboard_with_a_visible_focus(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.locator("#text").focus()
    page.keyboard.type("How many hate crimes were recorded in 2022?")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.locator("#regime").focus()  # (Tab inside a date field steps through day, month and year)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Triage"
    page.keyboard.press("Enter")
    page.wait_for_selector("#result")
    assert page.locator(".request-text .qnum").count() == 1
    page.close()


def test_without_javascript_the_form_and_download_still_work(server, browser, tmp_path):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    _triage(page, server)
    assert page.locator(".request-text .qnum").count() == 3
    assert not page.locator("#copy-json").is_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download JSON").click()
    saved = tmp_path / "result.json"
    info.value.save_as(saved)
    import json

    assert [q["number"] for q in json.loads(saved.read_text())["questions"]] == [1, 2, 3]
    context.close()


def test_an_officer_can_mark_a_topic_wrong_and_add_an_exemption(server, browser):
    page = browser.new_page()
    _triage(page, server)
    assert "keeps the request text" in page.locator("#feedback").inner_text()
    page.locator("#wrong-topic-1").check()
    added = page.get_by_label("Add a missing exemption").select_option(index=1)  # the first not suggested
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_selector("text=feedback recorded")
    assert f"Exemptions added: {added[0]}" in page.content()
    page.close()


def test_an_empty_text_shows_the_error_on_the_page(server, browser):
    page = browser.new_page()
    page.goto(server + "/")
    page.locator("#text").evaluate("el => el.removeAttribute('required')")  # as a browser without validation
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name="Triage").click()
    assert info.value.status == 422
    assert "text is empty" in page.get_by_role("alert").inner_text()
    page.close()
