"""Evaluating a function at many perturbed points: batched when it can be, looped otherwise.

The points are never materialised all at once: a ``make_points(start, stop)`` callback builds
them chunk by chunk, so memory stays bounded whatever the number of points. With an
``executor`` (any :class:`concurrent.futures.Executor`) the chunks are sent to it in order and
their values written back in place, so the result is the serial one, bit for bit.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass

import numpy as np

from ..errors import GradcheckError, InvalidArgumentError, OutputTypeError
from .target import Target, _as_real_output

#: Default bound on the bytes of one chunk: stacked inputs plus stacked outputs (the
#: function's own temporaries come on top). Sized to the cache: on the 2-core Xeon this was
#: measured on (4 MiB of L2 per core), log-sum-exp at n = 10^4 ran fastest with chunks of
#: 64 KiB to 1 MiB and up to several times slower at 64-256 MiB, where the chunk and f's
#: temporaries fall out of cache (``benchmarks/scale.py`` prints the table).
DEFAULT_CHUNK_BYTES = 2**20
#: Largest `chunk_bytes` accepted: the memory one chunk may take.
MAX_CHUNK_BYTES = 256 * 2**20
#: Most chunks sent to an executor ahead of the one being collected: the memory in flight is
#: at most this many chunks.
MAX_IN_FLIGHT = 64

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


def validate_executor(executor: object) -> Executor | None:
    """`executor` itself when it is None or a :class:`concurrent.futures.Executor`."""
    if executor is None or isinstance(executor, Executor):
        return executor
    raise InvalidArgumentError(
        f"`executor` must be a concurrent.futures.Executor (a ProcessPoolExecutor, a "
        f"ThreadPoolExecutor, dask's Client.get_executor()) or None; got {executor!r}."
    )


def validate_vectorized(vectorized: object) -> bool | None:
    """`vectorized` itself when it is True, False or None (numpy booleans become bool).

    Examples
    --------
    >>> validate_vectorized(None) is None, validate_vectorized(np.True_)
    (True, True)
    """
    if vectorized is None:
        return None
    if not isinstance(vectorized, (bool, np.bool_)):
        raise InvalidArgumentError(
            f"`vectorized` must be True, False or None (None: gradcheck tests whether f takes "
            f"a stack of points); got {vectorized!r}."
        )
    return bool(vectorized)


def validate_chunk_bytes(chunk_bytes: object) -> None:
    """InvalidArgumentError unless `chunk_bytes` is an integer from 1 to `MAX_CHUNK_BYTES`."""
    if not isinstance(chunk_bytes, (int, np.integer)) or isinstance(chunk_bytes, bool):
        raise InvalidArgumentError(f"`chunk_bytes` must be an integer; got {chunk_bytes!r}.")
    if chunk_bytes <= 0:
        raise InvalidArgumentError(f"`chunk_bytes` must be positive; got {chunk_bytes}.")
    if chunk_bytes > MAX_CHUNK_BYTES:
        raise InvalidArgumentError(
            f"`chunk_bytes` must be at most {MAX_CHUNK_BYTES} (256 MiB): larger chunks fall out "
            f"of cache and only cost memory; got {chunk_bytes}."
        )


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
    executor: Executor | None = None,
) -> tuple[np.ndarray, int]:
    """Evaluate the target at `count` points; return the stacked values and the number of calls.

    With ``vectorized=True`` the points are passed in chunks stacked along a new leading axis
    (at most `chunk_bytes` per chunk, see :data:`DEFAULT_CHUNK_BYTES`), of sizes that avoid 1
    and the dimensions of the variable, of the output and of the array arguments (see
    :func:`_avoided_batch_sizes`; a point left over where no such size fits is evaluated on
    its own); otherwise one call per point. With an `executor`, the same calls are submitted
    to it in order (at most :data:`MAX_IN_FLIGHT` ahead) and each value is written to its
    place as it is collected; the first error cancels the calls not yet started and is raised
    as it would be serially (naming the point); so is an interrupt.
    """
    dtype = np.complex128 if allow_complex else np.float64
    out = np.empty((count, *f_shape), dtype=dtype)
    if count == 0:
        return out, 0
    if vectorized and not target.batchable:
        raise InvalidArgumentError(
            f"{target.label} is an np.matrix: a stack of points cannot be an np.matrix, so "
            f"{target.role} is called one point at a time. Pass vectorized=None or False."
        )
    itemsize = np.dtype(dtype).itemsize
    planned = _planned_calls(target, make_points, count, f_shape, vectorized, chunk_bytes, itemsize)
    calls = list(planned)
    job = _Job(target=target, f_shape=f_shape, allow_complex=allow_complex)
    if executor is None:
        for start, stop, points, where in calls:
            out[start:stop] = job.run(points, where, stop - start)
        return out, len(calls)
    _run_on(executor, job, calls, out)
    return out, len(calls)


def _planned_calls(
    target: Target,
    make_points: MakePoints,
    count: int,
    f_shape: tuple[int, ...],
    vectorized: bool,
    chunk_bytes: int,
    itemsize: int,
) -> Iterator[tuple[int, int, Callable[[], np.ndarray], str]]:
    """The calls covering the `count` points, in order: (start, stop, the points' builder,
    where); a builder of one point (size 1) builds the point itself, unstacked."""
    if not vectorized:
        sizes = [1] * count
    else:
        f_size = int(np.prod(f_shape))
        per_chunk = _points_per_chunk(target.x.size, f_size, itemsize, chunk_bytes)
        sizes = _chunk_sizes(count, per_chunk, _avoided_batch_sizes(target, f_shape))
    start = 0
    for c, size in enumerate(sizes):
        stop = start + size
        if size == 1:
            where = f"at perturbed point {start + 1} of {count}"
            yield start, stop, _builder(make_points, start, stop, single=True), where
        else:
            where = f"on a batch of {size} perturbed points (call {c + 1} of {len(sizes)})"
            yield start, stop, _builder(make_points, start, stop, single=False), where
        start = stop


def _builder(make_points: MakePoints, start: int, stop: int, *, single: bool):
    """The points ``start:stop`` built when called (the first alone when `single`)."""

    def build() -> np.ndarray:
        points = make_points(start, stop)
        return points[0] if single else points

    return build


@dataclass(frozen=True)
class _Job:
    """One call of the target on a point or a stack of points, with its output's checks;
    picklable when the target is, so that it runs in an executor's workers."""

    target: Target
    f_shape: tuple[int, ...]
    allow_complex: bool

    def run(self, points: Callable[[], np.ndarray] | np.ndarray, where: str, size: int):
        value = points() if callable(points) else points
        out = call_checked(self.target, value, where, allow_complex=self.allow_complex)
        if size == 1:
            _check_output_shape(self.target, out.shape, self.f_shape, where)
        elif out.shape != (size, *self.f_shape):
            raise OutputTypeError(
                f"{self.target.role} returned shape {out.shape} {where}; a vectorized function "
                f"must return shape {(size, *self.f_shape)} (batch axis first). Pass "
                f"vectorized=False to evaluate one point per call."
            )
        return out


def _run_on(executor: Executor, job: _Job, calls: list, out: np.ndarray) -> None:
    """Submit `calls` to `executor` in order, at most :data:`MAX_IN_FLIGHT` ahead, and write
    each value into `out`; on any error (or interrupt) cancel what has not started."""
    pending: deque[tuple[int, int, Future]] = deque()
    todo = iter(calls)
    try:
        while True:
            while len(pending) < MAX_IN_FLIGHT:
                call = next(todo, None)
                if call is None:
                    break
                start, stop, build, where = call
                future = executor.submit(job.run, build(), where, stop - start)
                pending.append((start, stop, future))
            if not pending:
                return
            start, stop, future = pending.popleft()
            out[start:stop] = future.result()
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        if not _is_pickling_error(exc):
            raise
        raise InvalidArgumentError(
            f"{job.target.role} cannot be sent to the executor's workers ({exc}); a process "
            f"pool or a cluster needs a function defined at module level (no lambda or local "
            f"function) and picklable arguments, or use a ThreadPoolExecutor."
        ) from None
    finally:
        for _, _, future in pending:
            future.cancel()


def _is_pickling_error(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, pickle.PicklingError) or "pickle" in text.lower()


def _check_output_shape(target: Target, got: tuple, expected: tuple, where: str) -> None:
    if got != expected:
        raise OutputTypeError(
            f"{target.role} returned shape {got} {where}, but shape {expected} at the point "
            f"itself; the output shape must not depend on the value of {target.label}."
        )
