"""Shared pytest configuration.

Under CI (environment variable CI=true) a skipped browser test is a failure: the
browser tests must really run in CI, against a fresh build of the book.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "site: browser test (the built book: tests/test_site.py; JupyterLab: tests/test_lab.py)"
    )


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium, driven by Playwright: one for every browser test of the session
    (Playwright's sync API cannot run twice at once in one thread)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set $CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and item.get_closest_marker("site") is not None:
        # Keep the skip reason, but count it as a failure.
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI=true (not allowed): {reason}"
