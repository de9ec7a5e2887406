"""Complex variables in the expression language and in ``gradcheck formula --complex``:
conj, real, imag, abs and the conjugate transpose (``.H``, ``^H``), their values against numpy,
their rendering, the layout text of a conjugate transpose, and the command line run as a user
runs it (exit 0 / 1 / 2, one line on a usage error, the convention in the JSON report)."""

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcheck import strategies as gst
from gradcheck.catalogue.layout_text import transposed_claim
from gradcheck.errors import GradcheckError
from gradcheck.expressions import (
    CompiledExpression,
    compile_expression,
    parse_expression,
    render_latex,
    render_text,
)
from gradcheck.expressions._notation import to_python
from tests.cli_run import gradcheck_cli

# Each formula and what numpy computes for it (z, w: complex vectors; A: a complex matrix).
FORMULAS = {
    "conj(z)": lambda z, w, A: np.conj(z),
    "np.conjugate(z) + w": lambda z, w, A: np.conj(z) + w,
    "real(z) * imag(w)": lambda z, w, A: z.real * w.imag,
    "abs(z)**2": lambda z, w, A: np.abs(z) ** 2,
    "z.H @ A @ w": lambda z, w, A: np.conj(z) @ A @ w,
    "A.H @ z": lambda z, w, A: A.conj().T @ z,
    "real(z.H @ z)": lambda z, w, A: np.real(np.vdot(z, z)),
    "imag(trace(A.H @ A))": lambda z, w, A: np.imag(np.trace(A.conj().T @ A)),
}


@pytest.mark.parametrize("source", sorted(FORMULAS))
@given(data=st.data())
def test_complex_formulas_evaluate_like_numpy_batched_and_at_one_point(source, data):
    n = data.draw(gst.dims(1, 5), label="n")
    z = data.draw(gst.arrays((n,), "complex", name="z"))
    w = data.draw(gst.arrays((n,), "complex", name="w"))
    A = data.draw(gst.arrays((n, n), "complex", name="A"))
    expected = FORMULAS[source](z, w, A)
    f = compile_expression(source, ["z", "w", "A"])
    np.testing.assert_allclose(f(z=z, w=w, A=A), expected, rtol=1e-12, atol=1e-12)
    batched = compile_expression(
        source, ["z", "w", "A"], shapes={"z": (n,), "w": (n,), "A": (n, n)}
    )
    stack = batched(z=np.stack([z, 2 * z]), w=w, A=A)
    np.testing.assert_allclose(stack[1], FORMULAS[source](2 * z, w, A), rtol=1e-12, atol=1e-12)


def test_the_conjugate_transpose_reverses_every_axis_and_conjugates():
    T3 = np.arange(24).reshape(2, 3, 4) * (1 + 2j)
    f = compile_expression("T.H", ["T"])
    np.testing.assert_array_equal(f(T=T3), np.conj(np.transpose(T3)))


@pytest.mark.parametrize(
    ("typed", "python"),
    [("z^H A z", "z.H A z"), ("z^{H} @ w", "z.H @ w"), ("zᴴ @ z", "z.H @ z"), ("X^T", "X.T")],
)
def test_notation_reads_the_conjugate_transpose(typed, python):
    assert to_python(typed) == python


def test_a_power_named_like_h_is_not_a_conjugate_transpose():
    assert to_python("x^Hx") == "x**Hx"  # an exponent named Hx, refused by the parser later


def test_rendering_names_the_conjugate_transpose_and_the_conjugate():
    e = parse_expression("real(conj(z) @ A.H @ w)", ["z", "A", "w"])
    shapes = {"z": (3,), "A": (3, 3), "w": (3,)}
    assert render_text(e, shapes) == "Re(conj(z) A^H w)"
    assert render_latex(e, shapes) == r"\operatorname{Re}(\overline{z} A^{\mathsf{H}} w)"
    assert render_text(parse_expression("imag(z)", ["z"]), {"z": (3,)}) == "Im(z)"


def test_the_other_layouts_text_transposes_a_conjugate_transpose_into_a_conjugate():
    # (A^H B^H)^T = B^H^T A^H^T = conj(B) conj(A): checked by value, not by text alone
    claim = parse_expression("A.H @ B.H", ["A", "B"])
    shapes = {"A": (2, 3), "B": (3, 2)}
    transposed = transposed_claim(claim, shapes)
    assert render_text(transposed, shapes) == "conj(B) conj(A)"
    rng = np.random.default_rng(4)
    A = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    B = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    np.testing.assert_allclose(
        CompiledExpression(transposed)(A=A, B=B), (A.conj().T @ B.conj().T).T, rtol=1e-14
    )


def test_other_attributes_are_still_refused_and_name_the_allowed_ones():
    with pytest.raises(GradcheckError, match=r"`.T`, `.mT` and `.H`"):
        parse_expression("z.real", ["z"])


# ---------------------------------------------------------------------------------------------
# the command line (a fresh interpreter, as a user runs it)


def formula(tmp_path, *argv):
    return gradcheck_cli("formula", *argv, "--trials", "3", cwd=tmp_path)


# f = z^H A z with A Hermitian: f = sum_ij conj(z_i) A_ij z_j, so d f/d conj(z_i) = (A z)_i:
# the conjugate Wirtinger derivative is A z, the complex gradient 2 A z (a factor 2 off)
@pytest.mark.parametrize(
    ("convention", "code", "shown"),
    [
        ("conjugate_wirtinger", 0, "all trials passed"),
        ("complex_gradient", 1, "diagnosis: wirtinger_factor"),
        ("wirtinger", 1, "diagnosis: conjugate"),
    ],
)
def test_one_claim_passes_in_its_convention_and_fails_in_others(tmp_path, convention, code, shown):
    done = formula(
        tmp_path, "real(z^H @ A @ z)", "--claim", "A @ z", "--wrt", "z",
        "--shapes", "z=n A=n,n", "--complex", "z", "--constraint", "A=hermitian",
        "--convention", convention,
    )  # fmt: skip
    assert done.returncode == code, done.stdout + done.stderr
    assert shown in done.stdout


# f = conj(z) z^2 elementwise: d f/dz = 2 z conj(z), but d f/d conj(z) = z^2 != 0, so f has no
# complex derivative f'(z): the Wirtinger claim passes, the same claim as holomorphic does not
@pytest.mark.parametrize(
    ("convention", "code", "shown"),
    [("holomorphic", 1, "diagnosis: not_holomorphic"), ("wirtinger", 0, "all trials passed")],
)
def test_a_holomorphic_claim_for_a_zbar_dependent_formula_is_diagnosed(
    tmp_path, convention, code, shown
):
    done = formula(
        tmp_path, "conj(z) * z**2", "--claim", "diag(2 * z * conj(z))", "--wrt", "z",
        "--shapes", "z=n", "--complex", "z", "--layout", "numerator", "--convention",
        convention,
    )  # fmt: skip
    assert done.returncode == code, done.stdout + done.stderr
    assert shown in done.stdout


def test_a_holomorphic_elementwise_function_passes(tmp_path):
    done = formula(
        tmp_path, "exp(z)", "--claim", "diag(exp(z))", "--wrt", "z", "--shapes", "z=n",
        "--complex", "z", "--layout", "numerator", "--convention", "holomorphic",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_json_records_the_convention_and_what_auto_found(tmp_path):
    # f = ||z||^2: d/d conj(z) = z, so the claim 2 z is the complex gradient (and PyTorch's)
    done = formula(
        tmp_path, "real(z.H @ z)", "--claim", "2 * z", "--wrt", "z", "--shapes", "z=n",
        "--complex", "z", "--convention", "auto", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["options"]["convention"] == "auto" and data["options"]["complex"] == ["z"]
    assert data["options"]["constraints"] == {"z": "complex"}
    for record in data["records"]:
        assert "complex_gradient" in record["satisfied_conventions"]
        assert "conjugate_wirtinger" not in record["satisfied_conventions"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sum(abs(z)**2)", "--claim", "z", "--wrt", "z", "--shapes", "z=n", "--complex", "z"],
         "give the claim's --convention"),
        (["x @ x", "--claim", "2 * x", "--wrt", "x", "--shapes", "x=n", "--convention",
          "wirtinger"], "--convention is for a complex --wrt"),
        (["sum(z)", "--claim", "z", "--wrt", "z", "--shapes", "z=n", "--complex", "w",
          "--convention", "wirtinger"], "--complex names 'w'"),
        (["trace(Z)", "--claim", "Z", "--wrt", "Z", "--shapes", "Z=n,n", "--complex", "Z",
          "--constraint", "Z=spd", "--convention", "holomorphic"], "use a complex one"),
        (["real(z.H @ z)", "--claim", "eye_like(outer(z, z))", "--wrt", "z", "--shapes",
          "z=n", "--complex", "z", "--convention", "wirtinger", "--order", "2"],
         "--order 2 checks Hessians of real variables"),
        (["--latex", r"\frac{\partial x^T x}{\partial x} = 2x", "--complex", "x"],
         "--latex reads real statements"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_with_one_line(tmp_path, argv, message):
    done = gradcheck_cli("formula", *argv, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_convention_is_a_usage_error(tmp_path):
    done = gradcheck_cli(
        "formula", "sum(z)", "--claim", "z", "--wrt", "z", "--shapes", "z=n", "--complex",
        "z", "--convention", "wirtingr", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "wirtinger" in done.stderr and "conjugate_wirtinger" in done.stderr


def test_help_lists_the_complex_options_and_constraints(tmp_path):
    done = gradcheck_cli("formula", "--help", cwd=tmp_path)
    text = " ".join(done.stdout.split())
    assert done.returncode == 0
    for word in ("--complex", "--convention", "hermitian", "hpd", "unitary", "z^H", "conj(z)"):
        assert word in text, word
