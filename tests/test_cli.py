"""The command line through main(argv), and once through the installed console script."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradcheck.cli import main
from gradcheck.expressions import ExpressionError, compile_expression
from gradcheck.report import (
    BaselineError,
    compare_reports,
    load_report,
    validate_report,
)

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_catalogue_summary_and_totals(capsys):
    code, out, _ = run(capsys, "catalogue", "--family", "linear", "--trials", "2")
    assert code == 0
    assert "dAx_dx" in out and "4/4 passed" in out
    assert out.strip().splitlines()[-1].startswith("18/18 identities passed")


@pytest.mark.parametrize("fmt", ["plain", "simple", "github", "grid", "latex", "html"])
def test_table_formats(capsys, fmt):
    code, out, _ = run(capsys, "catalogue", "--select", "dtrX_dX", "--trials", "1", "--format", fmt)
    assert code == 0 and "dtrX" in out


def test_select_globs_layouts_and_seed(capsys):
    code, out, _ = run(
        capsys,
        "catalogue",
        "--select",
        "dtrX*",
        "w_trX2_*",
        "--layout",
        "numerator",
        "--trials",
        "1",
        "--seed",
        "3",
    )
    assert code == 0 and "dtrX2_dX" in out and "w_trX2_no_transpose" in out and "num/den" not in out


def test_json_output_round_trips_through_the_schema(capsys, tmp_path):
    save = tmp_path / "run.json"
    code, out, _ = run(
        capsys,
        "catalogue",
        "--family",
        "norm",
        "--trials",
        "1",
        "--format",
        "json",
        "--save",
        str(save),
    )
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == 1 and data["settings"]["seed"] == 0
    assert set(data["settings"]["versions"]) == {"gradcheck", "numpy", "scipy", "python"}
    assert validate_report(data) == data
    assert load_report(save) == data
    record = data["records"][0]
    assert {
        "identity",
        "family",
        "layout",
        "trial",
        "shapes",
        "pitfall",
        "status",
        "max_rel_error",
        "error_estimate",
        "evaluations",
        "seconds",
        "diagnosis",
    } <= set(record)


def test_baseline_comparison_reports_regressions(capsys, tmp_path):
    base = tmp_path / "base.json"
    assert (
        main(["catalogue", "--select", "dtrX_dX", "dtrX2_dX", "--trials", "1", "--save", str(base)])
        == 0
    )
    capsys.readouterr()
    code, out, _ = run(
        capsys,
        "catalogue",
        "--select",
        "dtrX_dX",
        "dtrX2_dX",
        "--trials",
        "1",
        "--baseline",
        str(base),
    )
    assert code == 0 and "no change against the baseline" in out
    crafted = json.loads(base.read_text())
    for r in crafted["records"]:
        if r["identity"] == "dtrX2_dX":
            r["ok"], r["status"] = False, "failed"  # it used to fail: now newly passing
        else:
            r["max_rel_error"] = 1e-20  # error grows from 1e-20
    crafted["records"].append({**crafted["records"][0], "identity": "gone_identity"})
    base.write_text(json.dumps(crafted))
    code, out, _ = run(
        capsys,
        "catalogue",
        "--select",
        "dtrX_dX",
        "dtrX2_dX",
        "--trials",
        "1",
        "--baseline",
        str(base),
    )
    assert "newly passing" in out and "removed" in out and "gone_identity" in out


def test_newly_failing_and_grown_errors_exit_1():
    baseline = {
        "schema": 1,
        "settings": {"seed": 0},
        "records": [
            {
                "identity": "a",
                "family": "f",
                "layout": "numerator",
                "trial": 0,
                "shapes": {},
                "pitfall": False,
                "status": "passed",
                "ok": True,
                "max_rel_error": 1e-12,
                "error_estimate": 1e-10,
                "evaluations": 1,
                "seconds": 0.0,
                "diagnosis": None,
            }
        ],
    }
    current = json.loads(json.dumps(baseline))
    current["records"][0].update(ok=False, status="failed", max_rel_error=0.5)
    regressions = compare_reports(current, baseline)
    assert regressions.regressed and regressions.newly_failing == (("a", "numerator"),)
    assert regressions.grown[0][:2] == ("a", "numerator")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "not valid JSON"),
        ('{"schema": 2, "settings": {"seed": 0}, "records": []}', "schema 2"),
        ('{"schema": 1, "settings": {}, "records": []}', "seed"),
        ('{"schema": 1, "settings": {"seed": 0}, "records": [{}]}', "no `identity`"),
    ],
)
def test_invalid_baselines_are_usage_errors(capsys, tmp_path, content, match):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(BaselineError, match=match):
        load_report(path)
    code, _, err = run(
        capsys, "catalogue", "--select", "dtrX_dX", "--trials", "1", "--baseline", str(path)
    )
    assert code == 2 and match.split()[0] in err


def test_unreadable_baseline_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "catalogue", "--baseline", str(tmp_path / "missing.json"))
    assert code == 2 and "cannot read baseline" in err


def test_failing_catalogue_exits_1(capsys, tmp_path):
    module = tmp_path / "wrong.py"
    module.write_text(
        "import numpy as np\nfrom gradcheck import identity\n"
        "@identity(wrt='x', variables={'x': 'n'}, derivative=lambda x: 3 * x, source='test')\n"
        "def cubic_claim(x):\n    'wrong on purpose'\n    return np.sum(x * x, axis=-1)\n"
    )
    code, out, _ = run(capsys, "catalogue", "--module", str(module), "--trials", "2")
    assert code == 1 and "problem: cubic_claim" in out


def test_unknown_names_and_bad_options_exit_2(capsys):
    assert run(capsys, "catalogue", "--select", "no_such_thing")[0] == 2
    assert run(capsys, "catalogue", "--family", "trac")[0] == 2
    code, _, err = run(capsys, "show", "dxTAx_d")
    assert code == 2 and "dxTAx_dx" in err
    assert run(capsys, "catalogue", "--trials", "0")[0] == 2
    assert run(capsys, "catalogue", "--layout", "sideways")[0] == 2
    assert run(capsys)[0] == 2


def test_list_and_markdown(capsys, tmp_path):
    code, out, _ = run(capsys, "list", "--family", "seed_notes", "--wide")
    assert code == 0 and "seed_dAx_dx" in out and "project seed notes" in out
    target = tmp_path / "cat.md"
    assert main(["list", "--format", "markdown", "--output", str(target)]) == 0
    text = target.read_text()
    assert text.startswith("# The gradcheck identity catalogue") and "$$" in text


def test_committed_catalogue_document_is_current(tmp_path):
    target = tmp_path / "catalogue.md"
    assert main(["list", "--format", "markdown", "--output", str(target)]) == 0
    committed = (ROOT / "docs" / "catalogue.md").read_text()
    assert committed == target.read_text(), (
        "docs/catalogue.md is stale: run `gradcheck list --format markdown --output "
        "docs/catalogue.md`"
    )


def test_show_prints_the_card_and_a_fresh_check(capsys):
    code, out, _ = run(capsys, "show", "dtrWTAW_dW")
    assert code == 0 and "project seed notes" in out and "gradcheck PASSED" in out
    code, out, _ = run(capsys, "show", "w_trWTAW_sym_only")
    assert code == 0 and "pitfall (symmetric_only)" in out and "gradcheck FAILED" in out


def test_formula_command(capsys):
    code, out, _ = run(
        capsys,
        "formula",
        "x @ A @ x",
        "--claim",
        "(A + A.T) @ x",
        "--wrt",
        "x",
        "--shapes",
        "x=n A=n,n",
        "--trials",
        "3",
    )
    assert code == 0 and "all trials passed" in out
    code, out, _ = run(
        capsys,
        "formula",
        "x @ A @ x",
        "--claim",
        "2 * A @ x",
        "--wrt",
        "x",
        "--shapes",
        "x=n A=n,n",
        "--trials",
        "2",
    )
    assert code == 1 and "gradcheck FAILED" in out
    code, out, _ = run(
        capsys,
        "formula",
        "x @ A @ x",
        "--claim",
        "2 * A @ x",
        "--wrt",
        "x",
        "--shapes",
        "x=n A=n,n",
        "--constraint",
        "A=symmetric",
        "--trials",
        "2",
    )
    assert code == 0
    code, out, _ = run(
        capsys,
        "formula",
        "np.log(np.linalg.det(X))",
        "--claim",
        "np.linalg.inv(X).T",
        "--wrt",
        "X",
        "--shapes",
        "X=n,n",
        "--constraint",
        "X=spd",
        "--format",
        "json",
    )
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run(
        capsys,
        "formula",
        "c * x @ x",
        "--claim",
        "x @ x",
        "--wrt",
        "c",
        "--shapes",
        "c= x=n",
        "--layout",
        "auto",
    )
    assert code == 0


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('echo hi')",
        "x.__class__",
        "x.__class__.__bases__[0].__subclasses__()",
        "(lambda: 1)()",
        "[y for y in x]",
        "x ** 10 ** 10",
        "2 ** 1000",
        "open('/etc/passwd')",
        "getattr(x, 'T')",
        "np.load('file')",
        "np.linalg.__dict__",
        "x.reshape",
        "{'a': 1}",
        "x if x else x",
        "np.sin(*x)",
        "np.sum(x, out=x)",
        "'a' * 10",
        "globals()",
        "np.ones(10 ** 9)",
        "np.eye(100000)",
    ],
)
def test_safe_evaluator_rejects_hostile_input(expr, capsys):
    with pytest.raises(ExpressionError):
        compile_expression(expr, ["x"])
    code, _, err = run(capsys, "formula", expr, "--claim", "x", "--wrt", "x", "--shapes", "x=n")
    assert code == 2 and "expression" in err


def test_safe_evaluator_accepts_ordinary_formulas():
    import numpy as np

    f = compile_expression(
        "np.trace(W.T @ A @ W) + sum(softmax(W[:, 0])) - A[0, 0] ** 2", ["W", "A"]
    )
    W, A = np.ones((2, 2)), np.eye(2)
    assert np.isclose(f(W=W, A=A), np.trace(W.T @ A @ W) + 1 - 1)


def test_check_command_with_user_functions(capsys, tmp_path):
    module = tmp_path / "mycode.py"
    module.write_text(
        "import numpy as np\n"
        "def loss(w, X):\n    return np.sum((X @ w) ** 2)\n"
        "def grad(w, X):\n    return 2 * X.T @ X @ w\n"
        "def bad_grad(w, X):\n    return X.T @ X @ w\n"
    )
    code, out, _ = run(
        capsys,
        "check",
        f"{module}:loss",
        "--derivative",
        f"{module}:grad",
        "--shapes",
        "w=m X=n,m",
        "--wrt",
        "w",
    )
    assert code == 0 and "all trials passed" in out
    code, _, _ = run(
        capsys,
        "check",
        f"{module}:loss",
        "--derivative",
        f"{module}:bad_grad",
        "--shapes",
        "w=m X=n,m",
        "--wrt",
        "w",
    )
    assert code == 1
    code, _, err = run(
        capsys,
        "check",
        f"{module}:nothing",
        "--derivative",
        f"{module}:grad",
        "--shapes",
        "w=m X=n,m",
        "--wrt",
        "w",
    )
    assert code == 2 and "no 'nothing'" in err


def test_console_script_and_module_entry_point():
    for cmd in (["gradcheck"], [sys.executable, "-m", "gradcheck"]):
        done = subprocess.run(
            [*cmd, "catalogue", "--select", "dtrX_dX", "--trials", "1"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "1/1 identities passed" in done.stdout
    done = subprocess.run(
        ["gradcheck", "show", "nope"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "no identity named" in done.stderr


class _Terminal:
    """A text stream that says it is a terminal."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_only_on_a_terminal_and_only_for_long_runs():
    import io

    from gradcheck.cli import _progress

    assert _progress(io.StringIO()) is None
    quick = _Terminal()
    _progress(quick, after=60)(1, 2, "dxTAx_dx")
    assert quick.text == ""
    slow = _Terminal()
    report = _progress(slow, after=0)
    report(1, 2, "dxTAx_dx")
    report(2, 2, "dtrX_dX")
    assert "[   2/2] dtrX_dX" in slow.text and slow.text.endswith("\n")


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    import io

    from gradcheck import run_catalogue
    from gradcheck.cli import _catalogue_text, _use_colour

    report = run_catalogue(select="dtrX_dX", trials=1)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_colour(_Terminal()) and not _use_colour(io.StringIO())
    assert "\033[32m" in _catalogue_text(report, "simple", True)
    assert "\033[" not in _catalogue_text(report, "simple", False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _use_colour(_Terminal())


@pytest.mark.parametrize("command", ["formula", "check"])
def test_save_of_formula_and_check_is_checked_before_the_run(capsys, tmp_path, command):
    target = str(tmp_path / "no_such_dir" / "r.json")
    head = ["formula", "x @ x", "--claim", "2 * x", "--wrt", "x"]
    if command == "check":
        head = ["check", "no_such_module_for_gradcheck:f", "--derivative", "m:g"]
    code, out, err = run(capsys, *head, "--shapes", "x=n", "--save", target)
    assert code == 2 and "--save" in err and "not found" in err and out == ""


def test_formula_is_analysed_at_each_draws_shapes_before_anything_is_sampled(capsys, monkeypatch):
    import gradcheck.cli as cli

    sampled = []
    monkeypatch.setattr(cli, "sample", lambda *a: sampled.append(a) or np.zeros(a[2]))
    code, _, err = run(
        capsys,
        "formula",
        "sum(kron(kron(kron(A, A), kron(A, A)), A))",
        "--claim",
        "A",
        "--wrt",
        "A",
        "--shapes",
        "A=8,8",
    )
    assert code == 2 and sampled == []
    assert "the formula at shapes A=(8, 8)" in err and "max_elements" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["list", "--wide"], ["show", "dxTAx_dx"]])
def test_a_reader_that_goes_away_stops_the_command_quietly(argv):
    # `gradcheck show NAME | head`: the reader closes the pipe before the command writes
    proc = subprocess.Popen(
        [sys.executable, "-m", "gradcheck", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, stderr
    assert stderr == ""
