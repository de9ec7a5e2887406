"""`gradcheck formula` as a researcher uses it: the help, the listing, hints, the report."""

import re
import subprocess
import sys

import pytest

from gradcheck.catalogue import CONSTRAINTS
from gradcheck.cli import main
from gradcheck.expressions import FUNCTIONS


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_functions_listing_names_every_function_with_its_parameters(capsys):
    code, out, _ = run(capsys, "functions")
    assert code == 0
    for name in FUNCTIONS:
        assert re.search(rf"^{name}\(", out, re.M), name
    trace_row = next(line for line in out.splitlines() if line.startswith("trace("))
    assert "offset=0" in trace_row and trace_row.split()[-1] == "tr"
    assert "the identity I" in out


def test_formula_help_states_the_default_layout_the_constraints_and_the_language():
    done = subprocess.run(
        [sys.executable, "-m", "gradcheck", "formula", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    assert "default: denominator" in text
    assert all(name in text for name in CONSTRAINTS)
    assert "gradcheck functions" in text and "x^T" in text and "A + I" in text


def test_a_formula_undefined_at_the_random_point_gets_a_constraint_hint(capsys):
    code, out, err = run(
        capsys, "formula", "log(det(X))", "--claim", "inv(X).T", "--wrt", "X", "--shapes", "X=n,n"
    )
    assert code == 2 and out == ""
    assert "--constraint X=spd" in err and len(err.strip().splitlines()) == 1
    assert "RuntimeWarning" not in err
    code, out, _ = run(
        capsys,
        "formula",
        "log(det(X))",
        "--claim",
        "inv(X).T",
        "--wrt",
        "X",
        "--shapes",
        "X=n,n",
        "--constraint",
        "X=spd",
    )
    assert code == 0 and "all trials passed (5 random shape draws)" in out


def test_the_report_shown_is_the_most_informative_failing_draw(capsys):
    # wrong by a factor 2 at every draw; the report must show the draw with the most distinct
    # sizes, then the largest variable, not the first one (which may be 1 x 1)
    code, out, _ = run(
        capsys,
        "formula",
        "sum(B @ x)",
        "--claim",
        "2 * B.T @ ones_like(B[:, 0])",
        "--wrt",
        "x",
        "--shapes",
        "x=n B=m,n",
        "--trials",
        "8",
    )
    assert code == 1 and "8 of 8 trials did not pass" in out
    draws = [
        {k: int(v) for k, v in re.findall(r"(\w)=(\d+)", line)}
        for line in out.splitlines()
        if re.match(r"\s+\d+\s+n=\d+ m=\d+", line)
    ]
    assert len(draws) == 8
    best = max(draws, key=lambda d: (len(set(d.values())), d["n"]))
    headline = next(line for line in out.splitlines() if line.startswith("gradcheck FAILED"))
    assert f"x: ({best['n']},)" in headline


def test_a_claim_right_in_the_other_layout_is_answered_with_the_flag(capsys):
    code, out, _ = run(
        capsys,
        "formula",
        "A @ x",
        "--claim",
        "A",
        "--wrt",
        "x",
        "--shapes",
        "x=n A=m,n",
        "--trials",
        "3",
    )
    assert code == 1
    assert "pass --layout numerator" in out
    code, out, _ = run(
        capsys,
        "formula",
        "A @ x",
        "--claim",
        "A",
        "--wrt",
        "x",
        "--shapes",
        "x=n A=m,n",
        "--trials",
        "3",
        "--layout",
        "numerator",
    )
    assert code == 0 and "all trials passed (3 random shape draws)" in out


@pytest.mark.parametrize("trials", ["1", "2"])
def test_the_closing_line_counts_what_failed(capsys, trials):
    code, out, _ = run(
        capsys,
        "formula",
        "x @ x",
        "--claim",
        "x",
        "--wrt",
        "x",
        "--shapes",
        "x=n",
        "--trials",
        trials,
    )
    assert code == 1
    assert out.strip().splitlines()[-1].startswith(f"{trials} of {trials} trials did not pass")
    assert "1 random shape draws" not in out


def test_latex_with_order_2_is_refused_in_one_line(capsys):
    from gradcheck.cli import main

    code = main(["formula", "--latex", r"\frac{\partial x^T x}{\partial x} = 2x", "--order", "2"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--order 2" in err
