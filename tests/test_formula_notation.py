"""Mathematical spellings in formulas: transposes, powers, and a hint for missing products."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcheck.expressions import ExpressionError, compile_expression, parse_expression

TRANSPOSES = ["'", "^T", "^{T}", "^\\top", "^{\\top}", "ᵀ", " ^ T"]


@given(
    spellings=st.lists(st.sampled_from(TRANSPOSES), min_size=3, max_size=3),
    parenthesised=st.booleans(),
)
def test_every_transpose_spelling_parses_to_the_same_tree(spellings, parenthesised):
    a, b, c = spellings
    inner = f"(A + A{b})" if parenthesised else f"A{b}"
    typed = f"x{a} @ {inner}{c} @ x"
    python = f"x.T @ {'(A + A.T)' if parenthesised else 'A.T'}.T @ x"
    names = ["x", "A"]
    assert parse_expression(typed, names).root == parse_expression(python, names).root


@pytest.mark.parametrize(
    ("typed", "python"),
    [
        ("sum(x^2)", "sum(x**2)"),
        ("sum(x^{3})", "sum(x**3)"),
        ("sum(x^{-1})", "sum(x**-1)"),
        ("sum(x ⊙ x)", "sum(x * x)"),
        # a quote that opens a string is not a transpose
        ("einsum('i,ij,j->', x, A, x)", "einsum('i,ij,j->', x, A, x)"),
        ("einsum('i,ij,j->', x', A', x)", "einsum('i,ij,j->', x.T, A.T, x)"),
    ],
)
def test_powers_products_and_strings(typed, python):
    names = ["x", "A"]
    assert parse_expression(typed, names).root == parse_expression(python, names).root


def test_a_transposed_quadratic_form_in_cookbook_spelling_evaluates():
    rng = np.random.default_rng(1)
    x, A = rng.standard_normal(3), rng.standard_normal((3, 3))
    f = compile_expression("x^T @ A' @ x", ["x", "A"])
    assert np.isclose(f(x=x, A=A), x @ A.T @ x)


@pytest.mark.parametrize("typed", ["x^T A x", "x' A x", "(A + A^T) x", "2 x"])
def test_operands_side_by_side_get_the_product_hint(typed):
    with pytest.raises(ExpressionError, match=r"@ \(matrix product\) or \* \(elementwise\)"):
        parse_expression(typed, ["x", "A"])


def test_other_syntax_errors_get_no_product_hint():
    with pytest.raises(ExpressionError) as info:
        parse_expression("x @ (A", ["x", "A"])
    assert "matrix product" not in str(info.value)


def test_the_cli_accepts_cookbook_transposes(capsys):
    from gradcheck.cli import main

    code = main(
        [
            "formula",
            "x^T @ A @ x",
            "--claim",
            "(A + A') @ x",
            "--wrt",
            "x",
            "--shapes",
            "x=n A=n,n",
            "--trials",
            "2",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "all trials passed" in out


def test_the_cli_hint_is_one_line_with_exit_2(capsys):
    from gradcheck.cli import main

    code = main(["formula", "x^T A x", "--claim", "x", "--wrt", "x", "--shapes", "x=n A=n,n"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "x.T @ A @ x" in err


# The identity I, sized from the other operand ---------------------------------------------

A3 = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, -1.0, 1.5]])
X3 = np.array([0.3, -1.2, 0.8])
B32 = np.arange(6.0).reshape(3, 2)
EYE = np.eye(3)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("A + I", A3 + EYE),
        ("I + A", A3 + EYE),
        ("A - 2 * I", A3 - 2 * EYE),
        ("A - I / 2", A3 - EYE / 2),
        ("-I + A", A3 - EYE),
        ("A * I", A3 * EYE),
        ("I @ x", X3),
        ("x @ I", X3),
        ("I @ B", B32),
        ("B @ I", B32),
        ("inv(A + I) @ x", np.linalg.solve(A3 + EYE, X3)),
        ("A @ (3 * I)", 3 * A3),
        ("eye_like(A)", EYE),
    ],
)
def test_the_identity_takes_its_size_from_the_other_operand(typed, expected):
    f = compile_expression(typed, ["A", "x", "B"])
    assert np.allclose(f(A=A3, x=X3, B=B32), expected)


def test_the_identity_is_batched_like_every_function():
    f = compile_expression("(A + I) @ x", ["A", "x"], shapes={"A": (3, 3), "x": (3,)})
    stacked = f(A=np.stack([A3, 2 * A3]), x=np.stack([X3, X3]))
    assert np.allclose(stacked, [(A3 + EYE) @ X3, (2 * A3 + EYE) @ X3])


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("kron(I, A)", "eye_like"),  # no operand to take a size from
        ("I", "eye_like"),
        ("2 * I", "eye_like"),
        ("I + I", "both are `I`"),
        ("x + I", "square matrix"),
        ("B + I", r"square matrix; got shape \(3, 2\)"),
        ("eye(3)", "the identity as `I`"),
    ],
)
def test_an_identity_without_a_size_is_refused_with_the_way_out(typed, match):
    with pytest.raises(ExpressionError, match=match):
        compile_expression(typed, ["A", "x", "B"])(A=A3, x=X3, B=B32)


def test_a_variable_named_I_stays_a_variable():
    f = compile_expression("I @ x", ["I", "x"])
    assert np.allclose(f(I=A3, x=X3), A3 @ X3)


def test_the_identity_renders_as_I():
    from gradcheck.expressions import render_latex, render_text

    tree = parse_expression("inv(A + 2 * I) @ x", ["A", "x"])
    assert render_text(tree) == "(A + 2 I)^-1 x"
    assert render_latex(tree) == "(A + 2 I)^{-1} x"


def test_a_formula_with_the_identity_is_checked_by_the_cli(capsys):
    from gradcheck.cli import main

    code = main(
        [
            "formula",
            "x^T @ (A + I) @ x",
            "--claim",
            "(A + A^T + 2 * I) @ x",
            "--wrt",
            "x",
            "--shapes",
            "x=n A=n,n",
            "--trials",
            "3",
        ]
    )
    assert code == 0 and "all trials passed" in capsys.readouterr().out
