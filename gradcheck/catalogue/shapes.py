"""Symbolic shapes ("n m", "2*n-1", "") and the random draw of their dimensions."""

from __future__ import annotations

import ast
import functools
import math
import re
from collections.abc import Mapping, Sequence
from types import CodeType

import numpy as np

from ..errors import InvalidArgumentError

_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.BoolOp,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.FloorDiv,
    ast.USub,
    ast.Gt,
    ast.GtE,
    ast.Lt,
    ast.LtE,
    ast.Eq,
    ast.NotEq,
    ast.And,
    ast.Or,
)


#: Longest shape axis or condition, in characters ("2*n-1" is 5): it bounds the parser's
#: recursion and the size of the integers an expression can build.
MAX_EXPRESSION_LENGTH = 200
#: Most entries a variable may have (80 MB of float64); a larger draw is a typo, not a check.
MAX_ENTRIES = 10_000_000
#: Most axes of a variable (numpy's limit is 64).
MAX_AXES = 32


def _parse(expr: str, what: str) -> ast.Expression:
    if not isinstance(expr, str):
        raise InvalidArgumentError(f"{what} must be a string like 'n >= 2'; got {expr!r}.")
    if len(expr) > MAX_EXPRESSION_LENGTH:
        raise InvalidArgumentError(
            f"{what} {expr[:40]!r}... is {len(expr)} characters long; at most "
            f"{MAX_EXPRESSION_LENGTH} are allowed."
        )
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise InvalidArgumentError(f"cannot parse {what} {expr!r}: {exc.msg}.") from exc
    except (RecursionError, MemoryError) as exc:  # too deeply nested for the parser
        raise InvalidArgumentError(f"cannot parse {what} {expr!r}: too deeply nested.") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED) or (
            isinstance(node, ast.Constant)
            and (not isinstance(node.value, int) or isinstance(node.value, bool))
        ):
            raise InvalidArgumentError(
                f"{what} {expr!r} may use only dimension names, integers, + - * // and "
                f"comparisons; found {type(node).__name__}."
            )
    return tree


@functools.lru_cache(maxsize=4096)
def _compiled(expr: str, what: str) -> tuple[CodeType, frozenset[str]]:
    """The code of `expr` and the dimension names it uses, parsed and checked once per
    expression (every draw of every identity evaluates the same few shape axes)."""
    tree = _parse(expr, what)
    names = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
    return compile(tree, "<shape>", "eval"), names


def evaluate_dimension(expr: str, dims: Mapping[str, int], what: str) -> int | bool:
    """The value of a shape axis or condition `expr` for the dimension values `dims`."""
    if not isinstance(expr, str):
        _parse(expr, what)  # raises, naming what is wrong
    code, names = _compiled(expr, what)
    missing = names - set(dims)
    if missing:
        raise InvalidArgumentError(f"{what} {expr!r} uses unknown dimension(s) {sorted(missing)}.")
    try:
        return eval(code, {"__builtins__": {}}, dict(dims))
    except ZeroDivisionError:
        raise InvalidArgumentError(f"{what} {expr!r} divides by zero for {dict(dims)}.") from None


def shape_tokens(spec: str) -> list[str]:
    """Split a shape spec into one expression per axis ("" is a scalar)."""
    if not isinstance(spec, str):
        raise InvalidArgumentError(f"a shape spec is a string like 'n m'; got {spec!r}.")
    return spec.replace(",", " ").split()


def dimension_names(specs: Sequence[str]) -> list[str]:
    """The dimension names the shape specs use, in order of first appearance."""
    names: list[str] = []
    for spec in specs:
        for token in shape_tokens(spec):
            _compiled(token, "shape")  # checks the token (once per distinct token)
            for name in _NAME.findall(token):
                if name not in names:
                    names.append(name)
    return names


def resolve_shape(spec: str, dims: Mapping[str, int]) -> tuple[int, ...]:
    """The concrete shape of `spec` for the dimension values `dims`.

    Every axis must be a positive integer (not a comparison), and the shape must have at most
    `MAX_AXES` axes and `MAX_ENTRIES` entries; otherwise InvalidArgumentError.
    """
    tokens = shape_tokens(spec)
    if len(tokens) > MAX_AXES:
        raise InvalidArgumentError(
            f"shape {spec!r} has {len(tokens)} axes; at most {MAX_AXES} are allowed."
        )
    values = [evaluate_dimension(t, dims, "shape") for t in tokens]
    for token, value in zip(tokens, values, strict=True):
        if isinstance(value, bool):
            raise InvalidArgumentError(
                f"shape {spec!r}: axis {token!r} is a comparison, not a size; comparisons "
                "belong in conditions."
            )
    shape = tuple(int(v) for v in values)
    if any(d < 1 for d in shape):
        raise InvalidArgumentError(
            f"shape {spec!r} gives {shape} for {dict(dims)}; every axis must be at least 1."
        )
    entries = math.prod(shape)
    if entries > MAX_ENTRIES:
        raise InvalidArgumentError(
            f"shape {spec!r} gives {shape} for {dict(dims)}: {entries:,} entries; a variable "
            f"may have at most {MAX_ENTRIES:,}."
        )
    return shape


def draw_dimensions(
    names: Sequence[str],
    rng: np.random.Generator,
    *,
    conditions: Sequence[str] = (),
    low: int = 1,
    high: int = 8,
    size_one_probability: float = 0.2,
) -> dict[str, int]:
    """Draw a value in ``[low, high]`` for each dimension name, satisfying `conditions`.

    Different names get different values where the range allows (so a transposition error
    changes a shape or a value), and with probability `size_one_probability` one name is set
    to 1 (size-1 dimensions are where layout conventions are most easily confused).
    """
    names = list(names)
    _validate_range(low, high)
    for _ in range(1000):
        pool = np.arange(max(low, 2), high + 1)
        if len(names) <= len(pool):
            values = rng.choice(pool, size=len(names), replace=False)
        else:
            values = rng.integers(low, high + 1, size=len(names))
        dims = {n: int(v) for n, v in zip(names, values, strict=True)}
        if names and low <= 1 and rng.random() < size_one_probability:
            dims[names[int(rng.integers(len(names)))]] = 1
        if all(evaluate_dimension(c, dims, "condition") for c in conditions):
            return dims
    raise InvalidArgumentError(
        f"no dimensions in [{low}, {high}] satisfy {list(conditions)} for {names}."
    )


def _validate_range(low: object, high: object) -> None:
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidArgumentError(f"`{name}` must be an integer >= 1; got {value!r}.")
    if high < low:  # type: ignore[operator]
        raise InvalidArgumentError(f"`high` ({high}) must be at least `low` ({low}).")
