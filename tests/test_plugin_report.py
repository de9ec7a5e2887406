"""The plugin's session report, run the way a user runs pytest (pytester): one row per test
(its final example), plain gradcheck calls recorded like the fixture's, every check form of
the fixture, and a summary table whose columns match its headers."""

import json
import os

import pytest

# Hypothesis tests whose verdicts are far from the tolerance: a claim is exact (3 x^2) or off
# by 1 in every entry, so nothing sits on a rounding edge.
HYPOTHESIS_TESTS = """
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import gradcheck

SETTINGS = settings(max_examples=25, database=None, derandomize=True)


def cube(x):
    return np.sum(x ** 3)


@SETTINGS
@given(st.integers(min_value=1, max_value=8))
def test_wrong_from_three_entries(n):
    x = np.linspace(0.5, 1.5, n)
    gradcheck.assert_gradient(cube, 3 * x ** 2 + (n >= 3), x)


@SETTINGS
@given(st.integers(min_value=1, max_value=8))
def test_right(n):
    with open("seen.txt", "a") as seen:
        seen.write(f"{n}\\n")
    x = np.linspace(0.5, 1.5, n)
    gradcheck.check(cube, 3 * x ** 2, x)


@SETTINGS
@given(st.integers(min_value=1, max_value=8))
def test_two_checks_per_example(n):
    x = np.linspace(0.5, 1.5, n)
    gradcheck.check(cube, 3 * x ** 2, x)
    gradcheck.check(np.sin, np.diag(np.cos(x)), x)


@settings(SETTINGS, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=1, max_value=8))
def test_fixture_in_a_hypothesis_test(gradcheck, n):
    x = np.linspace(0.5, 1.5, n)
    gradcheck.assert_gradient(cube, 3 * x ** 2 + (n >= 2), x)
"""


def _records(path):
    return json.loads(path.read_text())["records"]


def _by_test(records):
    tests = {}
    for record in records:
        tests.setdefault(record["identity"].partition("::")[2], []).append(record)
    return tests


def _run_report(pytester, tmp_path, source, **outcomes):
    """Run `source` as test_mine.py with the report and the JSON; the run and the records of
    each test (by test name)."""
    pytester.makepyfile(test_mine=source)
    target = tmp_path / "checks.json"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--gradcheck-report", "--gradcheck-json", str(target)
    )
    result.assert_outcomes(**outcomes)
    return result, _by_test(_records(target))


def test_one_row_per_test_for_hypothesis_tests(pytester, tmp_path):
    result, tests = _run_report(pytester, tmp_path, HYPOTHESIS_TESTS, passed=2, failed=2)
    assert sorted(tests) == [
        "test_fixture_in_a_hypothesis_test",
        "test_right",
        "test_two_checks_per_example",
        "test_wrong_from_three_entries",
    ]
    # a failing test: the shrunk example (the smallest n that fails) alone
    (wrong,) = tests["test_wrong_from_three_entries"]
    assert wrong["status"] == "failed" and wrong["shapes"] == {"x": [3]}
    (fixture,) = tests["test_fixture_in_a_hypothesis_test"]
    assert fixture["status"] == "failed" and fixture["shapes"] == {"x": [2]}
    # a passing test: the last example run
    (right,) = tests["test_right"]
    last = int((pytester.path / "seen.txt").read_text().split()[-1])
    assert right["status"] == "passed" and right["shapes"] == {"x": [last]}
    # two checks in one example: two rows, of the same (last) example
    two = tests["test_two_checks_per_example"]
    assert [r["status"] for r in two] == ["passed", "passed"]
    assert two[0]["shapes"] == two[1]["shapes"]
    # the counts of the summary line are those of the tests
    assert "4 tests, 5 checks, 2 not as expected" in result.stdout.str()


def _table(out):
    """The header, rule and body lines of the --gradcheck-report table."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("check "))
    end = next(i for i in range(start, len(lines)) if " not as expected" in lines[i])
    return lines[start], lines[start + 1], lines[start + 2 : end]


def test_the_table_has_a_column_per_header_and_shows_the_diagnosis(pytester, tmp_path):
    source = """
import numpy as np
import gradcheck

A = np.array([[1.0, 2.0], [0.0, 3.0]])
x = np.array([0.5, -1.0])

def test_symmetric_only():
    gradcheck.check(lambda x: x @ A @ x, 2 * A @ x, x)
"""
    result, tests = _run_report(pytester, tmp_path, source, passed=1)
    (record,) = tests["test_symmetric_only"]
    assert record["status"] == "failed" and record["diagnosis"]
    header, rule, body = _table(result.stdout.str())
    headers = ["check", "form", "wrt", "layout", "verdict", "worst rel. err", "FD est."]
    assert [h for h in headers if h in header] == headers and header.rstrip().endswith("diagnosis")
    assert len(rule.split()) == len(headers) + 1  # one rule per column: no header without one
    # the diagnosis column starts under its header and holds the record's text (wrapped)
    column = header.index("diagnosis")
    assert body[0][column:].startswith(record["diagnosis"].split()[0])
    assert " ".join(line[column:].strip() for line in body) == " ".join(record["diagnosis"].split())


PLAIN_CALLS = """
import contextvars
import threading

import numpy as np

import gradcheck

x = np.array([0.5, -1.0, 2.0])
AT_IMPORT = gradcheck.check(np.sin, np.diag(np.cos(x)), x)  # no test runs: not recorded


def test_plain_check():
    gradcheck.check(np.sin, np.diag(np.cos(x)), x)


def test_plain_assert_fails():
    gradcheck.assert_gradient(np.sin, np.diag(np.sin(x)), x)


def test_no_check():
    assert AT_IMPORT.passed


def test_every_plain_form():
    f = lambda x: np.sum(np.sin(x))
    gradcheck.check_directional(f, np.cos(x), x)
    gradcheck.check_vjp(np.sin, lambda u, x: np.cos(x) * u, x)
    gradcheck.check_jvp(np.sin, lambda d, x: np.cos(x) * d, x)
    gradcheck.check_hessian(f, -np.diag(np.sin(x)), x)
    gradcheck.check_hvp(f, lambda v, x: -np.sin(x) * v, x)


def test_threads():
    def run():
        gradcheck.check(np.sin, np.diag(np.cos(x)), x)

    bare = threading.Thread(target=run)  # a fresh context: not recorded, and no error
    bare.start()
    bare.join()
    context = contextvars.copy_context()  # the test's context: recorded
    copied = threading.Thread(target=context.run, args=(run,))
    copied.start()
    copied.join()
"""


def test_plain_calls_are_recorded_for_the_test_that_makes_them(pytester, tmp_path):
    result, tests = _run_report(pytester, tmp_path, PLAIN_CALLS, passed=4, failed=1)
    assert sorted(tests) == [
        "test_every_plain_form",
        "test_plain_assert_fails",
        "test_plain_check",
        "test_threads",
    ]
    assert [r["status"] for r in tests["test_plain_assert_fails"]] == ["failed"]
    assert [r["form"] for r in tests["test_every_plain_form"]] == [
        "directional",
        "vjp",
        "jvp",
        "hessian",
        "hvp",
    ]
    assert len(tests["test_threads"]) == 1
    assert "4 tests, 8 checks, 1 not as expected" in result.stdout.str()


def test_plain_calls_are_recorded_under_xdist(pytester):
    pytest.importorskip("xdist")
    pytester.makepyfile(test_plain=PLAIN_CALLS)
    result = pytester.runpytest("-p", "xdist", "-n", "2", "--gradcheck-report")
    result.assert_outcomes(passed=4, failed=1)
    assert "4 tests, 8 checks, 1 not as expected" in result.stdout.str()


FIXTURE_FORMS = """
import numpy as np
import pytest

import gradcheck as gc

x = np.array([0.5, -1.0, 2.0])


def f(x):
    return np.sum(np.sin(x))


def test_every_form_passes(gradcheck):
    assert gradcheck.check(f, np.cos(x), x).passed
    assert gradcheck.assert_gradient(f, np.cos(x), x).passed
    assert gradcheck.check_directional(f, np.cos(x), x).passed
    assert gradcheck.assert_vjp(np.sin, lambda u, x: np.cos(x) * u, x).passed
    assert gradcheck.assert_jvp(np.sin, lambda d, x: np.cos(x) * d, x).passed
    assert gradcheck.assert_hessian(f, -np.diag(np.sin(x)), x).passed
    assert gradcheck.assert_hvp(f, lambda v, x: -np.sin(x) * v, x).passed


@pytest.mark.parametrize("form", ["vjp", "jvp", "hessian", "hvp"])
def test_a_wrong_claim_raises(gradcheck, form):
    wrong = {
        "vjp": lambda: gradcheck.assert_vjp(np.sin, lambda u, x: np.sin(x) * u, x),
        "jvp": lambda: gradcheck.assert_jvp(np.sin, lambda d, x: np.sin(x) * d, x),
        "hessian": lambda: gradcheck.assert_hessian(f, np.diag(np.sin(x)), x),
        "hvp": lambda: gradcheck.assert_hvp(f, lambda v, x: np.sin(x) * v, x),
    }
    with pytest.raises(gc.GradientAssertionError) as raised:
        wrong[form]()
    assert str(raised.value) == str(raised.value.result)
    assert raised.value.result.status == "failed"


def test_an_assert_failure_shows_the_report(gradcheck):
    gradcheck.assert_vjp(np.sin, lambda u, x: np.sin(x) * u, x)
"""


def test_the_fixture_has_every_check_form_and_records_each(pytester, tmp_path):
    pytester.makepyfile(test_forms=FIXTURE_FORMS)
    target = tmp_path / "checks.json"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--gradcheck-method",
        "richardson",
        "--gradcheck-json",
        str(target),
    )
    result.assert_outcomes(passed=5, failed=1)
    out = result.stdout.str()
    assert "gradcheck.GradientAssertionError: gradcheck FAILED: vjp of f" in out
    assert "plugin.py" not in out  # the fixture's frames are hidden
    tests = _by_test(_records(target))
    passing = tests["test_every_form_passes"]
    assert [r["form"] for r in passing] == [
        "jacobian",
        "jacobian",
        "directional",
        "vjp",
        "jvp",
        "hessian",
        "hvp",
    ]
    assert all(r["status"] == "passed" for r in passing)
    # the session's method, where the form has one (Hessians from f alone use second differences)
    assert {r["method"] for r in passing if r["form"] not in ("hessian", "hvp")} == {"richardson"}
    for form in ("vjp", "jvp", "hessian", "hvp"):
        (record,) = tests[f"test_a_wrong_claim_raises[{form}]"]
        assert record["form"] == form and record["status"] == "failed"


def test_a_vjp_of_several_variables_records_each_variable(pytester, tmp_path):
    pytester.makepyfile(
        """
        import numpy as np

        W = np.array([[1.0, 2.0], [0.5, -1.0]])
        point = {"W": W, "x": np.array([0.3, -0.7])}

        def test_layer(gradcheck):
            gradcheck.check_vjp(
                lambda W, x: W @ x, lambda u, W, x: (np.outer(u, x), u @ W), point, wrt=("W", "x")
            )
        """
    )
    target = tmp_path / "checks.json"
    result = pytester.runpytest("-p", "no:cacheprovider", "--gradcheck-json", str(target))
    result.assert_outcomes(passed=1)
    records = _records(target)
    # u @ W is W^T u, the right gradient of x; np.outer(u, x) that of W
    assert [(r["wrt"], r["form"], r["status"]) for r in records] == [
        ("W", "vjp", "passed"),
        ("x", "vjp", "passed"),
    ]


ONE_PASSING_TEST = """
import numpy as np

def test_ok(gradcheck):
    x = gradcheck.rng.standard_normal(3)
    gradcheck.assert_gradient(lambda x: np.sum(np.sin(x)), np.cos(x), x)
"""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_json_report_that_cannot_be_written_fails_the_session(pytester):
    """Writing to /dev/full fails at the end ("No space left on device"), after the path was
    accepted at the start: the session said so in one line but exited 0."""
    pytester.makepyfile(ONE_PASSING_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "--gradcheck-json", "/dev/full")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["gradcheck: cannot write --gradcheck-json '/dev/full': *"])


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_failing_session_keeps_its_status_when_the_json_cannot_be_written(pytester):
    pytester.makepyfile(ONE_PASSING_TEST + "\n\ndef test_bad():\n    assert False\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--gradcheck-json", "/dev/full")
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_the_json_report_is_written_without_the_terminal_summary(pytester, tmp_path):
    """The report was written from the terminal summary, which --no-summary turns off."""
    pytester.makepyfile(ONE_PASSING_TEST)
    target = tmp_path / "checks.json"
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--no-summary", "--gradcheck-json", str(target)
    )
    assert result.ret == pytest.ExitCode.OK
    assert [r["status"] for r in _records(target)] == ["passed"]
