"""Plain-text and LaTeX renderings of parsed formulas (gradcheck/expressions/_render.py)."""

import pytest

from gradcheck.expressions import ExpressionError, parse_expression, render_latex, render_text

NAMES = ["x", "y", "t", "A", "B", "X"]
SHAPES = {"x": (3,), "y": (3,), "t": (), "A": (3, 3), "B": (3, 3), "X": (3, 3)}

CASES = [
    # source, plain text, LaTeX (with shapes)
    ("trace(X @ A)", "tr(X A)", r"\operatorname{tr}(X A)"),
    ("(A + A.T) @ x", "(A + A^T) x", r"(A + A^{\top}) x"),
    ("A.mT", "A^T", r"A^{\mathsf{T}}"),
    ("inv(X)", "X^-1", "X^{-1}"),
    ("inv(X).T", "X^-T", r"X^{-\top}"),
    ("inv(A + B)", "(A + B)^-1", "(A + B)^{-1}"),
    ("det(X) * inv(X).T", "det(X) X^-T", r"\det(X) X^{-\top}"),
    ("inv(X).T * det(X)", "X^-T * det(X)", r"X^{-\top} \cdot \det(X)"),
    ("2 * x", "2 x", "2 x"),
    ("x * y", "x o y", r"x \odot y"),
    ("t * A", "t A", "t A"),
    ("x / t", "x / t", r"\frac{x}{t}"),
    ("x ** 2", "x.^2", r"x^{\circ 2}"),
    ("t ** 0.5", "t^(0.5)", "t^{0.5}"),
    ("norm(x)", "||x||", r"\lVert x \rVert"),
    ("norm(x, 1)", "norm(x, ord=1)", r"\operatorname{norm}(x; ord=1)"),
    ("abs(t)", "|t|", r"\lvert t \rvert"),
    ("sqrt(t)", "sqrt(t)", r"\sqrt{t}"),
    ("log(det(X))", "log(det(X))", r"\log(\det(X))"),
    ("slogdet(X)[1]", "slogdet(X)[1]", r"\operatorname{slogdet}(X)_{[1]}"),
    ("x[0]", "x[0]", "x_{[0]}"),
    ("X[0, 1:]", "X[0, 1:]", "X_{[0, 1:]}"),
    ("x - (y - x)", "x - (y - x)", "x - (y - x)"),
    ("(x - y) - x", "x - y - x", "x - y - x"),
    ("A @ (B @ X)", "A (B X)", "A (B X)"),
    ("-(x + y)", "-(x + y)", "-(x + y)"),
    ("t <= 1", "t <= 1", r"t \le 1"),
    ("sum(A, axis=0)", "sum(A, axis=0)", r"\operatorname{sum}(A; axis=0)"),
    ("matrix_power(X, 3)", "matrix_power(X, n=3)", r"\operatorname{matrix\_power}(X; n=3)"),
]


@pytest.mark.parametrize(("source", "text", "latex"), CASES)
def test_renderings(source, text, latex):
    expression = parse_expression(source, NAMES)
    assert render_text(expression, SHAPES) == text
    assert render_latex(expression, SHAPES) == latex


def test_without_shapes_only_constants_and_scalar_reductions_are_scalars():
    e = parse_expression("t * A + norm(x) * A + 2 * A", NAMES)
    assert render_latex(e) == r"t \odot A + \lVert x \rVert A + 2 A"


def test_distinct_trees_render_to_distinct_latex():
    sources = [s for s, _, _ in CASES] + ["x - y - x", "A @ B @ X", "(A @ B) @ X", "A @ B"]
    trees, latex = {}, {}
    for source in sources:
        tree = parse_expression(source, NAMES).root
        rendered = render_latex(parse_expression(source, NAMES), SHAPES)
        if rendered in latex:
            assert latex[rendered] == tree, (source, rendered)
        latex[rendered] = tree
        trees[source] = tree


def test_a_non_expression_is_refused():
    with pytest.raises(ExpressionError, match="parsed expression"):
        render_text("x + y")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("(G.T * H) @ X", "(G^T o H) X"),  # not G^T o H X, which reads as G^T o (H X)
        ("G.T * (H @ X)", "G^T o (H X)"),
        ("(A @ B) * C", "(A B) o C"),
        ("A @ (B * C)", "A (B o C)"),
        ("2 * a * b", "2 a o b"),
        ("A @ B @ C", "A B C"),
    ],
)
def test_matrix_and_elementwise_products_never_meet_unbracketed(source, text):
    names = ["G", "H", "X", "A", "B", "C", "a", "b"]
    shapes = {n: (2,) if n.islower() else (2, 2) for n in names}
    assert render_text(parse_expression(source, names), shapes) == text
