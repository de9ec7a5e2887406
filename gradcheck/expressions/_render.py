"""Rendering a parsed formula for people: as plain text and as canonical LaTeX.

Both renderers walk the typed syntax tree, so a formula is written once (in the expression
language) and shown in two notations. Plain text follows the catalogue's conventions
(``A^T``, ``X^-1``, ``tr(X A)``, ``||x||``, ``a o b`` for an elementwise product) and is meant
for reading. LaTeX is canonical: each construct has exactly one rendering and different trees
render differently, so that a LaTeX reader can map it back to the same tree:

==========================  ===========================  ==================================
tree                        plain text                   LaTeX
==========================  ===========================  ==================================
``A @ B``                   ``A B``                      ``A B``
``2 * X`` (a scalar factor) ``2 X``                      ``2 X``
``a * b`` (arrays)          ``a o b``                    ``a \\odot b``
``a / b``                   ``a / b``                    ``\\frac{a}{b}``
``x ** 2``                  ``x^2`` (``X.^2`` arrays)    ``x^{2}`` (``X^{\\circ 2}`` arrays)
``X.T``, ``X.mT``           ``X^T``                      ``X^{\\top}``, ``X^{\\mathsf{T}}``
``X.H``, ``conj(X)``        ``X^H``, ``conj(X)``         ``X^{\\mathsf{H}}``, ``\\overline{X}``
``real(z)``, ``imag(z)``    ``Re(z)``, ``Im(z)``         ``\\operatorname{Re}(z)``, ...
``inv(X)``, ``inv(X).T``    ``X^-1``, ``X^-T``           ``X^{-1}``, ``X^{-\\top}``
``trace(X)``, ``det(X)``    ``tr(X)``, ``det(X)``        ``\\operatorname{tr}(X)``, ``\\det(X)``
``A + I``, ``eye_like(A)``  ``A + I``, ``I``             ``A + I``, ``I``
``norm(x)``                 ``||x||``                    ``\\lVert x \\rVert``
``abs(x)``, ``sqrt(x)``     ``|x|``, ``sqrt(x)``         ``\\lvert x \\rvert``, ``\\sqrt{x}``
``f(x, k=1)`` (any other)   ``f(x, k=1)``                ``\\operatorname{f}(x; k=1)``
``x[0, 1:]``                ``x[0, 1:]``                 ``x_{[0, 1:]}``
==========================  ===========================  ==================================

Whether a factor is a scalar is known from the tree for constants and, when `shapes` are
given, from static shape inference for everything else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._functions import FUNCTIONS, REQUIRED
from ._infer import analyse
from ._nodes import (
    BinaryOp,
    Call,
    Constant,
    Expression,
    ExpressionError,
    Index,
    Node,
    Power,
    Slice,
    Transpose,
    UnaryOp,
    Variable,
)

__all__ = ["render_latex", "render_text"]

# Binding strength: a child binding weaker than its parent's operator gets parentheses.
_COMPARE, _ADD, _MUL, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5, 6
_STRENGTH = {"+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL, "//": _MUL, "%": _MUL, "@": _MUL}

#: Functions with a conventional LaTeX name; any other is ``\operatorname{name}``.
_LATEX_NAMES = {
    "trace": r"\operatorname{tr}",
    "det": r"\det",
    "log": r"\log",
    "exp": r"\exp",
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "arcsin": r"\arcsin",
    "arccos": r"\arccos",
    "arctan": r"\arctan",
    "real": r"\operatorname{Re}",
    "imag": r"\operatorname{Im}",
}
_TEXT_NAMES = {"trace": "tr", "real": "Re", "imag": "Im"}
_SCALAR_RESULT = {"norm", "det", "trace", "logdet", "vdot", "sum", "prod", "mean"}
_TIMES = {False: "*", True: r"\cdot"}
_HADAMARD = {False: "o", True: r"\odot"}
_LATEX_COMPARE = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge", "==": "=", "!=": r"\ne"}


def render_text(
    expression: Expression | Node, shapes: Mapping[str, Sequence[int]] | None = None
) -> str:
    """The formula in plain text, as people write it (``(A + A^T) x``).

    Parameters
    ----------
    expression : Expression or Node
        A parsed formula.
    shapes : mapping of str to tuple of int, optional
        Shapes of the variables at one point; given, a product with a scalar factor is written
        as juxtaposition (``t A``) and other elementwise products as ``a o b``.

    Returns
    -------
    str

    Examples
    --------
    >>> from gradcheck.expressions import parse_expression
    >>> render_text(parse_expression("trace(X @ A) + x @ inv(X).T @ x", ["X", "A", "x"]))
    'tr(X A) + x X^-T x'
    """
    return _Renderer(expression, shapes, latex=False).render()


def render_latex(
    expression: Expression | Node, shapes: Mapping[str, Sequence[int]] | None = None
) -> str:
    r"""The formula in canonical LaTeX (one rendering per tree; see the module's table).

    Parameters
    ----------
    expression : Expression or Node
        A parsed formula.
    shapes : mapping of str to tuple of int, optional
        Shapes of the variables at one point; given, a product with a scalar factor is written
        as juxtaposition and other elementwise products with ``\odot``.

    Returns
    -------
    str

    Examples
    --------
    >>> from gradcheck.expressions import parse_expression
    >>> render_latex(parse_expression("trace(X @ A) / det(X)", ["X", "A"]))
    '\\frac{\\operatorname{tr}(X A)}{\\det(X)}'
    >>> render_latex(parse_expression("(A + A.T) @ x", ["A", "x"]))
    '(A + A^{\\top}) x'
    """
    return _Renderer(expression, shapes, latex=True).render()


class _Renderer:
    def __init__(
        self,
        expression: Expression | Node,
        shapes: Mapping[str, Sequence[int]] | None,
        *,
        latex: bool,
    ) -> None:
        if isinstance(expression, Expression):
            self.root = expression.root
        elif isinstance(expression, Node):
            self.root = expression
        else:
            raise ExpressionError(
                f"render a parsed expression (an Expression); got {expression!r}."
            )
        self.latex = latex
        self.scalar: dict[int, bool] = {}
        if shapes is not None:
            analysis = analyse(expression, shapes)
            for node, shape in zip(analysis.nodes, analysis.shapes, strict=True):
                self.scalar[id(node)] = shape == ()

    def render(self) -> str:
        return self.node(self.root)[0]

    def is_scalar(self, node: Node) -> bool:
        if isinstance(node, Constant):
            return True
        if isinstance(node, UnaryOp):
            return self.is_scalar(node.operand)
        if id(node) in self.scalar:
            return self.scalar[id(node)]
        # without shapes: the reductions that return a scalar whatever their operand's shape
        return isinstance(node, Call) and node.function in _SCALAR_RESULT and _defaults(node)

    def wrap(self, node: Node, strength: int) -> str:
        """`node` rendered, in parentheses when it binds weaker than `strength`."""
        text, own = self.node(node)
        if own < strength:
            return r"\left(" + text + r"\right)" if self.latex and "frac" in text else f"({text})"
        return text

    def node(self, node: Node) -> tuple[str, int]:
        """The rendering of `node` and how strongly it binds."""
        if isinstance(node, Variable):
            return node.name, _ATOM
        if isinstance(node, Constant):
            return _number(node.value), _ATOM if node.value >= 0 else _UNARY
        if isinstance(node, UnaryOp):
            return node.op + self.wrap(node.operand, _UNARY), _UNARY
        if isinstance(node, BinaryOp):
            return self.binary(node)
        if isinstance(node, Power):
            return self.power(node)
        if isinstance(node, Transpose):
            return self.transpose(node)
        if isinstance(node, Index):
            items = ", ".join(_item(i) for i in node.items)
            base = self.wrap(node.operand, _ATOM)
            return (f"{base}_{{[{items}]}}" if self.latex else f"{base}[{items}]"), _POWER
        if isinstance(node, Call):
            return self.call(node)
        raise ExpressionError(f"cannot render the node {node!r}.")

    def binary(self, node: BinaryOp) -> tuple[str, int]:
        op = node.op
        if op in _LATEX_COMPARE:
            sym = _LATEX_COMPARE[op] if self.latex else op
            left, right = self.wrap(node.left, _ADD), self.wrap(node.right, _ADD)
            return f"{left} {sym} {right}", _COMPARE
        if op == "/" and self.latex:
            numerator, denominator = self.node(node.left)[0], self.node(node.right)[0]
            return r"\frac{" + numerator + "}{" + denominator + "}", _ATOM
        strength = _STRENGTH[op]
        # operators group to the left (as in the parser): a right operand of equal strength
        # keeps its parentheses, so that a - (b - c) and A (B C) keep their trees; a matrix
        # product and an elementwise one never meet unbracketed (G^T o H X reads as G^T o (H X))
        left = self.wrap(node.left, strength + self.mixes(node, node.left))
        right = self.wrap(node.right, strength + 1)
        if op == "@" or (op == "*" and (self.is_scalar(node.left) or self.is_scalar(node.right))):
            if op == "*" and not self.is_scalar(node.left):  # array times scalar: A \cdot t
                return f"{left} {_TIMES[self.latex]} {right}", strength
            return f"{left} {right}", strength
        if op == "*":
            return f"{left} {_HADAMARD[self.latex]} {right}", strength
        if op == "//" and self.latex:
            return rf"\left\lfloor {left} / {right} \right\rfloor", _ATOM
        if op == "%" and self.latex:
            return rf"{left} \bmod {right}", strength
        return f"{left} {op} {right}", strength

    def is_hadamard(self, node: Node) -> bool:
        return (
            isinstance(node, BinaryOp)
            and node.op == "*"
            and not (self.is_scalar(node.left) or self.is_scalar(node.right))
        )

    def mixes(self, node: BinaryOp, operand: Node) -> bool:
        """Whether `operand` and `node` are one a matrix product, the other elementwise."""
        if not isinstance(operand, BinaryOp):
            return False
        return (node.op == "@" and self.is_hadamard(operand)) or (
            operand.op == "@" and self.is_hadamard(node)
        )

    def power(self, node: Power) -> tuple[str, int]:
        base = self.wrap(node.base, _ATOM)
        exponent = _number(node.exponent)
        elementwise = not self.is_scalar(node.base)
        if self.latex:
            return base + "^{" + (r"\circ " if elementwise else "") + exponent + "}", _POWER
        return base + (".^" if elementwise else "^") + _paren_number(exponent), _POWER

    def transpose(self, node: Transpose) -> tuple[str, int]:
        inner = node.operand
        if isinstance(inner, Call) and inner.function == "inv" and not node.last_two:
            base = self.wrap(inner.args[0], _ATOM)
            return base + (r"^{-\top}" if self.latex else "^-T"), _POWER
        base = self.wrap(inner, _ATOM)
        if node.conjugate:
            return base + (r"^{\mathsf{H}}" if self.latex else "^H"), _POWER
        if self.latex:
            return base + (r"^{\mathsf{T}}" if node.last_two else r"^{\top}"), _POWER
        return base + "^T", _POWER

    def call(self, node: Call) -> tuple[str, int]:
        name, args = node.function, node.args
        defaults = _defaults(node)
        if name == "eye_like":  # the identity, sized from an operand (``A + I``)
            return "I", _ATOM
        if name == "inv":
            base = self.wrap(args[0], _ATOM)
            return base + ("^{-1}" if self.latex else "^-1"), _POWER
        if defaults and node.output is None:
            if name == "norm":
                inner = self.node(args[0])[0]
                return (rf"\lVert {inner} \rVert" if self.latex else f"||{inner}||"), _ATOM
            if name == "abs":
                inner = self.node(args[0])[0]
                return (rf"\lvert {inner} \rvert" if self.latex else f"|{inner}|"), _ATOM
            if name == "conj" and self.latex:
                return r"\overline{" + self.node(args[0])[0] + "}", _ATOM
            if name == "sqrt" and self.latex:
                return r"\sqrt{" + self.node(args[0])[0] + "}", _ATOM
        parts = [self.node(a)[0] for a in args]
        options = [
            f"{key}={_option(value)}"
            for (key, value), default in zip(node.options, _option_defaults(node), strict=True)
            if value != default
        ]
        output = "" if node.output is None else f"[{node.output}]"
        if self.latex:
            head = _LATEX_NAMES.get(name, r"\operatorname{" + name.replace("_", r"\_") + "}")
            inside = ", ".join(parts) + ("; " + ", ".join(options) if options else "")
            return f"{head}({inside})" + (f"_{{{output}}}" if output else ""), _ATOM
        head = _TEXT_NAMES.get(name, name)
        return f"{head}({', '.join(parts + options)}){output}", _ATOM


def _option_defaults(node: Call) -> list[Any]:
    params = {p.name: p.default for p in FUNCTIONS[node.function].params}
    return [params.get(key, REQUIRED) for key, _ in node.options]


def _defaults(node: Call) -> bool:
    """Whether every option of the call has its default value."""
    return all(
        value == default
        for (_, value), default in zip(node.options, _option_defaults(node), strict=True)
    )


def _number(value: Any) -> str:
    if isinstance(value, int):  # bool included
        return str(value)
    return repr(float(value))


def _paren_number(text: str) -> str:
    return text if text.lstrip("-").isdigit() else f"({text})"


def _option(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _item(item: Any) -> str:
    if item is None:
        return "None"
    if item is Ellipsis:
        return "..."
    if isinstance(item, Slice):
        parts = ["" if p is None else str(p) for p in (item.start, item.stop, item.step)]
        return ":".join(parts if item.step is not None else parts[:2])
    if isinstance(item, tuple):
        return "[" + ", ".join(map(str, item)) + "]"
    return str(item)
