"""The other layout's formula of a catalogue entry, derived from the claim's expression tree.

The numerator and denominator layouts of a derivative differ by a transpose of the whole array
(all axes reversed, see :mod:`gradcheck.engine.layouts`): for the 2-D derivatives of the
catalogue (a vector by a vector, a scalar by a matrix, a matrix by a scalar, the vec forms)
the other layout's formula is the claim's formula transposed; for 0-D and 1-D ones (scalar by
scalar, scalar by vector, vector by scalar) the two layouts hold the same array. The transpose
is pushed through the claim's tree with the algebra of real matrices, not written around it:

========================================  ==========================================
stated (2-D)                              transposed
========================================  ==========================================
``A @ B``                                 ``B^T @ A^T``
``A + B``, ``A o B``, ``c A``, ``-A``     ``A^T + B^T``, ``A^T o B^T``, ``c A^T``, ``-A^T``
``A^T``                                   ``A``
``inv(A)``, ``expm(A)``, ``A.^p``, ...    ``inv(A^T)``, ``expm(A^T)``, ``(A^T).^p``, ...
``tanh(A)`` (any elementwise function)    ``tanh(A^T)``
``outer(a, b)``, ``kron(A, B)``           ``outer(b, a)``, ``kron(A^T, B^T)``
``x[None, :]``, ``A + b`` (b a row)       ``x[:, None]``, ``A^T + b[:, None]``
a symmetric operand                       itself
========================================  ==========================================

Symmetric operands are known from the variables' constraints (``symmetric``, ``spd``,
``distinct_eigs``, ``diagonal``) and from the forms that are symmetric whatever the variables
(``A + A^T``, ``X^T X``, ``X S X^T`` with S symmetric, ``sym(X)``, ``diag(v)``, ``I``,
``outer(a, a)``, and functions of symmetric matrices). Anything else is written ``(...)^T``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..expressions import (
    BinaryOp,
    Call,
    Constant,
    Expression,
    Index,
    Node,
    Power,
    Slice,
    Transpose,
    UnaryOp,
    Variable,
    analyse,
)

__all__ = ["SYMMETRIC_CONSTRAINTS", "transposed_claim"]

#: Constraints whose every draw is a symmetric matrix (see :data:`gradcheck.CONSTRAINTS`).
SYMMETRIC_CONSTRAINTS = frozenset({"symmetric", "spd", "distinct_eigs", "diagonal"})

_ELEMENTWISE = frozenset(
    {
        "abs",
        "arccos",
        "arcsin",
        "arctan",
        "conj",
        "cos",
        "cosh",
        "exp",
        "expm1",
        "imag",
        "log",
        "log10",
        "log1p",
        "log2",
        "real",
        "sigmoid",
        "sign",
        "sin",
        "sinh",
        "sqrt",
        "square",
        "tan",
        "tanh",
    }
)
#: Matrix functions f with f(A)^T = f(A^T).
_COMMUTING = frozenset({"inv", "pinv", "expm", "logm", "sqrtm", "matrix_power"})
#: Functions of the shape of their first argument only.
_LIKE = frozenset({"zeros_like", "ones_like"})
_ELEMENTWISE_OPERATORS = frozenset({"+", "-", "*", "/"})


def transposed_claim(
    claim: Expression,
    shapes: Mapping[str, Sequence[int]],
    symmetric: Sequence[str] = (),
) -> Expression:
    """The claim's formula with its value transposed (all axes reversed), simplified.

    Parameters
    ----------
    claim : Expression
        The derivative's formula.
    shapes : mapping of str to tuple of int
        The variables' shapes at one point (only the numbers of axes matter).
    symmetric : sequence of str
        The variables known to be symmetric matrices.

    Returns
    -------
    Expression
        A formula whose value is ``numpy.transpose`` of the claim's value (the same array for
        a claim of fewer than two axes).

    Examples
    --------
    >>> from gradcheck.expressions import parse_expression, render_text
    >>> claim = parse_expression("A.T @ B.T + outer(a, b)", ["A", "B", "a", "b"])
    >>> shapes = {"A": (2, 3), "B": (3, 2), "a": (3,), "b": (3,)}
    >>> render_text(transposed_claim(claim, shapes), shapes)
    'B A + outer(b, a)'
    """
    analysis = analyse(claim, shapes)
    ndim = {id(n): len(s) for n, s in zip(analysis.nodes, analysis.shapes, strict=True)}
    root = _Transposer(ndim, frozenset(symmetric)).transpose(claim.root)
    return Expression(root=root, variables=claim.variables, source=None)


def _is_transpose_of(node: Node, other: Node) -> bool:
    return isinstance(node, Transpose) and node.operand == other


def _conjugated(node: Transpose) -> Node:
    """The transpose of a transpose `node`: its operand, conjugated for a conjugate transpose
    (``(X^H)^T = conj(X)``)."""
    if node.conjugate:
        return Call("conj", (node.operand,))
    return node.operand


def _full_slice(item: object) -> bool:
    return item is Ellipsis or item == Slice()


class _Transposer:
    """Transposes of subtrees of one analysed claim (`ndim`: axes of each node, by id)."""

    def __init__(self, ndim: Mapping[int, int], symmetric: frozenset[str]) -> None:
        self.ndim = ndim
        self.symmetric_variables = symmetric

    def rank(self, node: Node) -> int:
        return self.ndim.get(id(node), 0 if isinstance(node, Constant) else -1)

    def transpose(self, node: Node) -> Node:
        """A node whose value is the transpose of `node`'s."""
        rank = self.rank(node)
        if 0 <= rank < 2 or self.is_symmetric(node):
            return node
        if rank != 2:  # three or more axes: only a transpose cancels
            if isinstance(node, Transpose) and not node.last_two:
                return _conjugated(node)
            return Transpose(node)
        return self.matrix(node)

    def matrix(self, node: Node) -> Node:
        """The transpose of a 2-D `node`."""
        if isinstance(node, Transpose):
            return _conjugated(node)
        if isinstance(node, UnaryOp):
            return UnaryOp(node.op, self.transpose(node.operand))
        if isinstance(node, Power):
            return Power(self.transpose(node.base), node.exponent)
        if isinstance(node, BinaryOp):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Index):
            return self.index(node)
        return Transpose(node)

    def binary(self, node: BinaryOp) -> Node:
        left, right = self.rank(node.left), self.rank(node.right)
        if node.op == "@" and left == right == 2:
            return self.product(node)
        if node.op in _ELEMENTWISE_OPERATORS and left in (0, 1, 2) and right in (0, 1, 2):
            return BinaryOp(node.op, self.broadcast(node.left), self.broadcast(node.right))
        return Transpose(node)

    def product(self, node: BinaryOp) -> Node:
        """``(c A B ... Z)^T = c Z^T ... B^T A^T``: the chain's factors transposed in reverse
        order, its scalar factors and signs in front."""
        sign, scalars, factors = False, [], []
        for factor in self.factors(node):
            while True:
                if isinstance(factor, UnaryOp) and factor.op == "-":
                    sign, factor = not sign, factor.operand
                elif self.scaled(factor):
                    left_scalar = self.rank(factor.left) == 0
                    scalars.append(factor.left if left_scalar else factor.right)
                    factor = factor.right if left_scalar else factor.left
                else:
                    break
            factors.append(factor)
        if sign and scalars:  # -2 A rather than -(2 A)
            first = scalars[0]
            negative = isinstance(first, Constant) and type(first.value) is not bool
            scalars[0] = Constant(-first.value) if negative else UnaryOp("-", first)
            sign = False
        out = self.transpose(factors[-1])
        for scalar in reversed(scalars):
            out = BinaryOp("*", scalar, out)
        out = UnaryOp("-", out) if sign else out
        for factor in reversed(factors[:-1]):
            out = BinaryOp("@", out, self.transpose(factor))
        return out

    def scaled(self, node: Node) -> bool:
        """Whether `node` is a matrix times a scalar."""
        return (
            isinstance(node, BinaryOp)
            and node.op == "*"
            and self.rank(node) == 2
            and 0 in (self.rank(node.left), self.rank(node.right))
        )

    def factors(self, node: Node) -> list[Node]:
        """The factors of a chain of 2-D matrix products."""
        if isinstance(node, BinaryOp) and node.op == "@" and self.rank(node) == 2:
            if self.rank(node.left) == self.rank(node.right) == 2:
                return self.factors(node.left) + self.factors(node.right)
        return [node]

    def broadcast(self, node: Node) -> Node:
        """The transpose of `node` broadcast to a matrix: a 1-D operand (a row) as a column."""
        if self.rank(node) == 1:
            return Index(node, (Slice(), None))
        return self.transpose(node)

    def call(self, node: Call) -> Node:
        name, args = node.function, node.args
        if name in _ELEMENTWISE and len(args) == 1:
            return Call(name, (self.transpose(args[0]),), node.options, node.output)
        if name in _COMMUTING or name in _LIKE:
            inner = self.transpose(args[0])
            if name in _COMMUTING and _is_transpose_of(inner, args[0]):
                return Transpose(node)  # inv(X)^T reads better than inv(X^T): X^-T
            return Call(name, (inner, *args[1:]), node.options, node.output)
        if name == "outer":
            return Call(name, (args[1], args[0]), node.options, node.output)
        if name == "kron" and all(self.rank(a) == 2 for a in args):
            return Call(name, tuple(self.transpose(a) for a in args), node.options, node.output)
        return Transpose(node)

    def index(self, node: Index) -> Node:
        """``x[None, :]`` and ``x[:, None]`` of a vector x: the one for the other."""
        items = node.items
        if self.rank(node.operand) == 1 and len(items) == 2 and None in items:
            other = items[1] if items[0] is None else items[0]
            if _full_slice(other):
                return Index(node.operand, tuple(reversed(items)))
        return Transpose(node)

    def is_symmetric(self, node: Node) -> bool:
        """Whether `node` is a symmetric matrix whatever the values of the variables."""
        if isinstance(node, Variable):
            return node.name in self.symmetric_variables
        if isinstance(node, (UnaryOp, Power)):
            return self.is_symmetric(node.children()[0])
        if isinstance(node, BinaryOp):
            return self.symmetric_binary(node)
        if isinstance(node, Call):
            return self.symmetric_call(node)
        return False

    def symmetric_or_scalar(self, node: Node) -> bool:
        return self.rank(node) == 0 or self.is_symmetric(node)

    def symmetric_binary(self, node: BinaryOp) -> bool:
        left, right = node.left, node.right
        if node.op == "@":
            if _is_transpose_of(left, right) or _is_transpose_of(right, left):
                return True  # X^T X, X X^T
            inner = left if isinstance(left, BinaryOp) and left.op == "@" else None
            return inner is not None and (  # P S P^T, P^T S P with S symmetric
                (_is_transpose_of(right, inner.left) or _is_transpose_of(inner.left, right))
                and self.is_symmetric(inner.right)
            )
        if node.op == "+" and (_is_transpose_of(left, right) or _is_transpose_of(right, left)):
            return True  # A + A^T
        if node.op in _ELEMENTWISE_OPERATORS:
            both = self.symmetric_or_scalar(left) and self.symmetric_or_scalar(right)
            return both and self.rank(node) == 2
        return False

    def symmetric_call(self, node: Call) -> bool:
        name, args = node.function, node.args
        if name in ("eye_like", "sym"):
            return True
        if name == "diag":
            return self.rank(args[0]) == 1 and node.option("k") == 0
        if name == "outer":
            return args[0] == args[1]
        if name in _ELEMENTWISE or name in _COMMUTING:
            return self.is_symmetric(args[0])
        return False
