"""Evaluating a formula with numpy, at one point or at a stack of points.

Evaluation follows an :class:`~gradcheck.expressions.Analysis`: the budgets have been checked
for one point before anything runs. At one point every node calls its entry's numpy
implementation (exactly numpy's semantics). With unbatched shapes declared, variables may carry
extra leading (batch) axes: the stack is flattened to one batch axis and evaluated in chunks of
at most ``Limits.max_elements // Analysis.max_elements`` points, so memory stays within the
budget whatever the number of points; the result has the batch axes in front.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from ._infer import Analysis, analyse
from ._limits import DEFAULT_LIMITS, Limits
from ._nodes import Call, Constant, Expression, Node, Variable, error_at, iter_variables
from ._rules import loop, size

__all__ = ["evaluate"]


def evaluate(
    expression: Expression | Node,
    arrays: Mapping[str, Any],
    *,
    shapes: Mapping[str, Sequence[int]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> np.ndarray:
    """Evaluate a parsed formula with numpy.

    Parameters
    ----------
    expression : Expression or Node
        The formula.
    arrays : mapping of str to array_like
        A value for every variable the formula uses (others are ignored). Never modified.
    shapes : mapping of str to tuple of int, optional
        The unbatched shapes of the variables. Without it each array is one point. With it an
        array may have extra leading axes (a stack of points; the stacks of different
        variables broadcast) and the result is the stack of the results at each point.
    limits : Limits
        The budgets, checked (for one point) before anything is evaluated.

    Returns
    -------
    numpy.ndarray
        The value (0-d for a scalar), with the batch axes in front.

    Raises
    ------
    ExpressionError
        If a budget is exceeded, shapes do not fit or a variable has no value; numpy's own
        errors (a singular matrix, ...) propagate unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck.expressions import parse_expression
    >>> e = parse_expression("sum(x * x)", ["x"])
    >>> float(evaluate(e, {"x": np.array([1.0, 2.0])}))
    5.0
    >>> evaluate(e, {"x": np.array([[1.0, 2.0], [3.0, 4.0]])}, shapes={"x": (2,)})
    array([ 5., 25.])
    """
    if shapes is None:
        values = _values(expression, arrays, (), limits)
        known = {name: value.shape for name, value in values.items()}
        return run(analyse(expression, known, limits=limits), values, batched=False)
    analysis = analyse(expression, shapes, limits=limits)
    values = _values(expression, arrays, analysis.variables, limits)
    return run(analysis, values, batched=True, limits=limits)


def _values(
    expression: Expression | Node,
    arrays: Mapping[str, Any],
    declared: Iterable[str],
    limits: Limits,
) -> dict[str, np.ndarray]:
    """The arrays of the variables the formula uses (an error names a missing one) and of the
    other `declared` variables given (their batch axes count too)."""
    if isinstance(expression, Expression):
        used, source = expression.used, expression.source
    else:
        used, source = tuple(iter_variables(expression, max_depth=limits.max_depth)), None
    values = {}
    for name in used:
        if name not in arrays:
            given = ", ".join(sorted(arrays)) or "none"
            raise error_at(source, None, f"no value for the variable `{name}` (given: {given})")
        values[name] = np.asarray(arrays[name])
    for name in declared:
        if name in arrays and name not in values:
            values[name] = np.asarray(arrays[name])
    return values


def run(
    analysis: Analysis,
    values: Mapping[str, np.ndarray],
    *,
    batched: bool,
    limits: Limits = DEFAULT_LIMITS,
) -> np.ndarray:
    """Evaluate an analysed formula; with `batched`, the values may carry batch axes in front
    of the analysed shapes."""
    if not batched:
        for name, value in values.items():
            if value.shape != analysis.variables.get(name):
                raise error_at(
                    analysis.source,
                    None,
                    f"the variable `{name}` has shape {value.shape}; the formula was "
                    f"analysed for {analysis.variables.get(name)}",
                )
        return np.asarray(_point(analysis, values))
    if all(value.shape == analysis.variables[name] for name, value in values.items()):
        return np.asarray(_point(analysis, values))  # one point: no batch axes
    batch, views = _batch_views(analysis, values)
    if not batch:
        return np.asarray(_point(analysis, values))
    count = size(batch)
    per_chunk = max(1, limits.max_elements // max(1, analysis.max_elements))
    result = None
    for start in range(0, count, per_chunk):
        stop = min(count, start + per_chunk)
        piece = _stacked(analysis, _chunk(views, batch, start, stop))
        if result is None:
            result = np.empty((count, *analysis.shape), dtype=piece.dtype)
        result[start:stop] = piece  # a piece of length 1 (no batched input used) broadcasts
    if result is None:  # an empty batch
        return np.zeros(batch + analysis.shape)
    return result.reshape(batch + analysis.shape)


def _batch_views(analysis: Analysis, values: Mapping[str, np.ndarray]):
    """The common batch shape and each value as ``(array, batch)``: the array with its batch
    axes padded to the common number (``batch`` None and one leading axis of length 1 for a
    value without batch axes)."""
    batches = {}
    for name, value in values.items():
        core = analysis.variables[name]
        lead = value.ndim - len(core)
        if lead < 0 or value.shape[lead:] != core:
            raise error_at(
                analysis.source,
                None,
                f"the variable `{name}` has shape {value.shape}; expected {core}, or a stack "
                f"of such arrays (leading batch axes)",
            )
        batches[name] = value.shape[:lead]
    try:
        batch = np.broadcast_shapes(*batches.values())
    except ValueError:
        raise error_at(
            analysis.source,
            None,
            f"the batch axes of the variables do not broadcast: "
            f"{', '.join(f'{n}: {b}' for n, b in batches.items())}",
        ) from None
    views = {}
    for name, value in values.items():
        core, own = analysis.variables[name], batches[name]
        if size(own) == 1:
            views[name] = (value.reshape((1, *core)), None)
        else:
            padded = (1,) * (len(batch) - len(own)) + own
            views[name] = (value.reshape(padded + core), padded)
    return batch, views


def _chunk(views, batch: tuple[int, ...], start: int, stop: int) -> dict[str, np.ndarray]:
    """Points `start` to `stop` of the flattened batch, one leading axis per value; copies
    only that many points (a batch broadcast between variables is never materialised)."""
    index = None
    out = {}
    for name, (value, padded) in views.items():
        if padded is None:
            out[name] = value
        elif len(batch) == 1:
            out[name] = value[start:stop]
        else:
            if index is None:
                index = np.unravel_index(np.arange(start, stop), batch)
            out[name] = value[
                tuple(k if d > 1 else 0 * k for k, d in zip(index, padded, strict=True))
            ]
    return out


def _point(analysis: Analysis, values: Mapping[str, np.ndarray]) -> Any:
    stack: list[Any] = []
    for node, step in zip(analysis.nodes, analysis.steps, strict=True):
        if isinstance(node, Variable):
            stack.append(values[node.name])
            continue
        if isinstance(node, Constant):
            stack.append(node.value)
            continue
        arity = len(node.children())
        args = stack[len(stack) - arity :]
        del stack[len(stack) - arity :]
        result = step.function.implement(*args, **step.options)
        if isinstance(node, Call) and node.output is not None:
            result = result[node.output]
        stack.append(result)
    return stack[0]


def _stacked(analysis: Analysis, values: Mapping[str, np.ndarray]) -> np.ndarray:
    """Evaluate with every value carrying one leading batch axis (of length N or 1)."""
    stack: list[np.ndarray] = []
    cores: list[tuple[int, ...]] = []
    for node, shape, step in zip(analysis.nodes, analysis.shapes, analysis.steps, strict=True):
        if isinstance(node, Variable):
            result = values[node.name]
        elif isinstance(node, Constant):
            result = np.asarray(node.value).reshape(1)
        else:
            arity = len(node.children())
            args, arg_cores = stack[len(stack) - arity :], cores[len(cores) - arity :]
            del stack[len(stack) - arity :], cores[len(cores) - arity :]
            fn = step.function
            if fn.batched is None:
                result = loop(fn.implement, args, **step.options)
            else:
                result = fn.batched(args, tuple(arg_cores), step.result, **step.options)
            if isinstance(node, Call) and node.output is not None:
                result = result[node.output]
            result = np.asarray(result)
        stack.append(result)
        cores.append(shape)
    return stack[0]
