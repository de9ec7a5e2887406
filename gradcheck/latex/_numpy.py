"""The canonical LaTeX of :func:`gradcheck.expressions.render_latex`, read back with numpy's
semantics.

``render_latex`` writes a tree of the expression language, where a vector is a 1-D array
(``x A`` is ``x @ A``, a transpose of a vector changes nothing); this reader maps that LaTeX
back to a tree at known shapes, so that a formula can go to LaTeX and back
(``tests/test_latex_roundtrip.py``). Notes written by people are read by ``_typing`` instead,
where vectors are columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..expressions import (
    FUNCTIONS,
    BinaryOp,
    Expression,
    Node,
    Power,
    Transpose,
    Variable,
    infer_shape,
)
from ._check import split_sides
from ._syntax import (
    Apply,
    Deriv,
    Func,
    Identity,
    Post,
    Product,
    Sum,
    Sym,
    parse_relation,
)
from ._tokens import LatexError
from ._typing import Arithmetic, _call, signed_sum

__all__ = ["read_rendered", "read_rendered_expression"]

_NAMES = {
    "tr": "trace",
    "det": "det",
    "log": "log",
    "exp": "exp",
    "sin": "sin",
    "cos": "cos",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "sqrt": "sqrt",
    "norm": "norm",
    "normF": "norm",
    "abs": "abs",
    "diag": "diag",
}


def read_rendered(
    latex: str, shapes: Mapping[str, Sequence[int]]
) -> tuple[Expression, Expression, str]:
    r"""A rendered identity ``\frac{\partial F}{\partial x} = G`` read back: F, G and x.

    Parameters
    ----------
    latex : str
        LaTeX as :func:`gradcheck.expressions.render_latex` writes it.
    shapes : mapping of str to tuple of int
        The variables' shapes at one point (vectors 1-D).

    Returns
    -------
    tuple of (Expression, Expression, str)

    Raises
    ------
    LatexError
        For LaTeX outside what the renderer writes.

    Examples
    --------
    >>> from gradcheck.expressions import render_text
    >>> f, g, wrt = read_rendered(r"\frac{\partial x A x}{\partial x} = (A + A^{\top}) x",
    ...                           {"x": (3,), "A": (3, 3)})
    >>> render_text(f), render_text(g), wrt
    ('x A x', '(A + A^T) x', 'x')
    """
    names = frozenset(shapes)
    sides = [parse_relation(s, frozenset(FUNCTIONS), names)[0] for s in split_sides(latex)]
    if len(sides) != 2 or not isinstance(sides[0], Deriv):
        raise LatexError("expected one derivative statement \\frac{\\partial F}{\\partial x} = G")
    reader = _Reader({k: tuple(v) for k, v in shapes.items()})
    variables = tuple(shapes)
    f = Expression(reader.lower(sides[0].num), variables, latex)
    g = Expression(reader.lower(sides[1]), variables, latex)
    return f, g, sides[0].wrt.name


def read_rendered_expression(latex: str, shapes: Mapping[str, Sequence[int]]) -> Expression:
    r"""A formula rendered by :func:`gradcheck.expressions.render_latex`, read back.

    Parameters
    ----------
    latex : str
        The rendered formula (no ``=``).
    shapes : mapping of str to tuple of int
        The variables' shapes at one point (vectors 1-D).

    Returns
    -------
    Expression

    Examples
    --------
    >>> from gradcheck.expressions import render_text
    >>> render_text(read_rendered_expression(r"\operatorname{tr}(X^{\top} A X)",
    ...                                       {"X": (3, 2), "A": (3, 3)}))
    'tr(X^T A X)'
    """
    names = frozenset(shapes)
    (node,) = parse_relation(latex, frozenset(FUNCTIONS), names)
    reader = _Reader({k: tuple(v) for k, v in shapes.items()})
    return Expression(reader.lower(node), tuple(shapes), latex)


class _Reader(Arithmetic):
    def __init__(self, shapes: dict[str, tuple[int, ...]]) -> None:
        self.shapes = shapes

    def scalar(self, node: Node) -> bool:
        return infer_shape(node, self.shapes) == ()

    def lower(self, node: object, other: Node | None = None) -> Node:
        if isinstance(node, Sym):
            if node.name not in self.shapes:
                raise LatexError(f"`{node.name}` is not a variable of the formula")
            return Variable(node.name)
        if isinstance(node, Identity):
            if other is None or node.value == 0:
                raise LatexError("I without an operand to size it")
            return _call("eye_like", other)
        done = self.arithmetic(node)
        if done is not None:
            return done
        if isinstance(node, Func) and node.name in _NAMES:
            return _call(_NAMES[node.name], self.lower(node.arg))
        if isinstance(node, Apply) and node.name in FUNCTIONS:
            return _call(node.name, *(self.lower(a) for a in node.args), **dict(node.options))
        raise LatexError(f"{type(node).__name__} is not written by render_latex")

    def sum(self, node: Sum) -> Node:
        plain = [t for _, t in node.terms if not isinstance(t, Identity)]
        anchor = self.lower(plain[0]) if plain else None
        return signed_sum([(sign, self.lower(term, anchor)) for sign, term in node.terms])

    def product(self, node: Product) -> Node:
        if isinstance(node.left, Identity):
            return self.lower(node.right)
        if isinstance(node.right, Identity):
            return self.lower(node.left)
        left, right = self.lower(node.left), self.lower(node.right)
        if node.op == "odot":
            return BinaryOp("*", left, right)
        if node.op == "kron":
            return _call("kron", left, right)
        scalar = self.scalar(left) or self.scalar(right)
        return BinaryOp("*" if scalar else "@", left, right)

    def post(self, node: Post) -> Node:
        base = self.lower(node.base)
        if node.kind == "T":
            return Transpose(base)
        if node.kind == "-1":
            return Power(base, -1) if self.scalar(base) else _call("inv", base)
        if node.kind == "-T":
            return Transpose(_call("inv", base))
        power = int(node.power) if float(node.power).is_integer() else node.power
        if node.kind == "hadamard_pow" or self.scalar(base):
            return Power(base, power)
        return _call("matrix_power", base, n=power)
