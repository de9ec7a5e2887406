"""Evaluating a function at many perturbed points: batched when it can be, looped otherwise.

The points are never materialised all at once: a ``make_points(start, stop)`` callback builds
them chunk by chunk, so memory stays bounded whatever the number of points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._errors import GradcheckError, OutputTypeError
from ._target import _as_real_output, _Target

#: Default bound on the bytes of one chunk: stacked inputs plus stacked outputs. The
#: function's own temporaries come on top.
DEFAULT_CHUNK_BYTES = 256 * 2**20

MakePoints = Callable[[int, int], np.ndarray]


def _points_per_chunk(x_size: int, f_size: int, itemsize: int, chunk_bytes: int) -> int:
    per_point = (x_size + f_size) * itemsize
    return max(1, int(chunk_bytes // max(per_point, 1)))


def _call_checked(target: _Target, value: np.ndarray, where: str, *, allow_complex: bool):
    """Call the target on `value` (a private array, made read-only) and validate its output."""
    out = target.call(value, where)
    return _as_real_output(out, role=target.role, where=where, allow_complex=allow_complex)


def _outputs_agree(batched: np.ndarray, singles: np.ndarray) -> bool:
    """Whether a batched evaluation equals single evaluations up to rounding."""
    if batched.shape != singles.shape:
        return False
    if not (np.all(np.isfinite(batched)) and np.all(np.isfinite(singles))):
        return False
    scale = float(np.max(np.abs(singles), initial=0.0))
    return bool(np.all(np.abs(batched - singles) <= 1e-9 * scale + 1e-300))


def _detect_vectorized(
    target: _Target, points: np.ndarray, singles: np.ndarray, *, allow_complex: bool
) -> bool:
    """Whether `target` maps a stacked batch of points to the stacked single results.

    `points` holds two different points (a leading axis of length 2) and `singles` the
    function's values there, computed one at a time. Any exception, a wrong shape or a value
    that differs beyond rounding means "not batch-polymorphic": the safe answer.
    """
    try:
        out = target.call(points.copy(), "on a batch of 2 points to test whether it is vectorized")
        out = _as_real_output(out, role=target.role, where="", allow_complex=allow_complex)
    except GradcheckError:
        return False
    return _outputs_agree(out, singles)


def _evaluate_points(
    target: _Target,
    make_points: MakePoints,
    count: int,
    f_shape: tuple[int, ...],
    *,
    vectorized: bool,
    chunk_bytes: int,
    allow_complex: bool,
) -> tuple[np.ndarray, int]:
    """Evaluate the target at `count` points; return the stacked values and the number of calls.

    With ``vectorized=True`` the points are passed in chunks stacked along a new leading axis
    (at most `chunk_bytes` per chunk, see :data:`DEFAULT_CHUNK_BYTES`); otherwise one call per
    point.
    """
    f_size = int(np.prod(f_shape))
    dtype = np.complex128 if allow_complex else np.float64
    out = np.empty((count, *f_shape), dtype=dtype)
    calls = 0
    if count == 0:
        return out, calls
    if not vectorized:
        for i in range(count):
            point = make_points(i, i + 1)[0]
            where = f"at perturbed point {i + 1} of {count}"
            value = _call_checked(target, point, where, allow_complex=allow_complex)
            _check_output_shape(target, value.shape, f_shape, where)
            out[i] = value
            calls += 1
        return out, calls
    itemsize = np.dtype(dtype).itemsize
    per_chunk = _points_per_chunk(target.x.size, f_size, itemsize, chunk_bytes)
    n_chunks = -(-count // per_chunk)
    for c, start in enumerate(range(0, count, per_chunk)):
        stop = min(start + per_chunk, count)
        points = make_points(start, stop)
        where = f"on a batch of {stop - start} perturbed points (chunk {c + 1} of {n_chunks})"
        value = _call_checked(target, points, where, allow_complex=allow_complex)
        if value.shape != (stop - start, *f_shape):
            raise OutputTypeError(
                f"{target.role} returned shape {value.shape} {where}; a vectorized function must "
                f"return shape {(stop - start, *f_shape)} (batch axis first). Pass "
                f"vectorized=False to evaluate one point per call."
            )
        out[start:stop] = value
        calls += 1
    return out, calls


def _check_output_shape(target: _Target, got: tuple, expected: tuple, where: str) -> None:
    if got != expected:
        raise OutputTypeError(
            f"{target.role} returned shape {got} {where}, but shape {expected} at the point "
            f"itself; the output shape must not depend on the value of {target.label}."
        )
