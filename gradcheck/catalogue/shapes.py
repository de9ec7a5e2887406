"""Symbolic shapes ("n m", "2*n-1", "") and the random draw of their dimensions."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence

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


def _parse(expr: str, what: str) -> ast.Expression:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise InvalidArgumentError(f"cannot parse {what} {expr!r}: {exc.msg}.") from exc
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED) or (
            isinstance(node, ast.Constant) and not isinstance(node.value, int)
        ):
            raise InvalidArgumentError(
                f"{what} {expr!r} may use only dimension names, integers, + - * // and "
                f"comparisons; found {type(node).__name__}."
            )
    return tree


def evaluate_dimension(expr: str, dims: Mapping[str, int], what: str) -> int | bool:
    tree = _parse(expr, what)
    missing = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(dims)
    if missing:
        raise InvalidArgumentError(f"{what} {expr!r} uses unknown dimension(s) {sorted(missing)}.")
    return eval(compile(tree, "<shape>", "eval"), {"__builtins__": {}}, dict(dims))


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
            _parse(token, "shape")
            for name in _NAME.findall(token):
                if name not in names:
                    names.append(name)
    return names


def resolve_shape(spec: str, dims: Mapping[str, int]) -> tuple[int, ...]:
    """The concrete shape of `spec` for the dimension values `dims`."""
    shape = tuple(int(evaluate_dimension(t, dims, "shape")) for t in shape_tokens(spec))
    if any(d < 1 for d in shape):
        raise InvalidArgumentError(f"shape {spec!r} gives {shape} for {dict(dims)}.")
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
