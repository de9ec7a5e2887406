"""Running a catalogue of identities on random shapes and points, in both layouts."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np
from threadpoolctl import threadpool_limits

from ..engine import (
    LAYOUTS,
    Target,
    convert_layout,
    make_target,
    validate_layout,
    validate_method,
)
from ..errors import (
    GradcheckError,
    InvalidArgumentError,
    ShapeMismatchError,
)
from ..verdict import (
    CheckOptions,
    CheckResult,
    Diagnosis,
    Estimates,
    counted,
    full_verdict,
    merge_options,
    render_table,
    shape_diagnosis,
    with_diagnosis,
)
from .forms import with_gradient_verdict
from .installed import installed_catalogue
from .plots import plot_detection
from .registry import Catalogue, Identity
from .shapes import resolve_shape

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from typing_extensions import Unpack

__all__ = [
    "CatalogueReport",
    "CheckRecord",
    "RunOptions",
    "WorkerError",
    "available_jobs",
    "check_record",
    "run_catalogue",
]


class WorkerError(GradcheckError, RuntimeError):
    """A worker process of a parallel catalogue run died (killed, out of memory, a crash in
    compiled code) before it sent back its records; rerun with ``jobs=1`` to see it in-process."""


@dataclass(frozen=True, kw_only=True)
class CheckRecord:
    """One identity checked in one layout on one random draw.

    Attributes
    ----------
    identity, family : str
        Which identity.
    layout : str
        Layout of the comparison.
    trial : int
        Index of the random draw.
    shapes : dict
        Concrete shape of every variable.
    expected : {"pass", "fail"}
        "fail" for pitfalls.
    status : {"passed", "failed", "inconclusive", "error"}
        The verdict ("error": f or the derivative raised, or the claim fit no layout).
    ok : bool
        Whether the verdict is what was expected: "passed" for identities, "failed" for
        pitfalls (a pitfall that passes, or an identity that does not, is a problem).
    max_rel_error : float
        Largest ``|claimed - numerical|`` over the largest ``|numerical|`` entry.
    error_estimate : float
        Largest finite-difference error estimate, relative to the same scale.
    detection_threshold : float
        The smallest relative entry error this check would have caught (see
        :attr:`gradcheck.CheckResult.detection_threshold`); inf where it could not check.
    evaluations : int
        Points at which f was evaluated for this draw (shared by its layouts).
    seconds : float
        Time of this draw, split evenly over its layouts.
    message : str
        Why, when the status is not the expected one or the claim has the other layout's shape.
    mistake : str or None
        For pitfalls, the labelled mistake class.
    diagnosis : Diagnosis or None
        What kind of mistake the claim looks like, when it did not pass.
    result : CheckResult or None
        The verdict the record was made from (method, worst entry, tolerances); None where
        none was reached (f or the derivative raised, or a shape mismatch). For a VJP, the
        :class:`gradcheck.ProductResult` (of the variable shown, with several).
    form : str
        What was checked (:attr:`gradcheck.Identity.form`): "jacobian", "hessian" (`layout`
        "numerator" for the vec layout ``d vec(g)/d vec(x)^T``, or "tensor"), "mixed" (a
        mixed block, as the Jacobian of the gradient) or "vjp" (`layout` "tensor").

    Examples
    --------
    >>> import gradcheck
    >>> record = gradcheck.run_catalogue(select=["dxTAx_dx"], trials=1).records[0]
    >>> record.identity, record.layout, record.status, record.ok
    ('dxTAx_dx', 'numerator', 'passed', True)
    """

    identity: str
    family: str
    layout: str
    trial: int
    shapes: dict[str, tuple[int, ...]]
    expected: str
    status: str
    ok: bool
    max_rel_error: float
    error_estimate: float
    detection_threshold: float
    evaluations: int
    seconds: float
    message: str = ""
    mistake: str | None = None
    diagnosis: Diagnosis | None = None
    result: CheckResult | None = field(default=None, repr=False, compare=False)
    form: str = "jacobian"


@dataclass(frozen=True, kw_only=True)
class CatalogueReport:
    """All records of a catalogue run, with a summary table.

    Attributes
    ----------
    records : tuple of CheckRecord
        One per (identity, layout, trial).
    seed, trials, method, layouts
        The run's settings.
    seconds : float
        Wall time of the run.

    Examples
    --------
    >>> import gradcheck
    >>> report = gradcheck.run_catalogue(families=["vector_by_vector"], trials=1)
    >>> report.ok, report.trials, report.layouts
    (True, 1, ('numerator', 'denominator'))
    """

    records: tuple[CheckRecord, ...] = field(repr=False)
    seed: int
    trials: int
    method: str
    layouts: tuple[str, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        """Every identity passed and every pitfall was caught."""
        return all(r.ok for r in self.records)

    @property
    def problems(self) -> tuple[CheckRecord, ...]:
        """Records whose verdict differs from the expected one."""
        return tuple(r for r in self.records if not r.ok)

    def summary_rows(self) -> list[dict]:
        """One row per identity: family, name, kind, layouts, passes, worst errors, time."""
        rows: dict[str, dict] = {}
        for r in self.records:
            row = rows.setdefault(
                r.identity,
                {
                    "family": r.family,
                    "identity": r.identity,
                    "kind": "pitfall" if r.expected == "fail" else "identity",
                    "layouts": [],
                    "ok": 0,
                    "checks": 0,
                    "worst_rel_error": 0.0,
                    "worst_fd_error": 0.0,
                    "worst_threshold": 0.0,
                    "seconds": 0.0,
                    "diagnosis": "",
                },
            )
            shown = "vec" if (r.form, r.layout) == ("hessian", "numerator") else r.layout
            shown = "vjp" if r.form == "vjp" else shown
            if shown not in row["layouts"]:
                row["layouts"].append(shown)
            row["checks"] += 1
            row["ok"] += int(r.ok)
            row["worst_rel_error"] = max(row["worst_rel_error"], r.max_rel_error)
            row["worst_fd_error"] = max(row["worst_fd_error"], r.error_estimate)
            if r.expected == "pass":
                row["worst_threshold"] = max(row["worst_threshold"], r.detection_threshold)
            row["seconds"] += r.seconds
            if r.diagnosis is not None and not row["diagnosis"]:
                row["diagnosis"] = r.diagnosis.kind
        return list(rows.values())

    def table(self, tablefmt: str = "simple") -> str:
        """The summary as a table (any tabulate format)."""
        body = []
        for row in self.summary_rows():
            verdict = "caught" if row["kind"] == "pitfall" else "passed"
            body.append(
                [
                    row["family"],
                    row["identity"],
                    "/".join(layout[:3] for layout in row["layouts"]),
                    f"{row['ok']}/{row['checks']} {verdict}",
                    f"{row['worst_rel_error']:.1e}",
                    threshold_text(row),
                    f"{row['seconds'] * 1e3:.0f}",
                    row["diagnosis"],
                ]
            )
        headers = [
            "family",
            "identity",
            "layouts",
            "verdicts",
            "worst rel. err",
            "detects",
            "ms",
            "diagnosis",
        ]
        return render_table(body, headers, tablefmt=tablefmt)

    def plot(self, path: str | os.PathLike[str] | None = None) -> Figure:
        """Each identity's worst relative error against its detection threshold, pitfalls
        marked (see :func:`gradcheck.catalogue.plot_detection`), as a matplotlib Figure
        (written to `path` when given). Needs matplotlib: ``pip install "gradcheck[plot]"``,
        else :class:`~gradcheck.MissingDependencyError`."""
        return plot_detection(self, path)

    def totals(self) -> str:
        """One closing line with the totals."""
        ids = {r.identity for r in self.records if r.expected == "pass"}
        pits = {r.identity for r in self.records if r.expected == "fail"}
        bad_ids = {r.identity for r in self.records if r.expected == "pass" and not r.ok}
        missed = {r.identity for r in self.records if r.expected == "fail" and not r.ok}
        return (
            f"{len(ids) - len(bad_ids)}/{len(ids)} identities passed, "
            f"{len(pits) - len(missed)}/{len(pits)} pitfalls caught; "
            f"{counted(len(self.records), 'check')} ({counted(self.trials, 'trial')} x "
            f"{counted(len(self.layouts), 'layout')}), seed {self.seed}, "
            f"{self.method}, {self.seconds:.1f} s"
        )

    def __str__(self) -> str:
        parts = [self.table(), self.totals()]
        for r in self.problems[:10]:
            why = r.message if r.diagnosis is None else f"{r.message}; {r.diagnosis}"
            parts.append(
                f"problem: {r.identity} [{r.layout}, trial {r.trial}, {r.shapes}] {r.status}: {why}"
            )
        return "\n".join(parts)


def threshold_text(row: dict) -> str:
    """The worst detection threshold of an identity's checks ("-" for pitfalls)."""
    return "-" if row["kind"] == "pitfall" else f"{row['worst_threshold']:.1e}"


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """How :func:`run_catalogue` checks each identity, validated once.

    Parameters
    ----------
    layouts : sequence of {"numerator", "denominator", "tensor"}
        Layouts to compare in; the claim is converted from the layout its identity states.
    trials : int
        Random draws of shapes and values per identity (positive).
    seed : int
        Makes the run reproducible (non-negative); each identity's draws depend only on the
        seed, the trial and its name.
    method : str
        Finite-difference method.

    Examples
    --------
    >>> RunOptions(layouts=["denominator"], trials=3).layouts
    ('denominator',)
    """

    layouts: tuple[str, ...] = ("numerator", "denominator")
    trials: int = 10
    seed: int = 0
    method: str = "central"

    def __post_init__(self) -> None:
        trials, seed = self.trials, self.seed
        if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1:
            raise InvalidArgumentError(f"`trials` must be a positive integer; got {trials!r}.")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InvalidArgumentError(f"`seed` must be a non-negative integer; got {seed!r}.")
        if isinstance(self.layouts, str):
            raise InvalidArgumentError(
                f"`layouts` must be a sequence of layout names; got the string {self.layouts!r}."
            )
        layouts = tuple(
            validate_layout(name, allowed=LAYOUTS, name="layouts") for name in self.layouts
        )
        if not layouts:
            raise InvalidArgumentError("`layouts` must name at least one layout.")
        validate_method(self.method)
        object.__setattr__(self, "layouts", layouts)
        object.__setattr__(self, "trials", int(trials))
        object.__setattr__(self, "seed", int(seed))


class RunValues(TypedDict, total=False):
    """The keyword form of :class:`RunOptions` (for type checkers)."""

    layouts: Sequence[str]
    trials: int
    seed: int
    method: str


@dataclass(frozen=True)
class _Draw:
    """One random draw of an identity: its point, concrete shapes and the record fields every
    layout's record shares."""

    entry: Identity
    point: dict
    common: dict
    start: float


def _records_without_verdict(
    draw: _Draw, layouts: Sequence[str], status: str, message: str
) -> list[CheckRecord]:
    """The records of a draw where no verdict could be taken (f or the derivative raised, or
    the claim's shape fits no layout: then "failed")."""
    ok = draw.entry.expected == "fail" and status == "failed"
    seconds = (time.perf_counter() - draw.start) / len(layouts)
    return [
        CheckRecord(
            **draw.common,
            layout=name,
            status=status,
            ok=ok,
            max_rel_error=float("inf"),
            error_estimate=float("nan"),
            detection_threshold=float("inf"),
            evaluations=0,
            seconds=seconds,
            message=message,
        )
        for name in layouts
    ]


def _check_draw(entry: Identity, trial: int, options: RunOptions) -> list[CheckRecord]:
    """The records of one draw of `entry`, one per layout of `options` (a Hessian or a VJP:
    one record, in the form it states)."""
    if entry.form == "mixed":
        return _check_mixed_draw(entry, trial, options)
    if entry.form != "jacobian":
        return _check_form_draw(entry, trial, options)
    if entry.convention is not None:
        return _check_complex_draw(entry, trial, options)
    start = time.perf_counter()
    dims, point = entry.draw(entry.seed_sequence(options.seed, trial))
    shapes = {var: resolve_shape(spec, dims) for var, spec in entry.shapes.items()}
    common = {
        "identity": entry.name,
        "family": entry.family,
        "trial": trial,
        "shapes": shapes,
        "expected": entry.expected,
        "mistake": entry.mistake,
    }
    draw = _Draw(entry, point, common, start)
    check_options = CheckOptions(method=options.method, vectorized=entry.vectorized)
    try:
        target = make_target(entry.f, point, entry.wrt)
        claimed = np.asarray(entry.derivative(**point), dtype=np.float64)
        as_stated, estimates = full_verdict(target, claimed, entry.layout, check_options)
    except ShapeMismatchError as exc:
        f_shape = np.shape(target.call(target.x.copy(), "at the point"))
        found = shape_diagnosis(claimed.shape, f_shape, target.x.shape)
        failed = _records_without_verdict(draw, options.layouts, "failed", f"shape mismatch: {exc}")
        return [replace(r, diagnosis=found) for r in failed]
    except GradcheckError as exc:
        return _records_without_verdict(draw, options.layouts, "error", str(exc))
    except Exception as exc:  # the derivative formula itself raised
        message = f"the derivative raised {type(exc).__name__}: {exc}"
        return _records_without_verdict(draw, options.layouts, "error", message)
    if as_stated.status != "passed":
        as_stated = with_diagnosis(
            as_stated, estimates.latest, target, entry.derivative, check_options
        )
    results = _in_each_layout(draw, target, as_stated, estimates, check_options, options.layouts)
    seconds = (time.perf_counter() - start) / len(options.layouts)
    # The record names the layout of the comparison (the claim's own, as stated, may differ).
    context = {key: value for key, value in common.items() if key != "mistake"}
    records = [check_record(result, seconds=seconds, **context) for result in results]
    return [
        replace(record, layout=name, mistake=entry.mistake)
        for name, record in zip(options.layouts, records, strict=True)
    ]


def _draw_of(entry: Identity, trial: int, options: RunOptions) -> _Draw:
    start = time.perf_counter()
    dims, point = entry.draw(entry.seed_sequence(options.seed, trial))
    common = {
        "identity": entry.name,
        "family": entry.family,
        "trial": trial,
        "shapes": {var: resolve_shape(spec, dims) for var, spec in entry.shapes.items()},
        "expected": entry.expected,
        "mistake": entry.mistake,
    }
    return _Draw(entry, point, common, start)


def _check_form_draw(entry: Identity, trial: int, options: RunOptions) -> list[CheckRecord]:
    """The record of one draw of a Hessian or a VJP: the verdict of ``entry.check`` (that of
    :func:`gradcheck.check_hessian` or :func:`gradcheck.check_vjp`), once, in the form the
    entry states (the run's layouts are those of first derivatives)."""
    draw = _draw_of(entry, trial, options)
    layout = "tensor" if entry.layout == "tensor" or entry.form == "vjp" else "numerator"
    try:
        result = entry.check(draw.point, method=options.method)
    except ShapeMismatchError as exc:
        failed = _records_without_verdict(draw, (layout,), "failed", f"shape mismatch: {exc}")
        return [replace(r, form=entry.form) for r in failed]
    except GradcheckError as exc:
        errors = _records_without_verdict(draw, (layout,), "error", str(exc))
        return [replace(r, form=entry.form) for r in errors]
    except Exception as exc:  # the claimed Hessian or VJP itself raised
        message = f"the {entry.form} raised {type(exc).__name__}: {exc}"
        errors = _records_without_verdict(draw, (layout,), "error", message)
        return [replace(r, form=entry.form) for r in errors]
    context = {key: value for key, value in draw.common.items() if key != "mistake"}
    record = check_record(result, seconds=time.perf_counter() - draw.start, **context)
    return [replace(record, layout=layout, mistake=entry.mistake, form=entry.form)]


def _check_complex_draw(entry: Identity, trial: int, options: RunOptions) -> list[CheckRecord]:
    """The records of one draw of a derivative by a complex variable: :func:`gradcheck.check`
    in the entry's convention, once per layout of `options` with the claim converted from
    the layout it states (transposes, never conjugation); the diagnosis shown is that of the
    identity as stated, as for real variables."""
    draw = _draw_of(entry, trial, options)
    context = {key: value for key, value in draw.common.items() if key != "mistake"}
    order = sorted(options.layouts, key=lambda layout: layout != entry.layout)
    try:
        # one estimate for every layout: the other layout is a relabelling of its numbers
        found = _entry_checks(entry, order, draw.point, options.method)
        one_array = len(order) > 1 and _one_array_in_every_layout(entry, draw.point)
    except ShapeMismatchError as exc:
        return _records_without_verdict(draw, options.layouts, "failed", f"shape mismatch: {exc}")
    except GradcheckError as exc:
        return _records_without_verdict(draw, options.layouts, "error", str(exc))
    except Exception as exc:  # the derivative formula itself raised
        message = f"the derivative raised {type(exc).__name__}: {exc}"
        return _records_without_verdict(draw, options.layouts, "error", message)
    stated: Diagnosis | None = None
    results: list[tuple[str, CheckResult]] = []
    for name in order:
        if results and one_array:
            # a scalar by a vector (or a vector by a scalar): both layouts are the same 1-D
            # array, so the comparison made in the first is the comparison in this one
            results.append((name, replace(results[0][1], layout=name)))
            continue
        result = found[name]
        if name == entry.layout:
            stated = result.diagnosis
        elif result.status != "passed" and stated is not None:
            result = replace(result, diagnosis=stated)
        results.append((name, result))
    seconds = (time.perf_counter() - draw.start) / len(options.layouts)
    by_layout = dict(results)
    return [
        replace(
            check_record(by_layout[name], seconds=seconds, **context),
            layout=name,
            mistake=entry.mistake,
        )
        for name in options.layouts
    ]


def _one_array_in_every_layout(entry: Identity, point: dict) -> bool:
    """Whether f's value and the variable have at most one axis between them, so that the
    numerator and the denominator layout are the same array (see
    :func:`gradcheck.convert_layout`)."""
    return np.ndim(entry.f(**point)) + np.ndim(point[entry.wrt]) <= 1


def _entry_checks(
    entry: Identity, layouts: Sequence[str], point: dict, method: str
) -> dict[str, CheckResult]:
    """:func:`gradcheck.check` of `entry`'s claim in each of `layouts` (converted from the
    stated one), in the entry's convention, all on one finite-difference estimate; each
    claim is worked out only when its check reaches it (after the earlier layouts')."""
    from ..verdict import check_complex_layouts

    def claim_in(layout: str) -> Callable[..., Any]:
        if layout == entry.layout:
            return entry.derivative
        return lambda **at: _claim_at(entry, layout, point)(**at)

    return check_complex_layouts(
        entry.f,
        {name: claim_in(name) for name in layouts},
        dict(point),
        wrt=entry.wrt,
        convention=entry.convention,
        options=CheckOptions(method=method, vectorized=entry.vectorized),
    )


def _check_mixed_draw(entry: Identity, trial: int, options: RunOptions) -> list[CheckRecord]:
    """The records of a mixed block: the Jacobian of the gradient by the second variable, in
    each layout of `options` (the first-order path), failed where the gradient itself does
    not match f."""
    start = time.perf_counter()
    records = _check_draw(entry.as_jacobian(), trial, options)  # type: ignore[attr-defined]
    draw = _draw_of(entry, trial, options)
    try:
        gradient = entry.gradient_check(draw.point, method=options.method)  # type: ignore[attr-defined]
    except GradcheckError as exc:
        return _records_without_verdict(draw, options.layouts, "error", f"the gradient: {exc}")
    seconds = (time.perf_counter() - start) / len(records)
    out = []
    for record in records:
        record = replace(record, form="mixed", seconds=seconds)
        if record.result is not None and not gradient.passed:
            result = with_gradient_verdict(record.result, gradient)
            note = result.notes[-1]
            record = replace(
                record,
                status="failed",
                ok=record.expected == "fail",
                message=note,
                diagnosis=result.diagnosis,
                result=result,
            )
        out.append(record)
    return out


def _in_each_layout(
    draw: _Draw,
    target: Target,
    as_stated: CheckResult,
    estimates: Estimates,
    options: CheckOptions,
    layouts: Sequence[str],
) -> list[CheckResult]:
    """The verdict in each layout, reusing the estimates of the verdict as stated.

    The claim is converted to the layout of the comparison, through `check`'s own path; a
    claim with another layout's shape than the stated one fails as stated, in every one. The
    diagnosis is the one of the identity as stated (what `gradcheck show` prints).
    """
    entry, point = draw.entry, draw.point
    f_shape, x_shape = estimates.first.f_value.shape, target.x.shape
    results = []
    for name in layouts:
        if name == entry.layout or as_stated.layout != entry.layout:
            results.append(as_stated)
            continue
        derivative = _derivative_in(entry, name, f_shape, x_shape)
        result, estimates = full_verdict(target, derivative(**point), name, options, estimates)
        if result.status != "passed" and as_stated.diagnosis is not None:
            result = replace(result, diagnosis=as_stated.diagnosis)
        elif result.status != "passed":
            result = with_diagnosis(result, estimates.latest, target, derivative, options)
        results.append(result)
    return results


def _derivative_in(
    entry: Identity, layout: str, f_shape: tuple, x_shape: tuple
) -> Callable[..., np.ndarray]:
    """The identity's derivative converted from its stated layout to `layout`: float64, or
    complex128 for a complex variable (the conversion transposes, never conjugates)."""
    dtype = np.float64 if entry.convention is None else np.complex128

    def converted(**point: object) -> np.ndarray:
        claimed = np.asarray(entry.derivative(**point), dtype=dtype)
        return convert_layout(claimed, f_shape, x_shape, source=entry.layout, target=layout)

    return converted


def _claim_at(entry: Identity, layout: str, point: dict) -> Callable[..., Any]:
    """The identity's derivative in `layout`, with the shapes of f and `wrt` at `point`."""
    if layout == entry.layout:
        return entry.derivative
    f_shape = np.shape(entry.f(**point))
    return _derivative_in(entry, layout, f_shape, np.shape(point[entry.wrt]))


def check_record(
    result: CheckResult,
    *,
    identity: str,
    family: str = "",
    trial: int = 0,
    shapes: dict[str, tuple[int, ...]] | None = None,
    expected: str = "pass",
    seconds: float = 0.0,
) -> CheckRecord:
    """The record of one verdict of `check` (the catalogue's, the plugin's and the CLI's), in
    the layout of `result`.

    Parameters
    ----------
    result : CheckResult
        The verdict.
    identity : str
        What was checked: an identity's name, a test id, a formula.
    family : str
        The identity's family ("" outside a catalogue).
    trial : int
        Index of the random draw.
    shapes : dict, optional
        Concrete shape of every variable; default the differentiated one's.
    expected : {"pass", "fail"}
        "fail" for a pitfall, whose verdict must be "failed".
    seconds : float
        Time the check took.

    Returns
    -------
    CheckRecord

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck import check
    >>> result = check(lambda x: x @ x, lambda x: 2 * x, {"x": np.ones(3)})
    >>> record = check_record(result, identity="dxTx_dx")
    >>> record.ok, record.shapes
    (True, {'x': (3,)})
    """
    ok = result.status == ("passed" if expected == "pass" else "failed")
    mismatch = [n for n in result.notes if n.startswith("layout mismatch")]
    message = mismatch[0] if mismatch else ""
    if not ok and not message:
        message = f"max rel. error {result.max_rel_error:.2e}"
    scale = float(np.max(np.abs(result.numerical), initial=0.0))
    error = float(np.max(result.error_estimate, initial=0.0))
    return CheckRecord(
        identity=identity,
        family=family,
        layout=result.layout,
        trial=trial,
        shapes=dict(shapes) if shapes is not None else {result.wrt or "x": result.x_shape},
        expected=expected,
        status=result.status,
        ok=ok,
        max_rel_error=result.max_rel_error,
        error_estimate=error / scale if scale else 0.0,
        detection_threshold=result.detection_threshold,
        evaluations=result.evaluations,
        seconds=seconds,
        message=message,
        diagnosis=result.diagnosis,
        result=result,
    )


def run_catalogue(
    select: Sequence[str] | str | None = None,
    families: Sequence[str] | str | None = None,
    *,
    catalogue: Catalogue | None = None,
    options: RunOptions | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int = 1,
    **values: Unpack[RunValues],
) -> CatalogueReport:
    """Check identities on random shape draws, in each layout.

    Parameters
    ----------
    select : str or sequence of str, optional
        Identity names or glob patterns (``"dtr*"``); default all.
    families : str or sequence of str, optional
        Families to run; default all.
    catalogue : Catalogue, optional
        The identities to run; default the installed catalogue
        (:func:`gradcheck.installed_catalogue`). A module of your own is loaded with
        :func:`gradcheck.load_catalogue`.
    options : RunOptions, optional
        `layouts`, `trials`, `seed` and `method` as one record.
    progress : callable, optional
        Called as ``progress(done, total, name)`` after each identity, in the order of the run.
    jobs : int
        Worker processes the identities are spread over (a positive integer; 1, the default,
        runs in this process; :func:`available_jobs` gives the CPUs this process may use).
        The records come back in the order of the serial run, with the same verdicts and
        numbers (only the timings differ); records made by workers carry no ``sweep_source``
        (the function bound to its point stays in the worker), so their
        :meth:`~gradcheck.CheckResult.step_sweep` is not available. Needs the ``fork`` start
        method (Linux); elsewhere ``jobs`` above 1 raises InvalidArgumentError.
    **values
        The fields of :class:`RunOptions` as keywords, put over `options`: ``layouts``
        (default numerator and denominator), ``trials`` (10), ``seed`` (0), ``method``
        ("central").

    Returns
    -------
    CatalogueReport

    Notes
    -----
    BLAS libraries loaded when the run starts use one thread during it (threadpoolctl), and
    their setting is restored afterwards; the environment (``OPENBLAS_NUM_THREADS``) is not
    changed.

    Examples
    --------
    >>> report = run_catalogue(select=["dxTAx_dx", "w_quadform_sym_only"], trials=2)
    >>> report.ok, len(report.records)
    (True, 8)
    >>> parallel = run_catalogue(select=["dxTAx_dx", "w_quadform_sym_only"], trials=2, jobs=2)
    >>> [r.max_rel_error for r in parallel.records] == [r.max_rel_error for r in report.records]
    True
    """
    opts = merge_options(RunOptions, options, values, "run_catalogue")
    if catalogue is None:
        catalogue = installed_catalogue()
    elif not isinstance(catalogue, Catalogue):
        raise InvalidArgumentError(
            f"`catalogue` must be a Catalogue; got {type(catalogue).__name__} (a module or a "
            f"path is loaded with gradcheck.load_catalogue)."
        )
    workers = validate_jobs(jobs)
    chosen = tuple(catalogue.select(select, families))
    start = time.perf_counter()
    records: list[CheckRecord] = []
    # One BLAS thread: the catalogue's matrices are small, and on a loaded machine OpenBLAS
    # threads wait for each other (``--family trace`` ran 3-4x slower with one core busy).
    # scipy.linalg loads a BLAS of its own, which the matrix functions import at their first
    # call: loaded here, before the limit, so that the limit reaches it too (else
    # ``--family complex`` ran 4x slower, in expm).
    import scipy.linalg  # noqa: F401

    with threadpool_limits(limits=1, user_api="blas"):
        for done, (entry, found) in enumerate(_records_by_identity(chosen, opts, workers), 1):
            records.extend(found)
            if progress is not None:
                progress(done, len(chosen), entry.name)
    return CatalogueReport(
        records=tuple(records),
        seed=opts.seed,
        trials=opts.trials,
        method=opts.method,
        layouts=opts.layouts,
        seconds=time.perf_counter() - start,
    )


def available_jobs() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one): the
    default ``--jobs`` of ``gradcheck catalogue``; 1 where worker processes cannot be forked.

    Examples
    --------
    >>> available_jobs() >= 1
    True
    """
    if not _can_fork():
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no affinity masks on this platform
        return max(1, os.cpu_count() or 1)


def validate_jobs(jobs: object, name: str = "jobs") -> int:
    """`jobs` as a number of worker processes: a positive integer (InvalidArgumentError
    otherwise, and for more than one where processes cannot be forked)."""
    if isinstance(jobs, bool) or not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise InvalidArgumentError(
            f"`{name}` must be a positive integer (1 runs in this process); got {jobs!r}."
        )
    if jobs > 1 and not _can_fork():
        raise InvalidArgumentError(
            f"`{name}` = {jobs} needs worker processes started with fork, which this platform "
            f"does not offer; use {name}=1."
        )
    return int(jobs)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and os.name == "posix"


def _identity_records(entry: Identity, options: RunOptions) -> list[CheckRecord]:
    """Every record of `entry`: its draws in order, each in the layouts of `options`."""
    records: list[CheckRecord] = []
    for trial in range(options.trials):
        records.extend(_check_draw(entry, trial, options))
    return records


def _records_by_identity(
    chosen: Sequence[Identity], options: RunOptions, workers: int
) -> Iterator[tuple[Identity, list[CheckRecord]]]:
    """Each identity with its records, in the order of `chosen`: in this process, or spread
    over `workers` processes and gathered back in that order."""
    workers = min(workers, len(chosen))
    if workers <= 1:
        for entry in chosen:
            yield entry, _identity_records(entry, options)
        return
    # fork: the workers inherit the identities (their functions need not be picklable); only
    # indices go out, and plain records (no callables) come back.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(tuple(chosen), options),
    )
    done = 0
    try:
        # small chunks keep both workers busy to the end (identities differ 100-fold in cost)
        for found in pool.map(_worker_records, range(len(chosen)), chunksize=2):
            yield chosen[done], found
            done += 1
    except BrokenProcessPool as exc:
        name = chosen[done].name if done < len(chosen) else "?"
        raise WorkerError(
            f"a catalogue worker process died while checking identity {name!r} or one after "
            f"it ({exc}); rerun with --jobs 1 (jobs=1) to see the error in this process."
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_WORK: tuple[tuple[Identity, ...], RunOptions] | None = None
_WORKER_BLAS: object = None


def _start_worker(chosen: tuple[Identity, ...], options: RunOptions) -> None:
    """In a worker process: keep the identities to check and cap BLAS to one thread."""
    global _WORK, _WORKER_BLAS
    _WORK = (chosen, options)
    _WORKER_BLAS = threadpool_limits(limits=1, user_api="blas")


def _worker_records(index: int) -> list[CheckRecord]:
    """In a worker process: the records of identity `index`, as plain data."""
    assert _WORK is not None, "the worker was not started by _start_worker"
    chosen, options = _WORK
    return [_without_sweep_sources(r) for r in _identity_records(chosen[index], options)]


def _without_sweep_sources(value: Any) -> Any:
    """`value` with every ``sweep_source`` of the frozen records in it (at any depth, through
    records, tuples and lists) set to None, so that it can cross a process boundary (f bound
    to its point, kept by every verdict for step sweeps, is not picklable); the value itself
    where there is none."""
    if isinstance(value, (tuple, list)):
        items = [_without_sweep_sources(item) for item in value]
        same = all(a is b for a, b in zip(items, value, strict=True))
        return value if same else type(value)(items)
    if not is_dataclass(value) or isinstance(value, type):
        return value
    changes = {}
    for spec in fields(value):
        if not spec.init:
            continue
        old = getattr(value, spec.name)
        new = None if spec.name == "sweep_source" else _without_sweep_sources(old)
        if new is not old:
            changes[spec.name] = new
    return replace(value, **changes) if changes else value
