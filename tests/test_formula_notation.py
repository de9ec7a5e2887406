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
