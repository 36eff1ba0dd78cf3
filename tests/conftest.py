"""Shared pytest configuration.

Under CI (environment variable CI=true) a skipped browser test is a failure: the
browser tests must really run in CI, against a fresh build of the book.
"""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "site: browser test of the built book (tests/test_site.py)"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and item.get_closest_marker("site") is not None:
        # Keep the skip reason, but count it as a failure.
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under CI=true (not allowed): {reason}"
