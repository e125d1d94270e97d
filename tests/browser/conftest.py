"""Browser fixtures: a live server on loopback and Debian's headless Chromium driven by Playwright."""
import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = shutil.which(os.environ.get("CHROMIUM", "chromium")) or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def live_server(app, net):
    server, thread = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def open_page(base):
    """A context manager-like generator: one Chromium page pointed at `base`, console errors collected."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(locale="zh-CN")
        pg = context.new_page()
        errors = []
        pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        pg.base = base
        pg.console_errors = errors
        yield pg
        context.close()
        browser.close()


@pytest.fixture
def page(live_server):
    yield from open_page(live_server)


def login_as(page, username, password=PASSWORD):
    page.goto(page.base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.press("#password", "Enter")  # the keyboard alone is enough at the desk


def reply_through_the_form(page, outcome, request, facts, basis):
    """Sign for, accept and answer the matter open on the page, as the handling clerk."""
    page.click("summary:has-text('签收')")
    page.click("form[action$='/do/sign-for'] button[type=submit]")
    page.wait_for_selector("text=已签收")
    page.click("summary:text-is('受理')")
    page.click("form[action$='/do/accept'] button[type=submit]")
    page.wait_for_selector("text=已受理")
    deadline = page.inner_text(".deadline")
    page.click("summary:has-text('出具处理意见书')")
    page.select_option("#reply-outcome", outcome)
    page.fill("#reply-request", request)
    page.fill("#reply-facts", facts)
    page.fill("#reply-basis", basis)
    page.click("form[action$='/do/reply'] button[type=submit]")
    page.wait_for_selector("text=已出具处理意见书")
    return deadline
