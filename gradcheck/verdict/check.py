"""Checking a claimed derivative against the numerical one: `check` and `assert_gradient`."""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..engine import (
    EPS,
    LAYOUTS,
    SECOND_OPINION,
    Method,
    Point,
    Search,
    Spending,
    Target,
    TensorEstimate,
    convert_layout,
    describe_index,
    estimate_tensor,
    evaluate_at_point,
    first_nonfinite,
    is_complex_point,
    layout_shapes,
    make_target,
    refuse_convention_for_real,
    refuse_empty,
    refuse_masked,
    second_opinion,
    third_opinion,
    validate_layout,
)
from ..errors import (
    FunctionCallError,
    GradientAssertionError,
    InvalidInputError,
    NonFiniteValueError,
    ShapeMismatchError,
)
from .diagnosis import Diagnosis, Evidence, diagnose
from .options import CheckOptions, CheckValues, merge_options
from .outcome import ComparedOutcome, error_ratio
from .plots import plot_entry_sweep
from .sweeps import EntrySweep, SweepSource, entry_sweep

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from typing_extensions import Unpack
from .text import _fmt_err, _index_text

__all__ = ["CheckResult", "Comparison", "Status", "assert_gradient", "check", "full_check"]

#: Factor applied to the finite-difference error estimate in the tolerance.
SAFETY = 4.0
#: The verdicts of a check.
Status = Literal["passed", "failed", "inconclusive"]


@dataclass(frozen=True, kw_only=True)
class CheckResult(ComparedOutcome):
    """Outcome of comparing a claimed derivative with a numerical one.

    Attributes
    ----------
    passed : bool
        True when `status` is "passed"; also the truth value of the result.
    status : {"passed", "failed", "inconclusive"}
        "failed": some entry whose finite difference is reliable differs from the claim by more
        than its tolerance, or the claim has the other layout's shape. "inconclusive": no such
        entry, but the finite differences are unreliable somewhere (noise, a kink, cancellation),
        so a pass cannot be vouched for.
    max_abs_error : float
        Largest ``|claimed - numerical|``.
    max_rel_error : float
        `max_abs_error` divided by the largest ``|numerical|`` entry (0 when both are 0, inf
        when only the numerical derivative is 0).
    tolerance : numpy.ndarray
        Per-entry tolerance (shape of `numerical`):
        ``4 * error_estimate + atol + rtol * max|numerical|``.
    detection_threshold : float
        The smallest error this check would have caught, relative to the largest
        ``|numerical|`` entry: an entry of the claim wrong by more than this fails the check
        (the largest tolerance over that entry scale). ``inf`` where some entry cannot be
        checked (unreliable finite differences).
    worst_index : tuple of int
        Index (into `claimed`) of the entry with the largest ``|error| / tolerance``.
    numerical : numpy.ndarray
        The numerical derivative in the layout and shape of `claimed`.
    claimed : numpy.ndarray
        The claimed derivative as float64.
    error_estimate : numpy.ndarray
        Estimated absolute error of `numerical`, per entry.
    reliable : numpy.ndarray of bool
        Where the finite differences are trustworthy.
    evaluations : int
        Number of points at which f was evaluated.
    layout : str
        The layout the claim was compared in (for ``layout="auto"``, the one that matched).
    method : str
        Finite-difference method.
    wrt : str or None
        The variable differentiated by.
    f_shape, x_shape : tuple of int
        Shapes of the function value and of the variable.
    headline : str
        One-line summary.
    notes : tuple of str
        Further remarks (layout mismatches, unreliable entries, second estimates).
    diagnosis : Diagnosis or None
        What kind of mistake a claim that did not pass looks like (None when it passed); see
        :class:`gradcheck.Diagnosis`.
    declared_layout : str or None
        The layout that was declared, when the claim has the shape of another one (`layout`);
        such a claim fails whatever its values.
    sweep_source : SweepSource or None
        How the estimate was made (f bound to its point, method, steps), for
        :meth:`step_sweep` and :meth:`plot`; None for results not made by a full check.
    spending : Spending or None
        Where the `evaluations` went and why: the first steps, the step search (of how many
        coordinates, above which threshold) and the confirming estimates; None for results
        not made by the engine's estimate.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> r = gradcheck.check(lambda x: np.sum(x**3), 3 * np.ones(2), np.ones(2))
    >>> r.status, r.layout, r.x_shape, r.numerical.flags.writeable
    ('passed', 'denominator', (2,), False)
    """

    status: Status
    max_abs_error: float
    max_rel_error: float
    tolerance: np.ndarray = field(repr=False)
    detection_threshold: float
    worst_index: tuple[int, ...]
    numerical: np.ndarray = field(repr=False)
    claimed: np.ndarray = field(repr=False)
    error_estimate: np.ndarray = field(repr=False)
    reliable: np.ndarray = field(repr=False)
    evaluations: int
    layout: str
    method: str
    wrt: str | None
    f_shape: tuple[int, ...]
    x_shape: tuple[int, ...]
    headline: str
    notes: tuple[str, ...] = ()
    diagnosis: Diagnosis | None = None
    declared_layout: str | None = None
    sweep_source: SweepSource | None = field(default=None, repr=False, compare=False)
    spending: Spending | None = field(default=None, repr=False)

    def step_sweep(self) -> EntrySweep:
        """The worst entry re-estimated at a ladder of steps, with the verdict's numbers
        beside it (see :func:`gradcheck.verdict.entry_sweep`; a few dozen evaluations of f)."""
        return entry_sweep(self)

    def plot(self, path: str | os.PathLike[str] | None = None) -> Figure:
        """The worst entry's finite-difference error against the step, the step used, the
        tolerance and the claim's discrepancy, as a matplotlib Figure (written to `path` when
        given). Needs matplotlib: ``pip install "gradcheck[plot]"``, else
        :class:`~gradcheck.MissingDependencyError`."""
        return plot_entry_sweep(self.step_sweep(), path)

    def __str__(self) -> str:
        parts = self.report_parts()
        parts.extend(self.notes)
        if self.spending is not None:
            parts.append(f"spent {self.spending}")
        if self.diagnosis is not None:
            parts.append(f"diagnosis: {self.diagnosis}")
        return "\n".join(parts)


def _as_claimed_array(
    value: object, label: str, dtype: type[np.generic] = np.float64
) -> np.ndarray:
    """`value` as a finite array of `dtype` (float64, or complex128 for a complex variable)."""
    refuse_masked(value, label)
    try:
        arr = np.asarray(value)
    except Exception as exc:
        raise InvalidInputError(f"{label} cannot be turned into an array ({exc}).") from exc
    kinds, what_kind = ("fiuc", "") if dtype is np.complex128 else ("fiu", "real ")
    if value is None or arr.dtype.kind not in kinds:
        what = "None" if value is None else f"dtype {arr.dtype}"
        raise InvalidInputError(
            f"{label} has {what}; it must be a {what_kind}number or an array of {what_kind}numbers."
        )
    arr = arr.astype(dtype)
    bad = first_nonfinite(arr)
    if bad is not None:
        raise NonFiniteValueError(f"{label} has a non-finite entry at index {describe_index(bad)}.")
    return arr


def claimed_value(derivative: object, target: Target) -> np.ndarray:
    """The claimed derivative: the array itself, or the callable evaluated at the point."""
    if not callable(derivative):
        return _as_claimed_array(derivative, "the claimed `derivative`")
    deriv_target = replace(target, f=derivative, role="the derivative")
    out = deriv_target.call(target.x.copy(), "at the point")
    return _as_claimed_array(out, "the value returned by `derivative`")


def resolve_layouts(
    claimed_shape: tuple[int, ...], f_shape: tuple, x_shape: tuple, layout: str
) -> tuple[list[str], str | None]:
    """Layouts to compare in, and the declared layout when the claim has another one's shape."""
    if not isinstance(layout, str):  # (validated before; not a key to keep)
        return _layouts_for(claimed_shape, f_shape, x_shape, layout)
    layouts, declared = _resolved_layouts(claimed_shape, f_shape, x_shape, layout)
    return list(layouts), declared


@functools.lru_cache(maxsize=1024)
def _resolved_layouts(
    claimed_shape: tuple[int, ...], f_shape: tuple, x_shape: tuple, layout: str
) -> tuple[tuple[str, ...], str | None]:
    """:func:`resolve_layouts`, once per shapes and layout (a check asks twice, the catalogue
    for every draw of the same shapes); a shape that fits no layout raises, and is not kept."""
    layouts, declared = _layouts_for(claimed_shape, f_shape, x_shape, layout)
    return tuple(layouts), declared


def _layouts_for(
    claimed_shape: tuple[int, ...], f_shape: tuple, x_shape: tuple, layout: str
) -> tuple[list[str], str | None]:
    def fits(name: str) -> bool:
        return claimed_shape in layout_shapes(f_shape, x_shape, name)

    if layout == "auto":
        candidates = [name for name in ("denominator", "numerator", "tensor") if fits(name)]
        if candidates:
            return candidates, None
    elif fits(layout):
        return [layout], None
    else:
        others = [name for name in LAYOUTS if name != layout and fits(name)]
        if others:
            return [others[0]], layout
    expected = "; ".join(
        f"{name}: {' or '.join(map(str, layout_shapes(f_shape, x_shape, name)))}"
        for name in ("denominator", "numerator", "tensor")
    )
    raise ShapeMismatchError(
        f"the claimed derivative has shape {claimed_shape}, which fits no layout for a value of "
        f"shape {f_shape} and a variable of shape {x_shape}. Expected shapes — {expected}."
    )


def compare(
    claimed: np.ndarray,
    numerical: np.ndarray,
    error: np.ndarray,
    reliable: np.ndarray,
    *,
    rtol: float,
    atol: float,
    frozen: np.ndarray | None = None,
    scale: float | None = None,
) -> Comparison:
    """Entry-by-entry verdict (the tolerance formula is stated in :func:`check`).

    `scale` replaces ``max|numerical|`` as the derivative's scale when given (a complex
    variable's: the largest of both Wirtinger derivatives, so that entries which are zero in
    one convention are judged at the scale of the whole derivative).

    An entry can fail only where its finite difference is reliable and its tolerance is below
    the derivative's magnitude ``max(max|claimed|, max|numerical|)``: a tolerance as large as
    every entry means that the finite differences cannot resolve the derivative at all (f
    underflows, cancels or is too noisy), and the verdict is then inconclusive, never failed.
    Nor can a `frozen` entry (f did not change at all along its coordinate, see
    `_engine._Sample`): its zero may hide a change.
    """
    # (ndarray methods rather than numpy's functions: the same reductions, without their
    # dispatch, which was a tenth of a check's cost at small n)
    abs_err = np.abs(claimed - numerical)
    if scale is None:
        scale = float(np.abs(numerical).max(initial=0.0))
    magnitude = max(scale, float(np.abs(claimed).max(initial=0.0)))
    tolerance = SAFETY * error + atol + rtol * scale
    resolved = (tolerance < magnitude) | (magnitude == 0)
    checkable = np.asarray(reliable & resolved)
    fail = abs_err > tolerance
    if frozen is not None:
        checkable = checkable & ~(frozen & fail)
    if np.asarray(fail & checkable).any():
        status = "failed"
    elif not checkable.all():
        status = "inconclusive"
    else:
        status = "passed"
    max_abs = float(abs_err.max(initial=0.0))
    if scale > 0:
        max_rel = max_abs / scale
    else:
        max_rel = 0.0 if max_abs == 0 else float("inf")
    ratio = error_ratio(abs_err, tolerance)
    worst = (
        tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), ratio.shape))
        if (ratio.size)
        else ()
    )
    return Comparison(
        status=status,
        max_abs_error=max_abs,
        max_rel_error=max_rel,
        tolerance=tolerance,
        worst_index=worst,
        detection_threshold=_detection_threshold(tolerance, scale, checkable),
        unresolved=int(np.sum(~resolved)),
    )


@dataclass(frozen=True, kw_only=True)
class Comparison:
    """The entry-by-entry verdict :func:`compare` reaches: what a result record reports of it
    (:meth:`result_fields`), and how many entries the finite differences could not resolve."""

    status: Status
    max_abs_error: float
    max_rel_error: float
    tolerance: np.ndarray
    worst_index: tuple[int, ...]
    detection_threshold: float
    unresolved: int

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def result_fields(self) -> dict[str, Any]:
        """The fields of a result record that come from the comparison."""
        return {
            "status": self.status,
            "max_abs_error": self.max_abs_error,
            "max_rel_error": self.max_rel_error,
            "tolerance": self.tolerance,
            "worst_index": self.worst_index,
            "detection_threshold": self.detection_threshold,
        }


def _detection_threshold(tolerance: np.ndarray, scale: float, checkable: np.ndarray) -> float:
    """Largest tolerance relative to `scale`: any entry error above it is caught."""
    if not np.asarray(checkable).all():
        return float("inf")
    largest = float(np.asarray(tolerance).max(initial=0.0))
    if scale == 0:
        return 0.0 if largest == 0 else float("inf")
    return largest / scale


def _in_layout(est: TensorEstimate, layout: str, claimed: np.ndarray) -> Candidate:
    """The estimate `est` as a candidate in `layout`, shaped like `claimed`."""
    where = _layout_map(est.f_value.shape, est.step.shape, layout, claimed.shape)

    def conv(a: np.ndarray) -> np.ndarray:
        return a.reshape(-1)[where]

    return Candidate(
        layout=layout,
        numerical=conv(est.value),
        error=conv(est.error),
        reliable=conv(est.reliable),
        frozen=conv(est.frozen),
    )


@functools.lru_cache(maxsize=256)
def _layout_map(
    f_shape: tuple[int, ...], x_shape: tuple[int, ...], layout: str, shape: tuple[int, ...]
) -> np.ndarray:
    """Where each entry of a derivative in `layout` (reshaped to `shape`) is in the tensor
    layout, as flat indices: one conversion per shapes and layout, not one per array (the
    entries are moved, so the values are those :func:`convert_layout` gives)."""
    tensor = np.arange(math.prod(f_shape + x_shape)).reshape(f_shape + x_shape)
    where = convert_layout(tensor, f_shape, x_shape, source="tensor", target=layout)
    where = where.reshape(shape)
    where.flags.writeable = False
    return where


@dataclass(frozen=True)
class Candidate:
    """A layout to compare the claim in, with the numerical derivative in it.

    `shown` is what is compared with `numerical` (the claim itself, or for a directional
    check its projections); `frozen` the entries at which f did not change at all.
    """

    layout: str
    numerical: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    frozen: np.ndarray | None = None
    shown: np.ndarray | None = None


@dataclass(frozen=True)
class Compared:
    """A candidate layout and its comparison (the record :func:`compare` returns)."""

    candidate: Candidate
    shown: np.ndarray
    comparison: Comparison


def compare_candidates(
    claimed: np.ndarray, candidates: list[Candidate], tolerances: dict[str, float]
) -> tuple[Compared, list[Compared]]:
    """Compare in each candidate layout; the one that passes first (else the closest), and
    every one that passes."""
    compared = []
    for c in candidates:
        shown = claimed if c.shown is None else c.shown
        comparison = compare(shown, c.numerical, c.error, c.reliable, **tolerances, frozen=c.frozen)
        compared.append(Compared(c, shown, comparison))
    passing = [c for c in compared if c.comparison.passed]
    chosen = passing[0] if passing else min(compared, key=lambda c: c.comparison.max_rel_error)
    return chosen, passing


def headline_text(status: str, what: str, summary: Any, worst: str, method: str) -> str:
    """The one-line summary of a verdict on `what` (e.g. "df/dx (...) in numerator layout");
    `summary` has the `max_rel_error`, `worst_index` and `detection_threshold` to show (a
    Comparison or a result), `worst` names the worst entry or direction, `method` says how
    it was found."""
    word = {"passed": "PASSED", "failed": "FAILED", "inconclusive": "INCONCLUSIVE"}[status]
    return (
        f"gradcheck {word}: {what}; max rel. error {_fmt_err(summary.max_rel_error)} "
        f"(worst {worst} {_index_text(summary.worst_index)}); "
        f"detection threshold {_fmt_err(summary.detection_threshold)}; {method}"
    )


def derivative_text(layout: str, f_shape: tuple, x_shape: tuple, wrt: str | None) -> str:
    """``df/dx (f: (2,), x: (3,)) in numerator layout``: what a verdict is about."""
    var = "x" if wrt is None else wrt
    return f"df/d{var} (f: {tuple(f_shape)}, {var}: {tuple(x_shape)}) in {layout} layout"


def layout_notes(
    claimed_shape: tuple, chosen: Compared, passing: list[Compared], declared: str | None
) -> list[str]:
    """Notes on the layouts: a declared layout whose shape the claim does not have, or a
    claim that matches in several layouts."""
    notes = []
    name = chosen.candidate.layout
    if declared is not None:
        agrees = chosen.comparison.passed
        notes.append(
            f"layout mismatch: the claim has shape {claimed_shape}, the {name} layout's "
            f"orientation, but layout={declared!r} was declared; in the {name} layout it "
            + ("matches the numerical derivative." if agrees else "does not match either.")
        )
    if len(passing) > 1:
        notes.append(
            "the claim matches in the "
            + " and ".join(c.candidate.layout for c in passing)
            + " layouts (their shapes and values coincide here)."
        )
    return notes


def reliability_notes(
    reliable: np.ndarray, comparison: Comparison, unit: str, plural: str
) -> list[str]:
    """Notes on what the finite differences could not resolve; `unit`/`plural` name what
    was compared ("entry"/"entries", "direction"/"directions")."""
    notes = []
    if not np.all(reliable):
        count = int(np.sum(~reliable))
        notes.append(
            f"the finite differences are unreliable at {count} {unit if count == 1 else plural} "
            f"(noise, a kink or cancellation): try method='richardson', another `step`, or a "
            f"point away from non-smooth places."
        )
    if comparison.unresolved:
        notes.append(
            f"the finite differences cannot resolve the derivative at "
            f"{comparison.unresolved} of {reliable.size} {plural}: their tolerance is as "
            f"large as the largest entry (f underflows, cancels or is too noisy at this point); "
            f"rescale the variable or f, or move the point."
        )
    return notes


def full_check(
    f: Callable[..., Any],
    derivative: np.ndarray | Callable[..., Any],
    point: Point,
    *,
    wrt: str | None,
    layout: str,
    options: CheckOptions,
) -> tuple[CheckResult, Estimates, Target]:
    """:func:`check` without its diagnosis; also returns the estimates and the bound target."""
    target = make_target(f, point, wrt)
    refuse_empty(target, "check")
    layout = validate_layout(layout, allowed=(*LAYOUTS, "auto"))
    claimed = claimed_value(derivative, target)
    result, estimates = full_verdict(target, claimed, layout, options)
    return result, estimates, target


def _full_result(
    target: Target,
    method: Method,
    claimed: np.ndarray,
    est: TensorEstimate,
    layouts: list[str],
    declared: str | None,
    tolerances: dict[str, float],
) -> CheckResult:
    """Compare every entry of the claim with the estimate `est` in the candidate layouts."""
    candidates = [_in_layout(est, name, claimed) for name in layouts]
    chosen, passing = compare_candidates(claimed, candidates, tolerances)
    comparison = chosen.comparison
    notes = layout_notes(claimed.shape, chosen, passing, declared)
    if declared is not None:
        comparison = replace(comparison, status="failed")
    notes += reliability_notes(chosen.candidate.reliable, comparison, "entry", "entries")
    notes += _estimate_notes(target, method, est, comparison.status)
    what = derivative_text(chosen.candidate.layout, est.f_value.shape, target.x.shape, target.wrt)
    how = f"{method.name}, {est.evaluations} evaluations"
    return CheckResult(
        **comparison.result_fields(),
        numerical=chosen.candidate.numerical,
        claimed=chosen.shown,
        error_estimate=chosen.candidate.error,
        reliable=chosen.candidate.reliable,
        evaluations=est.evaluations,
        layout=chosen.candidate.layout,
        method=method.name,
        wrt=target.wrt,
        f_shape=est.f_value.shape,
        x_shape=target.x.shape,
        headline=headline_text(comparison.status, what, comparison, "entry", how),
        notes=tuple(notes),
        declared_layout=declared,
        sweep_source=SweepSource(
            target=target, method=method, steps=est.step, vectorized=est.vectorized
        ),
        spending=est.spending,
    )


def _estimate_notes(target: Target, method: Method, est: TensorEstimate, status: str) -> list[str]:
    """Notes on the estimate itself: coordinates along which f never changed (for a verdict
    that did not pass), and an f that computes in low precision."""
    notes = []
    if np.any(est.frozen) and status != "passed":
        notes.append(
            f"f did not change at all when {target.label} moved along "
            f"{int(np.sum(np.any(est.frozen, axis=tuple(range(est.f_value.ndim)))))} of its "
            f"coordinates, even at the largest steps tried: f does not depend on them, or "
            f"cancellation inside f (values much larger than its result) hides the change; a "
            f"claim that is not zero there cannot be checked."
        )
    if est.output_epsilon > EPS:
        precision = "half" if est.output_epsilon > 1e-4 else "single"
        notes.append(
            f"every value f returned is exactly a {precision}-precision number: f evidently "
            f"computes in {precision} precision, so its finite differences are accurate only to "
            f"about {est.output_epsilon ** (method.order / (method.order + 1)):.0e}; compute f in "
            f"float64 for a sharper check."
        )
    return notes


@dataclass(frozen=True)
class Estimates:
    """The estimates a full verdict made at one point, for the next layout to reuse.

    `first` is the estimate every verdict starts from; `second` the merged estimate made
    before a verdict that is not "passed" (see `gradcheck.engine.second_opinion`), or None;
    `second_failed` the reason no second estimate could be made; `third_tried` whether a third
    estimate was attempted after an inconclusive merged verdict, `third_made` whether `second`
    holds it (see `gradcheck.engine.third_opinion`).
    """

    first: TensorEstimate
    second: TensorEstimate | None = None
    second_failed: str | None = None
    third_tried: bool = False
    third_made: bool = False

    @property
    def latest(self) -> TensorEstimate:
        return self.first if self.second is None else self.second


def full_verdict(
    target: Target,
    claimed: np.ndarray,
    layout: str,
    options: CheckOptions,
    estimates: Estimates | None = None,
) -> tuple[CheckResult, Estimates]:
    """The one full-mode verdict: every entry of `claimed` against the estimate, in `layout`.

    `check`, :meth:`gradcheck.Identity.check` and the catalogue runner all come here. Before
    a failed or inconclusive verdict a second estimate (other method, other steps) is made and
    the verdict is taken on the merged evidence. `estimates` from an earlier call at the same
    target (another layout of the same claim) are reused, so that f is not evaluated again.
    """
    m = options.finite_differences
    tolerances = options.tolerances()
    engine = {"step": options.step, "vectorized": options.vectorized}
    if estimates is None:
        f0, evaluations = evaluate_at_point(target)
        resolve_layouts(claimed.shape, f0.shape, target.x.shape, layout)  # shape check first
        first = estimate_tensor(
            target, m, search=Search(at_point=(f0, evaluations)), **engine, **_evaluation(options)
        )
        estimates = Estimates(first=first)
    f_shape = estimates.first.f_value.shape
    layouts, declared = resolve_layouts(claimed.shape, f_shape, target.x.shape, layout)
    result = _full_result(target, m, claimed, estimates.first, layouts, declared, tolerances)
    if result.status == "passed" or declared is not None:
        return result, estimates
    if estimates.second is None and estimates.second_failed is None:
        try:
            merged = second_opinion(
                target,
                m,
                estimates.first,
                vectorized=options.vectorized,
                **_evaluation(options),
            )
            estimates = replace(estimates, second=merged)
        except (NonFiniteValueError, FunctionCallError) as exc:
            estimates = replace(estimates, second_failed=str(exc))
    if estimates.second is None:
        note = (
            f"no second estimate at larger steps could be made to confirm this "
            f"({estimates.second_failed})"
        )
        return replace(result, notes=(*result.notes, note)), estimates
    confirmed = _full_result(target, m, claimed, estimates.second, layouts, None, tolerances)
    if confirmed.status == "inconclusive" and not estimates.third_tried:
        estimates = _escalate(target, m, estimates, options)
        confirmed = _full_result(target, m, claimed, estimates.second, layouts, None, tolerances)
    if confirmed.status == result.status:
        outcome = f"confirms the first one's {result.status} verdict"
    else:
        outcome = f"turns the first one's {result.status} verdict into {confirmed.status}"
    note = f"a second estimate ({SECOND_OPINION[m.name]}, other steps) {outcome}."
    if estimates.third_made:
        note = (
            f"a second estimate ({SECOND_OPINION[m.name]}, other steps) and two fresh ones, each "
            f"with its own step search, {outcome}."
        )
    return replace(confirmed, notes=(*confirmed.notes, note)), estimates


def _evaluation(options: CheckOptions) -> dict[str, Any]:
    """How f is evaluated: the engine's `chunk_bytes` and `executor` from `options`."""
    return {"chunk_bytes": options.chunk_bytes, "executor": options.executor}


def _escalate(
    target: Target, method: Method, estimates: Estimates, options: CheckOptions
) -> Estimates:
    """`estimates` with the merged second estimate re-examined by a third, fresh one where it
    is unreliable (bounded: once per target; see `gradcheck.engine.third_opinion`)."""
    try:
        escalated = third_opinion(
            target,
            method,
            estimates.first,
            estimates.second,
            vectorized=options.vectorized,
            **_evaluation(options),
        )
    except (NonFiniteValueError, FunctionCallError):
        escalated = None  # f fails at the fresh steps: the merged estimate stands
    if escalated is None:
        return replace(estimates, third_tried=True)
    return replace(estimates, second=escalated, third_tried=True, third_made=True)


def check(
    f: Callable[..., Any],
    derivative: np.ndarray | Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: str = "denominator",
    convention: str | None = None,
    options: CheckOptions | None = None,
    **values: Unpack[CheckValues],
) -> CheckResult:
    """Compare a claimed derivative of `f` at `point` with a numerical one, entry by entry.

    Never raises on a mismatch: the verdict is in the result (see :func:`assert_gradient`).
    For a variable too large to compare every entry, see :func:`check_directional`.

    Parameters
    ----------
    f : callable
        ``f(x)`` for an array `point`, ``f(**point)`` for a mapping.
    derivative : array_like or callable
        The claimed derivative, or a callable with f's signature returning it.
    point : array_like or mapping of str to array_like
        Where to check.
    wrt : str, optional
        Variable of a mapping point; required when it has several.
    layout : {"denominator", "numerator", "tensor", "auto"}
        Layout of the claim (see :func:`gradcheck.convert_layout`). ``"auto"`` accepts any
        layout the claim's shape fits and reports the one that matched. A claim whose shape is
        exactly the *other* layout's (e.g. a row ``(1, n)`` declared as denominator) fails with
        a note saying so; a shape that fits no layout raises :class:`ShapeMismatchError`.
    convention : str, optional
        Required when the variable is complex, refused (:class:`ConventionError`) when it is
        real: one of :data:`gradcheck.CONVENTIONS` (the table, with each framework's source,
        is in :mod:`gradcheck.engine.conventions`), or ``"auto"``, which accepts a claim that
        satisfies any of them and lists every one it satisfies. The result is then a
        :class:`~gradcheck.ComplexCheckResult` (see :mod:`gradcheck.verdict.complex_check`):
        the claim is compared with the convention's map of the numerical Wirtinger pair,
        under the tolerance formula below with complex moduli, and the Cauchy-Riemann
        equations are tested (``convention="holomorphic"`` requires them).
    options : CheckOptions, optional
        How to estimate and compare, as one record.
    **values
        The fields of :class:`CheckOptions` as keywords, put over `options`:

        method : str
            Finite-difference method (see :func:`gradcheck.estimate_jacobian`); default
            "central".
        rtol, atol : float, optional
            Rounding allowance: relative to the largest numerical entry and absolute (default
            0). The default rtol comes from the method's error model (the finest relative
            accuracy an order-``p`` difference of a float64 function can reach,
            ``16 eps^(p/(p+1))``: forward 2.4e-7, central 5.9e-10, central4 4.8e-12,
            richardson 6.1e-13; complex ``64 eps`` = 1.4e-14).
        step, vectorized, chunk_bytes, executor
            As in :func:`gradcheck.estimate_jacobian` (with an `executor`, f is evaluated
            on its workers; the verdict is the serial one).

        Each entry passes when

        ``|claimed - numerical| <= 4 * error_estimate + atol + rtol * max|numerical|``

        where ``error_estimate`` is the engine's per-entry finite-difference error estimate.
        This is the only tolerance formula. An entry whose finite difference is unreliable,
        or whose tolerance is as large as the derivative's largest entry (f underflows,
        cancels or computes in low precision), cannot fail: the verdict is then
        "inconclusive". Before a "failed" or "inconclusive" verdict, a second estimate by
        another method at other steps is consulted (see Notes).

    Returns
    -------
    CheckResult
        Verdict, errors, and a bounded report as ``str(result)``.

    Raises
    ------
    InvalidArgumentError
        For an unknown option or an invalid value (the message names it).

    Notes
    -----
    Assumes f is smooth near the point (see :func:`gradcheck.estimate_jacobian`). The factor 4
    on the error estimate absorbs its imprecision; the rtol covers rounding in the claimed
    formula and what no finite difference resolves. Rounding errors of real numerical code
    (LAPACK-backed and iterative functions) can be correlated between nearby points and so be
    under-read at one step; therefore a result that is not "passed" is re-examined with a
    second estimate (richardson at larger steps, or central4 after richardson), and the
    verdict is taken on both: where the two estimates disagree beyond their error estimates,
    the disagreement widens the tolerance, so "failed" means the claim is off by more than
    the finite differences could be. The result's `detection_threshold` states the smallest
    relative entry error the check would have caught: on smooth, well-scaled functions about
    1e-8 for central, 1e-10 for richardson and 1e-13 for the complex step.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> A, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    >>> f = lambda x: x @ A @ x
    >>> bool(check(f, (A + A.T) @ x, x))
    True
    >>> check(f, 2 * A @ x, x).status        # only right for symmetric A
    'failed'
    >>> check(f, (A + A.T) @ x, x, method="richardson").detection_threshold < 1e-9
    True
    """
    opts = merge_options(CheckOptions, options, values, "check")
    if is_complex_point(point, wrt):
        from .complex_check import check_complex  # imports this module

        return check_complex(
            f, derivative, point, wrt=wrt, layout=layout, convention=convention, options=opts
        )
    refuse_convention_for_real(convention, "the variable" if wrt is None else f"`{wrt}`")
    result, estimates, target = full_check(
        f, derivative, point, wrt=wrt, layout=layout, options=opts
    )
    if result.status == "passed":
        return result
    return with_diagnosis(result, estimates.latest, target, derivative, opts)


def with_diagnosis(
    result: CheckResult,
    est: TensorEstimate | None,
    target: Target,
    derivative: object,
    options: CheckOptions,
) -> CheckResult:
    """`result` (not passed) with its diagnosis, found by re-checking with the same options."""

    def moved(new_point: dict[str, Any]) -> Target:
        return make_target(
            target.f, new_point if target.wrt is not None else new_point[_BARE], target.wrt
        )

    def recheck(new_point: dict[str, Any]) -> bool:
        there = moved(new_point)
        claim = claimed_value(derivative, there)
        return full_verdict(there, claim, result.layout, replace(options, step=None))[0].passed

    def numerical_at(new_point: dict[str, Any]) -> np.ndarray:
        there = moved(new_point)
        estimate = estimate_tensor(there, options.finite_differences, vectorized=options.vectorized)
        return _in_layout(estimate, result.layout, result.claimed).numerical

    diagnosis = _diagnose_result(result, est, target, derivative, recheck, numerical_at)
    return replace(result, diagnosis=diagnosis)


_BARE = "x"


def _diagnose_result(
    result: CheckResult,
    est: TensorEstimate | None,
    target: Target,
    derivative: object,
    recheck: Callable[[dict[str, Any]], bool],
    numerical_at: Callable[[dict[str, Any]], np.ndarray],
) -> Diagnosis:
    """Diagnose a result that did not pass (see :mod:`gradcheck.verdict.diagnosis`)."""
    point = {target.wrt or _BARE: target.variable_value(), **target.others}
    evidence = Evidence(
        claimed=result.claimed,
        numerical=result.numerical,
        tolerance=result.tolerance,
        status=result.status,
        layout=result.layout,
        f_shape=result.f_shape,
        x_shape=result.x_shape,
        tensor=None if est is None else est.value,
        kink=None if est is None else est.kink,
        layout_mismatch=result.declared_layout,
        recheck=recheck if callable(derivative) else None,
        numerical_at=numerical_at,
        point=point,
        wrt=target.wrt or _BARE,
    )
    return diagnose(evidence)


def assert_gradient(
    f: Callable[..., Any],
    derivative: np.ndarray | Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: str = "denominator",
    convention: str | None = None,
    options: CheckOptions | None = None,
    **values: Unpack[CheckValues],
) -> CheckResult:
    """Like :func:`check`, but raise when the claim does not pass.

    Parameters are those of :func:`check`.

    Returns
    -------
    CheckResult
        The result, when it passed.

    Raises
    ------
    GradientAssertionError
        When the status is "failed" or "inconclusive". It is both a
        :class:`~gradcheck.GradcheckError` and an ``AssertionError`` (pytest reports it as a
        failed assertion); its message is the report and ``.result`` the full result.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[2.0, 1.0], [0.5, 3.0]])
    >>> r = assert_gradient(lambda X: np.log(abs(np.linalg.det(X))), np.linalg.inv(X).T, X)
    >>> r.status
    'passed'
    """
    __tracebackhide__ = True
    result = check(
        f,
        derivative,
        point,
        wrt=wrt,
        layout=layout,
        convention=convention,
        options=options,
        **values,
    )
    if not result.passed:
        raise GradientAssertionError(str(result), result)
    return result
