"""The typed syntax tree of a formula: frozen records, independent of any surface syntax.

A parser (Python syntax today, LaTeX later) produces these nodes; shape inference and
evaluation consume them. Nothing here refers to Python's ``ast``: a transpose is a node, an
index holds constant items, a function call names an entry of the function table.

Every node may carry a `span`, the ``(start, end)`` character offsets of the text it was parsed
from, so that errors can name a column. The span is not part of a node's equality: two trees
that mean the same formula compare equal whatever text they came from.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from types import EllipsisType
from typing import Any, Literal

from ..errors import InvalidArgumentError

__all__ = [
    "BINARY_OPERATORS",
    "UNARY_OPERATORS",
    "BinaryOp",
    "Call",
    "Constant",
    "Expression",
    "ExpressionError",
    "Index",
    "IndexItem",
    "Node",
    "Power",
    "Slice",
    "Transpose",
    "UnaryOp",
    "Variable",
    "postorder",
]


class ExpressionError(InvalidArgumentError):
    """A formula uses something that is not allowed, has mismatched shapes or exceeds a budget.

    The message names the offending construct and, when it is known, its column.
    """


#: Unary operators: negation and unary plus.
UNARY_OPERATORS = ("-", "+")
#: Binary operators: arithmetic, matrix product and comparisons (``**`` is :class:`Power`).
BINARY_OPERATORS = ("+", "-", "*", "/", "//", "%", "@", "<", "<=", ">", ">=", "==", "!=")

Number = int | float | bool


@dataclass(frozen=True)
class Node:
    """Base class of the syntax tree.

    Attributes
    ----------
    span : tuple of two ints or None
        Start and end character offsets of the source text of the node (None when the node
        was built directly); not compared.
    """

    span: tuple[int, int] | None = field(default=None, compare=False, repr=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        """The operand nodes, in evaluation order."""
        return ()


@dataclass(frozen=True)
class Variable(Node):
    """A named input array, e.g. ``x``."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ExpressionError(f"a variable name must be an identifier; got {self.name!r}.")


@dataclass(frozen=True)
class Constant(Node):
    """A number (int, float or bool); a 0-d value that broadcasts."""

    value: Number

    def __post_init__(self) -> None:
        if type(self.value) not in (int, float, bool):
            raise ExpressionError(f"a constant must be an int, float or bool; got {self.value!r}.")


@dataclass(frozen=True)
class UnaryOp(Node):
    """``-operand`` or ``+operand``."""

    op: Literal["-", "+"]
    operand: Node

    def __post_init__(self) -> None:
        if self.op not in UNARY_OPERATORS:
            raise ExpressionError(f"unknown unary operator {self.op!r}; use one of '-', '+'.")

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class BinaryOp(Node):
    """``left op right``: elementwise arithmetic or comparison (broadcasting) or ``@``."""

    op: str
    left: Node
    right: Node

    def __post_init__(self) -> None:
        if self.op not in BINARY_OPERATORS:
            raise ExpressionError(
                f"unknown binary operator {self.op!r}; use one of {', '.join(BINARY_OPERATORS)}."
            )

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Power(Node):
    """``base ** exponent``, elementwise, with a constant exponent."""

    base: Node
    exponent: int | float

    def __post_init__(self) -> None:
        if type(self.exponent) not in (int, float):
            raise ExpressionError(
                f"an exponent must be a constant int or float; got {self.exponent!r}."
            )

    def children(self) -> tuple[Node, ...]:
        return (self.base,)


@dataclass(frozen=True)
class Transpose(Node):
    """All axes reversed (numpy ``x.T``: a matrix transpose, no change for a vector) or, with
    ``last_two=True``, the last two axes swapped (numpy ``x.mT``); with ``conjugate=True`` the
    conjugate transpose (``x.H``, ``x^H``: all axes reversed and every entry conjugated)."""

    operand: Node
    last_two: bool = False
    conjugate: bool = False

    def __post_init__(self) -> None:
        if self.conjugate and self.last_two:
            raise ExpressionError(
                "a conjugate transpose reverses all axes (`.H`), not the last two."
            )

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Slice:
    """A constant slice ``start:stop:step`` (None for an omitted part)."""

    start: int | None = None
    stop: int | None = None
    step: int | None = None

    def __post_init__(self) -> None:
        for part in (self.start, self.stop, self.step):
            if part is not None and type(part) is not int:
                raise ExpressionError(f"slice bounds must be integers or None; got {part!r}.")
        if self.step == 0:
            raise ExpressionError("a slice step cannot be zero.")


#: One item of an index: an integer, a :class:`Slice`, a tuple of integers (an integer list,
#: numpy's advanced indexing), None (a new axis of length 1) or ``...`` (all other axes).
IndexItem = int | Slice | tuple[int, ...] | None | EllipsisType


@dataclass(frozen=True)
class Index(Node):
    """``operand[items]`` with constant items (see :data:`IndexItem`), numpy semantics."""

    operand: Node
    items: tuple[IndexItem, ...]

    def __post_init__(self) -> None:
        for item in self.items:
            ok = (
                item is None
                or item is Ellipsis
                or type(item) is int
                or isinstance(item, Slice)
                or (isinstance(item, tuple) and all(type(i) is int for i in item))
            )
            if not ok:
                raise ExpressionError(f"{item!r} is not an index item (see IndexItem).")

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Call(Node):
    """A call of an entry of the function table.

    Attributes
    ----------
    function : str
        The canonical name of the entry (``"sum"``, ``"inv"``, ...), see ``FUNCTIONS``.
    args : tuple of Node
        The array arguments, in the order of the entry's parameters.
    options : tuple of (str, value) pairs
        The static arguments (axis, offsets, subscripts, ...), every declared option with its
        value, in the order of the entry's parameters.
    output : int or None
        For a function returning several arrays (``eigh``, ``slogdet``, ...), which one.
    """

    function: str
    args: tuple[Node, ...]
    options: tuple[tuple[str, Any], ...] = ()
    output: int | None = None

    def children(self) -> tuple[Node, ...]:
        return self.args

    def option(self, name: str) -> Any:
        """The value of the option `name` (KeyError if the call has none of that name)."""
        for key, value in self.options:
            if key == name:
                return value
        raise KeyError(name)


def postorder(root: Node, *, max_depth: int) -> list[tuple[Node, int]]:
    """The nodes of the tree under `root`, every node after its children, with their depths.

    Iterative, so a deep tree cannot exhaust Python's recursion limit; a tree deeper than
    `max_depth` raises :class:`ExpressionError`.

    Examples
    --------
    >>> tree = BinaryOp("+", Variable("x"), Constant(1))
    >>> [type(n).__name__ for n, _ in postorder(tree, max_depth=10)]
    ['Variable', 'Constant', 'BinaryOp']
    """
    out: list[tuple[Node, int]] = []
    stack: list[tuple[Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, expanded = stack.pop()
        if expanded:
            out.append((node, depth))
            continue
        if not isinstance(node, Node):
            raise ExpressionError(f"{node!r} is not an expression node.")
        if depth > max_depth:
            raise ExpressionError(
                f"the expression is nested more than {max_depth} levels deep "
                f"(Limits.max_depth); simplify it or split it into parts."
            )
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in reversed(node.children()))
    return out


def iter_variables(root: Node, *, max_depth: int) -> Iterator[str]:
    """The names of the variables used under `root` (each once, in order of appearance)."""
    seen: set[str] = set()
    for node, _ in postorder(root, max_depth=max_depth):
        if isinstance(node, Variable) and node.name not in seen:
            seen.add(node.name)
            yield node.name


@dataclass(frozen=True)
class Expression:
    """A parsed formula: its tree, the declared variable names and the source text.

    Attributes
    ----------
    root : Node
        The syntax tree.
    variables : tuple of str
        The names declared as variables when parsing (a formula need not use all of them).
    source : str or None
        The text the tree was parsed from (None for a tree built directly); errors quote it.
    """

    root: Node
    variables: tuple[str, ...]
    source: str | None = None

    @cached_property
    def used(self) -> tuple[str, ...]:
        """The variables the formula uses, in order of appearance."""
        return tuple(iter_variables(self.root, max_depth=sys.maxsize))


def _quoted(source: str) -> str:
    return repr(source if len(source) <= 80 else source[:77] + "...")


def error_at(source: str | None, span: tuple[int, int] | None, message: str) -> ExpressionError:
    """An :class:`ExpressionError` whose message quotes `source` and names the column (and
    line, for a source of several lines) where `span` starts."""
    if source is None:
        return ExpressionError(f"expression: {message}.")
    if span is None:
        return ExpressionError(f"expression {_quoted(source)}: {message}.")
    before = source[: span[0]]
    line = before.count("\n") + 1
    column = span[0] - (before.rfind("\n") + 1) + 1
    where = f"column {column}" if "\n" not in source else f"line {line}, column {column}"
    return ExpressionError(f"expression {_quoted(source)}, {where}: {message}.")


def segment(source: str | None, node: Node) -> str:
    """The source text of `node` in backticks (or its kind, when unknown)."""
    if source is None or node.span is None:
        return f"`{type(node).__name__}`"
    text = source[node.span[0] : node.span[1]]
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"
