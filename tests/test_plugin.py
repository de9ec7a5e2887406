"""The pytest plugin and catalogue_tests, exercised with pytester."""

import json

import pytest

IDENTITY_MODULE = """
import numpy as np
from gradcheck import identity, pitfall

@identity(wrt="x", variables={"x": "n", "A": "n n"},
          derivative=lambda x, A: (A + A.T) @ x, source="test")
def my_quadratic(x, A):
    "d(x^T A x)/dx = (A + A^T) x"
    return np.einsum("...i,ij,...j->...", x, A, x)

my_wrong = pitfall("my_wrong", corrects=my_quadratic, mistake="symmetric_only",
                   derivative=lambda x, A: 2 * A @ x, variables={"x": "n where n >= 2"})
"""


def test_fixture_checks_and_records(pytester):
    pytester.makepyfile(
        """
        import numpy as np

        def test_good(gradcheck):
            A = gradcheck.rng.standard_normal((3, 3))
            x = gradcheck.rng.standard_normal(3)
            result = gradcheck.assert_gradient(lambda x: x @ A @ x, (A + A.T) @ x, x)
            assert result.passed and gradcheck.trials == 4 and gradcheck.seed == 7

        def test_bad(gradcheck):
            A = np.arange(9.0).reshape(3, 3)
            x = np.array([1.0, -2.0, 0.5])
            gradcheck.assert_gradient(lambda x: x @ A @ x, 2 * A @ x, x)
        """
    )
    result = pytester.runpytest(
        "--gradcheck-seed", "7", "--gradcheck-trials", "4", "--gradcheck-report"
    )
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "gradcheck FAILED" in out and "claimed" in out and "numerical" in out
    assert "_check.py" not in out  # no traceback through gradcheck's internals
    assert "2 tests, 2 checks, 1 not as expected" in out
    assert "test_good" in out and "test_bad" in out


def test_catalogue_tests_make_one_item_per_identity_and_layout(pytester):
    pytester.makepyfile(my_identities=IDENTITY_MODULE)
    pytester.makepyfile(
        test_mine="""
        from gradcheck.testing import catalogue_tests
        test_my_identities = catalogue_tests("my_identities")
        """
    )
    result = pytester.runpytest("-v", "--gradcheck-trials", "3", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    out = result.stdout.str()
    assert "my_quadratic-numerator" in out and "my_wrong-denominator" in out


def test_a_wrong_identity_fails_with_its_report(pytester):
    pytester.makepyfile(
        bad_identities="""
        import numpy as np
        from gradcheck import identity

        @identity(wrt="x", variables={"x": "n"}, derivative=lambda x: 3 * x, source="test")
        def bad_square(x):
            "wrong on purpose"
            return np.sum(x * x, axis=-1)
        """
    )
    pytester.makepyfile(
        test_bad="""
        from gradcheck.testing import catalogue_tests
        test_bad = catalogue_tests("bad_identities", layouts=["denominator"])
        """
    )
    result = pytester.runpytest("--gradcheck-trials", "2")
    result.assert_outcomes(failed=1)
    assert "identity failed" in result.stdout.str() and "gradcheck FAILED" in result.stdout.str()


def test_json_file_follows_the_cli_schema(pytester, tmp_path):
    from gradcheck.report import validate_report

    pytester.makepyfile(my_identities=IDENTITY_MODULE)
    pytester.makepyfile(
        test_mine="""
        from gradcheck.testing import catalogue_tests
        test_my_identities = catalogue_tests("my_identities")
        """
    )
    target = tmp_path / "checks.json"
    result = pytester.runpytest("--gradcheck-trials", "2", "--gradcheck-json", str(target))
    result.assert_outcomes(passed=4)
    data = json.loads(target.read_text())
    validate_report(data)
    assert data["settings"]["trials"] == 2
    assert {r["identity"] for r in data["records"]} == {"my_quadratic", "my_wrong"}
    assert all(r["ok"] for r in data["records"])
    assert any(r["pitfall"] and r["status"] == "failed" for r in data["records"])


def test_options_are_listed_in_help(pytester):
    result = pytester.runpytest("--help")
    out = result.stdout.str()
    for option in (
        "--gradcheck-seed",
        "--gradcheck-trials",
        "--gradcheck-method",
        "--gradcheck-report",
        "--gradcheck-json",
    ):
        assert option in out


def test_works_under_xdist(pytester):
    pytest.importorskip("xdist")
    pytester.makepyfile(my_identities=IDENTITY_MODULE)
    pytester.makepyfile(
        test_mine="""
        from gradcheck.testing import catalogue_tests
        test_my_identities = catalogue_tests("my_identities")
        """
    )
    result = pytester.runpytest(
        "-p", "xdist", "-n", "2", "--gradcheck-trials", "2", "--gradcheck-report"
    )
    result.assert_outcomes(passed=4)
    assert "checks, 0 not as expected" in result.stdout.str()
