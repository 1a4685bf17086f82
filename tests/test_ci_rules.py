"""The CI rule of tests/conftest.py, run on a throwaway suite: a skipped browser or real-data
test fails the run when CI is set, and still skips quietly when it is not."""

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

THROWAWAY = """
import pytest

@pytest.mark.realdata
@pytest.mark.skipif(True, reason="no datasets on this machine")
def test_needs_data():
    pass

@pytest.mark.browser
def test_needs_chromium():
    pytest.skip("chromium is not installed")

def test_optional():
    pytest.skip("nothing to check here")

@pytest.mark.realdata
def test_runs():
    pass
"""


@pytest.fixture
def suite(pytester):
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makeini("[pytest]\nmarkers =\n    browser: b\n    realdata: r\n")
    pytester.makepyfile(test_throwaway=THROWAWAY)
    return pytester


def test_in_ci_a_skipped_browser_or_realdata_test_fails_with_its_reason(suite, monkeypatch):
    monkeypatch.setenv("CI", "true")
    result = suite.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider", timeout=120)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1 and outcomes.get("skipped") == 1  # test_runs; the unmarked skip
    assert outcomes.get("failed", 0) + outcomes.get("errors", outcomes.get("error", 0)) == 2
    assert result.ret != 0
    result.stdout.fnmatch_lines(
        [
            "*test_needs_data*realdata*must run in CI*no datasets on this machine*",
            "*test_needs_chromium*browser*must run in CI*chromium is not installed*",
        ]
    )


@pytest.mark.parametrize("value", [None, "false"])
def test_outside_ci_they_skip(suite, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    result = suite.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=1, skipped=3)
