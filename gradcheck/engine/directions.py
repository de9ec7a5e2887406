"""Random directions in a large variable's space, streamed from seeds instead of held.

A directional check at 10^7 parameters with 8 directions would hold 640 MB of directions
(plus temporaries of their size) if it drew them all at once. :class:`DirectionStream` keeps
one seed per direction and draws a direction when it is asked for (holding all of them only
while they fit in :data:`HELD_BYTES`), so the memory of a check is a few copies of the
variable whatever the number of directions; a direction drawn twice is the same bit for bit.
:func:`values_along_directions` evaluates f along the directions, direction after direction,
so that each is drawn once per call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from ..errors import NonFiniteValueError
from .estimate import coordinate_scales
from .evaluate import evaluate_points
from .target import Target

__all__ = [
    "HELD_BYTES",
    "DirectionStream",
    "HeldDirections",
    "values_along_directions",
]

#: Directions are all held in memory while they take at most this many bytes (a few hundred
#: directions of a thousand entries); beyond it each is drawn again from its seed when needed.
HELD_BYTES = 16 * 2**20


@dataclass
class DirectionStream:
    """Directions ``d_r = s * u_r / |u_r|`` (``u_r`` standard Gaussian drawn from its own seed,
    ``s`` the coordinate scales of `x`), drawn on demand.

    Parameters
    ----------
    x : numpy.ndarray
        The variable (float64); the directions have its shape.
    seeds : numpy.ndarray
        One non-negative integer seed per direction.
    on_first : callable, optional
        Called as ``on_first(r, d_r)`` the first time direction ``r`` is drawn (``d_r`` flat,
        read-only), for what a caller computes once per direction (projections of a claim).

    Examples
    --------
    >>> stream = DirectionStream(np.linspace(1.0, 2.0, 5), np.array([7, 8]))
    >>> len(stream), stream[1].shape, bool(np.array_equal(stream[0], stream[0]))
    (2, (5,), True)
    """

    x: np.ndarray
    seeds: np.ndarray
    on_first: Callable[[int, np.ndarray], None] | None = None
    _scales: np.ndarray = field(init=False, repr=False)
    _held: dict[int, np.ndarray] = field(init=False, repr=False, default_factory=dict)
    _seen: set[int] = field(init=False, repr=False, default_factory=set)
    _last: tuple[int, np.ndarray] | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self._scales = coordinate_scales(self.x).ravel()
        self._hold = len(self.seeds) * self.x.size * 8 <= HELD_BYTES

    def __len__(self) -> int:
        return len(self.seeds)

    def flat(self, r: int) -> np.ndarray:
        """Direction `r` as a flat read-only array (drawn now unless held or just drawn)."""
        if r in self._held:
            return self._held[r]
        if self._last is not None and self._last[0] == r:
            return self._last[1]
        self._last = None  # let the previous direction go before the next is drawn
        d = self._draw(r)
        if self._hold:
            self._held[r] = d
        self._last = (r, d)
        if r not in self._seen:
            self._seen.add(r)
            if self.on_first is not None:
                self.on_first(r, d)
        return d

    def _draw(self, r: int) -> np.ndarray:
        d = np.random.default_rng(int(self.seeds[r])).standard_normal(self.x.size)
        # einsum, not BLAS: on a shared machine a threaded BLAS call can wait milliseconds
        # for its threads; in place: no temporary of the direction's size
        d /= np.sqrt(np.einsum("i,i->", d, d))
        d *= self._scales
        d.flags.writeable = False
        return d

    def __getitem__(self, r: int) -> np.ndarray:
        """Direction `r` in the shape of the variable."""
        return self.flat(r).reshape(self.x.shape)


def _reusable(spare: list[np.ndarray], size: int) -> np.ndarray | None:
    """The previous chunk's buffer when it has `size` points and nothing but `spare` refers
    to it any more (f kept no view of its input: writing it again cannot change what f
    holds), else None. A fresh buffer of 10^7 entries costs its page faults on every point.
    """
    if not spare or len(spare[0]) != size:
        return None
    # references: the list and getrefcount's own argument
    return spare[0] if sys.getrefcount(spare[0]) == 2 else None


@dataclass(frozen=True)
class HeldDirections:
    """Directions already in memory, shape ``(k,) + x.shape``, with the interface of
    :class:`DirectionStream` (``len`` and ``flat(r)``)."""

    d: np.ndarray

    def __len__(self) -> int:
        return len(self.d)

    def flat(self, r: int) -> np.ndarray:
        return self.d[r].reshape(-1)


def values_along_directions(
    target: Target,
    directions: DirectionStream | HeldDirections,
    ts: np.ndarray,
    f_shape: tuple[int, ...],
    *,
    vectorized: bool,
    chunk_bytes: int,
    executor: Executor | None = None,
    direction_major: bool = True,
) -> np.ndarray:
    """f at ``x + t_b d_r`` for every step ``t_b`` of the flat `ts` and every direction
    ``d_r``, as an array ``(ts.size, len(directions), f.size)``.

    The points are made direction after direction (all steps of ``d_0``, then of ``d_1``, ...;
    with ``direction_major=False`` all directions of each step in turn) and written one by
    one into one buffer per chunk, so a streamed direction is drawn once per call and no
    stack-sized temporary is made. A non-finite value is a NonFiniteValueError naming the
    direction and the step.

    Examples
    --------
    >>> from gradcheck.engine import make_target
    >>> target = make_target(lambda x: np.sum(x, axis=-1), np.ones(3), None)
    >>> stream = DirectionStream(target.x, np.array([1, 2]))
    >>> values = values_along_directions(target, stream, np.array([0.0, 1.0]), (),
    ...                                  vectorized=True, chunk_bytes=2**20)
    >>> sums = np.array([stream[0].sum(), stream[1].sum()])  # f(x + d_r) - f(x)
    >>> values.shape, bool(np.allclose(values[1, :, 0] - 3.0, sums))
    ((2, 2, 1), True)
    """
    count, steps, x = len(directions), ts.size, target.x
    x_flat = x.reshape(-1)
    spare: list[np.ndarray] = []  # serially, the last chunk's buffer, to be written again

    def make_points(start: int, stop: int) -> np.ndarray:
        points = _reusable(spare, stop - start) if executor is None else None
        if points is None:
            points = np.empty((stop - start, x.size), dtype=np.result_type(ts, x))
            spare[:] = [points]
        for b, i in enumerate(range(start, stop)):
            r, k = divmod(i, steps) if direction_major else (i % count, i // count)
            row = points[b]
            np.multiply(directions.flat(r), ts[k], out=row)
            row += x_flat
        return points.reshape((stop - start, *x.shape))

    values, _ = evaluate_points(
        target,
        make_points,
        ts.size * count,
        f_shape,
        vectorized=vectorized,
        chunk_bytes=chunk_bytes,
        allow_complex=np.iscomplexobj(ts),
        executor=executor,
    )
    # as (steps, directions, f.size), and every value finite
    if direction_major:
        values = values.reshape(count, ts.size, -1).transpose(1, 0, 2)
    else:
        values = values.reshape(ts.size, count, -1)
    if not np.all(np.isfinite(values)):
        b, r = (int(i) for i in np.argwhere(~np.isfinite(values))[0][:2])
        raise NonFiniteValueError(
            f"{target.role} returned a non-finite value at x + t d (direction {r}, "
            f"t = {ts[b]}); it is finite at the point itself. Choose a smaller `step`, or a "
            f"point farther from where f is undefined."
        )
    return values
