"""`catalogue_tests` as a user runs it (pytester): each item checks the layout its id names,
and a failure is the bounded report, not a traceback through gradcheck or hypothesis' notes."""

import json
import re

# A non-square Jacobian (m = n + 1 outputs), so that the two layouts have different shapes:
# d(Ax)/dx is A in numerator layout and A^T in denominator layout.
IDENTITIES = """
import numpy as np
from gradcheck import identity, pitfall


@identity(wrt="x", variables={"x": "n", "A": "(n+1) n"}, derivative=lambda x, A: A.T,
          source="test")
def linear_map(x, A):
    "d(Ax)/dx = A^T (denominator)"
    return np.einsum("ij,...j->...i", A, x)


@identity(wrt="x", variables={"x": "n", "A": "(n+1) n"}, derivative=lambda x, A: 2 * A.T,
          source="test")
def doubled_map(x, A):
    "wrong on purpose: a factor 2"
    return np.einsum("ij,...j->...i", A, x)


@identity(wrt="x", variables={"x": "n"}, source="test",
          derivative=lambda x: np.concatenate([x, x[..., :1]], axis=-1))
def wrong_shape(x):
    "wrong on purpose: the claim has n + 1 entries, the shape of no layout"
    return np.sum(x * x, axis=-1)


not_a_pitfall = pitfall("not_a_pitfall", corrects=linear_map, mistake="scale",
                        derivative=lambda x, A: A.T)
"""

TEST_FILE = """
from gradcheck.testing import catalogue_tests

test_mine = catalogue_tests("my_identities", layouts=["numerator", "denominator"])
"""


def _run(pytester, *args):
    pytester.makepyfile(my_identities=IDENTITIES, test_mine=TEST_FILE)
    return pytester.runpytest("-p", "no:cacheprovider", "--gradcheck-trials", "4", *args)


def _failure_sections(out):
    """Test id -> the text pytest prints for its failure."""
    parts = re.split(r"^_{3,} (test_mine\[[^\]]+\]) _{3,}$", out, flags=re.M)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    last = next(iter(reversed(sections)))
    sections[last] = sections[last].split("= short test summary info =")[0]
    return sections


def test_the_layout_of_the_id_is_the_layout_checked(pytester, tmp_path):
    target = tmp_path / "checks.json"
    result = _run(pytester, "--gradcheck-json", str(target))
    result.assert_outcomes(passed=2, failed=6)
    sections = _failure_sections(result.stdout.str())
    for layout in ("numerator", "denominator"):
        report = sections[f"test_mine[doubled_map-{layout}]"]
        assert f"doubled_map [{layout}] identity failed" in report
        assert f"in {layout} layout" in report.strip().splitlines()[1]  # the headline
    records = json.loads(target.read_text())["records"]
    # the worst entry indexes the claim in the layout of the record: A is (n+1, n) in
    # numerator layout, A^T (n, n+1) in denominator layout
    for record in records:
        if record["identity"] not in ("linear_map", "doubled_map", "not_a_pitfall"):
            continue
        n = record["shapes"]["x"][0]
        rows, columns = (n + 1, n) if record["layout"] == "numerator" else (n, n + 1)
        i, j = record["worst_entry"]["index"]
        assert i < rows and j < columns, record
    assert {(r["identity"], r["layout"]) for r in records if r["ok"]} == {
        ("linear_map", "numerator"),
        ("linear_map", "denominator"),
    }


def test_a_failure_is_the_bounded_report_alone(pytester):
    result = _run(pytester)
    out = result.stdout.str()
    sections = _failure_sections(out)
    assert sorted(sections) == [
        "test_mine[doubled_map-denominator]",
        "test_mine[doubled_map-numerator]",
        "test_mine[not_a_pitfall-denominator]",
        "test_mine[not_a_pitfall-numerator]",
        "test_mine[wrong_shape-denominator]",
        "test_mine[wrong_shape-numerator]",
    ]
    for line in out.splitlines():
        assert "gradcheck/testing.py" not in line, line
        assert "gradcheck/verdict" not in line and "gradcheck/engine" not in line, line
        assert "Explanation" not in line and "Traceback" not in line, line
        assert "Falsifying example" not in line and "git apply" not in line, line
    for test_id, text in sections.items():
        lines = text.strip().splitlines()
        assert len(lines) <= 12, (test_id, lines)  # headline, <= 5 entries, notes, diagnosis
    doubled = sections["test_mine[doubled_map-numerator]"]
    assert "gradcheck FAILED" in doubled and "diagnosis: scale" in doubled
    assert "the smallest failing hypothesis example, --gradcheck-seed 0" in doubled
    pitfall = sections["test_mine[not_a_pitfall-numerator]"]
    assert "not_a_pitfall [numerator] pitfall passed" in pitfall
    assert "gradcheck PASSED" in pitfall and "seeded draw 0" in pitfall
    shape = sections["test_mine[wrong_shape-numerator]"]
    assert "wrong_shape [numerator] at shapes" in shape and "ShapeMismatchError" in shape


def test_one_record_per_identity_test(pytester, tmp_path):
    target = tmp_path / "checks.json"
    result = _run(pytester, "--gradcheck-report", "--gradcheck-json", str(target))
    records = json.loads(target.read_text())["records"]
    # wrong_shape raises before a verdict: its tests fail without a record
    tests = [(r["identity"], r["layout"]) for r in records]
    assert sorted(tests) == sorted(
        (name, layout)
        for name in ("linear_map", "doubled_map", "not_a_pitfall")
        for layout in ("numerator", "denominator")
    )
    # a pitfall's last seeded draw, an identity's last (or shrunk failing) example
    assert {r["trial"] for r in records if r["identity"] == "not_a_pitfall"} == {0}
    assert "6 tests, 6 checks, 4 not as expected" in result.stdout.str()
