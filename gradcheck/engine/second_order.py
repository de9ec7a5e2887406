"""Second derivatives of a scalar function from its values alone: second-difference stencils.

For a step ``w`` in the variable's space let

    q(w) = f(x + w) + f(x - w) - 2 f(x) = w^T H w + D^4 f(x)[w, w, w, w] / 12 + O(|w|^6)

(Taylor's series: the odd terms cancel). Every second derivative here is a combination of q:

* diagonal entries: ``H_jj = q(h_j e_j) / h_j^2``;
* along two directions a, b: ``a^T H b = (q(a + b) - q(a - b)) / 4`` (polarization);
* mixed entries, the polarization along ``a = h_j e_j``, ``b = h_k e_k``: ``H_jk = (f(x + a +
  b) - f(x + a - b) - f(x - a + b) + f(x - a - b)) / (4 h_j h_k)``, four values of f with
  the rounding bound ``delta / (h_j h_k)`` (the combination ``(q(a + b) - q(a) - q(b)) / (2
  h_j h_k)``, which reuses the diagonal's values at 2 evaluations instead of 4, has seven
  values and a bound 6 times larger).

**The step ladder** (:func:`estimate_hessian`). Each combination ``D(u)`` has the truncation
error ``c2 u^2 + c4 u^4 + c6 u^6 + ...`` and a rounding error that grows like ``1 / u^2``;
the best step depends on f (a quadratic has no truncation error at all: its best step is the
largest). So D is evaluated on a ladder of steps, rung k at ``top_j 2^-k`` with ``top_j``
twice the coordinate's scale (a power of two) and :data:`LADDER_RUNGS` rungs (28), and every
entry takes the best of the candidates at every rung (:func:`_choose`): ``D_k``, the
Richardson values ``R_k = (4 D_k - D_{k-1}) / 3`` (``u^2`` cancelled) and
``S_k = (16 R_k - R_{k-1}) / 15`` (``u^4`` too), each with a truncation estimate from its own
differences up the ladder, credited with the asymptotic factor (1/3, 1/15, S as R) only where
the observed ratio of successive differences shows the asymptotic range, plus a rounding
bound. This is how numdifftools chooses among many steps; here the ladder is walked
adaptively. A candidate counts as converged only on evidence: two successive differences
that fall at a rate the stencil's order allows (not faster: rungs that happen to agree), or
three rungs that agree within rounding; and the chosen value must agree with the values at
every smaller step (:func:`_below`: a periodic f sampled at multiples of its period looks
constant over several large rungs); where the smaller steps contradict it, the rungs down to
it are left out and the entry is chosen again below them (:func:`_below_aliases`). The
ladder reaches ``2^-26`` of the scale (about ``eps^(1/2)``), where rounding dominates even
for f oscillating on a length scale ``1e-3`` of the scale. The diagonal entries are evaluated
at every rung (``2 n LADDER_RUNGS`` evaluations), and their bottom rungs measure f's rounding
noise (:func:`_measured_noise`): the rounding bound of a value of f is that noise (the largest
sample where there are fewer than :data:`_NOISE_SAMPLES`), at least half the quantum of a
staircase f (one computed in float32, :func:`_resolution`), scaled by the value's magnitude,
never below half an ulp (for a given `step`, the a priori ``4 eps max|f|``). The a priori bound
can be too small (f a sum of many cancelling terms, like a quadratic form of 100 variables) or
too large (a sum of well-conditioned terms); the measured one is neither. A mixed entry starts
two rungs above the better of its two diagonals' chosen rungs and goes down one rung (4
evaluations) at a time until its estimate is below ``2^-40`` of the largest entry or no longer
dominated by truncation (smaller steps only add rounding), or its best rung lies three rungs
up. The error bar of an entry comes from this strict rule; its value is then moved within
the bar to the most accurate candidate by the plain estimate of Richardson's method (the
difference to the rung above plus the rounding bound), the bar widened by the move
(:func:`_sharpen`: the strict rule settles at steps larger than the best, the plain one
alone could be fooled by rungs that agree by coincidence, and the move keeps the strict
bar's guarantee). On smooth functions whose derivatives are of the order of the Hessian
at the variable's scale this reaches :data:`SMOOTH_HESSIAN_ERROR`
(``tests/test_hessian_accuracy.py``, ``benchmarks/second_order.py``). An entry whose
truncation estimate exceeds 1e-3 of the largest entry is unreliable (the steps are not
where the error model holds). Points where f is not finite, and rungs at which f
raises, are left out; an entry without any estimate raises.

The Jacobian of a gradient (:func:`estimate_hessian_from_gradient`) uses the same ladder
with the central differences ``(g(x + u e_j) - g(x - u e_j)) / (2 u)``, whose truncation
series is the same, from half the coordinate's scale down: a column starts with two rungs
(4 evaluations; a linear gradient stops there) and goes down while one of its entries gains.

:func:`estimate_second_directional` (the HVP check) walks a ladder too: the polarized
combination ``D(t) = (q(t (a + b)) - q(t (a - b))) / (4 t^2)`` has the truncation series of a
diagonal entry, so each pair of directions takes the best estimate of :func:`_choose` at the
steps ``t = 2 * 2^-k`` (directions scaled like the variable). Two pilot pairs walk every
rung (from above, a step beyond f's length scale can look converged); the others start two
rungs above the pilots' best and descend while they gain. The rounding bound of a value of f
is f's noise measured along a few of the directions ``b_r`` at the steps ``2^-17 .. 2^-21``
(:func:`_directional_noise`). Given steps of a Hessian are rounded to the nearest power of
two, so that ``x_j +- m h_j`` is exact in most cases; a second estimate at 1/4 of the steps
is made by the caller where a verdict is not "passed" (see :func:`merge_hessian_estimates`).
Every stencil point is stacked along one leading axis and evaluated in chunks, like the first-
order engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from ..errors import FunctionCallError, InvalidArgumentError, NonFiniteValueError, OutputTypeError
from .estimate import coordinate_scales, evaluate_at_point, given_steps
from .evaluate import DEFAULT_CHUNK_BYTES, call_checked, evaluate_points, probe_batching, probe_size
from .stencils import EPS
from .target import Target

__all__ = [
    "LADDER_RUNGS",
    "SECOND_DIFFERENCE_RTOL",
    "SECOND_DIFFERENCE_STEP",
    "SMOOTH_HESSIAN_ERROR",
    "HessianEstimate",
    "estimate_hessian",
    "estimate_hessian_from_gradient",
    "estimate_second_directional",
    "merge_hessian_estimates",
    "scalar_at_point",
]

#: Relative step of the second differences, 4 eps^(1/6) (see the module docstring).
SECOND_DIFFERENCE_STEP = 4 * EPS ** (1 / 6)
#: Default rtol of a comparison with second differences of f: the finest relative accuracy a
#: second difference of a float64 function reaches, ``16 eps^(1/2)`` (2.4e-7).
SECOND_DIFFERENCE_RTOL = 16 * EPS**0.5
#: The largest error of :func:`estimate_hessian` documented for smooth functions whose
#: derivatives are of the order of the Hessian at the variable's scale (log-sum-exp and the
#: logistic loss of up to 100 variables, at points of scale 1), relative to
#: ``max(|H_jk|, 1e-3 max|H|)`` entry by entry: measured up to 4.2e-8 at n = 20..50
#: (``tests/test_hessian_accuracy.py``, which asserts a margin of 3x) and 3e-8 at n = 100
#: (``benchmarks/second_order.py``; numdifftools.Hessian 3e-8 to 1e-7).
SMOOTH_HESSIAN_ERROR = 2e-7
#: A priori rounding error of one value of f, in units of ``eps * max|f|``.
_ROUNDING_ULPS = 4.0
#: An entry is unreliable when its truncation estimate exceeds this fraction of the largest
#: entry: the steps are then not in the range where the error model holds.
_UNRELIABLE_FRACTION = 1e-3
#: Rounding of q in units of delta: |1| + |1| + |-2|.
_Q_ROUNDING = 4.0


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


#: The step ladder of :func:`estimate_hessian` and :func:`estimate_hessian_from_gradient`:
#: rung k has the steps ``top_j 2^-k``, ``top_j`` twice the coordinate's scale rounded to a
#: power of two; at most this many rungs (down to ``2^-26`` of the scale).
LADDER_RUNGS = 28
#: The rungs of the Jacobian of a gradient, whose central differences reach rounding sooner.
_GRADIENT_RUNGS = 14
#: The top rung's steps are ``2^_TOP_POWER`` times the coordinate scales (rounded to powers of
#: two): a second difference of a quadratic has no truncation error, so its best step is the
#: largest at which f is defined; the error estimates tell where a smaller one is better.
_TOP_POWER = 1
#: The same for the Jacobian of a gradient, whose central differences start at half the scale.
_GRADIENT_TOP_POWER = -1
#: The rungs at the bottom of the diagonal ladder whose differences measure f's rounding noise.
_NOISE_RUNGS = 4
#: A mixed entry starts this many rungs above the better of its two diagonals' chosen rungs.
#: With 3 the Richardson value S of the most accurate rungs has a rung above to compare with
#: (:func:`_sharpen`: the logistic loss of issue 12's benchmark at n = 100 had an error of
#: 1.2e-8 instead of 3.9e-8), but a larger step along e_i + e_j can look converged from above
#: where f curves fast: log|det X| at cond(X) 1.6e4 then got a false `failed`
#: (tests/test_hessian_trust.py); 2 gives `inconclusive` there.
_MIXED_HEAD_START = 2
#: The pairs of directions of :func:`estimate_second_directional` start this many rungs
#: above its pilot pairs' best.
_DIRECTIONAL_HEAD_START = 2
#: Fewest noise samples (coordinates times rungs) for a measured noise level; with fewer the
#: a priori bound ``4 eps |f|`` is used.
_NOISE_SAMPLES = 32
#: An entry stops descending the ladder once its error estimate is below this fraction of
#: the largest entry (or rounding dominates it, see :func:`_choose`).
_TARGET = 2.0**-40


@dataclass(frozen=True)
class _Choice:
    """Per entry, the candidate with the smallest error estimate (see :func:`_choose`)."""

    value: np.ndarray
    error: np.ndarray
    truncation: np.ndarray
    rounding: np.ndarray
    rung: np.ndarray


def _above(a: np.ndarray, s: int) -> np.ndarray:
    """``a[k - s]`` at rung k (the rung s steps up the ladder, twice the step per rung), NaN
    where there is none."""
    out = np.full_like(a, np.nan)
    out[s:] = a[:-s]
    return out


def _above_rung(a: np.ndarray, s: int) -> np.ndarray:
    """:func:`_above` along the second axis (the rungs of candidates stacked along the first)."""
    out = np.full_like(a, np.nan)
    out[:, s:] = a[:, :-s]
    return out


def _truncation(
    T: np.ndarray, rounding: np.ndarray, order: tuple[int, ...], strict: bool
) -> np.ndarray:
    """Truncation estimates of candidates ``T`` of shape ``(candidates, rungs, ...)``, of the
    orders `order` (one per candidate). For one candidate's ``T_k``, from the differences up
    the ladder, for values whose error falls by ``rho = 4^order`` per rung in the asymptotic
    range: ``|T_{k-1} - T_k| /
    (rho' - 1)`` with ``rho'`` the observed ratio ``|T_{k-2} - T_{k-1}| / |T_{k-1} - T_k|``
    clipped to ``[2, min(rho, 16)]`` (a value of order 6 is credited no more than one of
    order 4: its observed ratios scatter by a factor 2 or more around 64 on smooth
    functions, see ``tests/test_second_order_accuracy.py``). Where there is no ``T_{k-2}``,
    where either difference is within twice the rounding bounds of its two values (the ratio
    is then one of rounding noise), and where the ratio exceeds ``2 rho`` (the differences
    fall faster than the leading term can make them: higher terms cancel it), ``rho' = 2``:
    outside the asymptotic range the estimate is the whole difference to the rung above, or
    the larger of the two differences where they do not fall at least twofold. Without a
    ``T_{k-2}`` there is no estimate (infinite) unless ``T_{k-1}`` and ``T_k`` agree within
    twice their rounding bounds: two values that differ may both be far off.

    `strict` (second differences of f): differences that fall faster than ``2 rho`` are a
    coincidence, and two rungs that agree count only where the rung above agrees too; both
    are then unconfirmed (the larger difference), and there is no estimate without a
    ``T_{k-2}``. Not strict (the Jacobian of a gradient, whose linear case agrees at two
    rungs exactly): as described above."""
    T1, T2, r1 = _above_rung(T, 1), _above_rung(T, 2), _above_rung(rounding, 1)
    r2 = _above_rung(rounding, 2)
    near, far = np.abs(T1 - T), np.abs(T2 - T1)
    noisy = (near <= 2 * (rounding + r1)) | (far <= 2 * (r1 + r2))
    agree = near <= 2 * (rounding + r1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(np.isnan(far) | noisy, 2.0, far / near)
    # differences that fall faster than the leading term can make them fall are a coincidence
    # (two rungs that happen to agree), not evidence of convergence
    orders = np.asarray(order, dtype=float).reshape((-1,) + (1,) * (T.ndim - 1))
    coincidence = (ratio > 2 * 4.0**orders) & ~noisy & strict
    ratio = np.clip(ratio, 2.0, 4.0 ** np.minimum(orders, 2))
    estimate = np.where(near == 0, 0.0, near / (ratio - 1))
    # unconfirmed: no rung above to check the ratio, differences that do not fall, or fall
    # by coincidence; two rungs that agree count only where the rung above agrees too
    agree_twice = agree & (far <= 2 * (r1 + r2))
    unconfirmed = ((np.isnan(far) | (far < 2 * near)) & ~agree) | coincidence
    if strict:
        unconfirmed |= agree & ~agree_twice
    with np.errstate(invalid="ignore"):
        return np.where(
            np.isnan(far) & (strict | ~agree),
            np.inf,
            np.where(unconfirmed, np.fmax(near, far), estimate),
        )


def _candidates(
    D: np.ndarray, rounding: np.ndarray, strict: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidates ``D``, ``R`` and ``S`` of :func:`_choose` at every rung (stacked along
    a new leading axis of 3), their truncation estimates and their rounding bounds."""
    with np.errstate(invalid="ignore"):
        R, r_r = (4 * D - _above(D, 1)) / 3, (4 * rounding + _above(rounding, 1)) / 3
        S, r_s = (16 * R - _above(R, 1)) / 15, (16 * r_r + _above(r_r, 1)) / 15
        values, bounds = np.stack([D, R, S]), np.stack([rounding, r_r, r_s])
        truncation = _truncation(values, bounds, (1, 2, 3), strict)
    return values, truncation, bounds


def _choose(D: np.ndarray, rounding: np.ndarray, strict: bool = True) -> _Choice:
    """The best estimate per entry from difference quotients ``D`` at the ladder's rungs.

    ``D`` has shape ``(K, ...)``: rung k at steps ``2^-k`` times the top ones, NaN where it
    was not evaluated or not finite; ``rounding`` bounds each value's rounding error. The
    truncation error of ``D`` is ``c2 u^2 + c4 u^4 + c6 u^6 + ...`` in the step u (the second
    difference of f and the central difference of a gradient alike). Candidates at rung k:
    ``D_k``; ``R_k = (4 D_k - D_{k-1}) / 3`` (the ``u^2`` term cancelled); ``S_k = (16 R_k -
    R_{k-1}) / 15`` (the ``u^4`` term too). Each one's truncation estimate comes from its own
    differences up the ladder (:func:`_truncation`: ``|T_{k-1} - T_k| / 3`` and ``/ 15`` in
    the asymptotic range, where the differences fall by 4 and 16 per rung, S credited as R;
    the whole difference where they do not). The error estimate is the truncation plus the
    rounding bound of the combination; the candidate with the smallest is returned.
    """
    # the rungs below the lowest one evaluated (NaN for every entry) can never be chosen
    evaluated = np.flatnonzero(~np.isnan(D.reshape(D.shape[0], -1)).all(axis=1))
    depth = int(evaluated[-1]) + 1 if evaluated.size else 1
    D, rounding = D[:depth], rounding[:depth]
    values, truncation, rnd = _candidates(D, rounding, strict)
    with np.errstate(invalid="ignore"):
        error = truncation + rnd
    error = np.where(np.isfinite(error) & np.isfinite(values), error, np.inf)
    flat = error.reshape(3 * D.shape[0], -1)
    best = np.argmin(flat, axis=0)
    cols = np.arange(flat.shape[1])

    def pick(a: np.ndarray) -> np.ndarray:
        return a.reshape(flat.shape)[best, cols].reshape(D.shape[1:])

    return _Choice(
        value=pick(values),
        error=pick(error),
        truncation=pick(truncation),
        rounding=pick(rnd),
        rung=(best % D.shape[0]).reshape(D.shape[1:]),
    )


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (j, k), j <= k, in the order of the stencil's offsets (diagonal first)."""
    j, k = np.triu_indices(n, 1)
    return np.concatenate([np.arange(n), j]), np.concatenate([np.arange(n), k])


def _ladder_tops(x: np.ndarray, step: object, power: int) -> tuple[np.ndarray, int]:
    """The top rung's steps (flat) and the number of rungs: half the coordinate scales (as
    powers of two) and :data:`LADDER_RUNGS` by default; for a given `step` h, the three rungs
    4h, 2h, h (h rounded to a power of two, at least 4 ulps of x)."""
    if step is not None:
        return 4 * _power_of_two_steps(x, step).ravel(), 3
    top = 2.0 ** (np.round(np.log2(coordinate_scales(x))) + power)
    return top.ravel(), LADDER_RUNGS if power == _TOP_POWER else _GRADIENT_RUNGS


def _along_axes(x: np.ndarray, coords: np.ndarray, u: np.ndarray) -> _Offsets:
    """The offsets ``u_b e_{coords_b}`` along the coordinate axes."""

    def build(index: np.ndarray) -> np.ndarray:
        w = np.zeros((index.size, x.size))
        w[np.arange(index.size), coords[index]] = u[index]
        return w.reshape((index.size, *x.shape))

    return _Offsets(coords.size, build)


def _plus_minus(
    target: Target,
    offsets: _Offsets,
    f_shape: tuple,
    vectorized: bool,
    chunk_bytes: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """``f(x + w_b)`` and ``f(x - w_b)`` for the offsets (each ``(count, *f_shape)``, NaN
    where not finite) and the number of calls. Raises FunctionCallError as f does."""
    x, count = target.x, offsets.count

    def make_points(start: int, stop: int) -> np.ndarray:
        idx = np.arange(start, stop)
        sign = np.where(idx < count, 1.0, -1.0).reshape((-1,) + (1,) * x.ndim)
        return x[None] + sign * offsets.build(idx % count)

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        values, calls = evaluate_points(
            target,
            make_points,
            2 * count,
            f_shape,
            vectorized=vectorized,
            chunk_bytes=chunk_bytes,
            allow_complex=False,
        )
    values = np.where(np.isfinite(values), values, np.nan)
    return values[:count], values[count:], calls


def _max_of(*magnitudes: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.fmax.reduce(np.stack(np.broadcast_arrays(*magnitudes)), axis=0)


def _delta(*magnitudes: np.ndarray) -> np.ndarray:
    """The a priori rounding bound of one value of a gradient: ``4 eps`` times the largest
    magnitude given."""
    return _ROUNDING_ULPS * (EPS * _max_of(*magnitudes) + 2.0**-1074)


def _measured_noise(q_diag: np.ndarray) -> float:
    """The rounding noise of one value of f, measured at the bottom of the diagonal ladder
    (0 where there are too few samples to tell).

    There the truncation of ``q(u) = c u^2 + d u^4 + ...`` nearly cancels in
    ``q(2u) - 4 q(u) = 12 d u^4 + ...``: what is left is rounding, ``e(2u) - 4 e(u)`` with e
    the error of q (of three values of f, weights 1, 1, -2). Per rung pair, the largest
    sample over the coordinates; the smallest of these over the bottom rungs (where the
    ``u^4`` term has not died out, the samples fall 16-fold per rung); twice that, divided by
    5 (the weights 1 + 4) and 4 (the weights of q), bounds the error of one value.
    """
    bottom = q_diag[-_NOISE_RUNGS - 1 :]
    with np.errstate(invalid="ignore"):
        samples = np.abs(bottom[:-1] - 4 * bottom[1:]) / 5
        per_rung = np.nanmax(np.where(np.isfinite(samples), samples, np.nan), axis=1, initial=0.0)
    if bottom.shape[1] * _NOISE_RUNGS < _NOISE_SAMPLES:  # few samples: the largest, not the least
        return 2 * float(np.max(per_rung)) / _Q_ROUNDING
    return 2 * float(np.min(per_rung)) / _Q_ROUNDING


def _resolution(changes: np.ndarray) -> float:
    """Half the quantum of f's values where the diagonal ladder shows f resolved to a few
    quanta only (0 elsewhere): `changes` are ``f(x +- u e_j) - f(x)`` at every rung.

    An f computed in a lower precision (float32) or from intermediates much larger than itself
    moves in a staircase: values equal to f(x) at a step away from x (ties) while others
    differ. Each value is then off by up to half a step of the staircase, the smallest non-zero
    gap between the values, which second differences at the bottom of the ladder need not show
    (over a symmetric staircase they vanish)."""
    finite = changes[np.isfinite(changes)]
    if not np.any(finite == 0) or not np.any(finite != 0):
        return 0.0
    gaps = np.diff(np.unique(np.concatenate([finite, [0.0]])))
    return float(np.min(gaps[gaps > 0])) / 2


def _rounding_of_f(noise: float, at_point: float, *magnitudes: np.ndarray) -> np.ndarray:
    """The rounding bound of one value of f of the given magnitude: the measured `noise`,
    scaled by the magnitude relative to f's at the point, and never below half an ulp of the
    largest value (the rounding of f's result itself) nor, where nothing was measured (a
    given step), below the a priori ``4 eps |f|``."""
    largest = _max_of(*magnitudes)
    if noise == 0.0:
        return _delta(largest)
    scaled = noise * np.maximum(largest / max(at_point, 2.0**-1022), 1.0)
    return np.maximum(scaled, EPS / 2 * largest + 2.0**-1074)


@dataclass
class _Ladder:
    """Difference quotients ``D`` and their rounding bounds at the rungs, ``(rungs, M, G)``
    for G groups of M entries evaluated together (a column of the Jacobian of a gradient, one
    entry of a Hessian from f), with the counts of points and calls."""

    D: np.ndarray
    rounding: np.ndarray
    evaluations: int = 0
    calls: int = 0
    failure: Exception | None = None
    strict: bool = True


#: Evaluates the rungs r_b of the groups g_b (two arrays of length B): (D, rounding) of shape
#: (M, B), points, calls.
_Rung = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, int, int]]


def _evaluate_round(ladder: _Ladder, evaluate: _Rung, r: np.ndarray, groups: np.ndarray) -> None:
    """Evaluate the (rung, group) pairs in one go; if f raises, each rung on its own, and a
    rung at which it raises again is skipped for these groups (f is not defined that far
    out)."""
    parts = [(r, groups)]
    try:
        got = [evaluate(r, groups)]
    except FunctionCallError as exc:
        ladder.failure = exc
        parts, got = [], []
        for rung in np.unique(r):
            try:
                got.append(evaluate(r[r == rung], groups[r == rung]))
            except FunctionCallError as again:
                ladder.failure = again
            else:
                parts.append((r[r == rung], groups[r == rung]))
    for (rr, gg), (D, rounding, points, calls) in zip(parts, got, strict=True):
        ladder.D[rr, :, gg], ladder.rounding[rr, :, gg] = D.T, rounding.T
        ladder.evaluations, ladder.calls = ladder.evaluations + points, ladder.calls + calls


def _descend(
    evaluate: _Rung,
    start: np.ndarray,
    shape: tuple[int, int],
    adaptive: bool,
    largest: float,
    strict: bool = True,
) -> _Ladder:
    """Evaluate each group's rungs from `start` down the ladder, two at first, then one at a
    time while some entry of the group may still gain (adaptive), else every rung at once.

    A group stops when each of its entries' best estimate (:func:`_choose`) is below
    :data:`_TARGET` of the `largest` entry, or has no more truncation than rounding error
    (smaller steps only add rounding), or was found three rungs up (the error has grown
    since); and at the last rung.
    """
    rungs, (m, g) = shape
    ladder = _Ladder(
        D=np.full((rungs, m, g), np.nan), rounding=np.full((rungs, m, g), np.nan), strict=strict
    )
    nxt, active = start.copy(), np.ones(g, dtype=bool)
    count = 2 if adaptive else rungs
    while np.any(active):
        groups = np.flatnonzero(active)
        r = nxt[groups][None] + np.arange(count)[:, None]
        inside = r < rungs
        _evaluate_round(ladder, evaluate, r[inside], np.broadcast_to(groups, r.shape)[inside])
        nxt[groups] += count
        count = 1
        active &= nxt < rungs
        fresh = np.flatnonzero(active)
        if adaptive and fresh.size:
            choice = _choose(ladder.D[:, :, fresh], ladder.rounding[:, :, fresh], ladder.strict)
            finite = choice.value[np.isfinite(choice.error)]
            largest = max(largest, float(np.max(np.abs(finite), initial=0.0)))
            good = (
                (choice.error <= _TARGET * largest)
                | (choice.truncation <= choice.rounding)
                | ((choice.rung <= nxt[fresh] - 4) & np.isfinite(choice.error))
            )
            active[fresh[np.all(good, axis=0)]] = False
    return ladder


def _unconfirmed(ladder: _Ladder, choice: _Choice) -> _Choice:
    """`choice` where an entry's every candidate is unconfirmed (no three rungs whose
    differences fall, no two that agree): the value at its smallest step, with the spread of
    all its values as the truncation estimate (the entry is then unreliable unless they
    agree closely)."""
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(ladder.D, axis=0) - np.nanmin(ladder.D, axis=0)
        rounding = np.nanmax(ladder.rounding, axis=0)
    last = ladder.D.shape[0] - 1 - np.argmax(np.isfinite(ladder.D[::-1]), axis=0)
    bottom = np.take_along_axis(ladder.D, last[None], axis=0)[0]
    bad = ~np.isfinite(choice.error)
    return _Choice(
        value=np.where(bad, bottom, choice.value),
        error=np.where(bad, spread + rounding, choice.error),
        truncation=np.where(bad, spread, choice.truncation),
        rounding=np.where(bad, rounding, choice.rounding),
        rung=np.where(bad, last, choice.rung),
    )


def _below(ladder: _Ladder, choice: _Choice) -> _Choice:
    """`choice` with each entry's error widened to cover the values at the smaller steps.

    Below the chosen rung the truncation error of ``D`` only shrinks (``c2 u^2 + ...``), so
    every ``D_j`` there lies within ``|D_k - value|`` of the value plus the rounding bounds of
    both. A value found where the steps are beyond f's length scale does not: a periodic f
    sampled at multiples of its period looks constant over several rungs (aliasing), and
    only the smaller steps show the curvature. Where they disagree, the disagreement is the
    truncation estimate (and the entry unreliable when it is large)."""
    rungs = np.arange(ladder.D.shape[0]).reshape((-1,) + (1,) * (ladder.D.ndim - 1))
    at = np.take_along_axis(ladder.D, choice.rung[None], axis=0)[0]
    r_at = np.take_along_axis(ladder.rounding, choice.rung[None], axis=0)[0]
    with np.errstate(invalid="ignore"):
        gap = (
            np.abs(ladder.D - choice.value)
            - np.abs(at - choice.value)
            - 2 * (ladder.rounding + r_at)
        )
        gap = np.where((rungs > choice.rung) & np.isfinite(gap), gap, 0.0)
    worst = np.max(gap, axis=0, initial=0.0)
    off = worst > choice.error
    spread = np.where(off, worst + np.abs(at - choice.value), 0.0)
    return _Choice(
        value=choice.value,
        error=np.where(off, choice.error + spread, choice.error),
        truncation=np.where(off, choice.truncation + spread, choice.truncation),
        rounding=choice.rounding,
        rung=choice.rung,
    )


def _finished(ladder: _Ladder, role: str, what: str) -> _Choice:
    """The ladder's best estimates, checked against the smaller steps (:func:`_below`);
    raises where an entry has none (f failed or was not finite at every rung)."""
    choice = _choose(ladder.D, ladder.rounding, ladder.strict)
    if not ladder.strict and np.all(np.isfinite(choice.error)):
        return choice
    if np.all(np.isfinite(choice.error)):
        return _below(ladder, choice)
    finite = np.isfinite(ladder.D)
    if np.all(np.any(finite, axis=0)):
        return _below(ladder, _unconfirmed(ladder, choice))
    if ladder.failure is not None:
        raise ladder.failure
    raise NonFiniteValueError(
        f"{role} returned non-finite values at the stencil points of {what} at every step "
        f"tried (down to 2^-{ladder.D.shape[0] - 1} of the largest); it is finite at the point "
        f"itself. Choose a smaller `step`, or a point farther from where f is undefined."
    )


def _below_aliases(ladder: _Ladder, role: str, what: str) -> _Choice:
    """:func:`_finished`, choosing again below a choice that the smaller steps contradict.

    Where the values at smaller steps disagree with an entry's choice (:func:`_below` widened
    its error), the steps down to the chosen one are beyond f's length scale: a step that is
    nearly a multiple of f's period makes ``q(u)`` fall like ``u^2`` over a few rungs, which
    looks converged (aliasing). Those rungs are left out and the entry chosen again, while
    rungs remain."""
    choice = _finished(ladder, role, what)
    D = ladder.D.copy()
    rungs = np.arange(D.shape[0]).reshape((-1,) + (1,) * (D.ndim - 1))
    for _ in range(D.shape[0]):
        raw = _choose(D, ladder.rounding, ladder.strict)
        left = np.isfinite(np.where(rungs > raw.rung, D, np.nan)).sum(axis=0) >= 3
        again = (choice.error > raw.error) & np.isfinite(raw.error) & left
        if not np.any(again):
            return choice
        D = np.where(again & (rungs <= raw.rung), np.nan, D)
        retry = _finished(replace(ladder, D=D), role, what)
        choice = _Choice(
            **{
                name: np.where(again, getattr(retry, name), getattr(choice, name))
                for name in ("value", "error", "truncation", "rounding", "rung")
            }
        )
    return choice


def _sharpen(ladder: _Ladder, choice: _Choice) -> _Choice:
    """`choice` with each value moved to the candidate of the ladder with the smallest plain
    error estimate inside the chosen error bar, the bar widened by the move.

    The choice's evidence rule (:func:`_truncation`) is strict: an entry claims convergence
    only where the differences of three rungs fall at the stencil's rate, or three rungs
    agree within their rounding bounds, which are tens of times the rounding the values
    show. Entries therefore settle at a step larger than the most accurate one. Every
    candidate (``D``, ``R`` or ``S`` at any rung, :func:`_candidates`) whose value lies
    within the chosen error bar is scored by the plain estimate of Richardson's method, its
    difference to the same candidate one rung up (where there is none, to the candidate of
    the next lower order at its rung: ``S - R``, ``R - D``) plus its rounding bound, and the value
    becomes the best-scored one's. The error bar is the choice's plus the move ``|new -
    chosen|``: the exact value lies within the choice's bar of the chosen value, so within
    the widened bar of the new one (a correct claim within the choice's bar is within the
    new bar too), however the plain estimate fares."""
    values, _, rnd = _candidates(ladder.D, ladder.rounding, ladder.strict)
    with np.errstate(invalid="ignore"):
        up = np.abs(values - _above(values.swapaxes(0, 1), 1).swapaxes(0, 1))
        lower = np.abs(values - _above(values, 1))  # R - D, S - R at the same rung
        score = np.where(np.isnan(up), lower, up) + rnd
        inside = np.abs(values - choice.value) <= choice.error
    allowed = inside & np.isfinite(score) & np.isfinite(values)
    score = np.where(allowed, score, np.inf).reshape(3 * ladder.D.shape[0], *ladder.D.shape[1:])
    best = np.argmin(score, axis=0)
    found = np.isfinite(np.take_along_axis(score, best[None], axis=0)[0])
    moved = np.take_along_axis(values.reshape(score.shape), best[None], axis=0)[0]
    value = np.where(found, moved, choice.value)
    gap = np.abs(value - choice.value)
    return _Choice(
        value=value,
        error=choice.error + gap,
        truncation=choice.truncation + gap,
        rounding=choice.rounding,
        rung=choice.rung,
    )


def estimate_hessian(
    target: Target,
    *,
    step: object = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    at_point: tuple[np.ndarray, int] | None = None,
) -> HessianEstimate:
    """The Hessian of a scalar f by second differences on a ladder of steps (see the module
    docstring).

    Each diagonal entry is evaluated at every rung (``2 n LADDER_RUNGS`` evaluations); each
    mixed entry starts two rungs above the better of its diagonals' chosen rungs and goes
    down while it gains, 8 evaluations for the first two rungs, 4 per rung more; plus 2 at
    the point and a batching probe of 3-5 points when `vectorized` is None. `step` fixes the
    base steps h (a number or an array of the variable's shape; rounded to powers of two):
    then every entry is evaluated at h, 2h and 4h (``6 n^2`` evaluations).

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck.engine import make_target
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> est = estimate_hessian(make_target(lambda x: x @ A @ x / 2, np.ones(2), None))
    >>> bool(np.allclose(est.value, A, rtol=1e-12)), bool(np.all(est.error < 1e-12))
    (True, True)
    """
    x = target.x
    f0, evaluations = scalar_at_point(target) if at_point is None else at_point
    top, rungs = _ladder_tops(x, step, _TOP_POWER)
    vectorized, probing = _is_vectorized(target, f0, top * 2.0 ** -(rungs - 1), vectorized)
    engine = {"vectorized": vectorized, "chunk_bytes": chunk_bytes}
    diag = _diagonal_ladder(target, f0, top, rungs, engine)
    noise = 0.0
    if step is None:
        noise = max(_measured_noise(diag.q), _resolution(diag.changes))
    delta = partial(_rounding_of_f, noise, abs(float(f0)))
    u_diag = top[None] * 2.0 ** -np.arange(rungs)[:, None]
    diag.ladder.rounding[:, 0] = _Q_ROUNDING * delta(diag.magnitude, np.abs(f0)) / u_diag**2
    d_choice = _below_aliases(diag.ladder, target.role, "a diagonal entry")
    j, k = np.triu_indices(x.size, 1)
    best = d_choice.rung.ravel()
    start = np.zeros(j.size, dtype=int)
    if step is None:
        start = np.clip(np.minimum(best[j], best[k]) - _MIXED_HEAD_START, 0, rungs - 3)
    largest = float(np.max(np.abs(d_choice.value)))
    mixed = _mixed_rungs(target, f0, top, delta, engine)
    off = _descend(mixed, start, (rungs, (1, j.size)), step is None, largest)
    m_choice = _sharpen(off, _below_aliases(off, target.role, "a mixed entry"))
    return _hessian_of_entries(
        d_choice,
        m_choice,
        f0=f0,
        step=(top * 2.0**-best).reshape(x.shape),
        evaluations=evaluations + probing + diag.ladder.evaluations + off.evaluations,
        calls=2 + probing + diag.ladder.calls + off.calls,
        vectorized=vectorized,
    )


@dataclass(frozen=True)
class _Diagonal:
    """The diagonal ladder of :func:`estimate_hessian` and what its values of f tell: ``q``
    and the larger of ``|f(x +- u e_j)|`` at every rung (shape ``(rungs, n)``), and the
    changes ``f(x +- u e_j) - f(x)`` (shape ``(2, rungs, n)``)."""

    ladder: _Ladder
    q: np.ndarray
    magnitude: np.ndarray
    changes: np.ndarray


def _diagonal_ladder(
    target: Target, f0: np.ndarray, top: np.ndarray, rungs: int, engine: dict
) -> _Diagonal:
    """The diagonal entries ``q(u e_j) / u^2`` at every rung, with the a priori rounding
    bound (replaced by the caller once f's noise is measured)."""
    x = target.x
    n = x.size
    q_diag, m_diag = np.full((rungs, n), np.nan), np.full((rungs, n), np.nan)
    p_diag, n_diag = np.full((rungs, n), np.nan), np.full((rungs, n), np.nan)

    def diagonal(r: np.ndarray, coords: np.ndarray):
        u = top[coords] * 2.0**-r
        plus, minus, calls = _plus_minus(target, _along_axes(x, coords, u), (), **engine)
        q_diag[r, coords] = plus + minus - 2 * f0
        p_diag[r, coords], n_diag[r, coords] = plus, minus
        m_diag[r, coords] = np.fmax(np.abs(plus), np.abs(minus))
        delta = _delta(m_diag[r, coords], np.abs(f0))
        return (
            (q_diag[r, coords] / u**2)[None],
            (_Q_ROUNDING * delta / u**2)[None],
            2 * u.size,
            calls,
        )

    every = np.zeros(n, dtype=int)
    ladder = _descend(diagonal, every, (rungs, (1, n)), False, 0.0)
    return _Diagonal(ladder, q_diag, m_diag, np.stack([p_diag, n_diag]) - f0)


def _mixed_rungs(
    target: Target,
    f0: np.ndarray,
    top: np.ndarray,
    delta: Callable[..., np.ndarray],
    engine: dict,
) -> _Rung:
    """The rungs of the mixed entries ``(f(x + a + b) - f(x + a - b) - f(x - a + b) + f(x - a
    - b)) / (4 u_j u_k)``, ``a = u_j e_j``, ``b = u_k e_k``, j < k in the order of
    ``np.triu_indices`` (the polarization ``(q(a + b) - q(a - b)) / 4``: four values of f,
    each rung 4 evaluations)."""
    x = target.x
    n = x.size
    j, k = np.triu_indices(n, 1)

    def mixed(r: np.ndarray, pairs: np.ndarray):
        uj, uk = top[j[pairs]] * 2.0**-r, top[k[pairs]] * 2.0**-r
        size = pairs.size

        def build(index: np.ndarray) -> np.ndarray:
            one = index < size  # a + b, then a - b
            at = np.where(one, index, index - size)
            w = np.zeros((index.size, n))
            rows = np.arange(index.size)
            w[rows, j[pairs[at]]] = uj[at]
            w[rows, k[pairs[at]]] = np.where(one, uk[at], -uk[at])
            return w.reshape((index.size, *x.shape))

        plus, minus, calls = _plus_minus(target, _Offsets(2 * size, build), (), **engine)
        # differences of nearby values first: exact, so only the four values' rounding counts
        difference = (plus[:size] - plus[size:]) + (minus[:size] - minus[size:])
        halves = (plus[:size], minus[:size], plus[size:], minus[size:])
        rounding = _Q_ROUNDING * delta(*(np.abs(h) for h in halves)) / (4 * uj * uk)
        return (difference / (4 * uj * uk))[None], rounding[None], 4 * size, calls

    return mixed


def _hessian_of_entries(
    d_choice: _Choice,
    m_choice: _Choice,
    *,
    f0: np.ndarray,
    step: np.ndarray,
    evaluations: int,
    calls: int,
    vectorized: bool,
) -> HessianEstimate:
    """The Hessian (shape ``step.shape * 2``) from its diagonal and mixed (upper triangle)
    entries' choices."""
    n, shape = d_choice.value.size, step.shape
    value = np.concatenate([d_choice.value.ravel(), m_choice.value.ravel()])
    error = np.concatenate([d_choice.error.ravel(), m_choice.error.ravel()])
    truncation = np.concatenate([d_choice.truncation.ravel(), m_choice.truncation.ravel()])
    reliable = truncation <= _UNRELIABLE_FRACTION * float(np.max(np.abs(value), initial=0.0))
    jj, kk = _pairs(n)
    return HessianEstimate(
        value=_symmetric_tensor(value, jj, kk, shape),
        error=_symmetric_tensor(error, jj, kk, shape),
        reliable=_symmetric_tensor(reliable, jj, kk, shape),
        f_value=f0,
        step=step,
        evaluations=evaluations,
        calls=calls,
        vectorized=vectorized,
    )


def estimate_hessian_from_gradient(
    target: Target,
    *,
    step: object = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    at_point: tuple[np.ndarray, int] | None = None,
) -> HessianEstimate:
    """The Hessian as the Jacobian of a gradient (`target`, returning the variable's shape),
    by central differences on a ladder of steps (see the module docstring).

    Column j is ``D(u) = (g(x + u e_j) - g(x - u e_j)) / (2 u)``, whose truncation error has
    only even powers of u, at the rungs ``u = top_j 2^-k`` from half the coordinate's scale
    down; its entries take the best of the ladder's estimates (:func:`_choose`), with the
    rounding bound ``delta / u`` of ``D``, ``delta = 4 eps max|g|`` over the column's points
    and the point. A column starts with two rungs (4 evaluations: enough where the gradient
    is linear, whose differences have no truncation error) and goes down one rung (2
    evaluations) at a time while an entry may gain. `step` fixes the base steps h (rungs 4h,
    2h, h). Entry ``[i..., j...]`` of the value is ``d g[i...] / d x[j...]``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck.engine import make_target
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> est = estimate_hessian_from_gradient(make_target(lambda x: A @ x, np.ones(2), None))
    >>> bool(np.allclose(est.value, A, rtol=1e-13)), est.evaluations  # 2 + probe 6 + 2 x 4
    (True, 16)
    """
    x = target.x
    n = x.size
    g0, evaluations = evaluate_at_point(target) if at_point is None else at_point
    if g0.shape != x.shape:
        raise OutputTypeError(
            f"{target.role} returned shape {g0.shape}; a gradient must return the variable's "
            f"shape {x.shape}."
        )
    top, rungs = _ladder_tops(x, step, _GRADIENT_TOP_POWER)
    vectorized, probing = _is_vectorized(target, g0, top * 2.0 ** -(rungs - 1), vectorized)
    engine = {"vectorized": vectorized, "chunk_bytes": chunk_bytes}
    g_size = np.abs(g0).max(initial=0.0)

    def column(r: np.ndarray, coords: np.ndarray):
        u = top[coords] * 2.0**-r
        plus, minus, calls = _plus_minus(target, _along_axes(x, coords, u), x.shape, **engine)
        plus, minus = plus.reshape(coords.size, n), minus.reshape(coords.size, n)
        with np.errstate(invalid="ignore"):
            size = np.fmax(np.max(np.abs(plus), axis=1), np.max(np.abs(minus), axis=1))
        rounding = _delta(size, g_size) / u
        return (
            ((plus - minus) / (2 * u[:, None])).T,
            np.broadcast_to(rounding, (n, u.size)),
            2 * u.size,
            calls,
        )

    ladder = _descend(
        column, np.zeros(n, dtype=int), (rungs, (n, n)), step is None, 0.0, strict=False
    )
    choice = _finished(ladder, target.role, "a column")
    largest = float(np.max(np.abs(choice.value), initial=0.0))
    reliable = choice.truncation <= _UNRELIABLE_FRACTION * largest
    return HessianEstimate(
        value=choice.value.reshape(x.shape + x.shape),
        error=choice.error.reshape(x.shape + x.shape),
        reliable=reliable.reshape(x.shape + x.shape),
        f_value=g0,
        step=(top * 2.0 ** -np.max(choice.rung, axis=0)).reshape(x.shape),
        evaluations=evaluations + probing + ladder.evaluations,
        calls=2 + probing + ladder.calls,
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


#: Top step t of the directional ladder of :func:`estimate_second_directional` (its
#: directions are scaled like the variable), which has :data:`LADDER_RUNGS` rungs below it.
_DIRECTIONAL_TOP = 2.0
#: The steps t of the directional noise probe, ``2^-17 .. 2^-21``: far enough below the
#: variable's scale that the ``u^4`` term of q has died out on a function of that length
#: scale, large enough that f computed in float32 still moves.
_PROBE_STEPS = 2.0 ** -np.arange(17, 22)
#: Directions of the noise probe: ``b_r`` of the first this many pairs.
_PROBE_DIRECTIONS = 8
#: Pairs of the directional ladder that walk every rung (see
#: :func:`estimate_second_directional`).
_PILOT_PAIRS = 2


def _directional_noise(
    target: Target, f0: np.ndarray, w: np.ndarray, engine: dict
) -> tuple[float, int, int]:
    """f's rounding noise measured along the directions `w` (shape ``(P, *x.shape)``) at the
    probe steps :data:`_PROBE_STEPS` (as at the bottom of the Hessian's diagonal ladder, see
    :func:`_measured_noise` and :func:`_resolution`); points and calls."""
    x = target.x
    # directions equal up to sign give one sample, not several (a variable of one entry)
    w = w[np.sort(np.unique(np.abs(w.reshape(len(w), -1)), axis=0, return_index=True)[1])]
    steps = (_PROBE_STEPS[:, None, None] * w.reshape(1, len(w), -1)).reshape(-1, *x.shape)

    def build(index: np.ndarray) -> np.ndarray:
        return steps[index]

    plus, minus, calls = _plus_minus(target, _Offsets(len(steps), build), (), **engine)
    q = (plus + minus - 2 * f0).reshape(_PROBE_STEPS.size, len(w))
    noise = max(_measured_noise(q), _resolution(np.stack([plus, minus]) - f0))
    return noise, 2 * len(steps), calls


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
    polarization: ``D(t) = (q(t (a + b)) - q(t (a - b))) / (4 t^2)`` on a ladder of steps.

    ``D(t)`` has the truncation series of a diagonal second difference, so each pair takes
    the best estimate of the ladder (:func:`_choose`, convergence only where the differences
    of several rungs fall as the stencil's order predicts) at ``t = 2 * 2^-k`` (directions
    being scaled like the variable), from the top down, 8 evaluations for the first two rungs
    and 4 per rung more while the pair may gain (:func:`_descend`). The rounding bound of a
    value of f is f's noise measured along the first pairs' ``b`` at small steps
    (:func:`_directional_noise`, 10 evaluations per direction, at most 8 directions), never
    below half an ulp. `step` fixes t: then the rungs 4t, 2t and t (12 evaluations per pair).

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
    if step is None:
        top, rungs = _DIRECTIONAL_TOP, LADDER_RUNGS
    else:
        t = float(step)
        if not np.isfinite(t) or t <= 0:
            raise InvalidArgumentError(f"`step` must be positive and finite; got {step!r}.")
        top, rungs = 4 * t, 3
    count = len(a)
    sums = np.reshape(a + b, (count, *x.shape))
    differences = np.reshape(a - b, (count, *x.shape))
    vectorized, probing = _is_vectorized(target, f0, SECOND_DIFFERENCE_STEP * sums[0], vectorized)
    engine = {"vectorized": vectorized, "chunk_bytes": chunk_bytes}
    # along b (never zero, unlike a + b or a - b for a variable of one entry): a direction
    # along which x does not move would show ties that are no staircase of f
    noise, noise_points, noise_calls = _directional_noise(
        target, f0, np.reshape(b, (count, *x.shape))[:_PROBE_DIRECTIONS], engine
    )
    delta = partial(_rounding_of_f, noise, abs(float(f0)))
    polarized = partial(_polarized_rungs, target, f0, (sums, differences), top, delta, engine)
    ladder = _directional_ladder(polarized, count, rungs, step is None, target.role)
    choice = _below_aliases(ladder, target.role, "a pair of directions")
    value = choice.value.ravel()
    largest = float(np.max(np.abs(value), initial=0.0))
    return HessianEstimate(
        value=value,
        error=choice.error.ravel(),
        reliable=choice.truncation.ravel() <= _UNRELIABLE_FRACTION * largest,
        f_value=f0,
        step=top * 2.0 ** -choice.rung.ravel(),
        evaluations=evaluations + probing + noise_points + ladder.evaluations,
        calls=probing + noise_calls + ladder.calls,
        vectorized=vectorized,
    )


def _polarized_rungs(
    target: Target,
    f0: np.ndarray,
    directions: tuple[np.ndarray, np.ndarray],
    top: float,
    delta: Callable[..., np.ndarray],
    engine: dict,
    first: int,
) -> _Rung:
    """The rungs r of the pairs ``first + group`` of :func:`estimate_second_directional`:
    ``(q(t (a + b)) - q(t (a - b))) / (4 t^2)`` at ``t = top 2^-r``, `directions` the sums
    and the differences ``a +- b``."""
    x = target.x
    sums, differences = directions

    def evaluate(r: np.ndarray, groups: np.ndarray):
        t, pairs, size = top * 2.0**-r, first + groups, groups.size

        def build(index: np.ndarray) -> np.ndarray:
            one = index < size
            k = np.where(one, index, index - size)
            axes = (-1,) + (1,) * x.ndim
            w = np.where(one.reshape(axes), sums[pairs[k]], differences[pairs[k]])
            return t[k].reshape(axes) * w

        plus, minus, calls = _plus_minus(target, _Offsets(2 * size, build), (), **engine)
        q = plus + minus - 2 * f0
        halves = (plus[:size], minus[:size], plus[size:], minus[size:])
        magnitude = _max_of(*(np.abs(h) for h in halves))
        value = (q[:size] - q[size:]) / (4 * t**2)
        rounding = _Q_ROUNDING * delta(magnitude, np.abs(f0)) / (2 * t**2)
        return value[None], rounding[None], 4 * size, calls

    return evaluate


def _directional_ladder(
    polarized: Callable[[int], _Rung], count: int, rungs: int, adaptive: bool, role: str
) -> _Ladder:
    """The ladders of `count` pairs of directions, `polarized(first)` evaluating the pairs
    from `first` on.

    Pilot pairs walk the whole ladder (a step beyond f's length scale can look converged
    from above); the others start two rungs (:data:`_DIRECTIONAL_HEAD_START`) above the
    pilots' best and descend while they gain (`adaptive`), or walk the whole ladder too where
    a pilot found no reliable estimate.
    """
    pilots = min(count, _PILOT_PAIRS)
    pilot = _descend(polarized(0), np.zeros(pilots, dtype=int), (rungs, (1, pilots)), False, 0.0)
    ladders = [pilot]
    if count > pilots:
        found = _below_aliases(pilot, role, "a pair of directions")
        largest = float(np.max(np.abs(found.value), initial=0.0))
        trusted = adaptive and bool(np.all(found.truncation <= _UNRELIABLE_FRACTION * largest))
        begin = int(np.clip(np.min(found.rung) - _DIRECTIONAL_HEAD_START, 0, rungs - 3))
        begin = begin if trusted else 0
        rest = count - pilots
        ladders.append(
            _descend(
                polarized(pilots),
                np.full(rest, begin),
                (rungs, (1, rest)),
                trusted,
                largest,
            )
        )
    return _Ladder(
        D=np.concatenate([lad.D for lad in ladders], axis=2),
        rounding=np.concatenate([lad.rounding for lad in ladders], axis=2),
        evaluations=sum(lad.evaluations for lad in ladders),
        calls=sum(lad.calls for lad in ladders),
        failure=next((lad.failure for lad in ladders if lad.failure is not None), None),
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
