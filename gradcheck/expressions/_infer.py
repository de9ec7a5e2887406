"""Static shape inference and budgets: the shape of every node, from the variables' shapes,
without evaluating anything.

Each node's shape comes from its table entry's rule; the largest array, the total estimated
work and the depth are checked against :class:`Limits` on the way, so a formula over budget is
refused before numpy allocates anything.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ._functions import FUNCTIONS, OPERATORS, REQUIRED, Function
from ._limits import DEFAULT_LIMITS, Limits
from ._nodes import (
    BinaryOp,
    Call,
    Constant,
    Expression,
    ExpressionError,
    Index,
    Node,
    Power,
    Transpose,
    UnaryOp,
    Variable,
    error_at,
    postorder,
    segment,
)
from ._rules import RuleError, Shape, size

__all__ = ["Analysis", "analyse", "infer_shape"]


@dataclass(frozen=True)
class Step:
    """How to evaluate one node: its entry, its options and the full result of the entry's
    shape rule (a tuple of shapes for a function with several outputs)."""

    function: Function
    options: Mapping[str, Any]
    result: Any


@dataclass(frozen=True, kw_only=True)
class Analysis:
    """What static inference found for a formula at given variable shapes.

    Attributes
    ----------
    shape : tuple of int
        Shape of the result at one point.
    variables : dict
        The shape of each variable given (used by the formula or not).
    max_elements : int
        Elements of the largest array of one evaluation (variables, intermediates, result).
    work : int
        Estimated floating-point operations of one evaluation (see ``Limits.max_work``).
    depth : int
        Depth of the syntax tree.
    nodes : tuple of Node
        The nodes in evaluation order (every node after its operands).
    shapes : tuple of tuple of int
        The shape of each node of `nodes`.
    steps : tuple
        For the evaluator: the table entry and options of each node (None for leaves).
    source : str or None
        The formula's text, quoted by errors.
    """

    shape: Shape
    variables: Mapping[str, Shape]
    max_elements: int
    work: int
    depth: int
    nodes: tuple[Node, ...] = field(repr=False)
    shapes: tuple[Shape, ...] = field(repr=False)
    steps: tuple[Step | None, ...] = field(repr=False, compare=False)
    source: str | None = field(default=None, repr=False)


def analyse(
    expression: Expression | Node,
    shapes: Mapping[str, Sequence[int]],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Analysis:
    """Infer the shape of every node of `expression` and check the budgets.

    Parameters
    ----------
    expression : Expression or Node
        A parsed formula (or a tree built directly).
    shapes : mapping of str to tuple of int
        The shape of each variable at one point (no batch axes). Every entry is checked
        against ``limits.max_ndim`` and ``limits.max_elements``, used or not.
    limits : Limits
        The budgets.

    Returns
    -------
    Analysis

    Raises
    ------
    ExpressionError
        On mismatched shapes (naming the operation, the shapes and the column), a missing
        variable shape, or a budget exceeded.

    Examples
    --------
    >>> from gradcheck.expressions import parse_expression
    >>> a = analyse(parse_expression("outer(x, x) @ y", ["x", "y"]), {"x": (3,), "y": (3,)})
    >>> a.shape, a.max_elements
    ((3,), 9)
    """
    root, source = (
        (expression.root, expression.source)
        if isinstance(expression, Expression)
        else (expression, None)
    )
    known = _check_shapes(shapes, source, limits)
    order = postorder(root, max_depth=limits.max_depth)
    values: list[Shape] = []
    out_shapes: list[Shape] = []
    steps: list[Step | None] = []
    largest = max((size(s) for s in known.values()), default=0)
    work = 0
    for node, _ in order:
        arity = len(node.children())
        args = tuple(values[len(values) - arity :])
        del values[len(values) - arity :]
        shape, step = _leaf(node, known, source)
        if shape is None:
            step = _step(node, args, source, limits)
            shape = _selected(step.result, node)
            for result in step.result if _is_multi(step.result) else (step.result,):
                largest = max(largest, _check_result(node, result, source, limits))
            work += step.function.cost(args, step.result, **step.options)
            if work > limits.max_work:
                raise error_at(
                    source,
                    node.span,
                    f"{segment(source, node)} brings the estimated work of one evaluation to "
                    f"{work:.2e} operations; at most {limits.max_work:.0e} (Limits.max_work)",
                )
        values.append(shape)
        out_shapes.append(shape)
        steps.append(step)
    return Analysis(
        shape=values[0],
        variables=MappingProxyType(known),
        max_elements=largest,
        work=work,
        depth=max(depth for _, depth in order),
        nodes=tuple(node for node, _ in order),
        shapes=tuple(out_shapes),
        steps=tuple(steps),
        source=source,
    )


def infer_shape(
    expression: Expression | Node,
    shapes: Mapping[str, Sequence[int]],
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Shape:
    """The shape of `expression`'s result at one point, from the variables' `shapes`, without
    evaluating it (see :func:`analyse`, which also checks the budgets).

    Examples
    --------
    >>> from gradcheck.expressions import parse_expression
    >>> infer_shape(parse_expression("A @ x", ["A", "x"]), {"A": (2, 3), "x": (3,)})
    (2,)
    >>> infer_shape(parse_expression("A @ x", ["A", "x"]), {"A": (2, 3), "x": (5,)})
    Traceback (most recent call last):
    ...
    gradcheck.expressions._nodes.ExpressionError: expression 'A @ x', column 1: `A @ x`: \
matmul of (2, 3) and (5,): the inner dimensions 3 and 5 differ.
    """
    return analyse(expression, shapes, limits=limits).shape


def _leaf(node: Node, known: Mapping[str, Shape], source: str | None):
    """``(shape, None)`` for a variable or a constant, ``(None, None)`` for an operation."""
    if isinstance(node, Variable):
        if node.name not in known:
            raise error_at(
                source,
                node.span,
                f"no shape is given for the variable `{node.name}`; pass e.g. "
                f"shapes={{{node.name!r}: (3,)}}",
            )
        return known[node.name], None
    if isinstance(node, Constant):
        return (), None
    return None, None


def _is_multi(result: Any) -> bool:
    return bool(result) and isinstance(result[0], tuple)


def _selected(result: Any, node: Node) -> Shape:
    if _is_multi(result):
        return result[node.output]  # type: ignore[attr-defined]
    return result


def _check_shapes(
    shapes: Mapping[str, Sequence[int]], source: str | None, limits: Limits
) -> dict[str, Shape]:
    if not isinstance(shapes, Mapping):
        raise error_at(
            source,
            None,
            f"`shapes` must map variable names to shapes, e.g. {{'x': (3,)}}; got {shapes!r}",
        )
    out: dict[str, Shape] = {}
    for name, shape in shapes.items():
        try:
            dims = tuple(operator.index(d) for d in shape)
        except TypeError:
            raise error_at(
                source, None, f"the shape of `{name}` must be a tuple of integers; got {shape!r}"
            ) from None
        if any(d < 0 for d in dims):
            raise error_at(source, None, f"the shape of `{name}` has a negative length: {dims}")
        if len(dims) > limits.max_ndim:
            raise error_at(
                source,
                None,
                f"the variable `{name}` has {len(dims)} dimensions; at most {limits.max_ndim} "
                f"are allowed (Limits.max_ndim)",
            )
        if size(dims) > limits.max_elements:
            raise error_at(
                source,
                None,
                f"the variable `{name}` of shape {dims} has {size(dims)} elements; at most "
                f"{limits.max_elements} are allowed (Limits.max_elements)",
            )
        out[name] = dims
    return out


def _check_result(node: Node, shape: Shape, source: str | None, limits: Limits) -> int:
    count = size(shape)
    if len(shape) > limits.max_ndim:
        raise error_at(
            source,
            node.span,
            f"{segment(source, node)} would have {len(shape)} dimensions; at most "
            f"{limits.max_ndim} are allowed (Limits.max_ndim)",
        )
    if count > limits.max_elements:
        raise error_at(
            source,
            node.span,
            f"{segment(source, node)} would have shape {shape}, {count} elements; at most "
            f"{limits.max_elements} are allowed (Limits.max_elements)",
        )
    return count


def _step(node: Node, args: tuple[Shape, ...], source: str | None, limits: Limits) -> Step:
    function, options = operation(node, limits)
    try:
        result = function.shape(args, **options)
    except RuleError as exc:
        raise error_at(source, node.span, f"{segment(source, node)}: {exc}") from None
    multi = _is_multi(result)
    if isinstance(node, Call):
        if multi and node.output is None:
            raise error_at(
                source, node.span, f"`{node.function}` returns several arrays; set `output`"
            )
        if multi and not 0 <= node.output < len(result):  # type: ignore[operator]
            raise error_at(source, node.span, f"`{node.function}` has no output {node.output}")
        if not multi and node.output is not None:
            raise error_at(source, node.span, f"`{node.function}` returns a single array")
    return Step(function, options, result)


def operation(node: Node, limits: Limits = DEFAULT_LIMITS) -> tuple[Function, dict[str, Any]]:
    """The table entry and the options of an operation node (not a Variable or Constant)."""
    if isinstance(node, UnaryOp):
        return OPERATORS["neg" if node.op == "-" else "pos"], {}
    if isinstance(node, BinaryOp):
        return OPERATORS[node.op], {}
    if isinstance(node, Power):
        if abs(node.exponent) > limits.max_exponent:
            raise ExpressionError(
                f"expression: the exponent {node.exponent} exceeds {limits.max_exponent} in "
                f"magnitude (Limits.max_exponent)."
            )
        return OPERATORS["**"], {"exponent": node.exponent}
    if isinstance(node, Transpose):
        return OPERATORS[".mT" if node.last_two else ".H" if node.conjugate else ".T"], {}
    if isinstance(node, Index):
        return OPERATORS["[]"], {"items": node.items}
    if isinstance(node, Call):
        return _call_options(node, limits)
    raise ExpressionError(f"expression: {type(node).__name__} is not an operation node.")


def _call_options(node: Call, limits: Limits) -> tuple[Function, dict[str, Any]]:
    function = FUNCTIONS.get(node.function)
    if function is None:
        raise ExpressionError(f"expression: `{node.function}` is not in the function table.")
    static = {p.name: p for p in function.params if not p.is_array or p.kind == "blocks"}
    options = {name: (None if p.kind == "blocks" else p.default) for name, p in static.items()}
    for name, value in node.options:
        if name not in static:
            raise ExpressionError(f"expression: `{node.function}` has no option `{name}`.")
        options[name] = value
    for name, value in options.items():
        if value is REQUIRED:
            raise ExpressionError(f"expression: `{node.function}` needs the option `{name}`.")
        if static[name].kind == "exponent" and abs(value) > limits.max_exponent:
            raise ExpressionError(
                f"expression: the `{name}` of `{node.function}` is {value}; at most "
                f"{limits.max_exponent} in magnitude (Limits.max_exponent)."
            )
    _check_arity(function, node, options)
    return function, options


def _check_arity(function: Function, node: Call, options: Mapping[str, Any]) -> None:
    kinds = [p.kind for p in function.params if p.is_array]
    count = len(node.args)
    if any(k in ("operands", "arrays") for k in kinds):
        fixed = sum(k in ("array", "bound") for k in kinds)
        ok = count >= fixed + 1
    elif "blocks" in kinds:
        rows = next(options[p.name] for p in function.params if p.kind == "blocks")
        ok = count >= 1 and (rows is None or sum(rows) == count)
    else:
        ok = count == len(kinds)
    if not ok:
        raise ExpressionError(f"expression: `{node.function}` cannot take {count} array arguments.")
