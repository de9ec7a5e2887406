"""Evaluating a function at many perturbed points: batched when it can be, looped otherwise.

The points are never materialised all at once: a ``make_points(start, stop)`` callback builds
them chunk by chunk, so memory stays bounded whatever the number of points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import GradcheckError, InvalidArgumentError, OutputTypeError
from .target import Target, _as_real_output

#: Default bound on the bytes of one chunk: stacked inputs plus stacked outputs. The
#: function's own temporaries come on top.
DEFAULT_CHUNK_BYTES = 256 * 2**20

MakePoints = Callable[[int, int], np.ndarray]


def _points_per_chunk(x_size: int, f_size: int, itemsize: int, chunk_bytes: int) -> int:
    per_point = (x_size + f_size) * itemsize
    return max(1, int(chunk_bytes // max(per_point, 1)))


def call_checked(target: Target, value: np.ndarray, where: str, *, allow_complex: bool):
    """Call the target on `value` (a private array, passed read-only) and validate its output."""
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


def _avoided_batch_sizes(target: Target, f_shape: tuple[int, ...]) -> frozenset[int]:
    """Batch sizes never used for a stacked call: 1 and every dimension of the variable, of f's
    output and of the array arguments.

    A function that is not batch-polymorphic can still accept a stack whose length equals one
    of these (``len(x)`` is then the dimension it expects, a transposed output has the right
    shape, ``squeeze`` drops a batch axis of 1) and return plausible, wrong values.
    """
    sizes = {1, *target.x.shape, *f_shape}
    for value in target.others.values():
        if isinstance(value, np.ndarray):
            sizes.update(value.shape)
    return frozenset(sizes)


def probe_size(target: Target, f_shape: tuple[int, ...]) -> int:
    """Number of points in the vectorization probe: the smallest integer >= 3 that is not an
    avoided batch size (see :func:`_avoided_batch_sizes`)."""
    avoid = _avoided_batch_sizes(target, f_shape)
    size = 3
    while size in avoid:
        size += 1
    return size


@dataclass(frozen=True)
class _Probe:
    """Outcome of the vectorization probe.

    Attributes
    ----------
    vectorized : bool
        Whether f maps the stacked probe points to the stacked single values.
    evaluations, calls : int
        Points evaluated and calls made by the probe itself (0 when no probe was possible).
    """

    vectorized: bool
    evaluations: int
    calls: int


def probe_batching(
    target: Target, points: np.ndarray, singles: np.ndarray, *, allow_complex: bool
) -> _Probe:
    """Whether `target` maps a stacked batch of points to the stacked single results.

    `points` holds :func:`probe_size` different points along a leading axis and `singles`
    the function's values there, computed one at a time. With fewer points (too few to
    probe) or a variable that cannot be stacked (np.matrix) nothing is called and the answer
    is "no". Any exception, a wrong shape or a value that differs beyond rounding means "not
    batch-polymorphic": the safe answer. Because the probe size and every later batch size
    avoid the dimensions a misbehaving function could mistake for its own (see
    :func:`_avoided_batch_sizes`), a function that agrees here is called only on batch sizes
    of the same kind.
    """
    count = len(points)
    if not target.batchable or count != probe_size(target, singles.shape[1:]):
        return _Probe(vectorized=False, evaluations=0, calls=0)
    where = f"on a batch of {count} points to test whether it is vectorized"
    try:
        out = target.call(points.copy(), where)
        out = _as_real_output(out, role=target.role, where="", allow_complex=allow_complex)
    except GradcheckError:
        return _Probe(vectorized=False, evaluations=count, calls=1)
    return _Probe(vectorized=_outputs_agree(out, singles), evaluations=count, calls=1)


def _chunk_sizes(count: int, per_chunk: int, avoid: frozenset[int]) -> list[int]:
    """Sizes of consecutive calls covering `count` points: each at most `per_chunk` and not in
    `avoid`; a 1 is a single, unstacked call (used only where no allowed size fits)."""
    sizes = []
    left = count
    while left > 0:
        size = min(per_chunk, left)
        while size > 1 and size in avoid:
            size -= 1
        sizes.append(size)
        left -= size
    return sizes


def evaluate_points(
    target: Target,
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
    (at most `chunk_bytes` per chunk, see :data:`DEFAULT_CHUNK_BYTES`), of sizes that avoid 1
    and the dimensions of the variable, of the output and of the array arguments (see
    :func:`_avoided_batch_sizes`; a point left over where no such size fits is evaluated on
    its own); otherwise one call per point.
    """
    f_size = int(np.prod(f_shape))
    dtype = np.complex128 if allow_complex else np.float64
    out = np.empty((count, *f_shape), dtype=dtype)
    calls = 0
    if count == 0:
        return out, calls
    if vectorized and not target.batchable:
        raise InvalidArgumentError(
            f"{target.label} is an np.matrix: a stack of points cannot be an np.matrix, so "
            f"{target.role} is called one point at a time. Pass vectorized=None or False."
        )
    if not vectorized:
        for i in range(count):
            point = make_points(i, i + 1)[0]
            where = f"at perturbed point {i + 1} of {count}"
            value = call_checked(target, point, where, allow_complex=allow_complex)
            _check_output_shape(target, value.shape, f_shape, where)
            out[i] = value
            calls += 1
        return out, calls
    itemsize = np.dtype(dtype).itemsize
    per_chunk = _points_per_chunk(target.x.size, f_size, itemsize, chunk_bytes)
    sizes = _chunk_sizes(count, per_chunk, _avoided_batch_sizes(target, f_shape))
    start = 0
    for c, size in enumerate(sizes):
        stop = start + size
        if size == 1:
            where = f"at perturbed point {start + 1} of {count}"
            value = call_checked(
                target, make_points(start, stop)[0], where, allow_complex=allow_complex
            )
            _check_output_shape(target, value.shape, f_shape, where)
        else:
            points = make_points(start, stop)
            where = f"on a batch of {size} perturbed points (call {c + 1} of {len(sizes)})"
            value = call_checked(target, points, where, allow_complex=allow_complex)
            if value.shape != (size, *f_shape):
                raise OutputTypeError(
                    f"{target.role} returned shape {value.shape} {where}; a vectorized function "
                    f"must return shape {(size, *f_shape)} (batch axis first). Pass "
                    f"vectorized=False to evaluate one point per call."
                )
        out[start:stop] = value
        calls += 1
        start = stop
    return out, calls


def _check_output_shape(target: Target, got: tuple, expected: tuple, where: str) -> None:
    if got != expected:
        raise OutputTypeError(
            f"{target.role} returned shape {got} {where}, but shape {expected} at the point "
            f"itself; the output shape must not depend on the value of {target.label}."
        )
