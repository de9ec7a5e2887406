"""Numerical Jacobians of any shape, with a per-entry error estimate.

The engine stacks every perturbed point along a new leading axis and evaluates ``f`` once per
chunk when ``f`` is batch-polymorphic, and once per point otherwise. See :mod:`._stencils` for
the difference formulas.
"""

from __future__ import annotations

import difflib
import functools
import itertools
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import numpy as np

from ..errors import (
    ComplexStepError,
    FunctionCallError,
    InvalidArgumentError,
    NonDeterministicFunctionError,
    NonFiniteValueError,
    OutputTypeError,
)
from .evaluate import (
    DEFAULT_CHUNK_BYTES,
    call_checked,
    evaluate_points,
    probe_batching,
    probe_size,
    validate_chunk_bytes,
    validate_executor,
    validate_vectorized,
)
from .layouts import Layout, convert_layout, validate_layout
from .stencils import EPS, METHOD_NAMES, METHODS, Method
from .target import Point, Target, describe_index, first_nonfinite, make_target

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "EstimateOptions",
    "EstimateValues",
    "JacobianEstimate",
    "Search",
    "estimate_jacobian",
    "jacobian",
    "merge_options",
]

#: A priori rounding error of one evaluation of ``f``, in units of ``eps_f * max|F|``: normwise
#: (the largest entry of the output over every evaluated point), ``eps_f`` the unit roundoff
#: of the precision f evidently computes in (see `_output_epsilon`).
_ROUNDING_ULPS = 4.0
#: Spacing of the smallest (subnormal) float64 numbers: no value of f is resolved more finely.
_TINY = 2.0**-1074
#: An entry is unreliable when its empirical error estimate exceeds this fraction of the
#: largest entry of the Jacobian.
_UNRELIABLE_FRACTION = 2.5e-5
#: Most rounds of the step search, and the ratio of its geometric ladder of steps.
_SEARCH_ROUNDS = 12
_SEARCH_FACTOR = 8.0
_CROSS_CHECK = "at a real point to cross-check the complex step"
#: Kinks are flagged when the kink indicator exceeds its rounding bound by this factor.
_KINK_MARGIN = 4.0
#: A larger step is taken only if its value agrees with the previous one within this many
#: times the sum of their scores (the factor the verdict allows on an error estimate).
_CONSISTENCY = 4.0
#: Ratio that takes a step off the ladder of powers of 2 another estimate's steps are on.
_OFF_LADDER = float(np.sqrt(2.0))


def validate_method(method: object, *, allowed: tuple[str, ...] = METHOD_NAMES) -> Method:
    if isinstance(method, str) and method in allowed:
        return METHODS[method]
    msg = f"`method` must be one of {', '.join(map(repr, allowed))}; got {method!r}."
    if isinstance(method, str):
        close = difflib.get_close_matches(method, allowed, n=1, cutoff=0.4)
        if close:
            msg += f" Did you mean {close[0]!r}?"
    raise InvalidArgumentError(msg)


#: Magnitudes below this count as zero when scaling steps: a relative step of such a value
#: (down to 1e-20 of it for the complex step) would leave the normal floating-point range.
_SCALE_FLOOR = 1e-280


def coordinate_scales(x: np.ndarray) -> np.ndarray:
    """Scale of each coordinate: ``max(|x_j|, typical)``, typical = median of ``|x|``.

    The typical magnitude (falling back to the mean of ``|x|``, then to 1 for an all-zero
    variable) keeps steps sensible for coordinates that are zero or tiny compared to the rest.
    Magnitudes below 1e-280 count as zero.
    """
    mags = np.abs(np.reshape(x, -1))
    mags[mags < _SCALE_FLOOR] = 0.0
    typical = _median(mags) if mags.size else 0.0
    if typical == 0.0:
        typical = float(np.mean(mags)) if mags.size else 0.0
    if typical == 0.0:
        typical = 1.0
    return np.maximum(mags.reshape(np.shape(x)), typical)


def _checked_steps(step: object, shape_text: str) -> np.ndarray:
    """A caller's `step` as a float64 array of positive, finite numbers, else
    InvalidArgumentError naming the rule (`shape_text`: what it must broadcast to)."""
    try:
        if isinstance(step, (str, bytes)) or np.asarray(step).dtype.kind not in "iuf":
            raise TypeError("a string or a boolean is not a step")  # float() would take them
        h = np.asarray(step, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise InvalidArgumentError(
            f"`step` must be a positive number or an array broadcastable to {shape_text}; "
            f"got {step!r}."
        ) from exc
    if not np.all(np.isfinite(h)) or np.any(h <= 0):
        raise InvalidArgumentError(
            f"`step` must be positive and finite; got {step!r}. Use step=None for steps "
            f"scaled to each coordinate."
        )
    return h


def _median(values: np.ndarray) -> float:
    """``numpy.median`` of a non-empty 1-d float array, the same number at a fraction of its
    cost on the small arrays of most checks (the middle element, or the mean of the two
    middle ones, computed as numpy's mean of two numbers is)."""
    ordered = np.sort(values)
    if np.isnan(ordered[-1]):  # numpy's NaN propagation, as it does it
        return float(np.median(values))
    n = ordered.size
    if n % 2:
        return float(ordered[n // 2])
    return float((ordered[n // 2 - 1] + ordered[n // 2]) / 2.0)


def _upper_median(values: np.ndarray) -> float:
    """``numpy.quantile(values, 0.5, method="higher")`` of a non-empty 1-d float array: the
    element at index ``n // 2`` of the sorted values (NaN if there is one, as numpy's)."""
    ordered = np.sort(values)
    return float("nan") if np.isnan(ordered[-1]) else float(ordered[ordered.size // 2])


def given_steps(x: np.ndarray, step: object) -> np.ndarray:
    """A caller's `step` (a number or an array broadcastable to x) as one positive, finite
    step per coordinate, else InvalidArgumentError naming the rule."""
    shape_text = f"the variable's shape {x.shape}"
    h = _checked_steps(step, shape_text)
    try:
        return np.broadcast_to(h, x.shape).copy()
    except ValueError as exc:
        raise InvalidArgumentError(
            f"`step` must be a positive number or an array broadcastable to {shape_text}; "
            f"got {step!r}."
        ) from exc


def _base_steps(x: np.ndarray, method: Method, step: object) -> np.ndarray:
    """Base step per coordinate, made exactly representable as ``(x + h) - x``."""
    if step is None:
        h = method.relative_step * coordinate_scales(x)
    else:
        h = given_steps(x, step)
    if method.kind == "complex":
        return h
    h = (x + h) - x
    if np.any(h == 0):
        j = describe_index(tuple(int(i) for i in np.argwhere(h == 0)[0]))
        raise InvalidArgumentError(
            f"`step` is below the spacing of floating-point numbers at coordinate {j} "
            f"(x = {x[tuple(np.argwhere(h == 0)[0])]!r}); use a larger step."
        )
    return h


@dataclass(frozen=True, kw_only=True)
class EstimateOptions:
    """How :func:`estimate_jacobian` and :func:`jacobian` estimate: one frozen, validated record.

    Both functions take these either as one record (``options=``) or as keyword arguments of
    the same names, put over it (see :func:`merge_options`).

    Parameters
    ----------
    method : {"central", "forward", "central4", "richardson", "complex"}
        The difference formula (see :func:`estimate_jacobian`).
    step : float or array_like, optional
        Absolute base step, a positive number or an array of them broadcastable to the
        variable's shape; None: steps scaled to each coordinate.
    vectorized : bool, optional
        Whether f takes a stack of points; None: tested.
    chunk_bytes : int
        Bound on the memory of one batched call, 1 byte to 256 MiB.
    executor : concurrent.futures.Executor, optional
        Where f is evaluated (the result is the serial one, bit for bit).

    Raises
    ------
    InvalidArgumentError
        For a value a field cannot take; the message names the field.

    Examples
    --------
    >>> import numpy as np
    >>> options = EstimateOptions(method="forward", step=1e-6)
    >>> jacobian(np.sin, np.zeros(2), options=options).round(6).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    >>> EstimateOptions(chunk_bytes=0)
    Traceback (most recent call last):
    ...
    gradcheck.InvalidArgumentError: `chunk_bytes` must be positive; got 0.
    """

    method: str = "central"
    step: float | np.ndarray | None = None
    vectorized: bool | None = None
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    executor: Executor | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        validate_method(self.method)
        if self.step is not None:
            _checked_steps(self.step, "the variable's shape")
        object.__setattr__(self, "vectorized", validate_vectorized(self.vectorized))
        validate_chunk_bytes(self.chunk_bytes)
        validate_executor(self.executor)

    @property
    def finite_differences(self) -> Method:
        """The method's stencil and error model."""
        return validate_method(self.method)


class EstimateValues(TypedDict, total=False):
    """The keyword form of :class:`EstimateOptions` (for type checkers)."""

    method: str
    step: float | np.ndarray | None
    vectorized: bool | None
    chunk_bytes: int
    executor: Executor | None


#: A frozen options record (EstimateOptions, CheckOptions, TaylorOptions, RunOptions ...).
Options = TypeVar("Options")


def merge_options(
    kind: type[Options], options: object, values: Mapping[str, Any], caller: str
) -> Options:
    """One validated record of type `kind` from `options` with `values` put over it.

    `values` are the keyword arguments a caller of `caller` gave (``jacobian(f, x,
    method="richardson")``); a name that is not a field of `kind` is refused with the list of
    the valid ones, and so is `options` of another type.

    Examples
    --------
    >>> merge_options(EstimateOptions, None, {"method": "richardson"}, "jacobian").method
    'richardson'
    >>> merge_options(EstimateOptions, EstimateOptions(step=0.1), {"method": "forward"}, "f").step
    0.1
    """
    names = [f.name for f in fields(kind)]  # type: ignore[arg-type]
    unknown = [name for name in values if name not in names]
    if unknown:
        hint = ""
        if "mode" in unknown or "directions" in unknown:
            hint = " Random directions are checked by gradcheck.check_directional."
        raise InvalidArgumentError(
            f"{caller}() got an unknown option {unknown[0]!r}; its options are "
            f"{', '.join(names)}.{hint}"
        )
    if options is None:
        return kind(**values)
    if type(options) is not kind:  # a subclass's defaults (rtol) would apply unseen
        raise InvalidArgumentError(
            f"{caller}() takes `options` as a {kind.__name__}; got {type(options).__name__}."
        )
    return replace(options, **values) if values else options  # type: ignore[type-var]


@dataclass(frozen=True, kw_only=True)
class Spending:
    """Where the evaluations of f went, and why.

    Attributes
    ----------
    first : int
        At the point, for the vectorization test and for the method's stencil of every
        coordinate at its first steps.
    search : int
        For the step search of the coordinates whose first error estimate missed the
        search's threshold, or that showed a tentative kink (see ``_search_steps``).
    searched : int
        How many coordinates were searched.
    coordinates : int
        How many coordinates there are.
    threshold : float or None
        The search's threshold, relative to the largest entry (None: no search possible,
        the steps were given or the method has none).
    confirmation : int
        For the second (and third) estimates made before a verdict that was not "passed".
    settled : bool
        Whether the search was skipped because the caller found the first estimate already
        settles its verdict with margin (see `refine_when` of :class:`Search`).
    """

    first: int
    search: int = 0
    searched: int = 0
    coordinates: int = 0
    threshold: float | None = None
    confirmation: int = 0
    settled: bool = False

    @property
    def total(self) -> int:
        return self.first + self.search + self.confirmation

    def joined(self, other: Spending) -> Spending:
        """These evaluations and those of `other` (another estimate of the same kind)."""
        return replace(
            self,
            first=self.first + other.first,
            search=self.search + other.search,
            searched=self.searched + other.searched,
            coordinates=self.coordinates + other.coordinates,
            confirmation=self.confirmation + other.confirmation,
        )

    def confirmed_by(self, evaluations: int) -> Spending:
        """These evaluations and `evaluations` more for confirming estimates."""
        return replace(self, confirmation=self.confirmation + evaluations)

    def __str__(self) -> str:
        unit = "coordinate" if self.coordinates == 1 else "coordinates"
        text = f"{self.total} evaluations: {self.first} at the point and the first steps"
        if self.threshold is None:
            text += " (no step search: the steps were given)"
        elif self.settled:
            text += " (no step search: the first estimate already settles the verdict with margin)"
        elif self.searched == 0:
            text += (
                f" (no step search: every first error estimate met the threshold, "
                f"{self.threshold:.2g} of the largest entry)"
            )
        else:
            text += (
                f", {self.search} searching the steps of {self.searched} of "
                f"{self.coordinates} {unit} (first error estimate above {self.threshold:.2g} "
                f"of the largest entry, or a tentative kink)"
            )
        if self.confirmation:
            text += f", {self.confirmation} for the confirming estimates"
        return text


@dataclass(frozen=True, kw_only=True)
class TensorEstimate:
    """Engine output in tensor layout (``F.shape + X.shape``); `spending` says where its
    evaluations went (None for an estimate made without that account)."""

    value: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    kink: np.ndarray
    frozen: np.ndarray
    f_value: np.ndarray
    step: np.ndarray
    evaluations: int
    calls: int
    vectorized: bool
    output_epsilon: float = EPS
    spending: Spending | None = None


def evaluate_at_point(target: Target) -> tuple[np.ndarray, int]:
    """f at the point, evaluated twice to detect non-determinism; returns (F, evaluations)."""
    x = target.x
    f0 = call_checked(target, x.copy(), "at the point", allow_complex=False)
    bad = first_nonfinite(f0)
    if bad is not None:
        raise NonFiniteValueError(
            f"{target.role} returned a non-finite value (entry {describe_index(bad)} of its "
            f"output) at the point itself; derivatives exist only where f is finite."
        )
    again = call_checked(target, x.copy(), "at the point (second time)", allow_complex=False)
    scale = float(np.max(np.abs(f0), initial=0.0))
    if again.shape != f0.shape:
        raise OutputTypeError(
            f"{target.role} returned shape {f0.shape} and then shape {again.shape} in two calls "
            f"at the same point; finite differences need an output of one fixed shape. Make "
            f"the shape depend on nothing but the shapes of the inputs."
        )
    if np.any(np.abs(again - f0) > 1e-11 * scale + 1e-300):
        diff = float(np.max(np.abs(again - f0)))
        raise NonDeterministicFunctionError(
            f"{target.role} returned different values in two calls at the same point (largest "
            f"difference {diff:.3g}, relative to {scale:.3g}); finite differences of a random "
            f"or stateful function are meaningless. Fix its seed or state inside the function."
        )
    return f0, 2


def _perturbation_plan(x_sub: np.ndarray, h_sub: np.ndarray, method: Method):
    """Signed offsets, perturbed coordinate values (K, k) and realised steps (K, k).

    `x_sub` and `h_sub` are the values and base steps of the k coordinates to perturb.
    """
    offsets = np.array(method.offsets, dtype=np.float64)
    if method.kind == "complex":
        perturbed = x_sub[None, :] + 1j * offsets[:, None] * h_sub[None, :]
        realised = offsets[:, None] * h_sub[None, :]
    else:
        perturbed = x_sub[None, :] + offsets[:, None] * h_sub[None, :]
        realised = perturbed - x_sub[None, :]  # exact: both are floats close to each other
    return offsets, perturbed, realised


def _point_builder(
    x: np.ndarray, coords: np.ndarray, perturbed: np.ndarray
) -> Callable[[int, int], np.ndarray]:
    """Points for stencil index ``i``: offset ``i // k`` applied to coordinate ``coords[i % k]``."""
    n, k = x.size, coords.size
    dtype = perturbed.dtype

    def make_points(start: int, stop: int) -> np.ndarray:
        idx = np.arange(start, stop)
        rows, local = idx // k, idx % k
        points = np.empty((stop - start, *x.shape), dtype=dtype)
        flat = points.reshape(stop - start, n)
        flat[:] = x.ravel()
        flat[np.arange(stop - start), coords[local]] = perturbed[rows, local]
        return points

    return make_points


def _evaluate_stencil(
    target: Target,
    method: Method,
    h_sub: np.ndarray,
    coords: np.ndarray,
    f_shape: tuple[int, ...],
    *,
    vectorized: bool | None,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> tuple[np.ndarray, np.ndarray, int, int, bool]:
    """Evaluate f at the stencil points of the coordinates `coords` (flat indices) with base
    steps `h_sub`; returns (Y (K, k, m), realised steps (K, k), evaluations, calls, vectorized).
    """
    x = target.x
    offsets, perturbed, realised = _perturbation_plan(x.ravel()[coords], h_sub, method)
    k = coords.size
    count = len(offsets) * k
    make_points = _point_builder(x, coords, perturbed)
    is_complex = method.kind == "complex"

    def describe(i: int) -> str:
        coord = describe_index(np.unravel_index(coords[i % k], x.shape))
        return (
            f"at the point perturbed by {_offset_text(offsets[i // k], method)} in coordinate "
            f"{coord} of {target.label} (h = {h_sub[i % k]:.3g})"
        )

    n_first = min(probe_size(target, f_shape), count) if vectorized is None else 0
    first_arr = _single_values(target, method, make_points, describe, n_first, f_shape)
    evaluations = calls = n_first
    if vectorized is None:
        probe = probe_batching(target, make_points(0, n_first), first_arr, allow_complex=is_complex)
        vectorized = probe.vectorized
        evaluations += probe.evaluations
        calls += probe.calls

    def make_rest(start: int, stop: int) -> np.ndarray:
        return make_points(start + n_first, stop + n_first)

    rest, rest_calls = evaluate_points(
        target,
        make_rest,
        count - n_first,
        f_shape,
        vectorized=bool(vectorized),
        chunk_bytes=chunk_bytes,
        executor=executor,
        allow_complex=is_complex,
    )
    evaluations += count - n_first
    calls += rest_calls
    # (no copy of the stacked values where no point was evaluated on its own)
    values = rest if n_first == 0 else np.concatenate([first_arr.astype(rest.dtype), rest])
    bad = first_nonfinite(values)
    if bad is not None:
        raise NonFiniteValueError(
            f"{target.role} returned a non-finite value {describe(bad[0])}; it is finite at the "
            f"point itself. Choose a smaller `step`, or a point farther from where f is undefined."
        )
    m = int(np.prod(f_shape))
    return values.reshape(len(offsets), k, m), realised, evaluations, calls, bool(vectorized)


def _single_values(
    target: Target,
    method: Method,
    make_points: Callable[[int, int], np.ndarray],
    describe: Callable[[int], str],
    count: int,
    f_shape: tuple[int, ...],
) -> np.ndarray:
    """f at the first `count` stencil points, one call each (before batching is probed), with
    the checks of its output's type and shape; shape (count, *f_shape)."""
    is_complex = method.kind == "complex"
    first = []
    for i in range(count):
        value = call_checked(
            target, make_points(i, i + 1)[0], describe(i), allow_complex=is_complex
        )
        if is_complex and value.dtype.kind != "c":
            raise ComplexStepError(
                f"{target.role} returned real values for a complex input, so it is not "
                f"complex-step safe (it probably uses abs, real, imag or a comparison). Use "
                f"method='central' or method='richardson'."
            )
        if value.shape != f_shape:
            raise _shape_error(target, value.shape, f_shape, describe(i))
        first.append(value.astype(np.complex128 if is_complex else np.float64))
    return np.stack(first) if first else np.empty((0, *f_shape))


def _shape_error(target: Target, got: tuple, expected: tuple, where: str) -> OutputTypeError:
    return OutputTypeError(
        f"{target.role} returned shape {got} {where}, but shape {expected} at the point itself; "
        f"the output shape must not depend on the value of {target.label}."
    )


def _offset_text(offset: float, method: Method) -> str:
    c = int(offset)
    if method.kind == "complex":
        return f"{c}ih" if c != 1 else "ih"
    sign = "+" if c > 0 else "-"
    return f"{sign}{abs(c)}h" if abs(c) != 1 else f"{sign}h"


def _quotients(method: Method, y: np.ndarray, realised: np.ndarray, f0: np.ndarray):
    """Difference quotients ``{c: D(c)}``, each of shape (n, m)."""
    index = {int(o): i for i, o in enumerate(method.offsets)}
    out = {}
    for c in method.multiples:
        if method.kind == "central":
            plus, minus = index[c], index[-c]
            width = realised[plus] - realised[minus]
            quotient = y[plus] - y[minus]
            quotient /= width[:, None]  # in place: one (k, m) array per quotient
            out[c] = quotient
        elif method.kind == "forward":
            i = index[c]
            out[c] = (y[i] - f0[None, :]) / realised[i][:, None]
        else:
            i = index[c]
            out[c] = y[i].imag / realised[i][:, None]
    return out


def _combine(weights: dict[int, float], quotients: dict[int, np.ndarray]) -> np.ndarray:
    """``sum(w_c D(c))``; a single weight of 1 is the quotient itself (no copy)."""
    if len(weights) == 1 and next(iter(weights.values())) == 1.0:
        return quotients[next(iter(weights))]
    return sum(w * quotients[c] for c, w in sorted(weights.items()))


def _derivatives(method: Method, y: np.ndarray, realised: np.ndarray, f0: np.ndarray):
    """The method's value and truncation-error estimate, each of shape (k, m)."""
    quotients = _quotients(method, y, realised, f0)
    value = _combine(method.value, quotients)
    return value, np.abs(_combine(method.truncation, quotients))


def _value_tensor(
    target: Target,
    method: Method,
    *,
    step: object,
    vectorized: bool | None,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The method's value alone, in tensor layout, and f at the point.

    Evaluates only the points the value needs (the complex step keeps its safety checks); no
    error estimate, no step refinement.
    """
    validate_chunk_bytes(chunk_bytes)
    x = target.x
    f0, _ = evaluate_at_point(target)
    needed = tuple(sorted(method.value, reverse=True))
    reduced = replace(method, multiples=needed, truncation={}, refine_above=None)
    h = _base_steps(x, method, step).ravel()
    engine = {"chunk_bytes": chunk_bytes, "executor": executor}
    if method.kind == "complex":  # its safety checks need every value at once
        y, realised, _, _, _ = _evaluate_stencil(
            target, reduced, h, np.arange(x.size), f0.shape, vectorized=vectorized, **engine
        )
        value = _combine(method.value, _quotients(reduced, y, realised, f0.ravel()))
        _check_complex_real_part(target, y, f0.ravel())
        _cross_check_complex(target, value, f0, h)
        return np.array(value.T.reshape(f0.shape + x.shape), order="C"), f0
    # Assembled in place, a block of coordinates at a time: the stacked values of one block
    # (at most `_BLOCK_BYTES`, or `chunk_bytes` if larger) are all that is held besides the result.
    m = f0.size
    out = np.empty((m, x.size))
    block = max(1, max(chunk_bytes, _BLOCK_BYTES) // (len(reduced.offsets) * max(m, 1) * 8))
    for start in range(0, x.size, block):
        coords = np.arange(start, min(start + block, x.size))
        y, realised, _, _, vectorized = _evaluate_stencil(
            target, reduced, h[coords], coords, f0.shape, vectorized=vectorized, **engine
        )
        out[:, coords] = _combine(method.value, _quotients(reduced, y, realised, f0.ravel())).T
        del y
    return out.reshape(f0.shape + x.shape), f0


#: Bound on the stacked values of f held at once while :func:`jacobian` assembles its result.
_BLOCK_BYTES = 16 * 2**20


@dataclass(frozen=True, kw_only=True)
class _Sample:
    """Finite differences of some coordinates, each at one step.

    Attributes
    ----------
    value, truncation : numpy.ndarray
        The method's value and truncation-error estimate, shape (k, m).
    level : numpy.ndarray
        Rounding level of f measured at each coordinate (absolute, shape (k,)); see
        :func:`_noise_levels`.
    combination : numpy.ndarray or None
        Second-difference combination of each entry (central stencils), shape (k, m).
    magnitude : float
        Largest ``|f|`` over the evaluated points.
    frozen : numpy.ndarray
        Coordinates at which no value of f changed at all (shape (k,)): the step moved f's
        computation by less than its resolution (e.g. ``A + t B`` with ``|t B|`` below the
        spacing of A's entries), so the differences say nothing.
    values : numpy.ndarray
        The raw values of f at the stencil points, shape (K, k, m) (for the precision test).
    """

    value: np.ndarray
    truncation: np.ndarray
    level: np.ndarray
    combination: np.ndarray | None
    magnitude: float
    frozen: np.ndarray
    values: np.ndarray


def _sample(
    target: Target,
    method: Method,
    f0: np.ndarray,
    h_sub: np.ndarray,
    coords: np.ndarray,
    *,
    vectorized: bool | None,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> tuple[_Sample, int, int, bool]:
    """Evaluate the stencil of `coords` at steps `h_sub`.

    Returns (sample, evaluations, calls, vectorized). numpy's warnings about stencil points
    beyond f's domain are silenced: the engine refuses non-finite values itself and says so.
    """
    f0_flat = f0.ravel()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y, realised, evals, calls, vectorized = _evaluate_stencil(
            target,
            method,
            h_sub,
            coords,
            f0.shape,
            vectorized=vectorized,
            chunk_bytes=chunk_bytes,
            executor=executor,
        )
    value, truncation = _derivatives(method, y, realised, f0_flat)
    combination = None
    if method.kind == "central":
        combination = _second_difference_combination(method, y, f0_flat)
    if method.kind == "complex":
        magnitude = float(np.max(np.abs(value) * h_sub[:, None], initial=0.0))
    else:
        magnitude = float(np.max(np.abs(y), initial=0.0))
    sample = _Sample(
        value=value,
        truncation=truncation,
        level=_noise_levels(method, y, f0_flat, truncation, h_sub, combination),
        combination=combination,
        magnitude=magnitude,
        frozen=np.all(y == f0_flat[None, None, :], axis=(0, 2)),
        values=y,
    )
    return sample, evals, calls, vectorized


def _first_sample(
    target: Target,
    method: Method,
    f0: np.ndarray,
    h: np.ndarray,
    *,
    searching: bool,
    vectorized: bool | None,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> tuple[_Sample, int, int, bool, np.ndarray]:
    """The sample of every coordinate at the base steps `h`, which are divided by 8 (up to four
    times, when `searching`) while f fails or is not finite at some stencil point: a default
    step can reach beyond f's domain. Then, once, each coordinate's step is bounded by its
    own magnitude (``relative_step * |x_j|`` where that is smaller): a coordinate far below
    the others' typical size (``log x`` at ``x = [1e-9, 1, 2]``) has its domain's edge that
    close. Returns (sample, evaluations, calls, vectorized, steps).
    """
    coords = np.arange(target.x.size)
    x = target.x.ravel()
    own = method.relative_step * np.abs(x)
    own = np.where((own > 0) & (own < h), (x + own) - x, h)
    attempts = 6 if searching else 1
    for attempt in range(attempts):
        try:
            got, evals, n_calls, vectorized = _sample(
                target,
                method,
                f0,
                h,
                coords,
                vectorized=vectorized,
                chunk_bytes=chunk_bytes,
                executor=executor,
            )
        except (NonFiniteValueError, FunctionCallError) as exc:
            smaller = (x + h / 8) - x if attempt < 4 else np.minimum(own, h)
            if attempt == attempts - 1 or np.any(smaller <= 0) or np.array_equal(smaller, h):
                raise exc from None
            h = smaller
            continue
        return got, evals, n_calls, vectorized, h
    raise AssertionError("unreachable")  # pragma: no cover


def _output_epsilon(
    f0: np.ndarray, y: np.ndarray, method: Method, inputs: Callable[[], np.ndarray]
) -> float:
    """Unit roundoff of the precision `f` evidently computes in.

    float64's, unless every value f returned (at the point and at each stencil point) is exactly
    a float16 (or float32) number, f's values changed somewhere and the `inputs` (the point
    and the stencil points; made only when needed) are not all such numbers themselves: then
    f computes, or rounds its result, in that precision, and its values are only accurate to
    that precision.
    """
    if method.kind == "complex":
        return EPS
    if np.all(y == f0.ravel()[None, None, :]):  # f did not change: nothing to tell
        return EPS
    values = np.concatenate([f0.ravel(), y.ravel()])
    for dtype in (np.float16, np.float32):
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            rounded = values.astype(dtype).astype(np.float64)
        if not np.array_equal(rounded, values):
            continue
        # exact arithmetic on inputs that are themselves such numbers proves nothing
        points = inputs()
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            exact_inputs = np.array_equal(points.astype(dtype).astype(np.float64), points)
        if not exact_inputs:
            return float(np.finfo(dtype).eps)
    return EPS


@dataclass(frozen=True, kw_only=True)
class _Steps:
    """Per-coordinate state of the step search: the chosen steps and what they gave.

    ``value`` and ``truncation`` have shape (k, m); ``h``, ``level`` shape (k,); ``kink`` and
    ``kink_term`` (half the detected slope jump) shape (k, m); ``beyond`` (shape (k,)) marks
    coordinates whose search ended with a step beyond f's length scale (see
    :meth:`_SearchSetup.too_curved`).
    """

    value: np.ndarray
    truncation: np.ndarray
    h: np.ndarray
    level: np.ndarray
    kink: np.ndarray
    kink_term: np.ndarray
    frozen: np.ndarray
    changed: np.ndarray
    beyond: np.ndarray


@dataclass(frozen=True, kw_only=True)
class _Opening:
    """What the first sample (every coordinate at its base step) tells.

    ``f0`` is f at the point; ``steps`` the first sample as a step-search state, with its
    tentative kinks; ``combination`` its second-difference combination (central stencils) and
    ``values`` its raw values (see :class:`_Sample`); ``output_epsilon`` the unit roundoff of
    f's precision; ``magnitude`` the largest ``|f|`` seen; ``prior`` the a priori rounding
    level of one value of f; ``ceiling`` the largest step of each coordinate (its scale, or
    1; see :class:`_SearchSetup`).
    """

    f0: np.ndarray
    steps: _Steps
    combination: np.ndarray | None
    values: np.ndarray
    output_epsilon: float
    magnitude: float
    prior: float
    ceiling: np.ndarray


@dataclass(frozen=True, kw_only=True)
class Search:
    """How :func:`estimate_tensor` searches the steps: where it starts and whether it may.

    Attributes
    ----------
    at_point : tuple of (numpy.ndarray, int), optional
        ``(f(x), evaluations)`` when the caller has already evaluated f at the point.
    refine_above : float, optional
        Overrides the method's threshold for searching a coordinate's step (see
        :func:`_search_steps`).
    start_steps : numpy.ndarray, optional
        Replaces the default base steps (shape of the variable; the search still runs from
        them), where `step` fixes the steps.
    refine_when : callable, optional
        Given the estimate at the first steps, says whether to search at all (None: always; a
        caller whose verdict the first estimate already settles passes a test of that).
    """

    at_point: tuple[np.ndarray, int] | None = None
    refine_above: float | None = None
    start_steps: np.ndarray | None = None
    refine_when: Callable[[TensorEstimate], bool] | None = None


#: The search of an estimate with no controls given.
_DEFAULT_SEARCH = Search()


def estimate_tensor(
    target: Target,
    method: Method,
    *,
    step: object = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    executor: Executor | None = None,
    search: Search = _DEFAULT_SEARCH,
) -> TensorEstimate:
    """Numerical Jacobian in tensor layout with its error estimate (see estimate_jacobian).

    `search` says where the step search starts and whether it may run (see :class:`Search`).
    """
    validate_chunk_bytes(chunk_bytes)
    at_point, refine_above = search.at_point, search.refine_above
    start_steps, refine_when = search.start_steps, search.refine_when
    x = target.x
    f0, evaluations = evaluate_at_point(target) if at_point is None else at_point
    calls = evaluations
    h = _base_steps(x, method, step if start_steps is None else start_steps).ravel()
    first, evals, n_calls, vectorized, h = _first_sample(
        target,
        method,
        f0,
        h,
        searching=step is None,
        vectorized=vectorized,
        chunk_bytes=chunk_bytes,
        executor=executor,
    )
    evaluations += evals
    calls += n_calls
    opening = _open(method, x, f0, first, h)
    steps = opening.steps
    if refine_above is None:
        refine_above = method.refine_above
    searching = refine_above is not None and step is None
    spending = Spending(
        first=evaluations, coordinates=x.size, threshold=refine_above if searching else None
    )
    if searching:
        setup = _search_setup(
            target,
            method,
            opening,
            start=refine_above,
            vectorized=vectorized,
            chunk_bytes=chunk_bytes,
            executor=executor,
        )
        state = _start_search(setup, steps)
        # no coordinate to move: the search would return the first steps as they are
        searching = bool(state.ladder.active.any())
        # the caller is asked only when the search would move a coordinate at all
        if refine_when is not None and searching:
            counts = (evaluations, calls)
            searching = refine_when(_finish(method, x, opening, steps, counts, vectorized))
            spending = replace(spending, settled=not searching)
    if searching:
        steps, extra_evals, extra_calls, searched = _search_steps(setup, state)
        evaluations += extra_evals
        calls += extra_calls
        spending = replace(spending, search=extra_evals, searched=searched)
    if method.kind == "complex":
        _check_complex_real_part(target, first.values, f0.ravel())
        extra = _cross_check_complex(target, steps.value, f0, steps.h)
        evaluations += extra
        calls += extra
        spending = replace(spending, first=spending.first + extra)
    counts = (evaluations, calls)
    return _finish(method, x, opening, steps, counts, vectorized, spending=spending)


def _open(method: Method, x: np.ndarray, f0: np.ndarray, first: _Sample, h: np.ndarray) -> _Opening:
    """The `first` sample at steps `h` as an :class:`_Opening`: f's precision and rounding
    level, and the tentative kinks."""

    def stencil_inputs() -> np.ndarray:
        return np.concatenate(
            [x.ravel(), (x.ravel()[None, :] + np.outer(method.offsets, h)).ravel()]
        )

    out_eps = _output_epsilon(f0, first.values, method, stencil_inputs)
    magnitude = first.magnitude
    if method.kind != "complex":  # the complex step's imaginary parts round on their own scale
        magnitude = max(float(np.max(np.abs(f0), initial=0.0)), magnitude)
    # Normwise a priori rounding level of one value of f (LAPACK-backed functions round
    # relative to the norm of their result, not entry by entry), never below the spacing of
    # the smallest subnormal numbers.
    prior_level = _ROUNDING_ULPS * (out_eps * magnitude + _TINY)
    prior = np.full(f0.size, prior_level)
    kink = np.zeros(first.value.shape, dtype=bool)
    kink_term = np.zeros_like(first.value)
    if first.combination is not None:
        kink, kink_term = _kinks(method, first.combination, prior, first.level, h)
    steps = _Steps(
        value=first.value,
        truncation=first.truncation,
        h=h,
        level=first.level,
        kink=kink,
        kink_term=kink_term,
        frozen=first.frozen,
        changed=~first.frozen,
        beyond=np.zeros(first.frozen.shape, dtype=bool),
    )
    return _Opening(
        f0=f0,
        steps=steps,
        combination=first.combination,
        values=first.values,
        output_epsilon=out_eps,
        magnitude=magnitude,
        prior=prior_level,
        ceiling=np.maximum(coordinate_scales(x).ravel(), 1.0),
    )


def _error_bounds(
    method: Method, steps: _Steps, prior_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Error bound of each coordinate at its chosen step (shape (k, 1)) and whether its
    finite differences are reliable."""
    # Rounding level of f seen by each coordinate: its own measurement (none at a confirmed
    # kink), but at least the (upper) median over the coordinates, so that it does not depend on one
    # coordinate's luck, and at least the a priori level. (Not the largest over them: one
    # coordinate whose large step crosses a non-smooth place would lend its level to all.)
    smooth = ~steps.kink.any(axis=1)
    typical = _upper_median(steps.level[smooth]) if smooth.any() else 0.0
    empirical = np.maximum(np.where(smooth, steps.level, 0.0), typical)
    delta = np.maximum(prior_level, empirical)
    nf_value = method.noise_factor(method.value)
    rounding = (nf_value * delta / steps.h)[:, None]
    excess = (nf_value * np.maximum(empirical - prior_level, 0.0) / steps.h)[:, None]
    # Rounding is normwise, so the error bound of a coordinate is too: the largest over its
    # outputs (an entry whose truncation estimate happens to vanish is no more accurate).
    truncation = steps.truncation
    error = (truncation + rounding + steps.kink_term).max(axis=1, keepdims=True, initial=0.0)
    empirical_error = (truncation + excess + steps.kink_term).max(
        axis=1, keepdims=True, initial=0.0
    )
    scale = float(np.abs(steps.value).max(initial=0.0))
    # a step beyond f's length scale measures f's shape, not its slope, whatever the error
    # estimate says (the differences flatten out with it)
    reliable = (empirical_error <= _UNRELIABLE_FRACTION * scale) & ~steps.beyond[:, None]
    return error, reliable


def _finish(
    method: Method,
    x: np.ndarray,
    opening: _Opening,
    steps: _Steps,
    counts: tuple[int, int],
    vectorized: bool,
    *,
    spending: Spending | None = None,
) -> TensorEstimate:
    """The estimate at the chosen `steps`, with its error bounds, in tensor layout; `counts`
    are the evaluations and calls made."""
    error, reliable = _error_bounds(method, steps, opening.prior)
    f0, h, value = opening.f0, steps.h, steps.value
    f_shape, x_shape = f0.shape, x.shape
    large = opening.ceiling

    def to_tensor(a: np.ndarray) -> np.ndarray:
        return np.array(np.broadcast_to(a, value.shape).T.reshape(f_shape + x_shape), order="C")

    return TensorEstimate(
        value=to_tensor(value),
        error=to_tensor(error),
        reliable=to_tensor(reliable),
        kink=to_tensor(steps.kink),
        # f that never changed, over steps as large as the coordinate itself and as 1, is
        # constant there; below that, cancellation or a quantised input may hide its change.
        frozen=to_tensor((steps.frozen & (steps.changed | (h < large)))[:, None]),
        f_value=f0,
        step=h.reshape(x_shape),
        evaluations=counts[0],
        calls=counts[1],
        vectorized=vectorized,
        output_epsilon=opening.output_epsilon,
        spending=spending,
    )


#: The method of the second estimate, by the first one's method.
SECOND_OPINION = {
    "forward": "richardson",
    "central": "richardson",
    "central4": "richardson",
    "richardson": "central4",
    "complex": "complex",
}


def second_opinion(
    target: Target,
    method: Method,
    first: TensorEstimate,
    *,
    vectorized: bool | None,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> TensorEstimate:
    """`first` merged with an independent estimate by another method at other steps.

    Rounding errors of real numerical code (LAPACK-backed, iterative) can be correlated between
    nearby points, so that the differences at one step under-read them. A second method at
    other steps (richardson, whose steps are about 400 times larger than central's, central4
    after richardson, the complex step again at another step) is subject to other errors;
    the two are merged entry by entry (see :func:`_merge_estimates`), so that where they
    disagree, the disagreement itself bounds what the finite differences can be off by.
    """
    other, start = _second_start(target, method, first)
    second = estimate_tensor(
        target,
        other,
        vectorized=first.vectorized if vectorized is None else vectorized,
        chunk_bytes=chunk_bytes,
        executor=executor,
        search=Search(at_point=(first.f_value, 0), start_steps=start),
    )
    return _merge_estimates(first, second)


def _second_start(
    target: Target, method: Method, first: TensorEstimate
) -> tuple[Method, np.ndarray]:
    """The method of the second estimate and the steps its search starts from."""
    other = METHODS[SECOND_OPINION[method.name]]
    # Start from the first estimate's steps, which its search fitted to f (a default step can
    # lie beyond the length scale of an ill-conditioned f): richardson's at 8 times central's
    # (its stencil reaches 32 times), central4's at a quarter of richardson's; the complex
    # step, free of cancellation, is repeated at 10^4 times its step (still ~1e-16 of x).
    # The factors are off the powers of 2 by sqrt(2) (not for the complex step, which does not
    # subtract): the second ladder then never meets the first one's steps, and an f that rounds
    # its input to an internal grid (``1 + x`` inside ``log det(I + X)``) rounds the two ladders'
    # steps independently; steps on one ladder can be rounded alike and agree while off.
    factor = {"central": 8.0, "forward": 8.0, "central4": 2.0, "richardson": 0.25}
    start = first.step * (factor[method.name] * _OFF_LADDER if method.kind != "complex" else 1e4)
    if other.kind != "complex":
        # never beyond the other method's own default steps, except where f has not changed
        # yet or the first search climbed above its own default steps (rounding dominated
        # there: going back down would meet the same rounding; the search goes on from where
        # the first one stopped)
        frozen = first.frozen.any(axis=tuple(range(first.f_value.ndim)))
        own = _base_steps(target.x, other, None)
        default = _base_steps(target.x, method, None)
        climbed = first.step > default
        start = np.where(frozen | climbed, start, np.minimum(start, own))
        # where the first estimate kept its default step (nothing fitted it to f), the
        # other method starts from its own: the two steps are then independent.
        kept = first.step == default
        start = np.where(kept & ~frozen, own, start)
        start = _within_own_magnitude(target.x, other, start)
    return other, start


#: A coordinate this many times below the variable's typical magnitude gets steps scaled to
#: its own magnitude in the second estimate (see :func:`_within_own_magnitude`).
_FAR_BELOW_TYPICAL = 64.0


def _within_own_magnitude(x: np.ndarray, method: Method, start: np.ndarray) -> np.ndarray:
    """`start` with the steps of coordinates far below the variable's typical magnitude (the
    floor of :func:`coordinate_scales`) brought down to `method`'s relative step of their own
    magnitude. The first estimate steps such a coordinate by the typical magnitude, which can
    lie beyond f's length scale in it (``tanh(x_0 / 4e-5)`` at ``x_0 = -1e-4`` among
    coordinates of 1e3: every step saturates the tanh and the differences agree on the wrong
    value); the second estimate then looks at the coordinate's own scale, and where the two
    disagree their merge bounds the error by the disagreement."""
    mags = np.abs(x)
    typical = coordinate_scales(x)
    far = (mags > _SCALE_FLOOR) & (mags * _FAR_BELOW_TYPICAL <= typical)
    if not far.any():
        return start
    own = (x + method.relative_step * mags) - x  # representable, nonzero for a normal |x|
    usable = far & (own > 0)
    return np.where(usable, np.minimum(start, own), start)


#: The methods of the two fresh estimates of `third_opinion`, by the first one's method: the
#: second estimate's method first.
_FRESH = {
    "forward": ("richardson", "central4"),
    "central": ("richardson", "central4"),
    "central4": ("richardson", "central"),
    "richardson": ("central4", "central"),
}


def third_opinion(
    target: Target,
    method: Method,
    first: TensorEstimate,
    merged: TensorEstimate,
    *,
    vectorized: bool | None,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> TensorEstimate | None:
    """`merged` (see :func:`second_opinion`) with the entries it cannot vouch for re-examined by
    two fresh estimates; None for the complex step.

    The second estimate starts from the first one's steps, so where the first was unreliable
    (rounding of an ill-conditioned f swamping its differences, a step that moves f in a
    staircase) nothing independent stands behind the merged value, and the merge leaves such an
    entry unreliable. Two fresh estimates, each with its own step search from its own default
    steps, are made: by the second estimate's method (see :data:`SECOND_OPINION`) and by
    another higher-order one (central4 after central or forward, central after richardson,
    see `_FRESH`). Only entries that `merged` holds unreliable change, and only to a value that
    is confirmed: the first fresh estimate merged with `merged` as in :func:`_merge_estimates`
    (where it did not start from the second one's steps, which would repeat it), or else the
    two fresh estimates merged with each other where both are reliable, provided `merged` does
    not contradict them (their distance within 4 times the sum of the two error bars); and only
    if the confirmed value's error is below 2.5e-5 of the largest entry (the fraction above
    which an entry is unreliable): f that computes in low precision stays unreliable.
    """
    if method.kind == "complex":
        return None
    f_at_point = (first.f_value, 0)
    fresh = [
        estimate_tensor(
            target,
            METHODS[name],
            vectorized=first.vectorized if vectorized is None else vectorized,
            chunk_bytes=chunk_bytes,
            executor=executor,
            search=Search(at_point=f_at_point),
        )
        for name in _FRESH[method.name]
    ]
    other, start = _second_start(target, method, first)
    with_merged = _merge_estimates(merged, fresh[0])
    if (_base_steps(target.x, other, None) == start).any():  # fresh[0] repeats the second
        with_merged = replace(with_merged, reliable=merged.reliable)
    pair = _merge_estimates(fresh[0], fresh[1])
    consistent = np.abs(merged.value - pair.value) <= _CONSISTENCY * (merged.error + pair.error)
    by_pair = ~with_merged.reliable & pair.reliable & consistent
    error = np.where(by_pair, pair.error, with_merged.error)
    # a confirmation counts only if it is accurate, not merely as accurate as f's precision
    # allows (f computing in low precision stays inconclusive)
    candidate = np.where(by_pair, pair.value, with_merged.value)
    scale = float(np.abs(np.where(merged.reliable, merged.value, candidate)).max(initial=0.0))
    accurate = error <= _UNRELIABLE_FRACTION * scale
    taken = ~merged.reliable & (with_merged.reliable | by_pair) & accurate

    def pick(field: str) -> np.ndarray:
        chosen = np.where(by_pair, getattr(pair, field), getattr(with_merged, field))
        return np.where(taken, chosen, getattr(merged, field))

    return replace(
        with_merged,
        value=pick("value"),
        error=pick("error"),
        reliable=merged.reliable | taken,
        kink=pick("kink"),
        frozen=pick("frozen"),
        evaluations=with_merged.evaluations + fresh[1].evaluations,
        calls=with_merged.calls + fresh[1].calls,
        spending=_confirmed(with_merged.spending, fresh[1].evaluations),
    )


def _merge_estimates(a: TensorEstimate, b: TensorEstimate) -> TensorEstimate:
    """Merge two estimates of one Jacobian, entry by entry.

    Each entry takes the value with the smaller error estimate ``E_chosen`` (the other has
    ``E_other``), except that a value at which f did not change (frozen), then an unreliable
    one, is never preferred. The error becomes ``max(E_chosen, D + E_other)``, with ``D`` the
    distance between the two values: the smaller error bar is not always the right one (LAPACK
    noise correlated over the first estimate's steps under-reads its error), and this bounds
    the chosen value's distance to the truth whichever of the two error models holds. Against
    a frozen value the chosen one keeps its own error; against an unreliable one too, but the
    entry is reliable only if the two agree within their errors.
    """
    # An estimate at which f did not change says nothing, an unreliable one little: the
    # other one is taken.
    take_b = np.where(
        a.frozen != b.frozen,
        a.frozen,
        np.where(a.reliable != b.reliable, b.reliable, b.error < a.error),
    )
    value = np.where(take_b, b.value, a.value)
    e_chosen = np.where(take_b, b.error, a.error)
    e_other = np.where(take_b, a.error, b.error)
    other_reliable = np.where(take_b, a.reliable, b.reliable)
    other_frozen = np.where(take_b, a.frozen, b.frozen)
    gap = np.abs(a.value - b.value)
    widen = other_reliable & ~other_frozen
    error = np.where(widen, np.maximum(e_chosen, gap + e_other), e_chosen)
    # An unreliable other value that disagrees leaves the entry unverifiable (inconclusive):
    # it can neither confirm the chosen value nor be trusted to widen its tolerance. Within its
    # own wide error bar it does not confirm anything either: it must agree within 4 times the
    # chosen value's error (f that cancels to nearly 0 rounds far above its a priori level,
    # which the chosen value's error bar may then under-read a thousandfold). That holds where
    # the other value's stencil reaches a kink too: rounding noise that a staircase of
    # quantised steps makes (``1 + x`` inside ``log det(I + X)``) passes for a kink, and an
    # entry then rests on the chosen value alone, whose error bar is what is in doubt.
    agrees = gap <= 4 * e_chosen
    reliable = np.where(take_b, b.reliable, a.reliable) & (widen | other_frozen | agrees)
    return TensorEstimate(
        value=value,
        error=error,
        reliable=reliable,
        kink=a.kink | b.kink,
        frozen=a.frozen & b.frozen,
        f_value=a.f_value,
        step=a.step,
        evaluations=a.evaluations + b.evaluations,
        calls=a.calls + b.calls,
        vectorized=a.vectorized,
        output_epsilon=max(a.output_epsilon, b.output_epsilon),
        spending=_confirmed(a.spending, b.evaluations),
    )


def _confirmed(spending: Spending | None, evaluations: int) -> Spending | None:
    return None if spending is None else spending.confirmed_by(evaluations)


@dataclass(frozen=True, kw_only=True)
class _SearchSetup:
    """What the step search of one estimate works with; fixed during the search.

    Attributes
    ----------
    target, method, f0
        The function, the method and f at the point (as in :func:`estimate_tensor`).
    combination : numpy.ndarray or None
        Second-difference combination of the first sample (central stencils), shape (n, m).
    prior : float
        A priori rounding level of one value of f (absolute).
    start : float
        The search's threshold, relative to the largest entry (see :func:`_search_steps`).
    floor : float
        A coordinate whose score is below this (`start` times the largest entry) is done.
    output_epsilon, magnitude : float
        Unit roundoff of f's precision and the largest ``|f|`` seen (for `noise_ceiling`).
    ceiling : numpy.ndarray
        Largest step of each coordinate: its scale, or 1 (f's length scale is unknown).
    nf_value : float
        The method's rounding amplification (:meth:`Method.noise_factor` of its value).
    vectorized, chunk_bytes, executor
        How f is evaluated.
    """

    target: Target
    method: Method
    f0: np.ndarray
    combination: np.ndarray | None
    prior: float
    start: float
    floor: float
    output_epsilon: float
    magnitude: float
    ceiling: np.ndarray
    nf_value: float
    vectorized: bool
    chunk_bytes: int
    executor: Executor | None

    def score(
        self, trunc: np.ndarray, step: np.ndarray, lev: np.ndarray, still: np.ndarray
    ) -> np.ndarray:
        """Estimated error at a step: truncation plus the rounding bound (inf where f is
        frozen)."""
        rounding = self.nf_value * np.maximum(self.prior, lev) / step
        return np.where(still, np.inf, trunc.max(axis=1, initial=0.0) + rounding)

    def noise_ceiling(self, val: np.ndarray, coords: np.ndarray) -> np.ndarray:
        """Largest rounding level f can plausibly have: sqrt(eps) of the larger of |f| and of
        f's change over the coordinate's scale (f that cancels to ~0 rounds relative to its
        terms; LAPACK-backed functions to cond * eps of their norm)."""
        change = np.abs(val).max(axis=1, initial=0.0) * self.ceiling[coords]
        return 2 * np.sqrt(self.output_epsilon) * np.maximum(self.magnitude, change)

    def too_curved(self, lev: np.ndarray, val: np.ndarray, coords: np.ndarray) -> np.ndarray:
        """A measured level above `noise_ceiling` is not rounding but f's smooth part: the
        step is beyond f's length scale, and goes down."""
        return lev > self.noise_ceiling(val, coords)


@dataclass(frozen=True, kw_only=True)
class _Current:
    """The best step of each coordinate so far and what it gave (arrays updated in place).

    ``value``, ``truncation`` (n, m); the rest (n,): ``level`` the rounding level the score
    uses, ``raw_level`` the one measured at the current step, ``score`` its score, ``wild``
    whether that step is beyond f's length scale, ``frozen`` whether f has not changed at it,
    ``changed`` whether f changed at any step tried.
    """

    value: np.ndarray
    truncation: np.ndarray
    h: np.ndarray
    level: np.ndarray
    raw_level: np.ndarray
    score: np.ndarray
    wild: np.ndarray
    frozen: np.ndarray
    changed: np.ndarray


@dataclass(frozen=True, kw_only=True)
class _KinkWatch:
    """Tentative kinks under examination (arrays updated in place): ``kink``, ``kink_term``
    (n, m) as in :class:`_Steps`; ``suspect`` (not yet looked at a smaller step), ``pending``
    (confirmed once, to be looked at a larger step) and the first sample's ``measured_level``,
    shape (n,)."""

    kink: np.ndarray
    kink_term: np.ndarray
    suspect: np.ndarray
    pending: np.ndarray
    measured_level: np.ndarray


@dataclass(frozen=True, kw_only=True)
class _Ladder:
    """Where each coordinate goes next on the ladder (arrays of shape (n,), updated in place).

    ``active``: searched in the next round; ``up``: its direction; ``base``: the step the next
    one is a multiple of; ``origin``: the first step; ``moved``, ``turned``: whether it has
    moved or turned round yet; ``relaunch``: to go down again from `origin`; ``limit``: the
    smallest step a jump found too far (inf before any), see :func:`_after_jumps`.
    """

    active: np.ndarray
    up: np.ndarray
    origin: np.ndarray
    base: np.ndarray
    moved: np.ndarray
    turned: np.ndarray
    relaunch: np.ndarray
    limit: np.ndarray


@dataclass(frozen=True, kw_only=True)
class _Patience:
    """Rounds a coordinate spent without f changing (``frozen_rounds``) or with a poor estimate
    just after it did (``poor_rounds``), the size of its last such value (``last_size``) and
    whether its level is known to be noise (``noise_level``); shape (n,), updated in place."""

    frozen_rounds: np.ndarray
    poor_rounds: np.ndarray
    last_size: np.ndarray
    noise_level: np.ndarray


@dataclass(frozen=True, kw_only=True)
class _SearchState:
    """The whole state of a step search: four groups of per-coordinate arrays."""

    current: _Current
    kinks: _KinkWatch
    ladder: _Ladder
    patience: _Patience


@dataclass(frozen=True, kw_only=True)
class _Move:
    """One tried move of the coordinates `sub` to steps `h`, the sample there and its score;
    `jumped`: which of them moved up by more than one rung (see :func:`_rung_factors`)."""

    sub: np.ndarray
    h: np.ndarray
    got: _Sample
    score: np.ndarray
    going_up: bool
    jumped: np.ndarray
    evaluations: int
    calls: int


@dataclass(frozen=True, kw_only=True)
class _Judgement:
    """What a move means for each moved coordinate (boolean arrays over ``move.sub``)."""

    better: np.ndarray
    noisy_up: np.ndarray
    shrinking: np.ndarray
    still: np.ndarray
    gave_up: np.ndarray


def _search_setup(
    target: Target,
    method: Method,
    opening: _Opening,
    *,
    start: float,
    vectorized: bool,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> _SearchSetup:
    """The setup of a search from the first sample's `opening`, with threshold `start`."""
    scale = float(np.abs(opening.steps.value).max(initial=0.0))
    return _SearchSetup(
        target=target,
        method=method,
        f0=opening.f0,
        combination=opening.combination,
        prior=opening.prior,
        start=start,
        floor=start * scale,
        output_epsilon=opening.output_epsilon,
        magnitude=opening.magnitude,
        ceiling=opening.ceiling,
        nf_value=method.noise_factor(method.value),
        vectorized=vectorized,
        chunk_bytes=chunk_bytes,
        executor=executor,
    )


def _search_steps(setup: _SearchSetup, state: _SearchState) -> tuple[_Steps, int, int, int]:
    """Search the step of each coordinate whose error estimate is poor, from `state` (see
    :func:`_start_search`, which it advances); confirm kinks.
    Returns (steps, evaluations, calls, number of coordinates searched).

    A coordinate's score is its estimated error at a step, the largest over the outputs of the
    truncation estimate plus the rounding bound ``noise_factor * level / h`` (level: the larger
    of the a priori and the measured rounding level). A coordinate whose score exceeds the
    setup's `floor` (`start` times the largest entry) is searched along the geometric ladder
    ``h * 8^k``: upward when its rounding bound dominates (the step is too small for f's length
    scale, e.g. ``t`` in ``A + t B`` with small ``|t|``), downward when the truncation estimate
    does (a strongly curved f). It follows the ladder while the score improves, and stops at the
    V's minimum, after 12 rounds, when the score is below `start` times the largest entry, or
    when f fails or is not finite at the next step (the step is then too large). A larger step
    is taken only if its value agrees with the best one so far within the sum of their scores:
    far beyond f's length scale the differences shrink together and would look accurate. A first
    move that does not help turns round once. Each round costs the method's stencil again for
    each searched coordinate (twice where a jump reaches where f is not finite), so at most 24
    more stencils per coordinate. A coordinate at which f does not change at all (see
    :class:`_Sample`) has no estimate: it is moved up until f changes, for at most four rounds
    more, after which it is taken not to affect f. Going up where rounding dominates, a step
    jumps (:func:`_rung_factors`, :func:`_after_jumps`), and the `floor` rises with the largest
    entry the steps show (a value less its score): the first sample may have shown none.

    A tentative kink (see :func:`_kinks`) is re-examined at the step divided by 8: at a kink the
    second-difference combination shrinks like the step (8 times), for a smooth but strongly
    curved f like a power of it (at least 64 times), and rounding noise does not shrink at all.
    It stays a kink only if the combination shrank between 2.5 and 32 times; a kink's values
    stay those at the first step.
    """
    searched = int(np.count_nonzero(state.ladder.active))
    evaluations = calls = 0
    for round_ in range(_SEARCH_ROUNDS):
        setup = _raised_floor(setup, state.current)
        idx = np.flatnonzero(state.ladder.active)
        if idx.size == 0:
            break
        state.ladder.active[:] = False
        for going_up in (True, False):
            # (`up` as it is now: a coordinate that turned round going up goes down at once)
            move = _try_steps(setup, state, idx[state.ladder.up[idx] == going_up], going_up)
            if move is None:
                continue
            evaluations += move.evaluations
            calls += move.calls
            consider = np.ones(move.sub.size, dtype=bool)
            if round_ == 0 and setup.combination is not None and move.got.combination is not None:
                consider = _examine_kinks(setup, state, move)
            if round_ == 1 and going_up and setup.combination is not None:
                consider = _examine_kinks_again(setup, state, move)
            judgement = _judge(setup, state, move, consider)
            previous = _accept(setup, state, move, judgement)
            _steer(setup, state, move, judgement, consider, previous)
    current, kinks = state.current, state.kinks
    found = _Steps(
        value=current.value,
        truncation=current.truncation,
        h=current.h,
        level=current.level,
        kink=kinks.kink,
        kink_term=kinks.kink_term,
        frozen=current.frozen,
        changed=current.changed,
        beyond=current.wild.copy(),
    )
    return found, evaluations, calls, searched


def _raised_floor(setup: _SearchSetup, current: _Current) -> _SearchSetup:
    """The setup with its floor raised to `start` times what the steps found so far show the
    largest entry to be at least (a value less its score): where f did not change at the
    first steps, the first sample knew no entry (floor 0)."""
    known = np.abs(current.value).max(axis=1, initial=0.0) - current.score
    floor = max(setup.floor, setup.start * float(known.max(initial=0.0)))
    return setup if floor == setup.floor else replace(setup, floor=floor)


def _start_search(setup: _SearchSetup, steps: _Steps) -> _SearchState:
    """The search's state before its first round: which coordinates move, and which way."""
    suspect = steps.kink.any(axis=1)
    measured_level = steps.level.copy()
    # A tentative kink's second differences measure its slope jump, not rounding noise.
    level = np.where(suspect, 0.0, measured_level)
    h, frozen = steps.h.copy(), steps.frozen.copy()
    truncation = steps.truncation.copy()
    best = setup.score(truncation, h, level, frozen)
    rounding_part = setup.nf_value * np.maximum(setup.prior, level) / h
    raw_level = measured_level.copy()  # as measured at each coordinate's current step
    wild = setup.too_curved(raw_level, steps.value, np.arange(h.size))
    # a step beyond f's length scale goes down whatever its score: there the differences
    # flatten out and their error estimates with them (a feature of f narrower than the
    # step, e.g. a least-squares solution at condition 1e10, looks like noise on a flat f)
    active = (best > setup.floor) | suspect | wild
    up = ((truncation.max(axis=1, initial=0.0) <= rounding_part) | frozen) & ~suspect & ~wild
    no = np.zeros(h.shape, dtype=bool)
    return _SearchState(
        current=_Current(
            value=steps.value.copy(),
            truncation=truncation,
            h=h,
            level=level,
            raw_level=raw_level,
            score=best,
            wild=wild,
            frozen=frozen,
            changed=steps.changed.copy(),
        ),
        kinks=_KinkWatch(
            kink=steps.kink.copy(),
            kink_term=steps.kink_term.copy(),
            suspect=suspect,
            pending=no.copy(),
            measured_level=measured_level,
        ),
        ladder=_Ladder(
            active=active,
            up=up,
            origin=h.copy(),
            base=h.copy(),
            moved=no.copy(),
            turned=no.copy(),
            relaunch=no.copy(),
            limit=np.full(h.shape, np.inf),
        ),
        patience=_Patience(
            frozen_rounds=np.zeros(h.shape, dtype=int),
            poor_rounds=np.zeros(h.shape, dtype=int),
            last_size=np.full(h.shape, np.inf),
            noise_level=no.copy(),
        ),
    )


def _try_steps(
    setup: _SearchSetup, state: _SearchState, sub: np.ndarray, going_up: bool
) -> _Move | None:
    """Sample the coordinates `sub` one rung up (or down) the ladder, or up by a jump (see
    :func:`_rung_factors`); None if none can move."""
    current = state.current
    factor = _rung_factors(setup, state, sub, going_up)
    jumped = factor > _SEARCH_FACTOR
    rung = _sample_rung(setup, state, sub, factor)
    if rung is None and jumped.any():
        # f is not defined (or not finite) as far out as the jump: the ordinary rung instead
        factor, jumped = np.minimum(factor, _SEARCH_FACTOR), np.zeros(sub.size, dtype=bool)
        rung = _sample_rung(setup, state, sub, factor)
    if rung is None:
        return None
    keep, new_h, got, evals, n_calls = rung
    sub, jumped = sub[keep], jumped[keep]
    if not going_up and setup.combination is not None:
        # f's smooth part in the second differences shrinks like h^(2k) (k multiples),
        # rounding noise not at all: a level that shrank more than 8 times faster than
        # that lost its noise by luck (or to a quantised f), and the previous one stays.
        smooth_order = 2 * len(setup.method.multiples)
        raw = current.raw_level[sub]
        lucky = (got.level * _SEARCH_FACTOR ** (smooth_order + 1) < raw) & ~current.wild[sub]
        got = replace(got, level=np.where(lucky, raw, got.level))
    new_score = setup.score(got.truncation, new_h, got.level, got.frozen)
    return _Move(
        sub=sub,
        h=new_h,
        got=got,
        score=new_score,
        going_up=going_up,
        jumped=jumped,
        evaluations=evals,
        calls=n_calls,
    )


def _sample_rung(setup: _SearchSetup, state: _SearchState, sub: np.ndarray, factor: np.ndarray):
    """The sample of `sub` at its ladder base times `factor`: (kept, steps, sample, evaluations,
    calls), `kept` the coordinates that can move; None if none can, or if f fails or is not
    finite at a new stencil point."""
    current, x_flat = state.current, setup.target.x.ravel()
    new_h = (x_flat[sub] + state.ladder.base[sub] * factor) - x_flat[sub]
    # never beyond the coordinate's own scale (or 1): f's length scale is unknown
    # (a coordinate at which f has not changed yet may go on: nothing can mislead it)
    # (a jump is capped at the ceiling, which the rounding of x + h may pass by an ulp)
    unchanged = current.frozen[sub] & ~current.changed[sub] | (factor > _SEARCH_FACTOR)
    keep = np.isfinite(new_h) & (new_h > 0) & ((new_h <= setup.ceiling[sub]) | unchanged)
    if not keep.any():
        return None
    try:
        got, evals, n_calls, _ = _sample(
            setup.target,
            setup.method,
            setup.f0,
            new_h[keep],
            sub[keep],
            vectorized=setup.vectorized,
            chunk_bytes=setup.chunk_bytes,
            executor=setup.executor,
        )
    except (NonFiniteValueError, FunctionCallError):
        # f is not defined (or not finite) that far out: this direction ends here.
        return None
    return keep, new_h[keep], got, evals, n_calls


def _rung_factors(
    setup: _SearchSetup, state: _SearchState, sub: np.ndarray, going_up: bool
) -> np.ndarray:
    """Ratio of each coordinate's next step to its ladder base: 1/8 down; 8 up, or more where
    rounding dominates.

    Where the rounding bound ``nf * level / h`` dominates the score (or f has not changed
    yet: its differences are at f's rounding level), the step that brings the bound to half
    the coordinate's target is known, and the step jumps there at once, though never beyond
    the coordinate's ceiling (its scale, or 1). The target is `start` times the larger of the
    largest entry and the coordinate's own largest value; where f has not changed yet, that
    value is taken to be ``max|f| / ceiling`` (f changes by no more than its own size over the
    ceiling). A value swamped by noise overstates the target, and the jump falls short: the
    next round jumps again; so does a rounding level that grows with the step. Tentative kinks
    (examined at steps 8 times apart) and steps beyond f's length scale move by 8. So a variable
    of magnitude 1e-20 on which f varies over a length of 1 reaches its step in one or two
    rounds, where the 8x ladder needed some 25.
    """
    if not going_up:
        return np.full(sub.size, 1 / _SEARCH_FACTOR)
    current, kinks, base = state.current, state.kinks, state.ladder.base[sub]
    frozen = current.frozen[sub]
    level = np.where(frozen, setup.prior, np.maximum(setup.prior, current.level[sub]))
    rounding = setup.nf_value * level / base
    size = np.abs(current.value[sub]).max(axis=1, initial=0.0)
    size = np.where(frozen, setup.magnitude / setup.ceiling[sub], size)
    target = np.maximum(setup.floor, setup.start * size)
    dominated = (current.truncation[sub].max(axis=1, initial=0.0) <= rounding) | frozen
    plain = current.wild[sub] | kinks.pending[sub] | kinks.suspect[sub] | (target <= 0)
    needed = np.where(dominated & ~plain, 2 * rounding / np.where(plain, 1.0, target), 1.0)
    # never beyond the ceiling, nor past the geometric mean with a step found too far
    room = np.minimum(setup.ceiling[sub] / base, np.sqrt(state.ladder.limit[sub] / base))
    return np.maximum(_SEARCH_FACTOR, np.minimum(needed, room))


def _examine_kinks(setup: _SearchSetup, state: _SearchState, move: _Move) -> np.ndarray:
    """First round: a tentative kink's combination at the step divided by 8 confirms or clears
    it; returns which moved coordinates may take the new step (not a confirmed kink)."""
    current, kinks, sub, got = state.current, state.kinks, move.sub, move.got
    was = kinks.suspect[sub]
    shrink = setup.combination[sub].max(axis=1, initial=0.0) / np.maximum(
        got.combination.max(axis=1, initial=0.0), 1e-300
    )
    # A kink's combination shrinks about 8 times with the step, but two draws of
    # rounding noise can too: a kink is confirmed once more at 8 times the step,
    # where it grows as much (see `pending`), noise not.
    confirmed = was & (shrink >= 2.5) & (shrink <= 32)
    kinks.pending[sub[confirmed]] = True
    noise = was & (shrink < 2.5) & ~setup.too_curved(got.level, got.value, sub)
    cleared = was & ~confirmed
    kinks.kink[sub[cleared]] = False
    kinks.kink_term[sub[cleared]] = 0.0
    level = current.level
    level[sub[noise]] = np.maximum(kinks.measured_level[sub[noise]], got.level[noise])
    level[sub[cleared & ~noise]] = got.level[cleared & ~noise]
    redo = sub[cleared]
    current.score[redo] = setup.score(
        current.truncation[redo], current.h[redo], level[redo], current.frozen[redo]
    )
    kinks.suspect[sub] = False
    return ~confirmed


def _examine_kinks_again(setup: _SearchSetup, state: _SearchState, move: _Move) -> np.ndarray:
    """Second round, going up: a kink confirmed at the smaller step must grow about 8 times
    at 8 times the first step; returns which moved coordinates may take the new step."""
    current, kinks, sub = state.current, state.kinks, move.sub
    checking = kinks.pending[sub]
    grow = move.got.combination.max(axis=1, initial=0.0) / np.maximum(
        setup.combination[sub].max(axis=1, initial=0.0), 1e-300
    )
    stays = checking & (grow >= 2.5) & (grow <= 32)
    noisy = sub[checking & ~stays]
    kinks.kink[noisy] = False
    kinks.kink_term[noisy] = 0.0
    level = current.level
    level[noisy] = np.maximum(kinks.measured_level[noisy], current.raw_level[noisy])
    current.score[noisy] = setup.score(
        current.truncation[noisy], current.h[noisy], level[noisy], current.frozen[noisy]
    )
    consider = ~stays
    # not a kink but a step beyond f's length scale: it goes down from the start
    again = sub[checking & ~stays & current.wild[sub]]
    consider[np.isin(sub, again)] = False
    state.ladder.relaunch[again] = True
    kinks.pending[sub] = False
    return consider


def _judge(
    setup: _SearchSetup, state: _SearchState, move: _Move, consider: np.ndarray
) -> _Judgement:
    """Which moved coordinates take the new step, and which stay where f does not change."""
    better, noisy_up, shrinking = _better_steps(setup, state, move, consider)
    current, patience, sub, got = state.current, state.patience, move.sub, move.got
    # A jump is taken only short of the V's minimum (its rounding part still dominating), so
    # that every step taken is approached from below, as on the ladder (see `_after_jumps`).
    better &= ~(move.jumped & _truncation_dominates(setup, move))
    # Where f did not change, a step at which it does is taken only if its estimate is
    # good (f may just have reached a kink or the staircase of a quantised input); a
    # coordinate still without a good estimate four steps up is taken not to affect f.
    # (Good relative to its own value or to the largest entry known, as reliability is: a
    # coordinate whose derivative is 1e-10 of the others' need not be resolved better.)
    leaving = current.frozen[sub] & ~got.frozen
    current.changed[sub] |= ~got.frozen
    size = np.maximum(np.abs(got.value).max(axis=1, initial=0.0), setup.floor / setup.start)
    spread = move.score / np.maximum(size, 1e-300)
    poor = spread > _UNRELIABLE_FRACTION
    better &= ~(leaving & poor)
    still = (got.frozen & current.frozen[sub]) | (leaving & poor)
    unchanged_now = got.frozen & current.frozen[sub]
    patience.frozen_rounds[sub] = np.where(unchanged_now, patience.frozen_rounds[sub] + 1, 0)
    patience.poor_rounds[sub] = np.where(leaving & poor, patience.poor_rounds[sub] + 1, 0)
    # Rounding noise of a constant f gives differences that shrink like 1/h, with their
    # score; a derivative swamped by rounding at small steps gives values that settle
    # while their score falls. Only the former gives up.
    size = np.abs(got.value).max(axis=1, initial=0.0)
    settling = leaving & (size >= patience.last_size[sub] / 4)
    patience.last_size[sub] = np.where(leaving, size, np.inf)
    gave_up = (unchanged_now & (patience.frozen_rounds[sub] >= 4)) | (
        leaving & poor & (patience.poor_rounds[sub] >= 3) & ~settling
    )
    return _Judgement(
        better=better, noisy_up=noisy_up, shrinking=shrinking, still=still, gave_up=gave_up
    )


def _better_steps(
    setup: _SearchSetup, state: _SearchState, move: _Move, consider: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether each moved coordinate's new step is better; returns (better, noisy_up,
    shrinking): taken as better for its score, as a larger step over rounding noise, as a
    smaller step at which f's smooth part shrinks."""
    current, sub, got, going_up = state.current, move.sub, move.got, move.going_up
    # Beyond f's length scale the differences can shrink together and look accurate;
    # a larger step is taken only if its value agrees with the best so far within both
    # scores.
    # The best score's measured level is capped at 16 times the a priori one here,
    # unless the larger step shows it to be noise: a narrow feature of f inside the
    # first stencil inflates it and would make any larger step look consistent.
    gap = np.abs(got.value - current.value[sub]).max(axis=1, initial=0.0)
    if going_up:
        # The level measured at the smaller step is rounding noise if the larger step
        # measures about as much (f's smooth part would grow like a power of the step).
        noise_level, level = state.patience.noise_level, current.level[sub]
        noise_level[sub] |= got.level <= 64 * level
        capped = np.where(noise_level[sub], level, np.minimum(level, 16 * setup.prior))
        plain = setup.score(current.truncation[sub], current.h[sub], capped, current.frozen[sub])
        consistent = (gap <= _CONSISTENCY * (move.score + plain)) | current.frozen[sub]
    else:
        consistent = np.ones(sub.size, dtype=bool)
    better = consider & consistent & (move.score < current.score[sub])
    if not going_up:
        better &= _truncation_shrinks_plausibly(setup, state, move)
    noisy_up = np.zeros(sub.size, dtype=bool)
    if going_up:  # beyond f's length scale a larger step only looks better
        better &= ~current.wild[sub]
        noisy_up = _noisy_up(setup, state, move, consider, consistent, gap)
        better |= noisy_up
    # Beyond f's length scale the score misleads; a smaller step at which f's smooth
    # part shrinks is taken whatever its score.
    wild = current.wild[sub]
    shrinking = wild & (got.level < current.raw_level[sub]) & ~got.frozen & (not going_up)
    better |= consider & shrinking
    return better, noisy_up, shrinking


def _truncation_shrinks_plausibly(
    setup: _SearchSetup, state: _SearchState, move: _Move
) -> np.ndarray:
    """Whether a smaller step's truncation estimate shrank as truncation can.

    Truncation shrinks like ``h^order`` (a higher-order term dominating at the larger step
    lets it shrink a few powers faster, hence the slack of ``8^2``); noise does not shrink at
    all. A truncation estimate that vanishes far faster was noise at the larger step, and
    the smaller step's agreement is luck, not accuracy: an f that rounds an intermediate much
    larger than its change (``1 + x`` inside ``log det(I + X)`` at small X) sees each step
    rounded to the spacing of that intermediate, and steps in ratio 1:2 can be rounded alike,
    so that their quotients agree exactly while both are off by the same relative amount.
    """
    sub, got = move.sub, move.got
    old = state.current.truncation[sub].max(axis=1, initial=0.0)
    new = got.truncation.max(axis=1, initial=0.0)
    ratio = state.current.h[sub] / move.h
    return new * ratio ** (setup.method.order + 2) >= old


def _noisy_up(
    setup: _SearchSetup,
    state: _SearchState,
    move: _Move,
    consider: np.ndarray,
    consistent: np.ndarray,
    gap: np.ndarray,
) -> np.ndarray:
    """Larger steps taken because the smaller step's truncation estimate is rounding noise.

    A truncation estimate that grows less than 4 times with an 8 times larger step
    is rounding noise (truncation grows like a power >= 1 of the step; noise
    correlated over short distances can pass the second differences): the larger
    step, whose rounding part is 8 times smaller, is the better one. The gap to
    it is then charged to the smaller step's rounding, if a rounding level can
    explain it (one below `noise_ceiling`: LAPACK-backed functions round to
    cond * eps of their norm, far above the a priori level).
    """
    current, sub, got = state.current, move.sub, move.got
    old_trunc = current.truncation[sub].max(axis=1, initial=0.0)
    new_trunc = got.truncation.max(axis=1, initial=0.0)
    noise_like = (new_trunc < 4 * old_trunc) & ~current.frozen[sub] & ~got.frozen
    implied = np.maximum(gap - move.score, 0.0) * current.h[sub] / setup.nf_value
    explained = consistent | (implied <= setup.noise_ceiling(got.value, sub))
    return consider & explained & noise_like & ~current.wild[sub]


def _accept(
    setup: _SearchSetup, state: _SearchState, move: _Move, judgement: _Judgement
) -> np.ndarray:
    """Take the better steps; returns the scores they replace."""
    current, sub, got, better = state.current, move.sub, move.got, judgement.better
    stays_frozen = judgement.still & got.frozen
    current.h[sub[stays_frozen]] = move.h[stays_frozen]  # f constant that far out
    win = sub[better]
    current.value[win] = got.value[better]
    current.truncation[win] = got.truncation[better]
    current.h[win] = move.h[better]
    # Second differences at a larger step can contain f's smooth part, at a smaller one
    # they can miss noise correlated over short distances: going up keeps the larger
    # of the two measurements, going down the new one.
    if move.going_up:  # every smaller step so far measured noise, not f's smooth part
        current.level[win] = np.maximum(got.level[better], current.level[win])
    else:
        current.level[win] = got.level[better]
    current.raw_level[win] = got.level[better]
    current.wild[win] = setup.too_curved(current.raw_level[win], current.value[win], win)
    current.frozen[win] = False
    previous = current.score[win]
    current.score[win] = move.score[better]
    state.ladder.moved[win] = True
    return previous


def _steer(
    setup: _SearchSetup,
    state: _SearchState,
    move: _Move,
    judgement: _Judgement,
    consider: np.ndarray,
    previous: np.ndarray,
) -> None:
    """Go on while it helps and is not yet good; turn round once where it did not help."""
    ladder, sub, new_score, j = state.ladder, move.sub, move.score, judgement
    overshot = _overshot(setup, move, judgement)
    go_on = np.zeros(sub.size, dtype=bool)
    go_on[j.better] = (new_score[j.better] > setup.floor) & (new_score[j.better] < previous)
    go_on |= j.shrinking | (j.noisy_up & (new_score > setup.floor))
    go_on |= j.still & ~j.gave_up
    go_on &= ~overshot
    ladder.active[sub[go_on]] = True
    ladder.base[sub[go_on]] = move.h[go_on]
    wild = state.current.wild[sub]
    turn = consider & ~j.better & ~ladder.moved[sub] & ~ladder.turned[sub] & ~j.still & ~wild
    turn &= ~overshot
    turn |= state.kinks.pending[sub]  # a tentatively confirmed kink is looked at once upward
    turning = sub[turn]
    ladder.active[turning] = True
    ladder.turned[turning] = True
    ladder.base[turning] = ladder.origin[turning]
    ladder.up[turning] = np.where(state.kinks.pending[turning], True, ~ladder.up[turning])
    down_again = sub[ladder.relaunch[sub]]
    ladder.active[down_again] = True
    ladder.base[down_again] = ladder.origin[down_again]
    ladder.up[down_again] = False
    ladder.relaunch[sub] = False
    _after_jumps(state, move, overshot)


def _overshot(setup: _SearchSetup, move: _Move, judgement: _Judgement) -> np.ndarray:
    """Which jumps (see :func:`_rung_factors`) went too far: their step is not better and f
    changed there, or it changed and truncation dominates its (poor) estimate."""
    truncated = _truncation_dominates(setup, move)
    return move.jumped & ~judgement.better & ~move.got.frozen & (~judgement.still | truncated)


def _truncation_dominates(setup: _SearchSetup, move: _Move) -> np.ndarray:
    """Whether the truncation estimate exceeds the rounding bound at the moved steps."""
    rounding = setup.nf_value * np.maximum(setup.prior, move.got.level) / move.h
    return move.got.truncation.max(axis=1, initial=0.0) > rounding


def _after_jumps(state: _SearchState, move: _Move, overshot: np.ndarray) -> None:
    """A jump that went too far bounds the next one: it aims at the geometric mean of the
    current step and the one that was too far (bisection in log h), until that is within one
    rung. Steps are so approached from below only: going up keeps the largest rounding level
    measured on the way and checks each step's value against the one below it, which a
    descent from a step beyond the V's minimum would not (a level measured small by luck
    there would be believed)."""
    ladder, sub = state.ladder, move.sub
    far = sub[overshot]
    ladder.limit[far] = np.minimum(ladder.limit[far], move.h[overshot])
    ladder.active[far] = True
    ladder.up[far] = True
    state.patience.poor_rounds[far] = 0  # poor for truncation, not for noise


def _second_difference_combination(method: Method, y: np.ndarray, f0: np.ndarray) -> np.ndarray:
    """``|sum_c w_c s(c)|`` with ``s(c) = f(x+ch) + f(x-ch) - 2f(x)`` and the weights of
    :attr:`Method.kink_weights`, shape (k, m).

    The weights cancel the smooth part of the second differences to high order (``O(h^4)`` for
    central, ``O(h^6)`` for central4 and richardson), so what remains is rounding
    noise of f, or ``|slope jump| * h * |sum_c w_c c|`` at a kink.
    """
    index = {int(o): i for i, o in enumerate(method.offsets)}
    combination = np.zeros(y.shape[1:])
    for c, w in method.kink_weights.items():
        combination += w * (y[index[c]] + y[index[-c]] - 2 * f0[None, :])
    return np.abs(combination)


def _noise_levels(
    method: Method,
    y: np.ndarray,
    f0: np.ndarray,
    truncation: np.ndarray,
    h: np.ndarray,
    combination: np.ndarray | None,
) -> np.ndarray:
    """Empirical rounding level of f seen by each coordinate (absolute, largest over outputs).

    Each value of f is taken to be off by at most ``delta``. Central stencils measure it with
    the second-difference `combination`, which is nearly free of the smooth part (bounded by
    ``4 sum|w_c| delta``); forward and complex ones with the truncation estimate times ``h``
    (bounded by the method's noise factor times ``delta``). Typical combinations of independent
    rounding errors reach about half their worst case, hence the factor 2.
    """
    if combination is not None:
        worst = 4 * sum(abs(w) for w in method.kink_weights.values())
        measured = combination.max(axis=1, initial=0.0) / (worst / 2)
    else:
        worst = method.noise_factor(method.truncation)
        measured = truncation.max(axis=1, initial=0.0) * h / (worst / 2)
    if method.kind == "complex":  # no cancellation: its values resolve what they show
        return measured
    return np.maximum(measured, _resolution_levels(method, y, f0))


def _resolution_levels(method: Method, y: np.ndarray, f0: np.ndarray) -> np.ndarray:
    """Half the quantum of f's values at each coordinate where its stencil shows f resolved
    to a few quanta only (absolute, largest over outputs, shape (k,)); 0 elsewhere.

    A smooth f takes distinct values at distinct points on one side of x, and a value other than
    f(x) at every stencil point, unless its change there is below the resolution of its own
    computation: f computed from intermediates much larger than itself (``log det(I + X)``
    with small X rounds ``1 + x`` to the spacing of 1, whatever its own magnitude) moves in
    a staircase of quanta. Such ties (a stencil value equal to f(x), or two on the same side
    equal; not mirror pairs, which an f even about x gives) while other values differ show the
    staircase, and each value is then off by up to half a step of it: the smallest non-zero
    gap between the values. The second differences cannot show this: over a symmetric
    staircase they vanish.
    """
    change = y - f0[None, None, :]
    tied = (change == 0).any(axis=0)
    first, second = _same_side_pairs(tuple(method.offsets))
    if first.size:
        tied |= (change[first] == change[second]).any(axis=0)
    if not tied.any():  # no staircase anywhere (the usual case): every level is 0
        return np.zeros(change.shape[1])
    values = np.sort(np.concatenate([np.zeros((1, *change.shape[1:])), change]), axis=0)
    gaps = np.diff(values, axis=0)
    quantum = np.min(np.where(gaps > 0, gaps, np.inf), axis=0)
    staircase = tied & np.isfinite(quantum)
    return np.where(staircase, quantum / 2, 0.0).max(axis=1, initial=0.0)


@functools.cache
def _same_side_pairs(offsets: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(i, j)``, ``i < j``, of the stencil offsets on the same side of the point."""
    pairs = [
        (i, j)
        for i, j in itertools.combinations(range(len(offsets)), 2)
        if offsets[i] * offsets[j] > 0
    ]
    first = np.array([i for i, _ in pairs], dtype=np.intp)
    second = np.array([j for _, j in pairs], dtype=np.intp)
    return first, second


def _kinks(
    method: Method,
    combination: np.ndarray,
    prior: np.ndarray,
    delta_coord: np.ndarray,
    h: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Detect kinks (one-sided slopes that differ); returns (mask, half the slope jump).

    Tentative: :func:`_search_steps` confirms or clears each flag at a smaller step.
    A second-difference combination (see `_second_difference_combination`) above its rounding
    bound ``4 sum|w_c| delta`` times a margin is a kink, with slope jump
    ``combination / (h |sum_c w_c c|)``. The rounding level ``delta`` for a coordinate is the
    a priori one or the largest level measured at the *other* coordinates, so that a kink does
    not hide itself by inflating the level.
    """
    weights = method.kink_weights
    if delta_coord.size > 1:
        top = np.sort(delta_coord)[-2:]
        others = np.where(delta_coord >= top[1], top[0], top[1])
    else:
        others = np.zeros_like(delta_coord)
    level = np.maximum(prior[None, :], others[:, None])
    bound = 4 * sum(abs(w) for w in weights.values()) * level
    kink = combination > _KINK_MARGIN * bound
    response = abs(sum(w * c for c, w in weights.items()))
    half_jump = np.where(kink, combination / (2 * response * h[:, None]), 0.0)
    return kink, half_jump


def _check_complex_real_part(target: Target, y: np.ndarray, f0: np.ndarray) -> None:
    """Re f(x + ih e_j) must equal f(x) up to O(h^2): otherwise f is not complex-step safe.

    The change allowed is 1e-8 of the larger of max|f(x)| and max|Im f(x + ih e_j)| (that is,
    h |f'|): the O(h^2) term, ``h^2 f''/2``, is far below either for the complex step's tiny h,
    also where f vanishes at the point (sin(t) exp(t) at t = 0), while a real part that a
    comparison, abs or real/imag changes moves by much more.
    """
    scale = max(float(np.max(np.abs(f0), initial=0.0)), float(np.max(np.abs(y.imag), initial=0.0)))
    if np.any(np.abs(y.real - f0[None, None, :]) > 1e-8 * scale + 1e-300):
        raise ComplexStepError(
            f"{target.role} is not complex-step safe: its real part changes under an imaginary "
            f"perturbation (it probably uses abs, conj, real/imag or a comparison on its input). "
            f"Use method='central' or method='richardson'."
        )


def _cross_check_complex(target: Target, value: np.ndarray, f0: np.ndarray, h: np.ndarray) -> int:
    """Compare the complex-step Jacobian with central differences along one fixed direction.

    A function that is analytic but not complex-step safe (conj, abs of a product, ...) gives a
    confidently wrong complex-step derivative; this catches gross disagreement (4 evaluations).
    """
    x = target.x
    rng = np.random.default_rng(20_240_229)
    u = rng.standard_normal(x.shape) * coordinate_scales(x)
    t = EPS ** (1 / 3)
    values = []
    for c in (1.0, -1.0, 2.0, -2.0):
        point = x + c * t * u
        values.append(call_checked(target, point, _CROSS_CHECK, allow_complex=False).ravel())
    d1 = (values[0] - values[1]) / (2 * t)
    d2 = (values[2] - values[3]) / (4 * t)
    magnitude = float(max(np.max(np.abs(f0), initial=0.0), np.max(np.abs(values), initial=0.0)))
    tolerance = 100 * (np.abs(d1 - d2) / 3 + _ROUNDING_ULPS * EPS * magnitude / t)
    directional = value.T @ u.ravel()  # (m,)
    scale = max(float(np.max(np.abs(directional), initial=0.0)), float(np.max(np.abs(d1))))
    if np.any(np.abs(directional - d1) > tolerance + 1e-6 * scale):
        worst = int(np.argmax(np.abs(directional - d1)))
        raise ComplexStepError(
            f"method='complex' disagrees with central differences along a random direction "
            f"(entry {worst} of f: complex step {directional[worst]:.6g}, central "
            f"{d1[worst]:.6g}): {target.role} is not complex-step safe (it probably uses conj, "
            f"abs, real/imag or comparisons). Use method='central' or method='richardson'."
        )
    return 4


@dataclass(frozen=True, kw_only=True)
class JacobianEstimate:
    """A numerical derivative with its estimated error.

    Attributes
    ----------
    value : numpy.ndarray
        The numerical derivative in `layout`.
    error : numpy.ndarray
        Estimated absolute error of each entry of `value` (same shape): the truncation-error
        estimate of the method, plus a rounding-error bound for ``f`` (normwise: at least
        ``4 eps max|F|`` per evaluation over all outputs and points, ``eps`` that of the
        precision f evidently computes in, raised to what the differences show), plus half
        the detected slope jump where ``f`` has a kink; the largest over the outputs of each
        coordinate, since rounding is normwise.
    reliable : numpy.ndarray of bool
        False where the finite differences cannot be trusted: a kink (different one-sided
        slopes) was detected, or the empirical error estimate exceeds 2.5e-5 of the largest
        entry of `value` (noise, cancellation, too large a step).
    layout : str
        Layout of `value`: "numerator", "denominator" or "tensor".
    method : str
        Finite-difference method used.
    wrt : str or None
        Name of the variable (None for a bare-array point).
    f_shape, x_shape : tuple of int
        Shapes of the function value and of the variable.
    f_value : numpy.ndarray
        The function value at the point.
    step : numpy.ndarray
        Base step of each coordinate (shape `x_shape`).
    evaluations : int
        Number of points at which ``f`` was evaluated (including the two evaluations at the
        point itself and the vectorization test).
    calls : int
        Number of calls of ``f`` (a batched call evaluates many points).
    vectorized : bool
        Whether ``f`` was called on stacked batches of points.
    spending : Spending or None
        Where the evaluations went and why: the first steps, the step search (of how many
        coordinates, and for what threshold). None at a complex point.
    """

    value: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    layout: str
    method: str
    wrt: str | None
    f_shape: tuple[int, ...]
    x_shape: tuple[int, ...]
    f_value: np.ndarray
    step: np.ndarray
    evaluations: int
    calls: int
    vectorized: bool
    spending: Spending | None = None


def estimate_jacobian(
    f: Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: Layout = "tensor",
    convention: str | None = None,
    options: EstimateOptions | None = None,
    **values: Unpack[EstimateValues],
) -> JacobianEstimate:
    """Numerical derivative of `f` at `point`, with a per-entry error estimate.

    Parameters
    ----------
    f : callable
        The function: ``f(x)`` when `point` is an array, ``f(**point)`` when it is a mapping.
        It must return a real scalar or array whose shape does not depend on the point.
    point : array_like or mapping of str to array_like
        Where to differentiate. The variable must hold real floating-point values; float32 and
        float16 are computed in float64 with a warning.
    wrt : str, optional
        The variable of a mapping `point` to differentiate by; required when it has more than
        one entry.
    layout : {"tensor", "numerator", "denominator"}
        Layout of the result; see :func:`gradcheck.convert_layout` for the conventions.
        ``"tensor"`` has shape ``F.shape + X.shape``.
    convention : str, optional
        Required when the variable is complex, refused (:class:`ConventionError`) when it is
        real: one of :data:`gradcheck.CONVENTIONS` (``"wirtinger"``, ``"conjugate_wirtinger"``,
        ``"complex_gradient"``, ``"pytorch"``, ``"jax"``, ...; the table with its sources is
        in :mod:`gradcheck.engine.conventions`). A complex variable ``z = x + iy`` is
        differentiated as the real pair ``(x, y)`` by the same method, steps and error model
        (``2n`` real coordinates; ``"complex"`` is refused), ``f`` may be real- or
        complex-valued, and the result is the convention's map of the Wirtinger pair
        ``∂f/∂z = (∂f/∂x - i ∂f/∂y)/2``, ``∂f/∂z̄ = (∂f/∂x + i ∂f/∂y)/2``, entry by entry,
        in `layout` (the transposes of the layouts never conjugate).

    options : EstimateOptions, optional
        How to estimate, as one record.
    **values
        The fields of :class:`EstimateOptions` as keywords, put over `options` (a name that
        is not a field, or `options` of another type, is refused; see :func:`merge_options`):

        method : {"central", "forward", "central4", "richardson", "complex"}
            The difference formula, with base step ``h`` (by default the relative step below times
            each coordinate's scale ``max(|x_j|, median|x|)``):

            ========== ============================================ ========= ============ =======
            method     formula                                      error     default h    evals
            ========== ============================================ ========= ============ =======
            forward    ``(f(x+h) - f(x)) / h``                      O(h)      2^-26        2n
            central    ``(f(x+h) - f(x-h)) / 2h``                   O(h^2)    eps^(1/3)    4n
            central4   ``(-f(x+2h) + 8f(x+h) - 8f(x-h)``            O(h^4)    eps^(1/5)    6n
                       ``+ f(x-2h)) / 12h``
            richardson central differences at 4h, 2h, h,            O(h^6)    2.5e-3       6n
                       extrapolated (Richardson table)
            complex    ``Im f(x + ih) / h``                         O(h^2)    1e-20        2n
            ========== ============================================ ========= ============ =======

            ``n`` is the number of entries of the variable; every method evaluates ``f`` a few more
            times at the point (and complex once more for a cross-check). The extra evaluations
            (at ``2h`` for central and forward, at ``4h`` for central4, at ``3ih`` for complex)
            give the error estimate. ``"complex"`` needs ``f`` to be real-analytic and written
            with operations that extend to complex numbers (no abs, conj, real/imag, comparisons);
            that is checked.
        step : float or array_like, optional
            Absolute base step, a scalar or per-coordinate array broadcastable to the variable's
            shape. Default: relative steps as above. Steps are rounded so that ``x + h`` is exact.
        vectorized : bool, optional
            Whether ``f`` accepts a stack of points along a new leading axis (returning a stack of
            values). ``None`` (default) detects it safely by evaluating a batch of ``b`` points and
            comparing with ``b`` single calls, where ``b >= 3`` is no dimension of the variable, of
            the output or of an array argument (so a stack cannot pass for a point); any
            difference beyond rounding means "no". Batches never have those sizes either.
        chunk_bytes : int
            Bound on the memory of one batched call (stacked inputs and stacked outputs; the
            function's own temporaries come on top), at most 256 MiB; default 1 MiB, sized to
            the cache (larger chunks were measured to be slower, see ``benchmarks/scale.py``).
        executor : concurrent.futures.Executor, optional
            Where to evaluate f: the calls (one per chunk, or one per point when f is not
            vectorized) are submitted to it in order and their values put back in place, so the
            result equals the serial one bit for bit. For an expensive f: a
            ``ProcessPoolExecutor`` (f and the point's other arguments must be picklable), or a
            cluster's executor (dask.distributed's ``Client.get_executor()``). An error in a
            worker is raised as serially, naming the point, and cancels the calls not started.
    Returns
    -------
    JacobianEstimate
        The derivative, its error estimate and how it was computed. At a complex point
        `value` and `f_value` are complex, `x_shape` is the shape of ``z``, and `step` is
        complex: the base step along the real direction plus ``1j`` times the one along the
        imaginary direction, per entry.

    Raises
    ------
    GradcheckError
        On invalid arguments, a function that raises, returns non-finite or non-real values,
        modifies its input, or is not deterministic; each message says where and what to do.

    Notes
    -----
    Assumes ``f`` is smooth (for central4 and richardson: several times differentiable) in a
    neighbourhood of the point of the size of the largest step. The error estimate is the
    difference between two approximations of different accuracy, which is reliable when the
    leading error term dominates; the rounding part assumes each value of ``f`` is accurate to
    a few ulps of ``max|f|`` (normwise, as LAPACK-backed code is) unless the differences show
    it is noisier. Where the estimate of a coordinate is poor, its step is searched along a
    geometric ladder (at most 12 more stencils for that coordinate; see the module's
    ``_search_steps``), so a variable whose magnitude is not its length scale still gets the
    accuracy its function allows. On smooth functions the
    error relative to ``max(max|J|, max|f| / median|x|)`` (the derivative's scale, or the scale
    rounding in ``f`` imposes) stays below about 2e-6 for forward, 2e-9 for central, 1e-9 for
    central4, 3e-11 for richardson and 1e-14 for complex (the worst cases seen in the test
    suite's random problems are 3 to 10 times smaller).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> est = estimate_jacobian(lambda x: A @ x, np.array([0.5, -1.0]))
    >>> np.allclose(est.value, A), bool(np.all(est.error < 1e-8))
    (True, True)
    """
    opts = merge_options(EstimateOptions, options, values, "estimate_jacobian")
    if _is_complex(point, wrt, convention):
        return _complex_variant("estimate_jacobian", f, point, wrt, (layout, convention, opts))
    target = make_target(f, point, wrt)
    layout = validate_layout(layout)
    est = estimate_tensor(target, opts.finite_differences, **_engine(opts))
    f_shape, x_shape = est.f_value.shape, target.x.shape

    def convert(a: np.ndarray) -> np.ndarray:
        return convert_layout(a, f_shape, x_shape, source="tensor", target=layout)

    return JacobianEstimate(
        value=convert(est.value),
        error=convert(est.error),
        reliable=convert(est.reliable),
        layout=layout,
        method=opts.method,
        wrt=target.wrt,
        f_shape=f_shape,
        x_shape=x_shape,
        f_value=est.f_value,
        step=est.step,
        evaluations=est.evaluations,
        calls=est.calls,
        vectorized=est.vectorized,
        spending=est.spending,
    )


def jacobian(
    f: Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: Layout = "tensor",
    convention: str | None = None,
    options: EstimateOptions | None = None,
    **values: Unpack[EstimateValues],
) -> np.ndarray:
    """Numerical derivative of `f` at `point` in the requested layout.

    The parameters, methods, formulas and error orders are those of :func:`estimate_jacobian`,
    but only the points the derivative itself needs are evaluated: ``2n`` for central (``n``
    for forward and complex, ``4n`` for central4, ``6n`` for richardson, plus two evaluations at
    the point). Without the error estimate there is no step adaptation and no warning: on
    ill-conditioned functions the value can be wrong by the size of its entries (measured: the
    R factor of a QR decomposition at condition number 1e6, central4 and richardson) while
    :func:`estimate_jacobian` marks those entries unreliable. Use :func:`estimate_jacobian`
    (or :func:`gradcheck.check`) wherever the accuracy matters.

    At a complex point `convention` is required and the result is complex (see
    :func:`estimate_jacobian`).

    Returns
    -------
    numpy.ndarray
        Shape ``F.shape + X.shape`` for ``layout="tensor"``, otherwise the canonical shape of
        the layout (see :func:`gradcheck.layout_shapes`).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> g = jacobian(lambda x: x @ x, x)          # gradient of |x|^2 is 2x
    >>> np.allclose(g, 2 * x)
    True
    >>> jacobian(lambda X: X.sum(axis=0), np.ones((2, 3)), layout="numerator").shape
    (3, 6)
    >>> z = np.array([1.0 + 2.0j])                # |z|^2: ∂/∂z̄ = z, complex gradient 2z
    >>> np.round(jacobian(lambda z: np.vdot(z, z).real, z, convention="complex_gradient"), 6)
    array([2.+4.j])
    """
    opts = merge_options(EstimateOptions, options, values, "jacobian")
    if _is_complex(point, wrt, convention):
        return _complex_variant("jacobian", f, point, wrt, (layout, convention, opts))
    target = make_target(f, point, wrt)
    layout = validate_layout(layout)
    tensor, f0 = _value_tensor(target, opts.finite_differences, **_engine(opts))
    if layout == "tensor":  # already C-ordered in its shape: no copy of the result
        return tensor
    return convert_layout(tensor, f0.shape, target.x.shape, source="tensor", target=layout)


def _is_complex(point: Point, wrt: str | None, convention: object) -> bool:
    """Whether the variable is complex; for a real one a `convention` is refused."""
    from . import complex_jacobian as cj  # imports this module
    from .complex_pair import is_complex_point

    if is_complex_point(point, wrt):
        return True
    cj.refuse_convention_for_real(convention, "the variable" if wrt is None else f"`{wrt}`")
    return False


def _engine(options: EstimateOptions) -> dict[str, Any]:
    """The keywords of :func:`estimate_tensor` and :func:`_value_tensor` from `options`."""
    return {
        "step": options.step,
        "vectorized": options.vectorized,
        "chunk_bytes": options.chunk_bytes,
        "executor": options.executor,
    }


def _complex_variant(
    name: str,
    f: Callable[..., Any],
    point: Point,
    wrt: str | None,
    asked: tuple[Layout, str | None, EstimateOptions],
) -> Any:
    """`estimate_jacobian` or `jacobian` at a complex point (see
    :mod:`gradcheck.engine.complex_jacobian`), `asked` the layout, convention and options."""
    from . import complex_jacobian as cj

    layout, convention, options = asked
    request = dict(layout=layout, convention=convention, method=options.method, **_engine(options))

    variant = cj.complex_estimate_jacobian if name == "estimate_jacobian" else cj.complex_jacobian
    return variant(f, point, wrt=wrt, options=cj.ComplexRequest(**request))
