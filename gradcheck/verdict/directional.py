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
    DirectionStream,
    HeldDirections,
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
    make_target,
    probe_batching,
    probe_size,
    refuse_empty,
    rng_from_seed,
    validate_layout,
    values_along_directions,
)
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
    ``d_r`` of the array `directions` (all directions of each step in turn), as an array
    ``(ts.size, len(directions), f.size)`` (see
    :func:`gradcheck.engine.values_along_directions`)."""
    return values_along_directions(
        target,
        HeldDirections(directions),
        ts,
        f_shape,
        vectorized=vectorized,
        chunk_bytes=chunk_bytes,
        executor=executor,
        direction_major=False,
    )


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
class _Projected:
    """``psi(t)_r = v_r . f(x + t d_r)``: f along each streamed direction, projected on its
    output weights `v`; counts the evaluations of f and keeps the steps and values of its
    last call (what :func:`_search_gain` reads)."""

    target: Target
    f0: np.ndarray
    stream: DirectionStream
    v: np.ndarray
    vectorized: bool
    chunk_bytes: int
    executor: Executor | None = None
    evaluations: int = 0
    last: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        values = values_along_directions(
            self.target,
            self.stream,
            t.reshape(-1),
            self.f0.shape,
            vectorized=self.vectorized,
            chunk_bytes=self.chunk_bytes,
            executor=self.executor,
        )
        self.evaluations += values.shape[0] * values.shape[1]
        out = np.einsum("bkm,km->bk", values, self.v)
        self.last = (t.reshape(-1).copy(), out)
        return out.reshape((*t.shape, len(self.stream)))


@dataclass
class _OncePerDirection:
    """What is computed from a direction the first time it is drawn, so that it is drawn once
    in all when the search does not run: the claim projected on it in each candidate layout
    (``v_r^T J d_r``), and ``|d_r|`` at the columns of the threshold's sampled entries."""

    claims: list[tuple[str, np.ndarray]]
    v: np.ndarray
    columns: np.ndarray
    projected: dict[str, np.ndarray] = field(init=False)
    sampled: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        count = len(self.v)
        self.projected = {name: np.zeros(count) for name, _ in self.claims}
        self.sampled = np.zeros((count, self.columns.size))

    def __call__(self, r: int, d: np.ndarray) -> None:
        for name, jm in self.claims:
            # einsum, not BLAS (see DirectionStream._draw)
            self.projected[name][r] = self.v[r] @ np.einsum("mn,n->m", jm, d)
        self.sampled[r] = np.abs(d[self.columns])


def _directional_estimate(
    target: Target,
    f0: np.ndarray,
    psi: _Projected,
    options: DirectionalOptions,
    needs_search: Callable[[TensorEstimate], bool] | None = None,
) -> TensorEstimate:
    """Estimate ``v_r^T J d_r`` along the directions of `psi` (value, error, reliable of
    shape ``(directions,)``). `needs_search(estimate)`, given the estimate at the first
    steps, says whether the step search is worth its evaluations (None: search where the
    error estimate is poor)."""
    x = target.x
    method = options.finite_differences
    psi_target = Target(f=psi, x=np.zeros(()), wrt=None, others={}, role=target.role)
    # A projection must resolve an error in one entry, which it sees scaled by ~1/sqrt(n):
    # the step search aims that much lower (it stops where the error stops improving).
    # Never below what the method can attain (eps^(p/(p+1)) of the largest projection): a
    # threshold no step meets only runs every round of the search.
    refine_above = None
    if method.refine_above is not None:
        attainable = EPS ** (method.order / (method.order + 1))
        refine_above = max(min(method.refine_above, 1e-8 / np.sqrt(x.size)), attainable)
    return estimate_tensor(
        psi_target,
        method,
        step=options.step,
        vectorized=True,
        chunk_bytes=options.chunk_bytes,
        search=Search(
            at_point=(psi.v @ f0.ravel(), 0),
            refine_above=refine_above,
            start_steps=None if options.step is not None else _start_step(method, x.size),
            refine_when=needs_search,
        ),
    )


#: ``a`` of the first step along a unit direction, ``relative_step * n^a``, by method.
_START_POWER = {"central": 2 / 3, "central4": 3 / 5}


def _start_step(method: Method, n: int) -> float:
    """The first step along a unit direction of an n-entry variable: the method's relative
    step times ``n^a``. A typical coordinate moves by ``|u_j| ~ 1/sqrt(n)`` of it. For f a
    sum of n terms, its rounding grows like n, and the odd derivative of order ``p + 1``
    along a unit direction (n terms of size ``n^(-(p+1)/2)``, random signs) shrinks like
    ``n^(-p/2)``, so the best step ``(eps |f| / |psi^(p+1)|)^(1/(p+1))`` of a central method
    grows like ``n^((p/2 + 1)/(p + 1))``: ``a`` = 2/3 for central, 3/5 for central4. The
    other methods keep ``a`` = 1/2 (for richardson the model's 4/7 gave a detection
    threshold 15x worse on sum(sin x) at n = 10^5, and cost a search). A step search from
    the full check's step would spend its rounds climbing to it."""
    power = _START_POWER.get(method.name, 0.5)
    return float(method.relative_step * max(n, 1) ** power)


#: The step search runs only where it is predicted to cut the error estimate by at least
#: this factor (see :func:`_search_gain`).
SEARCH_GAIN = 2.0


def _search_gain(method: Method, psi: _Projected, psi0: np.ndarray, first: TensorEstimate) -> float:
    """By how much the step search could cut the error estimate of the `first` estimate.

    The first estimate's error is split into truncation ``T`` (the method's own estimate
    from the last values of `psi`, the largest over the directions) and the rest ``R``
    (rounding); at ``s`` times the step the error is ``T s^p + R / s``, smallest over the
    search's ladder of powers of 8 (from 1/512 to 4096). Infinite (search) for the complex
    step and where the values are not those of the first steps.
    """
    if method.kind == "complex" or psi.last is None:
        return float("inf")
    t, values = psi.last
    h = float(first.step)
    quotients = {}
    for c in method.multiples:
        at = {o: np.flatnonzero(t == o * h) for o in (c, -c)}
        if any(i.size != 1 for i in at.values()):
            return float("inf")
        plus = values[at[c][0]]
        if method.kind == "central":
            quotients[c] = (plus - values[at[-c][0]]) / (2 * c * h)
        else:
            quotients[c] = (plus - psi0) / (c * h)
    trunc = float(np.max(np.abs(sum(w * quotients[c] for c, w in method.truncation.items()))))
    error = float(np.max(first.error, initial=0.0))
    rest = max(error - trunc, 0.0)
    s = 8.0 ** np.arange(-3, 5)
    best = float(np.min(trunc * s**method.order + rest / s))
    return float("inf") if best == 0 else error / best


#: Entries sampled to compute a directional detection threshold on large Jacobians.
_THRESHOLD_SAMPLE = 200_000


def _sampled_entries(f_size: int, x_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows (outputs) and columns (coordinates) of the Jacobian's entries a detection
    threshold is computed over: all of them, or a fixed sample of `_THRESHOLD_SAMPLE`."""
    total = f_size * x_size
    if total <= _THRESHOLD_SAMPLE:
        entries = np.arange(total)
    else:
        entries = np.random.default_rng(0).integers(0, total, _THRESHOLD_SAMPLE)
    return entries // x_size, entries % x_size


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
    rows, cols = _sampled_entries(m, dm.shape[1])
    return _threshold_of_sample(np.abs(v[:, rows]), np.abs(dm[:, cols]), tolerance, scale)


def _threshold_of_sample(
    vi: np.ndarray, dj: np.ndarray, tolerance: np.ndarray, scale: float
) -> float:
    """:func:`_directional_threshold` from ``|v_ri|`` and ``|d_rj|`` at the sampled entries
    (shape ``(directions, entries)`` each), a direction at a time (no temporary of their
    shape)."""
    if scale == 0 or not np.all(np.isfinite(tolerance)):
        return float("inf")
    tol = np.maximum(tolerance, 1e-300)
    sensitivity = np.zeros(dj.shape[1])
    for r in range(len(tol)):
        np.maximum(sensitivity, vi[r] * dj[r] / tol[r], out=sensitivity)
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
    """Directional derivatives found so far: the estimate, the output weights, the claim
    projected in each candidate layout, ``|d_rj|`` at the threshold's sampled columns, and
    the evaluations of f."""

    estimate: TensorEstimate
    v: np.ndarray
    projected: dict[str, np.ndarray]
    sampled: np.ndarray
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
            np.concatenate([self.v, other.v]),
            {k: np.concatenate([a, other.projected[k]]) for k, a in self.projected.items()},
            np.concatenate([self.sampled, other.sampled]),
            self.evaluations + other.evaluations,
        )


def _vectorized_or_probe(
    target: Target, f0: np.ndarray, options: DirectionalOptions, d0: Callable[[], np.ndarray]
) -> tuple[bool, int]:
    """Whether f takes a stack of points, and the evaluations that cost: the caller's
    `vectorized`, else no when a chunk holds fewer than 2 points (every call is of one point
    anyway: no probe), else the probe along the direction `d0()`."""
    if options.vectorized is not None:
        return bool(options.vectorized), 0
    if options.chunk_bytes // ((target.x.size + f0.size) * 8) < 2:
        return False, 0
    vectorized, probing = _probe_vectorized(target, f0, d0())
    return bool(vectorized), probing


def _enough_projections(
    target: Target,
    f0: np.ndarray,
    claims: list[tuple[str, np.ndarray]],
    scale: float,
    options: DirectionalOptions,
) -> tuple[_Projections, float]:
    """Projections on `options.directions` random directions, or on 8 doubled up to 64 until
    the detection threshold reaches `DIRECTIONAL_TARGET`; and that threshold.

    Each batch of directions takes its seeds and output weights from the seeded generator;
    the directions are streamed (:class:`gradcheck.engine.DirectionStream`) and `claims`
    (the claim as a matrix in each candidate layout) projected on each as it is drawn."""
    rng = rng_from_seed(options.seed)
    tolerances = options.tolerances()
    method = options.finite_differences
    rows, columns = _sampled_entries(f0.size, target.x.size)
    probed: list[tuple[bool, int]] = []

    def threshold_of(est: TensorEstimate, v: np.ndarray, sampled: np.ndarray) -> float:
        largest = float(np.max(np.abs(est.value), initial=0.0))
        tolerance = SAFETY * est.error + tolerances["atol"] + tolerances["rtol"] * largest
        vi = np.abs(v[:, rows]) if v.shape[1] > 1 else np.broadcast_to(np.abs(v), sampled.shape)
        return _threshold_of_sample(vi, sampled, tolerance, scale)

    def project(count: int) -> _Projections:
        seeds = rng.integers(0, 2**63, size=count)
        v = rng.standard_normal((count, f0.size))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        once = _OncePerDirection(claims, v, columns)
        stream = DirectionStream(target.x, seeds, on_first=once)
        first_batch = not probed  # later batches reuse the first one's probe
        if first_batch:
            probed.append(_vectorized_or_probe(target, f0, options, lambda: stream[0]))
        vectorized, probing = probed[0][0], probed[0][1] if first_batch else 0
        psi = _Projected(
            target, f0, stream, v, vectorized, options.chunk_bytes, executor=options.executor
        )

        def needs_search(first: TensorEstimate) -> bool:
            # the first steps already catch an entry wrong by a quarter of the target, or
            # the search would not cut the error estimate by SEARCH_GAIN: no search
            if not np.all(first.reliable):
                return True
            if threshold_of(first, v, once.sampled) <= DIRECTIONAL_TARGET / 4:
                return False
            return _search_gain(method, psi, v @ f0.ravel(), first) >= SEARCH_GAIN

        est = _directional_estimate(target, f0, psi, options, needs_search)
        return _Projections(est, v, once.projected, once.sampled, probing + psi.evaluations)

    found = project(options.directions or 8)
    while True:
        threshold = threshold_of(found.estimate, found.v, found.sampled)
        count = len(found.v)
        enough = threshold <= DIRECTIONAL_TARGET or count >= MAX_DIRECTIONS or scale == 0
        if options.directions is not None or enough:
            return found, threshold
        wanted = _directions_wanted(threshold, count, f0.size)
        if wanted <= count:
            return found, threshold  # no affordable number of directions reaches the target
        found = found.joined(project(wanted - count))


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


def _claims(
    claimed: np.ndarray, layouts: list[str], f_shape: tuple, x_shape: tuple
) -> list[tuple[str, np.ndarray]]:
    """The claim read in each candidate layout as a matrix ``(f.size, x.size)``: the claim
    itself, reshaped, where that layout of a scalar f is the variable's shape (no copy)."""
    m, n = int(np.prod(f_shape)), int(np.prod(x_shape))
    claims = []
    for name in layouts:
        if f_shape == () and name in ("denominator", "tensor"):
            claims.append((name, claimed.reshape(1, n)))
        else:
            tensor = convert_layout(claimed, f_shape, x_shape, source=name, target="tensor")
            claims.append((name, tensor.reshape(m, n)))
    return claims


def _projected_candidates(layouts: list[str], found: _Projections) -> list[Candidate]:
    """The claim read in each candidate layout and projected on the directions."""
    est = found.estimate
    return [
        Candidate(name, est.value, est.error, est.reliable, shown=found.projected[name])
        for name in layouts
    ]


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
    each drawn from its own seed when it is needed (streamed: a large variable's directions
    are never held all at once; the same seed gives the same directions bit for bit), the
    output weights ``v_r`` Gaussian unit vectors. Each projection costs the method's stencil
    (4 evaluations for central) and 2 at the point; the step search runs only where the first
    estimate does not already detect an entry wrong by a quarter of 1e-6 and its split into
    truncation and rounding predicts the search to halve the error estimate at least. A
    variable with no entries is refused (InvalidArgumentError). The detection threshold is
    the single-entry error (relative to the largest entry of the claim) that is caught at
    99% of the entries: an entry wrong by ``e`` moves projection ``r`` by ``v_ri e d_rj``,
    caught where that exceeds the projection's tolerance. If the check fails and the
    variable has at most 2048 entries, the full check (:func:`check`) runs to locate and
    diagnose the error (`located`); otherwise the failing directions are reported. Assumes f
    is smooth near the point.

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
    refuse_empty(target, "check_directional")
    layout = validate_layout(layout, allowed=(*LAYOUTS, "auto"))
    claimed = claimed_value(derivative, target)
    f0, evaluations = evaluate_at_point(target)
    layouts, declared = resolve_layouts(claimed.shape, f0.shape, target.x.shape, layout)
    claims = _claims(claimed, layouts, f0.shape, target.x.shape)
    scale = float(np.max(np.abs(claimed), initial=0.0))
    found, threshold = _enough_projections(target, f0, claims, scale, opts)
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
    check `located` that was run to find the error, with its evaluations and a `note`; where
    the full check passes, the two disagree and the verdict is inconclusive (the projections
    may have missed f's length scale, or the full check's error bars may be wide enough to
    hide the error: neither outweighs the other)."""
    status = "inconclusive" if located.status == "passed" else located.status
    if located.status == "passed":
        note += (
            " The full check passed where the products failed: the verdict is inconclusive "
            f"({located.headline})."
        )
    word = {"passed": "PASSED", "failed": "FAILED", "inconclusive": "INCONCLUSIVE"}
    headline = result.headline.replace(
        f"gradcheck {word[result.status]}", f"gradcheck {word[status]}", 1
    )
    return replace(
        result,
        status=status,
        headline=headline,
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
    candidates = _projected_candidates(names, found)
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
        directions=len(found.v),
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
