"""The LaTeX front-end: notation, typing by typography and unification, the kinds of
statements, and hostile input refused as unparsed at a bounded cost."""

import json
import subprocess
import sys

import numpy as np
import pytest

from gradcheck.expressions import CompiledExpression, Expression
from gradcheck.latex import LatexError, check_latex
from gradcheck.latex._syntax import parse_relation
from gradcheck.latex._tokens import tokenize
from gradcheck.latex._typing import Lowering, typings

QUADRATIC = r"\frac{\partial \mathbf{x}^T A \mathbf{x}}{\partial \mathbf{x}} = "


@pytest.mark.parametrize(
    "spelling",
    [
        "x^T",
        "x^{T}",
        r"x^\top",
        r"x^{\top}",
        r"x^{\mathsf T}",
        r"x^{\mathsf{T}}",
        r"x^\mathsf{T}",
        r"x^\mathrm{T}",
        "x'",
        "x^H",
    ],
)
def test_every_transpose_spelling_is_the_same_tree(spelling):
    assert parse_relation(spelling + " y") == parse_relation("x^Ty")


@pytest.mark.parametrize("bold", [r"\mathbf", r"\boldsymbol", r"\bm", r"\textbf"])
def test_bold_lowercase_is_a_vector_and_bold_groups_span_symbols(bold):
    (typing,) = typings(parse_relation(bold + "{x^TAx} = 1"), {}, ("numerator",))
    assert typing.kinds == {"A": "matrix", "x": "vector"}


@pytest.mark.parametrize(
    "name", [r"\operatorname{tr}", r"\mathrm{tr}", r"\text{tr}", "tr", r"\operatorname{Tr}"]
)
def test_trace_spellings(name):
    assert check_latex(name + r"(A^TB) = " + name + "(B^TA)").verdict == "passed"


def test_plain_lowercase_is_tried_as_scalar_and_vector_and_the_typing_is_reported():
    outcome = check_latex(r"\frac{\partial a x}{\partial x} = a")
    # x a vector and a a scalar gives a I, not a: the reading that holds is reported
    assert outcome.verdict == "passed"
    assert "is a scalar" in outcome.diagnosis or outcome.shapes.count("scalar") >= 1


def test_dimensions_come_from_unification():
    sides = parse_relation(r"\operatorname{tr}(A X B) = \operatorname{tr}(B A X)")
    (typing,) = typings(sides, {}, ("numerator",))
    shapes = typing.concrete(0)
    a, x, b = shapes["A"], shapes["X"], shapes["B"]
    assert a[1] == x[0] and x[1] == b[0] and b[1] == a[0]
    assert len({a[0], x[0], b[0]}) == 3  # distinct sizes: transposes cannot hide


def test_no_consistent_typing_is_unparsed_with_the_conflict():
    outcome = check_latex(r"\mathbf{x}^T\mathbf{x} = \mathbf{M}")
    assert outcome.verdict == "unparsed"
    assert "no consistent shapes" in outcome.reason and "scalar and an array" in outcome.reason


def test_the_lowered_tree_evaluates_to_a_numpy_reference():
    sides = parse_relation(
        r"\mathbf{x}^T A \mathbf{x} + \|B\mathbf{x}\|^2 - \operatorname{tr}(A^{-1})"
    )
    (typing,) = typings(sides, {}, ("numerator",))
    low = Lowering(typing, 0)
    node = low.lower(sides[0])
    rng = np.random.default_rng(1)
    shapes = low.shapes
    x = rng.standard_normal(shapes["x"])
    A = rng.standard_normal(shapes["A"]) + 4 * np.eye(shapes["A"][0])
    B = rng.standard_normal(shapes["B"])
    value = CompiledExpression(Expression(node, tuple(shapes)))(x=x, A=A, B=B)
    reference = x @ A @ x + np.sum((B @ x) ** 2) - np.trace(np.linalg.inv(A))
    assert np.isclose(value, reference, rtol=1e-12)


def test_the_issue_example_fails_with_the_spurious_factor():
    outcome = check_latex(QUADRATIC + r"2\mathbf{x}^T(A + A^T)")
    assert (outcome.kind, outcome.verdict) == ("derivative", "failed")
    assert outcome.diagnosis.startswith("scale: the claim is 2 times the derivative")


def test_the_layout_is_evident_from_the_shape_written():
    assert check_latex(QUADRATIC + r"\mathbf{x}^T(A + A^T)").layouts == ("numerator",)
    assert check_latex(QUADRATIC + r"(A + A^T)\mathbf{x}").layouts == ("denominator",)
    assert (
        check_latex(QUADRATIC + r"(A + A^T)\mathbf{x}", stated_layout="numerator").verdict
        == "failed"
    )


def test_a_chain_checks_every_link():
    derivative = r"\frac{\partial \mathbf{x}^T\mathbf{x}}{\partial \mathbf{x}} = 2\mathbf{x}"
    good = check_latex(derivative + r" = \mathbf{x} + \mathbf{x}")
    bad = check_latex(derivative + r" = 3\mathbf{x}")
    assert good.verdict == "passed" and bad.verdict == "failed"


def test_differentials_are_checked_along_random_directions():
    assert check_latex(r"d(X^{-1}) = -X^{-1}\,dX\,X^{-1}").verdict == "passed"
    assert check_latex(r"d(X^{-1}) = -X^{-1}\,dX\,X^{-1}\,X").verdict == "failed"
    assert check_latex(r"d(XY) = dX\,Y + X\,dY").verdict == "passed"
    # the variables whose differential the right side writes vary, the others are constants
    assert check_latex(r"d(XY) = dX\,Y").verdict == "passed"
    assert check_latex(r"d(XY) = dX\,Y + dY\,X").verdict == "failed"


def test_rules_with_unspecified_functions():
    rule = r"\frac{\partial (\mathbf{u}^T\mathbf{v})}{\partial \mathbf{x}} = "
    du, dv = (rf"\frac{{\partial \mathbf{{{s}}}}}{{\partial \mathbf{{x}}}}" for s in "uv")
    right = rule + rf"\mathbf{{u}}^T{dv} + \mathbf{{v}}^T{du}"
    assert check_latex(right).kind == "rule"
    assert check_latex(right).verdict == "passed"
    assert check_latex(rule + rf"\mathbf{{v}}^T{du}").verdict == "failed"


def test_bars_around_a_matrix_that_change_the_verdict_are_reported_not_guessed():
    # d ln det X / dX = X^{-T} (denominator), but d ln ||X||_F / dX = X / ||X||_F^2
    outcome = check_latex(r"\frac{\partial \ln|X|}{\partial X} = X^{-T}")
    assert outcome.verdict == "inconclusive"
    assert "ambiguous notation: |X| of a matrix changes the verdict" in outcome.diagnosis
    assert "read as the determinant: passed" in outcome.diagnosis
    assert "read as the Frobenius norm: failed" in outcome.diagnosis
    norm = check_latex(r"\frac{\partial \|X\|^2}{\partial X} = 2X")
    assert norm.verdict == "inconclusive" and "Frobenius norm: passed" in norm.diagnosis


def test_bars_read_one_way_by_the_document_or_when_both_readings_agree():
    stated = r"\frac{\partial \ln|X|}{\partial X} = X^{-T}"
    assert check_latex(stated, bars="det").verdict == "passed"
    assert check_latex(stated, bars="norm").verdict == "failed"
    # tr(X) = tr(X^T) whatever |X| means: the same verdict, with the ambiguity noted
    same = check_latex(r"|X| + \operatorname{tr}(X) = |X| + \operatorname{tr}(X^T)")
    assert same.verdict == "passed" and "the same read either way" in same.diagnosis
    # bars around a vector are its length, not ambiguous
    vector = check_latex(r"|\mathbf{x}|^2 = \mathbf{x}^T\mathbf{x}")
    assert vector.verdict == "passed" and "ambiguous" not in vector.diagnosis


@pytest.mark.parametrize(
    "command", ["def", "input", "include", "newcommand", "csname", "catcode", "write"]
)
def test_commands_that_define_or_read_are_refused_by_the_tokenizer(command):
    with pytest.raises(LatexError, match="never run"):
        tokenize("\\" + command + "{x} = 1")


HOSTILE = [
    "(" * 5000 + "x" + ")" * 5000 + " = x",
    "{" * 3000 + "x" + "}" * 3000 + " = x",
    r"\frac{" * 500 + "x" + "}{y}" * 500 + " = 1",
    "x^{" + "9" * 3000 + "} = 1",
    "x" * 3990 + " = 1",
    r"\def\a{\a\a}\a = 1",
    "x^{99} = x^{-99}",
    "A" * 200 + " = " + "B" * 200,
    r"\left(" * 300 + "x" + r"\right)" * 300 + "= x",
    "".join(rf"\sum_{{{c}}}" for c in "abcdefghijklmnopqrstuvwxyz") + " x_a = 1",
    r" \otimes ".join("ABCDEFGHIJKLMNOPQRST") + " = " + r" \otimes ".join("ABCDEFGHIJKLMNOPQRST"),
    r"\frac{\partial \operatorname{vec}(" + "X" * 60 + r")}{\partial \operatorname{vec} X} = I",
]


def test_hostile_latex_is_unparsed_at_a_bounded_cost(tmp_path):
    path = tmp_path / "hostile.md"
    path.write_text("\n\n".join(f"$${h}$$" for h in HOSTILE), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "gradcheck", "notes", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,  # a bound on the cost, not a timing assertion
    )
    assert run.returncode in (0, 1), run.stderr
    records = json.loads(run.stdout)["records"]
    assert len(records) == len(HOSTILE)
    verdicts = [r["verdict"] for r in records]
    assert verdicts[:6] == ["unparsed"] * 6
    assert verdicts[-3:-1] == ["unparsed"] * 2  # too many indices; a Kronecker too large
    assert all(r["reason"] for r in records if r["verdict"] == "unparsed")


# -- index sums -----------------------------------------------------------------------------


def _evaluate(latex: str, values: dict) -> float:
    """The first side of `latex` lowered under its (single) typing, at `values`; the sizes of
    the typing's first trial must be those of `values`."""
    sides = parse_relation(latex)
    (typing,) = typings(sides, {}, ("numerator",))
    low = Lowering(typing, 0)
    wanted = {k: np.shape(v) for k, v in values.items()}
    assert {k: tuple(v) for k, v in low.shapes.items()} == wanted
    return float(CompiledExpression(Expression(low.lower(sides[0]), tuple(low.shapes)))(**values))


def test_an_index_sum_is_the_numpy_sum_of_its_terms():
    sides = parse_relation(r"\sum_{i,j} x_i A_{ij} y_j = 0")
    (typing,) = typings(sides, {}, ("numerator",))
    shapes = typing.concrete(0)
    rng = np.random.default_rng(7)
    values = {name: rng.standard_normal(shape) for name, shape in shapes.items()}
    x, A, y = values["x"], values["A"], values["y"]
    reference = sum(x[i] * A[i, j] * y[j] for i in range(len(x)) for j in range(len(y)))
    assert np.isclose(_evaluate(r"\sum_{i,j} x_i A_{ij} y_j = 0", values), reference)


@pytest.mark.parametrize(
    ("latex", "reference"),
    [
        (r"\sum_i A_{ii} = 0", lambda A: np.trace(A)),
        (r"\sum_{i,j} A_{ji} = 0", lambda A: A.sum()),
        (r"\sum_i \sum_j \exp(A_{ij}) = 0", lambda A: np.exp(A).sum()),
        (r"\sum_{i,j} 2 = 0", None),  # no array has the axes: refused below
    ],
)
def test_sums_over_one_matrix(latex, reference):
    A = np.arange(9.0).reshape(3, 3) / 10 + np.eye(3)
    if reference is None:
        assert check_latex(latex).verdict == "unparsed"
        return
    sides = parse_relation(latex)
    (typing,) = typings(sides, {}, ("numerator",))
    low = Lowering(typing, 0)
    low.shapes["A"] = (3, 3)
    value = CompiledExpression(Expression(low.lower(sides[0]), ("A",)))(A=A)
    assert np.isclose(value, reference(A))


def test_a_three_index_sum_is_a_trace_of_three_factors():
    assert check_latex(r"\operatorname{tr}(ABC) = \sum_{i,j,k} A_{ij}B_{jk}C_{ki}").verdict == (
        "passed"
    )
    assert check_latex(r"\operatorname{tr}(ABC) = \sum_{i,j,k} A_{ij}B_{jk}C_{ik}").verdict == (
        "failed"
    )


def test_a_sum_to_a_written_number_runs_over_that_many_entries():
    # before: unparsed ("the upper limit must be a dimension's name")
    held = check_latex(r"\sum_{i=1}^{4} x_i^2 = \mathbf{x}^T \mathbf{x}")
    assert (held.verdict, held.shapes) == ("passed", "x=4")
    assert check_latex(r"\sum_{i=1}^{3} x_i = 1").verdict == "failed"


def test_ones_and_identity_sized_by_a_written_number():
    # before: \mathbf{1}_3 was unparsed ("must be a dimension's name")
    ones = check_latex(r"\mathbf{1}_3^T \mathbf{x} = \sum_i x_i")
    assert (ones.verdict, ones.shapes) == ("passed", "x=3")
    eye = check_latex(r"\operatorname{tr}(I_4 X) = \operatorname{tr}(X)")
    assert (eye.verdict, eye.shapes) == ("passed", "X=4x4")
    # a size of 2.5 entries was read as a dimension's name and drawn
    half = check_latex(r"\operatorname{tr}(I_{2.5} X) = \operatorname{tr}(X)")
    assert half.verdict == "unparsed" and "whole number" in half.reason
    clash = check_latex(r"\mathbf{1}_3^T I_4 \mathbf{x} = \sum_i x_i")
    assert clash.verdict == "unparsed" and "the sizes 3 and 4" in clash.reason


@pytest.mark.parametrize(
    ("latex", "reason"),
    [
        (r"\frac{\partial \sum_i a_i x_i}{\partial x_j} = a_j", "free index j"),
        (r"\sum_i a_i x_i = x_j", "free index j"),
        (r"\sum_{i=1}^{m+1} x_i = 1", "upper limit must be a dimension's name or a whole number"),
        (r"\sum_{i=1}^{3} x_i = x_1 + x_2 + x_3", "an entry written with a number is not read"),
        (r"\sum_{i=0}^{n} x_i = 1", "must start at 1"),
        (r"\sum_i i\,x_i = 1", "the index i used as a value"),
        (r"\sum_i x_i \mathbf{a} = \mathbf{a}", "terms of a sum"),
        (r"\sum_{i,j,k,l} A_{ij}B_{kl} = 1", "more than 3 indices"),
        (r"\sum x = 1", "needs its index"),
    ],
)
def test_sums_that_are_not_read_are_unparsed_with_the_reason(latex, reason):
    outcome = check_latex(latex)
    assert outcome.verdict == "unparsed"
    assert reason in outcome.reason


def test_a_derivative_of_a_sum():
    squares = check_latex(r"\frac{\partial}{\partial \mathbf{x}} \sum_i x_i^2 = 2\mathbf{x}")
    assert (squares.verdict, squares.layouts) == ("passed", ("denominator",))
    cubes = check_latex(r"\frac{\partial \sum_i x_i^3}{\partial \mathbf{x}} = 2\mathbf{x}")
    assert cubes.verdict == "failed"


# -- vec and Kronecker products ---------------------------------------------------------------


def test_vec_is_column_major():
    sides = parse_relation(r"\operatorname{vec}(X)")
    (typing,) = typings(sides, {}, ("numerator",))
    low = Lowering(typing, 0)
    X = np.arange(12.0).reshape(low.shapes["X"])
    value = CompiledExpression(Expression(low.lower(sides[0]), ("X",)))(X=X)
    np.testing.assert_array_equal(np.ravel(value), X.T.ravel())  # the columns stacked


VEC = r"\frac{\partial \operatorname{vec}(AXB)}{\partial \operatorname{vec}(X)^T} = "


def test_kronecker_forms_of_vec_derivatives():
    # vec(A X B) = (B^T kron A) vec X (Magnus & Neudecker): the numerator-layout Jacobian
    good = check_latex(VEC + r"B^T \otimes A")
    assert (good.verdict, good.layouts) == ("passed", ("numerator",))
    dims = dict(item.split("=") for item in good.shapes.split())
    assert dims["X"] == f"{dims['A'].split('x')[1]}x{dims['B'].split('x')[0]}"
    # the vec of the p x q matrix AXB has q major, p minor, as the rows of B^T kron A: nothing
    # forces p = q
    assert dims["A"].split("x")[0] != dims["B"].split("x")[1]
    assert check_latex(VEC + r"A \otimes B^T").verdict == "failed"
    assert check_latex(VEC + r"B \otimes A").verdict == "failed"
    # without the transpose both layouts are tried; the transposed Kronecker is the other one
    plain = r"\frac{\partial \operatorname{vec}(AXB)}{\partial \operatorname{vec}X} = B \otimes A^T"
    assert check_latex(plain).layouts == ("denominator",)


def test_matrix_by_vector_and_by_scalar_use_the_vec_layout():
    outer = r"\frac{\partial \mathbf{x}\mathbf{x}^T}{\partial \mathbf{x}} = "
    assert check_latex(outer + r"\mathbf{x} \otimes I + I \otimes \mathbf{x}").verdict == "passed"
    assert check_latex(outer + r"2\,\mathbf{x} \otimes I").verdict == "failed"
    assert check_latex(r"\frac{\partial (tA)}{\partial t} = A").layouts == ("numerator",)
    assert check_latex(r"\frac{\partial (tA)}{\partial t} = A^T").layouts == ("denominator",)
    itself = r"\frac{\partial \operatorname{vec}X}{\partial (\operatorname{vec}X)^T} = I"
    assert check_latex(itself).verdict == "passed"


def test_a_matrix_by_a_matrix_without_vec_is_unparsed_with_the_way_to_write_it():
    outcome = check_latex(r"\frac{\partial X^2}{\partial X} = 2X")
    assert outcome.verdict == "unparsed" and "write it by vec" in outcome.reason


def test_kronecker_shapes_are_unified():
    outcome = check_latex(r"(A \otimes B)^T = A^T \otimes B^T")
    assert outcome.verdict == "passed"
    assert check_latex(r"(A \otimes B)(C \otimes D) = AC \otimes BD").verdict == "passed"
    assert check_latex(r"(A \otimes B)(C \otimes D) = AD \otimes BC").verdict == "failed"


# -- chains ---------------------------------------------------------------------------------


def test_every_link_of_a_chain_is_checked_and_the_first_broken_one_named():
    chain = r"\|\mathbf{x}\|^2 = \mathbf{x}^T\mathbf{x} = \sum_i x_i = \sum_i x_i^2"
    outcome = check_latex(chain)  # first and last agree; links 2 and 3 do not
    assert outcome.verdict == "failed" and outcome.broken_link == 2
    assert outcome.diagnosis.startswith("link 2 of 3 (side 2 = side 3) breaks first")
    good = check_latex(r"\|\mathbf{x}\|^2 = \mathbf{x}^T\mathbf{x} = \sum_i x_i^2")
    assert (good.verdict, good.broken_link) == ("passed", None)


def test_two_derivatives_in_a_chain_are_equal_when_the_functions_differ_by_a_constant():
    d = r"\frac{\partial}{\partial \mathbf{x}}"
    xx = r"\mathbf{x}^T\mathbf{x}"
    same = check_latex(f"{d}({xx} + 1) = {d}{xx} = 2\\mathbf{{x}}")
    assert same.verdict == "passed"
    other = check_latex(f"{d}({xx}) = {d}(2{xx}) = 2\\mathbf{{x}}")
    assert (other.verdict, other.broken_link) == ("failed", 1)
    assert "differ by more than a constant" in other.diagnosis


def test_the_vector_of_ones_is_sized_by_its_context():
    assert check_latex(r"\mathbf{1}^T\mathbf{x} = \sum_i x_i").verdict == "passed"
    assert check_latex(r"\mathbf{1}^TX\mathbf{1} = \sum_{i,j} X_{ij}").verdict == "passed"
    assert check_latex(r"\mathbf{1}^TX\mathbf{1} = \sum_{i,j} X_{ji}^2").verdict == "failed"
    alone = check_latex(r"\mathbf{1}\mathbf{1}^T\mathbf{x} = (\mathbf{1}^T\mathbf{x})\mathbf{1}")
    assert alone.verdict == "unparsed" and "size of I, 0 or 1 is not fixed" in alone.reason


def test_logarithms_of_entries_are_checked_at_positive_points():
    # standard normal draws would put NaN on some sides (log of a negative entry)
    assert check_latex(r"\exp(\log(\mathbf{x})) = \mathbf{x}").verdict == "passed"
    gradient = r"\frac{\partial \sum_i \log x_i}{\partial \mathbf{x}} = \mathbf{x}^{\circ -1}"
    assert check_latex(gradient).verdict == "passed"
    assert check_latex(r"\sqrt{X} \odot \sqrt{X} = X").verdict == "passed"


def test_when_one_reading_of_bars_cannot_be_checked_the_other_decides():
    from gradcheck.latex._check import Outcome, _either_reading

    det = Outcome("identity", "unparsed", reason="a matrix is singular at every draw")
    norm = Outcome("identity", "failed", diagnosis="the sides differ")
    out = _either_reading(det, [("|X|", "det")], norm)
    assert out.verdict == "failed"
    assert out.diagnosis == (
        "the sides differ; |X| read as the Frobenius norm "
        "(the determinant: a matrix is singular at every draw)"
    )


@pytest.mark.parametrize(
    ("latex", "verdict"),
    [
        (r"\frac{\partial \operatorname{relu}(x)}{\partial x} = \operatorname{step}(x)", "passed"),
        (r"\frac{\partial \operatorname{ReLU}(x)}{\partial x} = \operatorname{relu}(x)", "failed"),
        (r"\nabla_x \sum_i \operatorname{relu}(x_i) = \operatorname{step}(x)", "passed"),
        (r"\frac{d \operatorname{softplus}(t)}{dt} = \operatorname{sigmoid}(t)", "passed"),
        (r"\frac{d \operatorname{softplus}(t)}{dt} = \operatorname{sigmoid}(-t)", "failed"),
        (r"\frac{\partial \sigma(x)}{\partial x} = \sigma(x)(1-\sigma(x))", "passed"),
        (r"\sigma(-x) = 1 - \sigma(x)", "passed"),
        (r"\sigma(-x) = \sigma(x)", "failed"),
        (r"\nabla_w \log \sigma(w^T x) = (1 - \sigma(w^T x)) x", "passed"),
        (r"\nabla_w \log \sigma(w^T x) = \sigma(w^T x) x", "failed"),
    ],
)
def test_the_functions_of_machine_learning_notes_are_read(latex, verdict):
    # before: unparsed, "unknown function relu" (softplus, sigma, step alike)
    assert check_latex(latex).verdict == verdict


def test_sigma_applied_reads_as_the_sigmoid_and_says_so():
    result = check_latex(r"\frac{\partial \sigma(x)}{\partial x} = \sigma(x)(1-\sigma(x))")
    assert "logistic sigmoid" in result.diagnosis
    mixed = check_latex(r"\sigma(x) = 1 + \sigma")  # sigma both applied and a symbol
    assert mixed.verdict == "unparsed" and "a symbol of its own" in mixed.reason
    assert check_latex(r"\sigma^2 x = x \sigma^2").verdict == "passed"  # a symbol, as before


@pytest.mark.parametrize("name", ["sign", "sgn", "erf", "Heaviside"])
def test_other_function_names_stay_unparsed(name):
    result = check_latex(rf"\frac{{\partial |x|}}{{\partial x}} = \operatorname{{{name}}}(x)")
    assert result.verdict == "unparsed" and f"unknown function {name}" in result.reason
