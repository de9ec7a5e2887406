"""Directional derivatives along random directions: cost independent of the input size.

For directions ``d_r`` in the variable's space and unit weights ``v_r`` in the output space,
``psi(t)_r = v_r . f(x + t d_r)`` is a function of one scalar ``t`` with ``k`` outputs; its
derivative at ``t = 0`` is ``v_r^T J d_r``. The engine differentiates ``psi`` with the chosen
method, so the directional derivatives get the same error estimates, kink and noise detection
as full Jacobians, at the cost of the stencil's evaluations per direction.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import (
    EPS,
    LAYOUTS,
    Method,
    Point,
    Search,
    Target,
    TensorEstimate,
    call_checked,
    convert_layout,
    coordinate_scales,
    estimate_tensor,
    evaluate_at_point,
    evaluate_points,
    make_target,
    probe_batching,
    probe_size,
    rng_from_seed,
    validate_layout,
)
from ..errors import NonFiniteValueError
from .check import (
    SAFETY,
    Candidate,
    CheckResult,
    Status,
    claimed_value,
    compare_candidates,
    derivative_text,
    full_verdict,
    headline_text,
    layout_notes,
    reliability_notes,
    resolve_layouts,
    with_diagnosis,
)
from .diagnosis import Diagnosis, Evidence, diagnose
from .options import CheckOptions, DirectionalOptions, DirectionalValues, merge_options
from .outcome import ComparedOutcome, error_ratio

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DirectionalResult", "check_directional"]


def _random_directions(
    x: np.ndarray, f_size: int, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Directions ``d_r = s * u_r`` (``u_r`` Gaussian, unit norm; ``s`` the coordinate scales)
    of shape ``(count,) + x.shape``, and unit Gaussian output weights of shape
    ``(count, f_size)``."""
    u = rng.standard_normal((count, x.size))
    scales = coordinate_scales(x).ravel()
    for row in u:  # in place, a row at a time: no temporary of the directions' size
        row /= np.linalg.norm(row)
        row *= scales
    d = u.reshape((count, *x.shape))
    v = rng.standard_normal((count, f_size))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return d, v


def _probe_vectorized(target: Target, f0: np.ndarray, d0: np.ndarray) -> tuple[bool, int]:
    """Whether f takes a stack of points along direction `d0` (and the evaluations that cost):
    probe points at distinct steps within 1e-3, batched against single calls."""
    x = target.x
    if not target.batchable:
        return False, 0  # an np.matrix variable: a stack of points cannot be an np.matrix
    size = probe_size(target, f0.shape)
    j = np.arange(size)
    t = 1e-3 * (-1.0) ** j / (1 + j // 2)  # 1, -1, 1/2, -1/2, ...
    probe = np.empty((size, *x.shape))
    for b in range(size):  # in place: the probe points and no temporary of their size
        row = probe[b, ...]
        np.multiply(d0, t[b], out=row)
        row += x
    singles = np.stack(
        [call_checked(target, p.copy(), "at a probe point", allow_complex=False) for p in probe]
    )
    result = probe_batching(target, probe, singles, allow_complex=False)
    return result.vectorized, size + result.evaluations


def values_along(
    target: Target,
    directions: np.ndarray,
    ts: np.ndarray,
    f_shape: tuple[int, ...],
    vectorized: bool,
    chunk_bytes: int,
    executor: Executor | None = None,
) -> np.ndarray:
    """f at ``x + t_b d_r`` for every step ``t_b`` of the flat `ts` and every direction
    ``d_r``, as an array ``(ts.size, len(directions), f.size)``.

    The points are written one by one into one buffer per chunk (no stack-sized temporaries:
    at 10^6 entries those cost more than f). A non-finite value is a NonFiniteValueError
    naming the direction and the step.
    """
    count, x = len(directions), target.x

    def make_points(start: int, stop: int) -> np.ndarray:
        points = np.empty((stop - start, *x.shape), dtype=np.result_type(ts, x, directions))
        for b, i in enumerate(range(start, stop)):
            row = points[b, ...]  # a view even for a 0-d x (points[b] would be a scalar)
            np.multiply(directions[i % count], ts[i // count], out=row)
            row += x
        return points

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
    values = values.reshape(ts.size, count, -1)
    if not np.all(np.isfinite(values)):
        b, r = (int(i) for i in np.argwhere(~np.isfinite(values))[0][:2])
        raise NonFiniteValueError(
            f"{target.role} returned a non-finite value at x + t d (direction {r}, "
            f"t = {ts[b]}); it is finite at the point itself. Choose a smaller `step`, or a "
            f"point farther from where f is undefined."
        )
    return values


@dataclass
class AlongDirections:
    """f at ``x + t d_r`` for each direction ``d_r`` and a stack of steps ``t``, flattened to
    ``(..., len(d) * f.size)``; counts the evaluations of f."""

    target: Target
    f0: np.ndarray
    d: np.ndarray
    vectorized: bool
    chunk_bytes: int
    evaluations: int = 0
    executor: Executor | None = None

    def values(self, t: np.ndarray) -> np.ndarray:
        """f along every direction at the flat steps `t`: ``(t.size, len(d), f.size)``."""
        values = values_along(
            self.target,
            self.d,
            t.reshape(-1),
            self.f0.shape,
            self.vectorized,
            self.chunk_bytes,
            self.executor,
        )
        self.evaluations += values.shape[0] * values.shape[1]
        return values

    def __call__(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        return self.values(t).reshape((*t.shape, len(self.d) * self.f0.size))


@dataclass
class _Projected(AlongDirections):
    """``psi(t)_r = v_r . f(x + t d_r)``: f along each direction, projected on its output
    weights `v`."""

    v: np.ndarray | None = None

    def __call__(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        out = np.einsum("bkm,km->bk", self.values(t), self.v)
        return out.reshape((*t.shape, len(self.d)))


def _directional_estimate(
    target: Target,
    f0: np.ndarray,
    count: int,
    rng: np.random.Generator,
    options: DirectionalOptions,
    needs_search: Callable[[TensorEstimate, np.ndarray, np.ndarray], bool] | None = None,
) -> tuple[TensorEstimate, np.ndarray, np.ndarray, int]:
    """Estimate ``v_r^T J d_r`` for `count` random directions.

    Returns the estimate (value, error, reliable of shape ``(count,)``), the directions, the
    output weights and the number of evaluations of f. `needs_search(estimate, d, v)`, given
    the estimate at the first steps, says whether the step search is worth its evaluations
    (None: search where the error estimate is poor).
    """
    x = target.x
    method = options.finite_differences
    d, v = _random_directions(x, f0.size, count, rng)
    vectorized, probing = options.vectorized, 0
    if vectorized is None:
        vectorized, probing = _probe_vectorized(target, f0, d[0])
    psi = _Projected(
        target, f0, d, bool(vectorized), options.chunk_bytes, executor=options.executor, v=v
    )
    psi_target = Target(f=psi, x=np.zeros(()), wrt=None, others={}, role=target.role)
    # A projection must resolve an error in one entry, which it sees scaled by ~1/sqrt(n):
    # the step search aims that much lower (it stops where the error stops improving).
    # Never below what the method can attain (eps^(p/(p+1)) of the largest projection): a
    # threshold no step meets only runs every round of the search.
    refine_above = None
    if method.refine_above is not None:
        attainable = EPS ** (method.order / (method.order + 1))
        refine_above = max(min(method.refine_above, 1e-8 / np.sqrt(x.size)), attainable)
    est = estimate_tensor(
        psi_target,
        method,
        step=options.step,
        vectorized=True,
        chunk_bytes=options.chunk_bytes,
        search=Search(
            at_point=(v @ f0.ravel(), 0),
            refine_above=refine_above,
            start_steps=None if options.step is not None else _start_step(method, x.size),
            refine_when=None if needs_search is None else (lambda first: needs_search(first, d, v)),
        ),
    )
    return est, d, v, probing + psi.evaluations


def _start_step(method: Method, n: int) -> float:
    """The first step along a unit direction of an n-entry variable: the method's relative
    step times sqrt(n), which moves a typical coordinate (``|u_j|`` ~ 1/sqrt(n)) by the step
    a full check would take along it. f's rounding grows with its n terms and the curvature
    along a unit direction shrinks with them, so the best step grows like sqrt(n), and a step
    search from the full check's step would spend its rounds climbing to it."""
    return float(method.relative_step * np.sqrt(max(n, 1)))


#: Entries sampled to compute a directional detection threshold on large Jacobians.
_THRESHOLD_SAMPLE = 200_000


def _directional_threshold(
    d: np.ndarray, v: np.ndarray, tolerance: np.ndarray, scale: float
) -> float:
    """Smallest single-entry error, relative to `scale`, caught at 99% of the entries.

    An error ``e`` in entry ``(i, j)`` of the claim moves the projection ``r`` by
    ``v_ri e d_rj``, which is caught when it exceeds that projection's tolerance ``tol_r``:
    the entry's error is caught when ``e > min_r tol_r / |v_ri d_rj|``. The threshold is the
    99th percentile of that bound over all entries (over a fixed sample of 200,000 entries of
    a larger Jacobian), divided by `scale` (the largest entry of the claim).
    """
    R, m = v.shape
    dm = d.reshape(R, -1)
    n = dm.shape[1]
    if scale == 0 or not np.all(np.isfinite(tolerance)):
        return float("inf")
    if m * n <= _THRESHOLD_SAMPLE:
        vi = np.repeat(np.abs(v), n, axis=1)
        dj = np.tile(np.abs(dm), (1, m))
    else:
        pick = np.random.default_rng(0).integers(0, m * n, _THRESHOLD_SAMPLE)
        vi, dj = np.abs(v[:, pick // n]), np.abs(dm[:, pick % n])  # no copy of all of d
    tol = np.maximum(tolerance, 1e-300)[:, None]
    sensitivity = np.max(vi * dj / tol, axis=0)
    with np.errstate(divide="ignore"):
        bound = np.where(sensitivity > 0, 1.0 / np.where(sensitivity > 0, sensitivity, 1), np.inf)
    return float(np.quantile(bound, 0.99)) / scale


#: A directional check without a given number of directions adds directions until a single
#: entry wrong by this fraction of the largest entry is caught at 99% of the entries, or until
#: `MAX_DIRECTIONS` are used.
DIRECTIONAL_TARGET = 1e-6
MAX_DIRECTIONS = 64
#: Largest variable size for which a failed directional check runs the full check to locate
#: the error.
FALLBACK_MAX_SIZE = 2048


@dataclass(frozen=True, kw_only=True)
class DirectionalResult(ComparedOutcome):
    """Outcome of comparing a claimed derivative's projections on random directions with
    finite-difference directional derivatives (:func:`check_directional`).

    Attributes
    ----------
    passed : bool
        True when `status` is "passed"; also the truth value of the result.
    status : {"passed", "failed", "inconclusive"}
        As for :class:`CheckResult`, over the projections; when the directional check failed
        and the full check ran to locate the error (`located`), the full check's status.
    max_abs_error, max_rel_error : float
        Largest ``|claimed - numerical|`` over the projections, absolute and relative to the
        largest ``|numerical|`` projection.
    tolerance, error_estimate : numpy.ndarray
        Per projection, shape ``(directions,)``; the tolerance formula is :func:`check`'s.
    reliable : numpy.ndarray of bool
        Where the directional finite differences are trustworthy.
    detection_threshold : float
        The smallest single-entry error, relative to the largest entry of the claim, that is
        caught at 99% of the entries (see :func:`check_directional`).
    worst_direction : int
        The direction with the largest ``|error| / tolerance``.
    numerical : numpy.ndarray
        The finite-difference directional derivatives ``v_r^T J u_r``, one per direction.
    claimed : numpy.ndarray
        The claim projected the same way.
    directions : int
        Number of directions used.
    evaluations : int
        Number of points at which f was evaluated (the full check's included).
    layout, method, wrt, f_shape, x_shape, headline, notes
        As for :class:`CheckResult`.
    located : CheckResult or None
        The full check run after a failed directional check on a variable of at most 2048
        entries, which locates and diagnoses the error; None otherwise.
    diagnosis : Diagnosis or None
        What kind of mistake a claim that did not pass looks like (`located`'s, when it ran).
    declared_layout : str or None
        As for :class:`CheckResult`.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> r = gradcheck.check_directional(lambda x: np.sum(x**2), 2 * np.ones(4), np.ones(4))
    >>> r.status, r.directions, r.claimed.shape
    ('passed', 8, (8,))
    """

    status: Status
    max_abs_error: float
    max_rel_error: float
    tolerance: np.ndarray = field(repr=False)
    error_estimate: np.ndarray = field(repr=False)
    reliable: np.ndarray = field(repr=False)
    detection_threshold: float
    worst_direction: int
    numerical: np.ndarray = field(repr=False)
    claimed: np.ndarray = field(repr=False)
    directions: int
    evaluations: int
    layout: str
    method: str
    wrt: str | None
    f_shape: tuple[int, ...]
    x_shape: tuple[int, ...]
    headline: str
    notes: tuple[str, ...] = ()
    located: CheckResult | None = None
    diagnosis: Diagnosis | None = None
    declared_layout: str | None = None

    INDEX_LABEL = "direction"

    @property
    def worst_index(self) -> tuple[int]:
        """`worst_direction` as an index (what a headline shows)."""
        return (self.worst_direction,)

    def __str__(self) -> str:
        parts = self.report_parts()
        parts.extend(self.notes)
        if self.located is not None:
            parts.append(f"the full check: {self.located}")
        elif self.diagnosis is not None:
            parts.append(f"diagnosis: {self.diagnosis}")
        return "\n".join(parts)


@dataclass(frozen=True)
class _Projections:
    """Directional derivatives found so far: the estimate, directions, weights, evaluations."""

    estimate: TensorEstimate
    d: np.ndarray
    v: np.ndarray
    evaluations: int

    def joined(self, other: _Projections) -> _Projections:
        ea, eb = self.estimate, other.estimate
        est = replace(
            ea,
            value=np.concatenate([ea.value, eb.value]),
            error=np.concatenate([ea.error, eb.error]),
            reliable=np.concatenate([ea.reliable, eb.reliable]),
            kink=np.concatenate([ea.kink, eb.kink]),
            frozen=np.concatenate([ea.frozen, eb.frozen]),
            f_value=np.concatenate([ea.f_value, eb.f_value]),
            evaluations=ea.evaluations + eb.evaluations,
            calls=ea.calls + eb.calls,
            output_epsilon=max(ea.output_epsilon, eb.output_epsilon),
        )
        return _Projections(
            est,
            np.concatenate([self.d, other.d]),
            np.concatenate([self.v, other.v]),
            self.evaluations + other.evaluations,
        )


def _project(
    target: Target,
    f0: np.ndarray,
    count: int,
    rng: np.random.Generator,
    options: DirectionalOptions,
    needs_search: Callable[[TensorEstimate, np.ndarray, np.ndarray], bool] | None = None,
) -> _Projections:
    est, d, v, used = _directional_estimate(target, f0, count, rng, options, needs_search)
    return _Projections(est, d, v, used)


def _enough_projections(
    target: Target, f0: np.ndarray, claimed: np.ndarray, options: DirectionalOptions
) -> tuple[_Projections, float]:
    """Projections on `options.directions` random directions, or on 8 doubled up to 64 until
    the detection threshold reaches `DIRECTIONAL_TARGET`; and that threshold."""
    rng = rng_from_seed(options.seed)
    tolerances = options.tolerances()
    scale = float(np.max(np.abs(claimed), initial=0.0))

    def threshold_of(est: TensorEstimate, d: np.ndarray, v: np.ndarray) -> float:
        largest = float(np.max(np.abs(est.value), initial=0.0))
        tolerance = SAFETY * est.error + tolerances["atol"] + tolerances["rtol"] * largest
        return _directional_threshold(d, v, tolerance, scale)

    def needs_search(est: TensorEstimate, d: np.ndarray, v: np.ndarray) -> bool:
        # the first steps already catch an entry wrong by a quarter of the target: no search
        settled = threshold_of(est, d, v) <= DIRECTIONAL_TARGET / 4 and np.all(est.reliable)
        return not settled

    found = _project(target, f0, options.directions or 8, rng, options, needs_search)
    while True:
        threshold = threshold_of(found.estimate, found.d, found.v)
        count = len(found.d)
        enough = threshold <= DIRECTIONAL_TARGET or count >= MAX_DIRECTIONS or scale == 0
        if options.directions is not None or enough:
            return found, threshold
        wanted = _directions_wanted(threshold, count, f0.size)
        if wanted <= count:
            return found, threshold  # no affordable number of directions reaches the target
        more = _project(target, f0, wanted - count, rng, options, needs_search)
        found = found.joined(more)


def _directions_wanted(threshold: float, count: int, f_size: int) -> int:
    """How many directions the error model says reach `DIRECTIONAL_TARGET` from `threshold`
    at `count` directions: `count` doubled until the predicted threshold meets the target, or
    `count` itself when not even `MAX_DIRECTIONS` would.

    An entry's error is caught by its best direction, so the threshold (99th percentile over
    the entries of ``tol / max_r |v_ri d_rj|``) shrinks only like the 1st percentile of the
    largest of R Gaussians: ``a(R)`` with ``P(|z| < a)^R = 0.01``, 0.78 at R = 8 and 1.82 at
    R = 64. Weights `v` (f with several outputs) multiply two such factors: the gain is
    taken squared then (generous: more directions rather than fewer).
    """
    power = 1 if f_size == 1 else 2

    def reach(r: int) -> float:
        return NormalDist().inv_cdf((1.0 + 0.01 ** (1.0 / r)) / 2.0)

    wanted = count
    while wanted < MAX_DIRECTIONS:
        wanted = min(2 * wanted, MAX_DIRECTIONS)
        if threshold * (reach(count) / reach(wanted)) ** power <= DIRECTIONAL_TARGET:
            return wanted
    return count


def _projected_candidates(
    claimed: np.ndarray, layouts: list[str], f_shape: tuple, found: _Projections
) -> list[Candidate]:
    """The claim read in each candidate layout and projected on the directions."""
    est, x_shape = found.estimate, found.d.shape[1:]
    candidates = []
    for name in layouts:
        tensor = convert_layout(claimed, f_shape, x_shape, source=name, target="tensor")
        jm = tensor.reshape(int(np.prod(f_shape)), int(np.prod(x_shape)))
        projected = np.einsum("rm,mn,rn->r", found.v, jm, found.d.reshape(len(found.d), -1))
        candidates.append(Candidate(name, est.value, est.error, est.reliable, shown=projected))
    return candidates


def check_directional(
    f: Callable[..., Any],
    derivative: np.ndarray | Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: str = "denominator",
    options: DirectionalOptions | None = None,
    **values: Unpack[DirectionalValues],
) -> DirectionalResult:
    """Compare a claimed derivative's projections ``v_r^T J u_r`` on random directions with
    finite-difference directional derivatives: cost independent of the variable's size.

    Parameters
    ----------
    f, derivative, point, wrt, layout
        As in :func:`check`.
    options : DirectionalOptions, optional
        How to estimate and compare, as one record.
    **values
        The fields of :class:`DirectionalOptions` as keywords, put over `options`: those of
        :func:`check` (the default rtol is 1e-12, since each projection must resolve an
        error in a single entry; `step` is one number, the step along each scaled
        direction), and

        directions : int, optional
            Number of random directions. Default: 8, doubled (up to 64) until the detection
            threshold is at most 1e-6.
        seed : int or numpy.random.Generator
            Randomness of the directions (default 0: reproducible).

    Returns
    -------
    DirectionalResult
        The verdict over the projections, its detection threshold, and a bounded report.

    Notes
    -----
    The directions ``u_r`` are Gaussian unit vectors scaled per coordinate like the steps,
    the output weights ``v_r`` Gaussian unit vectors. Each projection costs the method's
    stencil (4 evaluations for central) plus more where the step search runs, and 2 at the
    point. The detection threshold is the single-entry error (relative to the largest entry
    of the claim) that is caught at 99% of the entries: an entry wrong by ``e`` moves
    projection ``r`` by ``v_ri e d_rj``, caught where that exceeds the projection's
    tolerance. If the check fails and the variable has at most 2048 entries, the full check
    (:func:`check`) runs to locate and diagnose the error (`located`); otherwise the failing
    directions are reported. Assumes f is smooth near the point.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(-1.0, 1.0, 5000)
    >>> r = check_directional(lambda x: np.sum(np.sin(x)), np.cos(x), x)
    >>> r.status, r.directions
    ('passed', 8)
    >>> check_directional(lambda x: np.sum(np.sin(x)), 1.01 * np.cos(x), x).status
    'failed'
    """
    opts = merge_options(DirectionalOptions, options, values, "check_directional")
    target = make_target(f, point, wrt)
    layout = validate_layout(layout, allowed=(*LAYOUTS, "auto"))
    claimed = claimed_value(derivative, target)
    f0, evaluations = evaluate_at_point(target)
    layouts, declared = resolve_layouts(claimed.shape, f0.shape, target.x.shape, layout)
    found, threshold = _enough_projections(target, f0, claimed, opts)
    result = _directional_result(
        target, opts, claimed, found, (layouts, declared), (f0, evaluations)
    )
    result = replace(result, detection_threshold=threshold)
    result = replace(result, headline=_headline(result))
    if result.status == "passed":
        return result
    if target.x.size > FALLBACK_MAX_SIZE or declared is not None:
        return replace(result, diagnosis=diagnose(_projection_evidence(result)))
    full_options = _full_options(opts)
    full, estimates = full_verdict(target, claimed, layout, full_options)
    located = full
    if not full.passed:
        located = with_diagnosis(full, estimates.latest, target, derivative, full_options)
    note = (
        f"the directional check failed (worst direction [{result.worst_direction}], max rel. "
        f"error {result.max_rel_error:.2e}); the variable is small enough, so every entry was "
        f"compared."
    )
    return with_located(result, located, note)


def with_located(result: Any, located: CheckResult, note: str, **more: Any) -> Any:
    """`result` (a failed check on projections) taking the verdict and diagnosis of the full
    check `located` that was run to find the error, with its evaluations and a `note`."""
    return replace(
        result,
        status=located.status,
        located=located,
        diagnosis=located.diagnosis,
        evaluations=result.evaluations + located.evaluations,
        notes=(*result.notes, note),
        **more,
    )


def _full_options(options: DirectionalOptions) -> CheckOptions:
    """The options of the full check that locates a directional failure (the method's
    default rtol, the engine's own steps)."""
    return CheckOptions(
        method=options.method,
        rtol=options.rtol,
        atol=options.atol,
        vectorized=options.vectorized,
        chunk_bytes=options.chunk_bytes,
        executor=options.executor,
    )


def _directional_result(
    target: Target,
    options: DirectionalOptions,
    claimed: np.ndarray,
    found: _Projections,
    layouts: tuple[list[str], str | None],
    at_point: tuple[np.ndarray, int],
) -> DirectionalResult:
    """The verdict over the projections (its headline is made by the caller)."""
    names, declared = layouts
    f_shape = at_point[0].shape
    evaluations = at_point[1] + found.evaluations
    candidates = _projected_candidates(claimed, names, f_shape, found)
    chosen, passing = compare_candidates(claimed, candidates, options.tolerances())
    comparison = chosen.comparison
    notes = layout_notes(claimed.shape, chosen, passing, declared)
    if declared is not None:
        comparison = replace(comparison, status="failed")
    notes += reliability_notes(chosen.candidate.reliable, comparison, "direction", "directions")
    if comparison.status == "failed":
        r = error_ratio(np.abs(chosen.shown - chosen.candidate.numerical), comparison.tolerance)
        notes.append(
            f"failing directions: {[int(i) for i in np.flatnonzero(r > 1)]} of {len(r)}; a "
            f"directional check does not locate the error (gradcheck.check compares every "
            f"entry)."
        )
    return DirectionalResult(
        status=comparison.status,
        max_abs_error=comparison.max_abs_error,
        max_rel_error=comparison.max_rel_error,
        tolerance=comparison.tolerance,
        error_estimate=chosen.candidate.error,
        reliable=chosen.candidate.reliable,
        detection_threshold=comparison.detection_threshold,
        worst_direction=int(comparison.worst_index[0]) if comparison.worst_index else 0,
        numerical=chosen.candidate.numerical,
        claimed=chosen.shown,
        directions=len(found.d),
        evaluations=evaluations,
        layout=chosen.candidate.layout,
        method=options.method,
        wrt=target.wrt,
        f_shape=f_shape,
        x_shape=target.x.shape,
        headline="",
        notes=tuple(notes),
        declared_layout=declared,
    )


def _headline(result: DirectionalResult) -> str:
    what = derivative_text(result.layout, result.f_shape, result.x_shape, result.wrt)
    how = f"{result.method}, {result.directions} directions, {result.evaluations} evaluations"
    return headline_text(result.status, what + ", directional", result, "direction", how)


def _projection_evidence(result: DirectionalResult) -> Evidence:
    """What the diagnosis may use of a directional check: projections, not entries."""
    return Evidence(
        claimed=result.claimed,
        numerical=result.numerical,
        tolerance=result.tolerance,
        status=result.status,
        layout=result.layout,
        f_shape=result.f_shape,
        x_shape=result.x_shape,
        point={},
        wrt=result.wrt or "x",
        layout_mismatch=result.declared_layout,
        projections=True,
    )
