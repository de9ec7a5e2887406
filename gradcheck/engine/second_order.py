"""Second derivatives of a scalar function from its values alone: second-difference stencils.

For a step ``w`` in the variable's space let

    q(w) = f(x + w) + f(x - w) - 2 f(x) = w^T H w + D^4 f(x)[w, w, w, w] / 12 + O(|w|^6)

(Taylor's series: the odd terms cancel). Every second derivative here is a combination of q:

* diagonal entries: ``H_jj = q(h_j e_j) / h_j^2``;
* mixed entries: ``H_jk = (q(h_j e_j + h_k e_k) - q(h_j e_j) - q(h_k e_k)) / (2 h_j h_k)``;
* along two directions a, b: ``a^T H b = (q(a + b) - q(a - b)) / 4`` (polarization).

Each combination ``D(t)`` is evaluated at the steps ``t w``, ``2 t w`` and ``4 t w``. Its
truncation error is ``c2 t^2 + c4 t^4 + ...``; the Richardson values
``R(t) = (4 D(t) - D(2t)) / 3`` and ``R(2t)`` cancel the ``t^2`` term, and since their error is
``-4 c4 t^4 (1 + ...)``, ``R(2t) - R(t)`` is about 15 times that of ``R(t)``: ``R(t)`` is returned
with the truncation estimate ``|R(2t) - R(t)| / 15`` plus a rounding bound. A value of f is off
by at most ``delta = 4 eps max|f|`` (normwise, over every evaluated point), q by ``4 delta``, a
combination ``sum_k c_k q(w_k) / s`` by ``4 delta sum_k |c_k| / s``, and ``R(t)`` by 17/12 of
that of ``D(t)``. An entry whose truncation estimate exceeds 1e-3 of the largest entry is
unreliable (the steps are not where the error model holds).

The default step is ``h_j = 4 eps^(1/6) * max(|x_j|, typical)`` (1e-2 relative). The
truncation ``t^4`` and the rounding ``eps / t^2`` of the fourth-order ``R`` balance at
``eps^(1/6)`` up to constants; the constants favour a larger step: ``R(t)`` also uses the
values at 2t and 4t and divides rounding by ``t^2`` with weight 17/12, while smooth functions'
fourth derivatives are modest. Measured on quadratics, log-sum-exp and the logistic loss
(``benchmarks/second_order.py``), 4 eps^(1/6) is 10 to 40 times more accurate than eps^(1/6)
and 16 eps^(1/6) no better on the last two. (A plain second difference would balance at
``eps^(1/4)``, but its value is 100 times less accurate.) The steps are rounded to the nearest
power of two, so that ``x_j +- m h_j`` is exact for m = 1, 2, 4: 6
evaluations per offset ``w``. Where that step is too large for f (a short length scale), the
truncation estimate says so; a second estimate at 1/4 of the steps is then made by the caller
(see :func:`merge_hessian_estimates`).
Every stencil point is stacked along one leading axis and evaluated in chunks, like the first-
order engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidArgumentError, NonFiniteValueError, OutputTypeError
from .estimate import coordinate_scales, evaluate_at_point, given_steps
from .evaluate import DEFAULT_CHUNK_BYTES, call_checked, evaluate_points, probe_batching, probe_size
from .stencils import EPS
from .target import Target

__all__ = [
    "SECOND_DIFFERENCE_RTOL",
    "SECOND_DIFFERENCE_STEP",
    "HessianEstimate",
    "estimate_hessian",
    "estimate_second_directional",
    "merge_hessian_estimates",
    "scalar_at_point",
]

#: Relative step of the second differences, 4 eps^(1/6) (see the module docstring).
SECOND_DIFFERENCE_STEP = 4 * EPS ** (1 / 6)
#: Default rtol of a comparison with second differences of f: the finest relative accuracy a
#: second difference of a float64 function reaches, ``16 eps^(1/2)`` (2.4e-7).
SECOND_DIFFERENCE_RTOL = 16 * EPS**0.5
#: A priori rounding error of one value of f, in units of ``eps * max|f|``.
_ROUNDING_ULPS = 4.0
#: An entry is unreliable when its truncation estimate exceeds this fraction of the largest
#: entry: the steps are then not in the range where the error model holds.
_UNRELIABLE_FRACTION = 1e-3
#: Rounding of q in units of delta: |1| + |1| + |-2|.
_Q_ROUNDING = 4.0
#: Weight of the rounding bound of the Richardson value, relative to that of D(t).
_RICHARDSON_ROUNDING = 17.0 / 12.0


@dataclass(frozen=True, kw_only=True)
class HessianEstimate:
    """Second derivatives with their error estimate.

    Attributes
    ----------
    value, error : numpy.ndarray
        The estimate and its estimated absolute error: shape ``x.shape + x.shape`` for a
        Hessian (entry ``[i..., j...] = d^2 f / dx[i...] dx[j...]``), ``(R,)`` for second
        directional derivatives.
    reliable : numpy.ndarray of bool
        Where the steps are in the range of the error model (same shape).
    f_value : numpy.ndarray
        f at the point (a 0-d array).
    step : numpy.ndarray
        The base step per coordinate (shape of x), or per direction.
    evaluations, calls : int
        Points at which f was evaluated, and calls made.
    vectorized : bool
        Whether f was called on stacks of points.
    """

    value: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    f_value: np.ndarray
    step: np.ndarray
    evaluations: int
    calls: int
    vectorized: bool


def scalar_at_point(target: Target) -> tuple[np.ndarray, int]:
    """f at the point (twice, as :func:`evaluate_at_point`), refused unless it is a scalar."""
    f0, evaluations = evaluate_at_point(target)
    if f0.size != 1:
        raise OutputTypeError(
            f"{target.role} returned shape {f0.shape}; second derivatives are checked for a "
            f"scalar function. Check each output separately (f = lambda x: g(x)[i]), or check "
            f"the Jacobian's products with gradcheck.check_vjp / check_jvp."
        )
    return f0.reshape(()), evaluations


def _power_of_two_steps(x: np.ndarray, step: object) -> np.ndarray:
    """Base steps (shape of x), rounded to the nearest powers of two, at least 4 ulps of x."""
    if step is None:
        h = SECOND_DIFFERENCE_STEP * coordinate_scales(x)
    else:
        h = given_steps(x, step)
    h = 2.0 ** np.round(np.log2(h))
    return np.maximum(h, 4 * np.spacing(np.abs(x)))


@dataclass(frozen=True)
class _Offsets:
    """The steps ``w_k`` of q: `count` of them, built for the point indices given."""

    count: int
    build: Callable[[np.ndarray], np.ndarray]  # indices (B,) -> steps (B, *x.shape)


def _evaluate_q(
    target: Target,
    f0: np.ndarray,
    offsets: _Offsets,
    vectorized: bool,
    chunk_bytes: int,
) -> tuple[np.ndarray, float, int]:
    """``q(m w_k)`` for m = 1, 2, 4 (shape ``(3, count)``), the rounding level ``delta`` of one
    value of f, and the number of calls. Points: ``x + s w_k`` for s = 1, -1, 2, -2, 4, -4."""
    x, count = target.x, offsets.count
    signs = np.array([1.0, -1.0, 2.0, -2.0, 4.0, -4.0])

    def make_points(start: int, stop: int) -> np.ndarray:
        idx = np.arange(start, stop)
        s, k = signs[idx // count], idx % count
        return x[None] + s.reshape((-1,) + (1,) * x.ndim) * offsets.build(k)

    values, calls = evaluate_points(
        target,
        make_points,
        6 * count,
        (),
        vectorized=vectorized,
        chunk_bytes=chunk_bytes,
        allow_complex=False,
    )
    if not np.all(np.isfinite(values)):
        k = int(np.argwhere(~np.isfinite(values))[0][0])
        raise NonFiniteValueError(
            f"{target.role} returned a non-finite value at stencil point {k + 1} of "
            f"{6 * count} (x + {signs[k // count]:g} w); it is finite at the point itself. "
            f"Choose a smaller `step`, or a point farther from where f is undefined."
        )
    y = values.reshape(3, 2, count)
    q = y[:, 0] + y[:, 1] - 2 * f0
    magnitude = max(float(np.max(np.abs(values), initial=0.0)), float(abs(f0)))
    delta = _ROUNDING_ULPS * (EPS * magnitude + 2.0**-1074)
    return q, delta, calls


def _is_vectorized(target: Target, f0: np.ndarray, h: np.ndarray, vectorized: bool | None):
    """`vectorized`, or the answer of the batching probe along the first coordinate, and the
    evaluations the probe cost."""
    if vectorized is not None:
        return bool(vectorized), 0
    if not target.batchable:
        return False, 0
    size = probe_size(target, f0.shape)
    e = np.zeros(target.x.size)
    e[0] = h.ravel()[0]
    t = (np.arange(size) + 1.0) / size
    points = target.x[None] + t.reshape((size,) + (1,) * target.x.ndim) * e.reshape(target.x.shape)
    singles = np.stack(
        [call_checked(target, p.copy(), "at a probe point", allow_complex=False) for p in points]
    )
    probe = probe_batching(target, points, singles, allow_complex=False)
    return probe.vectorized, size + probe.evaluations


def _richardson(q: np.ndarray, scale: np.ndarray, weight: np.ndarray, delta: float):
    """Value, error and reliability from ``D = q / scale`` at t, 2t and 4t (see the module
    docstring); `weight` is ``sum |c_k|`` of each combination."""
    d1, d2, d4 = q[0] / scale, q[1] / (4 * scale), q[2] / (16 * scale)
    value, r2 = (4 * d1 - d2) / 3, (4 * d2 - d4) / 3
    truncation = np.abs(r2 - value) / 15
    rounding = _RICHARDSON_ROUNDING * _Q_ROUNDING * delta * weight / np.abs(scale)
    largest = float(np.max(np.abs(value), initial=0.0))
    reliable = truncation <= _UNRELIABLE_FRACTION * largest
    return value, truncation + rounding, reliable


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (j, k), j <= k, in the order of the stencil's offsets (diagonal first)."""
    j, k = np.triu_indices(n, 1)
    return np.concatenate([np.arange(n), j]), np.concatenate([np.arange(n), k])


def estimate_hessian(
    target: Target,
    *,
    step: object = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    at_point: tuple[np.ndarray, int] | None = None,
) -> HessianEstimate:
    """The Hessian of a scalar f by second differences (see the module docstring).

    Costs ``3 n (n + 1)`` evaluations of f for a variable of ``n`` entries (``q`` at
    ``n (n + 1) / 2`` offsets, six points each), plus 2 at the point and a batching probe
    of 3-5 points when `vectorized` is None. `step` fixes the base steps (a number or an
    array of the variable's shape; rounded to powers of two).

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck.engine import make_target
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> est = estimate_hessian(make_target(lambda x: x @ A @ x / 2, np.ones(2), None))
    >>> bool(np.allclose(est.value, A, rtol=1e-8)), est.evaluations
    (True, 26)
    """
    x = target.x
    f0, evaluations = scalar_at_point(target) if at_point is None else at_point
    h = _power_of_two_steps(x, step).ravel()
    vectorized, probing = _is_vectorized(target, f0, h, vectorized)
    n = x.size
    j, k = _pairs(n)

    def build(index: np.ndarray) -> np.ndarray:
        w = np.zeros((index.size, n))
        rows = np.arange(index.size)
        w[rows, j[index]] = h[j[index]]
        w[rows, k[index]] = h[k[index]]
        return w.reshape((index.size, *x.shape))

    q, delta, calls = _evaluate_q(target, f0, _Offsets(j.size, build), vectorized, chunk_bytes)
    diag = q[:, :n]
    qj, qk = diag[:, j[n:]], diag[:, k[n:]]
    combined = np.concatenate([diag, (q[:, n:] - qj - qk) / 2], axis=1)
    scale = h[j] * h[k]
    weight = np.where(j == k, 1.0, 1.5)  # (1 + 1 + 1) / 2 for a mixed entry
    value, error, reliable = _richardson(combined, scale, weight, delta)
    return HessianEstimate(
        value=_symmetric_tensor(value, j, k, x.shape),
        error=_symmetric_tensor(error, j, k, x.shape),
        reliable=_symmetric_tensor(reliable, j, k, x.shape),
        f_value=f0,
        step=h.reshape(x.shape),
        evaluations=evaluations + probing + 6 * j.size,
        calls=calls + probing + 2,
        vectorized=vectorized,
    )


def _symmetric_tensor(
    entries: np.ndarray, j: np.ndarray, k: np.ndarray, shape: tuple
) -> np.ndarray:
    n = int(np.prod(shape))
    out = np.zeros((n, n), dtype=entries.dtype)
    out[j, k] = entries
    out[k, j] = entries
    return out.reshape(shape + shape)


def estimate_second_directional(
    target: Target,
    a: np.ndarray,
    b: np.ndarray,
    *,
    step: float | None = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    at_point: tuple[np.ndarray, int] | None = None,
) -> HessianEstimate:
    """``a_r^T H b_r`` for stacks of directions `a`, `b` (shape ``(R, *x.shape)``), by
    polarization: ``(q(t (a + b)) - q(t (a - b))) / (4 t^2)`` at t, 2t and 4t, 12 evaluations
    per pair. `step` is t (default 4 eps^(1/6), directions being scaled like the variable).

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck.engine import make_target
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> t = make_target(lambda x: x @ A @ x / 2, np.ones(2), None)
    >>> a, b = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    >>> bool(np.isclose(estimate_second_directional(t, a, b).value[0], 1.0, rtol=1e-8))
    True
    """
    x = target.x
    f0, evaluations = scalar_at_point(target) if at_point is None else at_point
    t = SECOND_DIFFERENCE_STEP if step is None else float(step)
    if not np.isfinite(t) or t <= 0:
        raise InvalidArgumentError(f"`step` must be positive and finite; got {step!r}.")
    count = len(a)
    w = t * np.concatenate([a + b, a - b]).reshape((2 * count, *x.shape))
    vectorized, probing = _is_vectorized(target, f0, w[0], vectorized)

    def build(index: np.ndarray) -> np.ndarray:
        return w[index]

    q, delta, calls = _evaluate_q(target, f0, _Offsets(2 * count, build), vectorized, chunk_bytes)
    combined = (q[:, :count] - q[:, count:]) / 4
    value, error, reliable = _richardson(
        combined, np.full(count, t * t), np.full(count, 0.5), delta
    )
    return HessianEstimate(
        value=value,
        error=error,
        reliable=reliable,
        f_value=f0,
        step=np.full(count, t),
        evaluations=evaluations + probing + 12 * count,
        calls=calls + probing,
        vectorized=vectorized,
    )


def merge_hessian_estimates(a: HessianEstimate, b: HessianEstimate) -> HessianEstimate:
    """Two estimates of the same second derivatives, merged entry by entry.

    Each entry takes the value with the smaller error estimate, a reliable one before an
    unreliable one. Where the two agree within their error bars (``|a - b| <= E_a + E_b``) the
    chosen value keeps its error: a second estimate with a wider bar that agrees confirms it,
    and must not blur it. Where they disagree beyond both bars and the other value is
    reliable, the error becomes ``|a - b| + E_other``: the disagreement bounds the error.
    """
    take_b = np.where(a.reliable != b.reliable, b.reliable, b.error < a.error)
    e_chosen = np.where(take_b, b.error, a.error)
    e_other = np.where(take_b, a.error, b.error)
    other_reliable = np.where(take_b, a.reliable, b.reliable)
    gap = np.abs(a.value - b.value)
    disagree = other_reliable & (gap > e_chosen + e_other)
    error = np.where(disagree, gap + e_other, e_chosen)
    return HessianEstimate(
        value=np.where(take_b, b.value, a.value),
        error=error,
        reliable=a.reliable | b.reliable,
        f_value=a.f_value,
        step=a.step,
        evaluations=a.evaluations + b.evaluations,
        calls=a.calls + b.calls,
        vectorized=a.vectorized,
    )
