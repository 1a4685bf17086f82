"""Suite-wide rules that apply to the web and the ml tests alike.

Browser and real-data tests skip cleanly on a developer's machine that lacks chromium or
``../shared/datasets``. In CI those are provided (``.ci/run`` installs chromium, the
datasets sit beside the clone), so a skip there means the test never ran while the run
looked green: with ``CI`` set to ``true``/``1`` such a skip is reported as a failure that
carries the skip's reason.
"""

import os

import pytest

MUST_RUN_IN_CI = ("browser", "realdata")


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # (path, line, "Skipped: reason")
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and running_in_ci()) or hasattr(report, "wasxfail"):
        return
    markers = [name for name in MUST_RUN_IN_CI if item.get_closest_marker(name)]
    if markers:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} is marked {' and '.join(markers)} and must run in CI (CI={os.environ['CI']!r}), "
            f"but it was skipped: {_skip_reason(report)}"
        )
