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
        "passed": the remainders converge with order about 2 (>= 1.8), or are at rounding level
        at every step (f affine along the direction and the claim exact); "failed": order about
        1 (<= 1.2), the signature of a wrong first derivative; otherwise "inconclusive".
    observed_order : float
        Median of the orders over the smaller half of the steps whose remainders are above the
        rounding floor (NaN when there are none).
    steps : numpy.ndarray
        The steps ``h`` (geometric, ratio 1/2).
    remainders : numpy.ndarray
        ``|| f(x + h u) - f(x) - h J u ||`` (2-norm over the output) for each step.
    orders : numpy.ndarray
        ``log2(r(h) / r(h/2))`` between consecutive steps (NaN where a remainder is below the
        rounding floor).
    rounding_floor : float
        Remainders below this are rounding noise: ``1000 * eps * max|f|`` (2-norm).
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
    Assumes f is twice differentiable along the segment ``x + h u``, ``0 <= h <= first_step``.
    An error ``e`` in the claim shows only for steps below about ``|e u| / |u^T H u|`` (``H``
    the Hessian), so small errors need many steps; :func:`gradcheck.check` is the sharper test.
    The orders are read only where the remainders exceed 1000 eps max|f|, below which they are
    rounding noise.

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
    remainders = _remainders(target, f0, u, ju, steps)
    floor = 1000 * EPS * float(np.linalg.norm(f0.ravel())) + 1e-300
    return _taylor_result(steps, remainders, floor, u)


def _remainders(
    target: Target, f0: np.ndarray, u: np.ndarray, ju: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """``|| f(x + h u) - f(x) - h J u ||`` for each step ``h``."""
    remainders = np.empty(len(steps))
    for k, h in enumerate(steps):
        at = f"at x + h u with h = {h:.3g}"
        value = call_checked(target, target.x + h * u, at, allow_complex=False)
        if value.shape != f0.shape:
            raise ShapeMismatchError(f"f returned shape {value.shape} at x + h u, {f0.shape} at x.")
        remainders[k] = np.linalg.norm((value - f0).ravel() - h * ju)
    if not np.all(np.isfinite(remainders)):
        raise NonFiniteValueError(
            "f returned non-finite values along the direction; use a smaller `first_step`."
        )
    return remainders


def _taylor_result(
    steps: np.ndarray, remainders: np.ndarray, floor: float, u: np.ndarray
) -> TaylorResult:
    """The verdict read from the orders of the remainders above the rounding `floor`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        orders = np.log2(remainders[:-1] / remainders[1:])
    valid = (remainders[:-1] > floor) & (remainders[1:] > floor)
    orders = np.where(valid, orders, np.nan)
    usable = orders[valid]
    observed = float(np.median(usable[usable.size // 2 :])) if usable.size else float("nan")
    if usable.size == 0:
        status = "passed" if np.all(remainders <= floor) else "inconclusive"
    elif observed >= 1.8:
        status = "passed"
    elif observed <= 1.2:
        status = "failed"
    else:
        status = "inconclusive"
    word = {"passed": "PASSED", "failed": "FAILED", "inconclusive": "INCONCLUSIVE"}[status]
    headline = (
        f"taylor test {word}: observed order {observed:.2f} (2 for a correct derivative, 1 for "
        f"a wrong one) over {usable.size} usable step ratios"
    )
    if usable.size == 0 and status == "passed":
        headline = f"taylor test {word}: remainders at rounding level (f affine along u)"
    return TaylorResult(
        status=status,
        observed_order=observed,
        steps=steps,
        remainders=remainders,
        orders=orders,
        rounding_floor=floor,
        direction=u,
        headline=headline,
    )


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
