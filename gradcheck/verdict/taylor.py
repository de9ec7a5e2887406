"""The Taylor test: does the remainder of the first-order expansion shrink like h^2?"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from ..engine import (
    EPS,
    LAYOUTS,
    Point,
    Target,
    call_checked,
    convert_layout,
    coordinate_scales,
    evaluate_at_point,
    layout_shapes,
    make_target,
    refuse_empty,
    rng_from_seed,
    validate_layout,
    validate_seed,
)
from ..errors import InvalidArgumentError, NonFiniteValueError, ShapeMismatchError
from .check import claimed_value
from .options import merge_options
from .outcome import Outcome
from .plots import plot_taylor
from .text import render_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from typing_extensions import Unpack

__all__ = ["TaylorOptions", "TaylorResult", "taylor_test"]


@dataclass(frozen=True, kw_only=True)
class TaylorResult(Outcome):
    """Outcome of :func:`taylor_test`.

    Attributes
    ----------
    passed : bool
        True when `status` is "passed".
    status : {"passed", "failed", "inconclusive"}
        "passed": the remainders fall like h^2 (observed order >= 1.8) down to the smallest
        steps that are clearly above f's rounding level, or they are at the rounding level at
        every step (f affine along the direction), and `detection_threshold` <= 1e-4;
        "failed": they fall like h (order <= 1.2), the signature of a wrong first derivative;
        otherwise "inconclusive" (orders in between, fewer than 3 usable step ratios, or a
        pass that could not have seen an error of 1e-4). See the Notes of :func:`taylor_test`.
    observed_order : float
        Median of the orders of the (up to) 3 smallest-step ratios whose remainders are both
        above 10 times the rounding level (NaN when there are none).
    steps : numpy.ndarray
        The steps ``h`` (geometric, ratio 1/2).
    remainders : numpy.ndarray
        ``|| f(x + h u) - f(x) - h J u ||`` (2-norm over the output) for each step.
    orders : numpy.ndarray
        ``log2(r(h) / r(h/2))`` between consecutive steps (NaN where a remainder is not above
        10 times the rounding level).
    rounding_floor : float
        f's rounding level as measured at these points (2-norm over the output): the larger of
        the scatter of f's third differences along the steps and ``eps_f max||f||``, with
        ``eps_f`` the precision f evidently computes in.
    detection_threshold : float
        The smallest error in the directional derivative ``J u``, relative to ``||J|| ||u||``
        (Frobenius norm of the claimed derivative), that
        would have lowered the observed order below 1.8 (or, with every remainder at rounding
        level, shown above it); inf when too few steps are readable. A pass needs it to be at
        most 1e-4 (:data:`TAYLOR_RESOLUTION`), else the verdict is "inconclusive".
    direction : numpy.ndarray
        The direction ``u``.
    headline : str
        One-line summary.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> r = gradcheck.taylor_test(lambda x: np.sum(np.exp(x)), np.exp(np.ones(2)), np.ones(2))
    >>> r.status, round(r.observed_order)
    ('passed', 2)
    """

    status: str
    observed_order: float
    steps: np.ndarray = field(repr=False)
    remainders: np.ndarray = field(repr=False)
    orders: np.ndarray = field(repr=False)
    rounding_floor: float
    detection_threshold: float
    direction: np.ndarray = field(repr=False)
    headline: str

    ARRAYS = ("steps", "remainders", "orders", "direction")

    def plot(self, path: str | os.PathLike[str] | None = None) -> Figure:
        """The remainders against h on log-log axes with reference slopes 1 and 2, as a
        matplotlib Figure (written to `path` when given). Needs matplotlib:
        ``pip install "gradcheck[plot]"``, else :class:`~gradcheck.MissingDependencyError`."""
        return plot_taylor(self, path)

    def __str__(self) -> str:
        rows = []
        for i, (h, r) in enumerate(zip(self.steps, self.remainders, strict=True)):
            order = self.orders[i - 1] if i > 0 else np.nan
            rows.append([f"{h:.3e}", f"{r:.3e}", "" if np.isnan(order) else f"{order:.2f}"])
        table = render_table(rows, ["h", "remainder", "order"])
        return f"{self.headline}\n{table}"


@dataclass(frozen=True, kw_only=True)
class TaylorOptions:
    """The options of :func:`taylor_test`, validated once.

    Parameters
    ----------
    direction : array_like or None
        Direction ``u`` (shape of the variable; checked against it by the test). Default: a
        Gaussian direction scaled by each coordinate's magnitude, of unit norm.
    seed : int or numpy.random.Generator
        Randomness of the default direction (default 0: reproducible).
    first_step : float
        Largest step, relative to the (scaled) direction; positive and finite.
    num_steps : int
        Number of steps (each half the previous), from 3 to 100.

    Examples
    --------
    >>> TaylorOptions(num_steps=12).first_step
    0.1
    """

    direction: np.ndarray | None = None
    seed: int | np.random.Generator = 0
    first_step: float = 0.1
    num_steps: int = 20

    def __post_init__(self) -> None:
        first_step, num_steps = _validate_steps(self.first_step, self.num_steps)
        object.__setattr__(self, "first_step", first_step)
        object.__setattr__(self, "num_steps", num_steps)
        object.__setattr__(self, "seed", validate_seed(self.seed))


class TaylorValues(TypedDict, total=False):
    """The keyword form of :class:`TaylorOptions` (for type checkers)."""

    direction: np.ndarray | None
    seed: int | np.random.Generator
    first_step: float
    num_steps: int


def taylor_test(
    f: Callable[..., Any],
    derivative: np.ndarray | Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: str = "denominator",
    options: TaylorOptions | None = None,
    **values: Unpack[TaylorValues],
) -> TaylorResult:
    """Taylor test of a claimed derivative along one direction.

    For ``h = first_step * 2^-k`` (k = 0 .. num_steps-1) computes the remainders
    ``r(h) = || f(x + h u) - f(x) - h J u ||``. If ``J`` is the derivative, ``r(h) = O(h^2)``
    and ``log2(r(h) / r(h/2)) -> 2``; if not, ``r(h) ~ h || (J - J_true) u ||`` and the order
    tends to 1. No finite-difference step has to be chosen: the verdict reads the convergence
    order, which makes this test independent of the scale of f.

    Parameters
    ----------
    f, derivative, point, wrt
        As in :func:`gradcheck.check`.
    layout : {"denominator", "numerator", "tensor"}
        Layout of the claimed derivative.
    options : TaylorOptions, optional
        `direction`, `seed`, `first_step` and `num_steps` as one record.
    **values
        The same fields as keywords, put over `options` (see :class:`TaylorOptions`).

    Returns
    -------
    TaylorResult

    Notes
    -----
    Assumes f is three times differentiable along the segment ``x + h u``,
    ``0 <= h <= first_step``. The error model: with ``A = (J_true - J) u`` (zero for a right
    claim) and ``B = u^T H u / 2``,

        ``f(x + h u) - f(x) - h J u = A h + B h^2 + O(h^3) + n(h) - n(0)``,

    where ``n`` is f's rounding error, ``|n| <= delta``. The remainder falls like h^2 for a right
    claim and, once ``|A| h`` dominates ``|B| h^2`` (below ``h ~ |A| / |B|``), like h for a wrong
    one, until it reaches ``delta``; below that the orders are noise. ``delta`` is measured,
    not assumed: the third difference ``D = f(h) - 7 f(h/2) + 14 f(h/4) - 8 f(h/8)`` cancels
    ``f(x)``, the claim and the h and h^2 terms exactly (21/64 of the h^3 term remains, tiny at
    the smallest steps), so at the 3 smallest steps, and wherever it does not fall like h^3,
    it is f's rounding noise; ``delta`` is its median there times ``sqrt(2) / sqrt(310)`` (the
    noise of a remainder), and never less than ``eps_f max||f||``, the spacing of f's values
    in the precision f evidently computes in (float16 or float32 when every value is such a
    number and the points are not; float64 otherwise), nor than the largest change the claim
    predicts between points where f returned exactly the same value (f's values are that
    coarse, whatever their type). Only remainders above ``10 delta`` are read, where rounding
    moves an order by at most about 0.2; the verdict reads the orders of the 3 smallest such
    steps, the regime h -> 0 where a wrong claim shows. Fewer than 3 such ratios is
    "inconclusive". An error ``|A|`` shows only where ``|A| h`` exceeds both ``|B| h^2`` and
    ``10 delta``, roughly when ``|A|^2 > 10 delta |B|``: small errors and noisy or offset f
    (rounding level ``eps |f|``) need many steps, and :func:`gradcheck.check` is the sharper
    test. So that a pass means something, the result's `detection_threshold` (the smallest
    error in ``J u``, relative to ``||J|| ||u||``, that would have lowered the order of the
    smallest steps read below 1.8, from ``r(h) = |A| h + |B| h^2``) must be at most 1e-4;
    otherwise a pass is "inconclusive".

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.3, -1.2, 2.0])
    >>> taylor_test(lambda x: np.sum(np.sin(x)), np.cos(x), x).status
    'passed'
    >>> taylor_test(lambda x: np.sum(np.sin(x)), np.sin(x), x, num_steps=12).status
    'failed'
    """
    opts = merge_options(TaylorOptions, options, values, "taylor_test")
    target = make_target(f, point, wrt)
    refuse_empty(target, "taylor_test")
    layout = validate_layout(layout, allowed=LAYOUTS)
    u = _direction(target.x, opts.direction, rng_from_seed(opts.seed))
    claimed = claimed_value(derivative, target)
    f0, _ = evaluate_at_point(target)
    x = target.x
    allowed = layout_shapes(f0.shape, x.shape, layout)
    if claimed.shape not in allowed:
        raise ShapeMismatchError(
            f"the claimed derivative has shape {claimed.shape}; in the {layout} layout it must "
            f"have shape {' or '.join(map(str, allowed))}."
        )
    tensor = convert_layout(claimed, f0.shape, x.shape, source=layout, target="tensor")
    ju = tensor.reshape(f0.size, x.size) @ u.ravel()
    steps = opts.first_step * 0.5 ** np.arange(opts.num_steps)
    values = _values_along(target, f0, u, steps)
    remainders = np.linalg.norm(values - f0.ravel() - steps[:, None] * ju, axis=1)
    # the size of the first-order change the claim predicts at the first step, for any u
    change = steps[0] * float(np.linalg.norm(tensor)) * float(np.linalg.norm(u))
    level = _rounding_level(values, f0.ravel(), x.ravel() + steps[:, None] * u.ravel())
    # changes f does not resolve, and the claimed change h J u, itself rounded to eps
    level = max(level, _unresolved_change(values, f0.ravel(), steps, ju))
    level += EPS * steps[0] * float(np.linalg.norm(ju))
    return _taylor_result(steps, remainders, level, u, change)


def _values_along(target: Target, f0: np.ndarray, u: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """``f(x + h u)`` for each step ``h``, one row (f's values, flattened) per step."""
    values = np.empty((len(steps), f0.size))
    for k, h in enumerate(steps):
        at = f"at x + h u with h = {h:.3g}"
        value = call_checked(target, target.x + h * u, at, allow_complex=False)
        if value.shape != f0.shape:
            raise ShapeMismatchError(f"f returned shape {value.shape} at x + h u, {f0.shape} at x.")
        values[k] = value.ravel()
    if not np.all(np.isfinite(values)):
        raise NonFiniteValueError(
            "f returned non-finite values along the direction; use a smaller `first_step`."
        )
    return values


#: Weights of the third difference on the halving grid h, h/2, h/4, h/8: the solution of
#: ``sum_j c_j t_j^p = 0`` for p = 0, 1, 2 at t = 1, 1/2, 1/4, 1/8 (the third divided
#: difference's weights ``1 / prod_{i != j} (t_j - t_i)``, scaled to integers), so constants,
#: h and h^2 cancel and ``sum_j c_j t_j^3 = 21/64`` of the h^3 term remains.
THIRD_DIFFERENCE = np.array([1.0, -7.0, 14.0, -8.0])
#: Remainders are read only above this many times the rounding level: there rounding moves
#: a remainder by at most 1/10 and an order by at most about 0.2.
ROUNDING_MARGIN = 10.0
#: Fewest step ratios above the margin that a verdict on the order reads.
MIN_RATIOS = 3
#: A pass needs an error of this fraction of ``||J|| ||u||`` to have shown (see `taylor_test`).
TAYLOR_RESOLUTION = 1e-4
#: With ``r(h) = a h + b h^2`` the order between h and h/2 is ``1 + log2((1 + q) / (1 + q/2))``,
#: ``q = b h / a``; it is 1.8 at this q, so an error ``a > b h / q = r(h) / (q h)`` (b from the
#: observed ``r(h) = b h^2``) lowers the order below 1.8.
_ORDER_18_SHARE = (2**0.8 - 1) / (1 - 2**-0.2)


def _rounding_level(values: np.ndarray, f0: np.ndarray, points: np.ndarray) -> float:
    """f's rounding level at these `points` (see the Notes of :func:`taylor_test`)."""
    every = np.vstack([f0, values])
    eps_f = _evident_epsilon(every, points)
    spacing = eps_f * float(np.max(np.linalg.norm(every, axis=1)))
    count = len(values) - len(THIRD_DIFFERENCE) + 1
    if count < 1:
        return spacing + 1e-300
    sizes = np.linalg.norm([THIRD_DIFFERENCE @ values[k : k + 4] for k in range(count)], axis=1)
    # noise: the 3 smallest steps, and every third difference that does not fall like h^3
    noise = np.zeros(count, dtype=bool)
    noise[-3:] = True
    noise[1:] |= sizes[1:] >= sizes[:-1] / 2
    seen = sizes[noise & (sizes > 0)]  # exact zeros: f did not change (see _unresolved_change)
    scatter = float(np.median(seen)) if seen.size else 0.0
    measured = np.sqrt(2.0) * scatter / float(np.linalg.norm(THIRD_DIFFERENCE))
    return max(measured, spacing) + 1e-300


def _unresolved_change(
    values: np.ndarray, f0: np.ndarray, steps: np.ndarray, ju: np.ndarray
) -> float:
    """The largest change the claim predicts between two points where f returned exactly the
    same value (2-norm over the outputs): f's values are quantized at least that coarsely,
    whatever their type (a float32 result scaled in float64, a huge offset)."""
    rows = np.vstack([values, f0])
    h = np.append(steps, 0.0)
    same = rows[:-1] == rows[1:]  # consecutive steps, and the smallest step against x
    gaps = np.where(same, (h[:-1] - h[1:])[:, None] * np.abs(ju)[None, :], 0.0)
    at_x = np.where(values == f0, steps[:, None] * np.abs(ju)[None, :], 0.0)
    return float(np.linalg.norm(np.maximum(gaps.max(axis=0), at_x.max(axis=0))))


def _evident_epsilon(values: np.ndarray, points: np.ndarray) -> float:
    """The unit roundoff of float16 or float32 when every value of f is exactly such a number
    while the points are not (f computes or rounds in that precision), else float64's."""
    if np.all(values == values[0]):  # f did not change: its values tell nothing
        return EPS
    for dtype in (np.float16, np.float32):
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            exact_values = np.array_equal(values.astype(dtype).astype(np.float64), values)
            exact_points = np.array_equal(points.astype(dtype).astype(np.float64), points)
        if exact_values and not exact_points:
            return float(np.finfo(dtype).eps)
    return EPS


def _taylor_result(
    steps: np.ndarray, remainders: np.ndarray, level: float, u: np.ndarray, change: float
) -> TaylorResult:
    """The verdict read from the orders of the remainders above the rounding level.

    `change` is ``h_0 ||J|| ||u||`` (Frobenius norm): the size of the first-order change the
    claim predicts at the first step, whatever the direction.
    """
    above = remainders > ROUNDING_MARGIN * level
    valid = above[:-1] & above[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        orders = np.where(valid, np.log2(remainders[:-1] / remainders[1:]), np.nan)
    usable = orders[valid][-MIN_RATIOS:]
    observed = float(np.median(usable)) if usable.size else float("nan")
    where = f"above {ROUNDING_MARGIN:g}x f's rounding level {level:.1e}"
    if not np.any(above):  # f affine along u to rounding: the claim is right to this much
        threshold = 0.0 if not np.any(remainders) else _ratio(ROUNDING_MARGIN * level, change)
        passed = threshold <= TAYLOR_RESOLUTION
        status, headline = (
            ("passed" if passed else "inconclusive"),
            (f"remainders at rounding level at every step (f affine along u), {where}"),
        )
    elif usable.size < MIN_RATIOS:
        threshold = np.inf
        status, headline = (
            "inconclusive",
            (f"{usable.size} step ratios {where} ({MIN_RATIOS} needed); use a larger `first_step`"),
        )
    else:
        k = np.flatnonzero(valid)[-1]  # the smallest step ratio read, h_k to h_k / 2
        threshold = _ratio(remainders[k] * steps[0], _ORDER_18_SHARE * steps[k] * change)
        status = "passed" if observed >= 1.8 else "failed" if observed <= 1.2 else "inconclusive"
        if status == "passed" and not threshold <= TAYLOR_RESOLUTION:
            status = "inconclusive"
        headline = (
            f"observed order {observed:.2f} (2 for a correct derivative, 1 for a wrong one) at "
            f"the {usable.size} smallest of {int(np.sum(valid))} step ratios {where}"
        )
    return TaylorResult(
        status=status,
        observed_order=observed,
        steps=steps,
        remainders=remainders,
        orders=orders,
        rounding_floor=level,
        detection_threshold=float(threshold),
        direction=u,
        headline=f"taylor test {status.upper()}: {headline}; detects errors above "
        f"{threshold:.1e} of ||J|| ||u||",
    )


def _ratio(error: float, change: float) -> float:
    """`error` relative to `change`; inf when f does not change at all."""
    return float(error / change) if change > 0 else float("inf")


#: Largest `num_steps`: 100 halvings shrink the first step by 8e-31, far below the float64
#: resolution of any point, so further steps would only repeat f(x).
MAX_STEPS = 100


def _validate_steps(first_step: object, num_steps: object) -> tuple[float, int]:
    """`first_step` as a positive finite float and `num_steps` as an int in [3, MAX_STEPS]."""
    is_real = isinstance(first_step, (int, float, np.integer, np.floating))
    if not is_real or isinstance(first_step, (bool, np.bool_)):
        raise InvalidArgumentError(
            f"`first_step` must be a positive number such as 0.1; got {first_step!r}."
        )
    if not (np.isfinite(first_step) and first_step > 0):
        raise InvalidArgumentError(f"`first_step` must be positive and finite; got {first_step!r}.")
    is_int = isinstance(num_steps, (int, np.integer)) and not isinstance(
        num_steps, (bool, np.bool_)
    )
    if not (is_int and 3 <= num_steps <= MAX_STEPS):  # type: ignore[operator]
        raise InvalidArgumentError(
            f"`num_steps` must be an integer from 3 to {MAX_STEPS} (each step halves the "
            f"previous one); got {num_steps!r}."
        )
    return float(first_step), int(num_steps)  # type: ignore[arg-type]


def _direction(x: np.ndarray, direction: object, rng: np.random.Generator) -> np.ndarray:
    """The direction `u`: the given one (validated), or a random one drawn from `rng`."""
    if direction is None:
        u = rng.standard_normal(x.shape)
        u = u / max(float(np.linalg.norm(u)), 1e-300)
        return u * coordinate_scales(x)
    u = np.asarray(direction)
    if u.dtype.kind not in "iuf":
        raise InvalidArgumentError(
            f"`direction` must be an array of real numbers with the variable's shape {x.shape}; "
            f"got {_describe(direction)}."
        )
    u = u.astype(np.float64)
    if u.shape != x.shape:
        raise InvalidArgumentError(
            f"`direction` must have the variable's shape {x.shape}; got {u.shape}."
        )
    if not np.all(np.isfinite(u)) or not np.any(u):
        raise InvalidArgumentError("`direction` must be finite and not zero.")
    return u


def _describe(value: object) -> str:
    if isinstance(value, (str, bytes)):
        return repr(value)
    return f"an array of dtype {np.asarray(value).dtype}"
