"""Building blocks of the shape rules, cost estimates and batched implementations.

A shape rule maps the shapes of a function's array arguments (and its static options) to the
shape of its result, raising :class:`RuleError` when they do not fit -- exactly where numpy
would raise. A batched implementation receives every array with one leading batch axis (of
length N, or 1 for a value that is the same at every point) and returns its result with that
axis in front; `cores` are the unbatched shapes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Shape = tuple[int, ...]


class RuleError(ValueError):
    """A shape rule's complaint; inference adds the location and raises ExpressionError."""


def size(shape: Shape) -> int:
    """Number of elements of an array of `shape`."""
    return math.prod(shape)


def broadcast(*shapes: Shape) -> Shape:
    """numpy's broadcasting of `shapes` (RuleError when they do not broadcast)."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(-ndim, 0):
        dims = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(dims) > 1:
            listed = " and ".join(str(s) for s in shapes)
            raise RuleError(f"shapes {listed} cannot be broadcast together")
        out.append(dims.pop() if dims else 1)
    return tuple(out)


def axis_index(axis: int, ndim: int, what: str = "axis") -> int:
    """`axis` as an index in ``range(ndim)`` (RuleError when out of range)."""
    if not -ndim <= axis < ndim:
        raise RuleError(f"{what} {axis} is out of range for a {ndim}-D array")
    return axis % ndim


def axes_indices(
    axes: int | Sequence[int] | None, ndim: int, *, scalar_axis: bool = False
) -> tuple[int, ...]:
    """Reduction axes as sorted distinct indices (all axes for None).

    With `scalar_axis`, an integer axis 0 or -1 of a 0-d array reduces nothing, as numpy's
    ufunc reductions (``sum``, ``prod``, ``max``) accept it, while ``mean`` does not.
    """
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, int):
        if scalar_axis and ndim == 0 and axes in (0, -1):
            return ()
        axes = (axes,)
    out = tuple(axis_index(a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise RuleError(f"axis {tuple(axes)} names an axis twice")
    return tuple(sorted(out))


def reduced(shape: Shape, axes: Sequence[int], keepdims: bool) -> Shape:
    """`shape` with `axes` removed (or kept as 1 with `keepdims`)."""
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def matrix(shape: Shape, what: str) -> tuple[int, int]:
    """The last two dimensions of a stack of matrices."""
    if len(shape) < 2:
        raise RuleError(f"{what} needs a matrix (at least 2-D); got shape {shape}")
    return shape[-2], shape[-1]


def square(shape: Shape, what: str, *, exactly_2d: bool = False) -> int:
    """The order of a (stack of) square matrices."""
    m, n = matrix(shape, what)
    if exactly_2d and len(shape) != 2:
        raise RuleError(f"{what} needs a single square matrix (2-D); got shape {shape}")
    if m != n:
        raise RuleError(f"{what} needs square matrices; got shape {shape}")
    return n


def diagonal_length(m: int, n: int, offset: int) -> int:
    """Length of the diagonal `offset` of an m x n matrix."""
    if offset >= 0:
        return max(0, min(m, n - offset))
    return max(0, min(m + offset, n))


# ---------------------------------------------------------------------------------------------
# costs: rough floating-point operation counts per point


def elementwise_cost(shapes: Sequence[Shape], out: Any, **_: Any) -> int:
    """One operation per element of the result and of each argument."""
    return size(out) + sum(size(s) for s in shapes)


def cubic_cost(factor: int) -> Callable[..., int]:
    """`factor` * n**3 per matrix of the first argument (LU, QR, eigen- and SVD-based)."""

    def cost(shapes: Sequence[Shape], out: Any, **_: Any) -> int:
        a = shapes[0]
        if len(a) < 2:  # a number taken as a 1 x 1 matrix
            return factor
        m, n = a[-2], a[-1]
        return factor * size(a[:-2]) * m * n * max(1, min(m, n)) + size(a)

    return cost


# ---------------------------------------------------------------------------------------------
# batched evaluation helpers


def lift(array: np.ndarray, core: Shape, rank: int) -> np.ndarray:
    """`array` (batch axis first, unbatched shape `core`) with axes of length 1 inserted after
    the batch axis so that its core has `rank` dimensions (numpy aligns shapes on the right)."""
    return array.reshape(array.shape[:1] + (1,) * (rank - len(core)) + array.shape[1:])


def expand(arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The arrays with their batch axes broadcast to the same length (views, no copies)."""
    n = max(a.shape[0] for a in arrays)
    return [a if a.shape[0] == n else np.broadcast_to(a, (n, *a.shape[1:])) for a in arrays]


def elementwise(implement: Callable[..., Any]) -> Callable[..., Any]:
    """The batched version of an elementwise (broadcasting) function."""

    def batched(arrays: Sequence[np.ndarray], cores: Sequence[Shape], out: Shape, **options):
        return implement(
            *(lift(a, c, len(out)) for a, c in zip(arrays, cores, strict=True)), **options
        )

    return batched


def shifted(
    axes: int | Sequence[int] | None, ndim: int, *, scalar_axis: bool = False
) -> tuple[int, ...]:
    """Reduction axes of an unbatched `ndim`-D array, as axes of the batched array."""
    return tuple(1 + a for a in axes_indices(axes, ndim, scalar_axis=scalar_axis))


def loop(implement: Callable[..., Any], arrays: Sequence[np.ndarray], **options: Any) -> Any:
    """Evaluate `implement` point by point and stack the results (for functions whose numpy
    implementation does not take stacks)."""
    count = max((a.shape[0] for a in arrays), default=1)
    results = [
        implement(*(a[0] if a.shape[0] == 1 else a[i] for a in arrays), **options)
        for i in range(count)
    ]
    if isinstance(results[0], tuple):
        return tuple(np.stack([np.asarray(r[j]) for r in results]) for j in range(len(results[0])))
    return np.stack([np.asarray(r) for r in results])
