"""The CLI and the code it runs for the user: what that code does must not change the CLI's
promises (stdout holds only the report; exit 0, 1 or 2 with one line; a claim may begin
with a minus sign). Each case failed before its fix (adversarial review)."""

import json

import pytest
from cli_run import gradcheck_cli

MODULE = """
import sys
import numpy as np

def f(x):
    print("debug: evaluating f")
    return np.sum(np.sin(x), axis=-1)

def df(x):
    return np.cos(x)

def quits(x):
    sys.exit(5)
"""


@pytest.fixture
def user_module(tmp_path):
    (tmp_path / "user_functions.py").write_text(MODULE)
    (tmp_path / "quits_on_import.py").write_text("import sys\nsys.exit(3)\n")
    return tmp_path


def test_what_f_prints_goes_to_stderr_and_the_json_parses(user_module):
    run = gradcheck_cli(
        "check",
        "user_functions:f",
        "--derivative",
        "user_functions:df",
        "--shapes",
        "x=n",
        "--format",
        "json",
        cwd=user_module,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["schema"] == 1
    assert "debug: evaluating f" in run.stderr


@pytest.mark.parametrize(
    ("function", "raised"),
    [("user_functions:quits", "SystemExit: 5"), ("quits_on_import:f", "SystemExit: 3")],
)
def test_sys_exit_in_user_code_is_a_one_line_usage_error(user_module, function, raised):
    run = gradcheck_cli(
        "check", function, "--derivative", "user_functions:df", "--shapes", "x=n", cwd=user_module
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and raised in run.stderr, run.stderr


def test_a_claim_may_begin_with_a_minus_sign(tmp_path):
    run = gradcheck_cli(
        "formula",
        "sum(x) / c",
        "--claim",
        "-sum(x)/c**2",
        "--wrt",
        "c",
        "--shapes",
        "c= x=n",
        "--trials",
        "2",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
