"""Second derivatives of a scalar f: `check_hessian` and `check_hvp`.

Hessian layouts (for a variable X of shape ``s`` and ``N = X.size``):

* ``"vec"``: the ``N x N`` matrix ``d^2 f / d vec(X) d vec(X)^T`` with the column-major
  ``vec`` of Magnus & Neudecker and The Matrix Cookbook (for a vector x, the ``n x n``
  Hessian);
* ``"tensor"``: shape ``s + s``, entry ``[i..., j...] = d^2 f / dX[i...] dX[j...]``.

The numerical Hessian is the Jacobian of `gradient` when one is given (the first-order
engine, its error model, second opinion and diagnosis: the Hessian in "vec" layout is the
numerator-layout Jacobian of the gradient, in "tensor" layout its tensor-layout Jacobian),
else the second differences of f (:func:`gradcheck.engine.estimate_hessian`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import (
    SECOND_DIFFERENCE_RTOL,
    HessianEstimate,
    Point,
    Target,
    convert_layout,
    estimate_hessian,
    estimate_hessian_from_gradient,
    estimate_second_directional,
    estimate_tensor,
    make_target,
    merge_hessian_estimates,
    refuse_empty,
    rng_from_seed,
    scalar_at_point,
    validate_layout,
)
from ..errors import InvalidArgumentError, ShapeMismatchError
from .check import (
    SAFETY,
    CheckResult,
    check,
    claimed_value,
    compare,
    full_verdict,
    headline_text,
    reliability_notes,
    with_diagnosis,
)
from .diagnosis import Diagnosis, Evidence, _worst, diagnose
from .directional import (
    _directional_threshold,
    _random_directions,
    check_directional,
    with_located,
)
from .joined import JOINED, Joined
from .options import (
    CheckOptions,
    CheckValues,
    DirectionalOptions,
    DirectionalValues,
    merge_options,
)
from .products import ProductResult, SeveralResult, _linearity_note, _Product, check_jvp

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "SECOND_ORDER_KINDS",
    "BlocksResult",
    "HessianOptions",
    "HessianValues",
    "SecondOrderResult",
    "check_hessian",
    "check_hvp",
]

#: Diagnosis kinds of second derivatives beyond :data:`gradcheck.KINDS`.
SECOND_ORDER_KINDS = ("not_symmetric", "gradient_mismatch")
HESSIAN_LAYOUTS = ("vec", "tensor")
#: Largest variable for which a failed HVP check rebuilds the Hessian from basis products:
#: with a gradient (4 n gradient evaluations), from f alone (about 6 n^2 evaluations of f at
#: a given step: 2402 at n = 20).
LOCATE_MAX_SIZE = {"gradient": 2048, "f": 100}


@dataclass(frozen=True, kw_only=True)
class HessianOptions(CheckOptions):
    """The options of :func:`check_hessian`: those of a full check, plus what is known of f's
    structure for the diagnosis.

    Parameters
    ----------
    residual : callable or None
        Declares that f is a least-squares function of this residual (see
        :func:`check_hessian`); None: no such declaration.

    The other fields are those of :class:`CheckOptions`; the default rtol is the method's with
    a gradient and ``16 eps^(1/2)`` with second differences of f.

    Examples
    --------
    >>> import numpy as np
    >>> opts = HessianOptions(method="central", residual=lambda x: x - 1.0)
    >>> opts.method, callable(opts.residual)
    ('central', True)
    """

    residual: Callable[..., Any] | None = field(default=None, compare=False)

    @property
    def check_options(self) -> CheckOptions:
        """The fields of :class:`CheckOptions` alone: how the Hessian is estimated and compared
        (and the gradient checked)."""
        return CheckOptions(**_shared_fields(self, CheckOptions))


def _shared_fields(record: object, kind: type) -> dict[str, Any]:
    """The values of `record`'s fields that are fields of `kind` too."""
    return {f.name: getattr(record, f.name) for f in fields(kind)}


class HessianValues(CheckValues, total=False):
    """The keyword form of :class:`HessianOptions` (for type checkers)."""

    residual: Callable[..., Any] | None


def _hessian_options(options: object, values: Mapping[str, Any]) -> HessianOptions:
    """`options` (a HessianOptions, or the CheckOptions `check_hessian` took before it had its
    own record) with `values` put over it."""
    if type(options) is CheckOptions:
        options = HessianOptions(**_shared_fields(options, CheckOptions))
    return merge_options(HessianOptions, options, values, "check_hessian")


@dataclass(frozen=True, kw_only=True)
class SecondOrderResult(CheckResult):
    """Outcome of :func:`check_hessian`: the fields of :class:`gradcheck.CheckResult` (with
    `layout` "vec" or "tensor", `f_shape` ``()``), plus:

    Attributes
    ----------
    form : str
        "hessian".
    source : {"gradient", "f"}
        Where the numerical Hessian came from: the Jacobian of the given gradient, or second
        differences of f.
    gradient_check : CheckResult or None
        The check of the given gradient against f (None without a gradient).

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> x = np.array([1.0, 2.0])
    >>> r = gradcheck.check_hessian(lambda x: np.sum(x**3), np.diag(6 * x), x)
    >>> r.status, r.source, r.layout
    ('passed', 'f', 'vec')
    """

    form: str = "hessian"
    source: str = "f"
    gradient_check: CheckResult | None = None


def _hessian_layout(shape: tuple, x_shape: tuple, layout: object) -> str:
    """The layout of a claim of `shape` ("auto": the one its shape fits, "vec" first)."""
    layout = validate_layout(layout, allowed=(*HESSIAN_LAYOUTS, "auto"))
    n = int(np.prod(x_shape))
    fits = {
        "vec": shape in ((n, n),) or (x_shape == () and shape in ((), (1, 1))),
        "tensor": shape == x_shape + x_shape,
    }
    if layout == "auto":
        for name in HESSIAN_LAYOUTS:
            if fits[name]:
                return name
    elif fits[layout]:
        return layout
    raise ShapeMismatchError(
        f"the claimed Hessian has shape {shape}; for a variable of shape {x_shape} it must be "
        f"{(n, n)} (layout 'vec') or {x_shape + x_shape} (layout 'tensor')"
        + ("" if layout == "auto" else f", and layout={layout!r} was declared")
        + "."
    )


def _moved(a: np.ndarray, x_shape: tuple, layout: str, shape: tuple) -> np.ndarray:
    """A tensor-layout Hessian array in `layout`, shaped `shape`."""
    if layout == "tensor":
        return a.reshape(shape)
    moved = convert_layout(a, x_shape, x_shape, source="tensor", target="numerator")
    return moved.reshape(shape)


def _to_tensor(a: np.ndarray, x_shape: tuple, layout: str) -> np.ndarray:
    if layout == "tensor":
        return a.reshape(x_shape + x_shape)
    n = int(np.prod(x_shape))
    return convert_layout(a.reshape(n, n), x_shape, x_shape, source="numerator", target="tensor")


def _what(target: Target, layout: str) -> str:
    var = "x" if target.wrt is None else target.wrt
    return f"d2f/d{var}2 (f: (), {var}: {target.x.shape}) in {layout} layout"


def _values_result(
    target: Target, claimed: np.ndarray, layout: str, est: HessianEstimate, options: CheckOptions
) -> SecondOrderResult:
    """Compare the claim with second differences of f (the tolerance rule of `check`)."""
    how = f"second differences, {est.evaluations} evaluations"
    tolerances = options.tolerances(SECOND_DIFFERENCE_RTOL)
    return _estimate_result(target, claimed, layout, est, tolerances, ("second differences", how))


def _estimate_result(
    target: Target,
    claimed: np.ndarray,
    layout: str,
    est: HessianEstimate,
    tolerances: dict[str, float],
    method: tuple[str, str],
) -> SecondOrderResult:
    """Compare the claim with an engine estimate of the Hessian; `method` is its name and
    how the headline describes it. The source is "f" for second differences, else
    "gradient"."""
    x_shape = target.x.shape

    def move(a: np.ndarray) -> np.ndarray:
        return _moved(a, x_shape, layout, claimed.shape)

    numerical, error, reliable = move(est.value), move(est.error), move(est.reliable)
    comparison = compare(claimed, numerical, error, reliable, **tolerances)
    notes = reliability_notes(reliable, comparison, "entry", "entries")
    name, how = method
    return SecondOrderResult(
        **comparison.result_fields(),
        numerical=numerical,
        claimed=claimed,
        error_estimate=error,
        reliable=reliable,
        evaluations=est.evaluations,
        layout=layout,
        method=name,
        wrt=target.wrt,
        f_shape=(),
        x_shape=x_shape,
        headline=headline_text(comparison.status, _what(target, layout), comparison, "entry", how),
        notes=tuple(notes),
        source="f" if name == "second differences" else "gradient",
    )


def _from_values(
    target: Target,
    claimed: np.ndarray,
    layout: str,
    options: CheckOptions,
    at_point: tuple[np.ndarray, int],
) -> SecondOrderResult:
    """The verdict against second differences, with a second estimate at 1/4 of the steps
    before a verdict that is not "passed"."""
    engine = {"vectorized": options.vectorized, "chunk_bytes": options.chunk_bytes}
    first = estimate_hessian(target, step=options.step, at_point=at_point, **engine)
    result = _values_result(target, claimed, layout, first, options)
    if result.passed:
        return result
    engine["vectorized"] = first.vectorized
    second = estimate_hessian(target, step=first.step / 4, at_point=(first.f_value, 0), **engine)
    merged = merge_hessian_estimates(first, second)
    confirmed = _values_result(target, claimed, layout, merged, options)
    if result.status == "inconclusive" and confirmed.status == "failed":
        # three fixed steps are no evidence against the ladder's (which covers them): they
        # may lie beyond f's length scale where the ladder found the entry unconverged
        note = "a second estimate (steps 1/4 of the first, three steps only) is not taken."
        return replace(result, notes=(*result.notes, note))
    outcome = (
        f"confirms the first one's {result.status} verdict"
        if confirmed.status == result.status
        else f"turns the first one's {result.status} verdict into {confirmed.status}"
    )
    note = f"a second estimate (steps 1/4 of the first) {outcome}."
    confirmed = replace(confirmed, notes=(*confirmed.notes, note))
    if confirmed.passed:
        return confirmed
    evidence = _evidence(confirmed, target.x.shape)
    return replace(confirmed, diagnosis=_symmetry_diagnosis(evidence) or diagnose(evidence))


def _evidence(result: CheckResult, x_shape: tuple) -> Evidence:
    """The result in tensor layout, seen as the Jacobian of the gradient, for a diagnosis."""
    layout = result.layout if result.layout in HESSIAN_LAYOUTS else "vec"

    def tensor(a: np.ndarray) -> np.ndarray:
        return _to_tensor(np.asarray(a), x_shape, layout)

    return Evidence(
        claimed=tensor(result.claimed),
        numerical=tensor(result.numerical),
        tolerance=tensor(result.tolerance),
        status=result.status,
        layout="tensor",
        f_shape=x_shape,
        x_shape=x_shape,
    )


def _symmetry_diagnosis(ev: Evidence) -> Diagnosis | None:
    """A claim that is not symmetric (an f with continuous second derivatives has a symmetric
    Hessian); and whether its symmetric part is right."""
    if ev.status != "failed":
        return None
    n = int(np.prod(ev.x_shape))
    C, N, tol = (np.asarray(a).reshape(n, n) for a in (ev.claimed, ev.numerical, ev.tolerance))
    tol_t = np.maximum(tol, tol.T)
    asym = np.abs(C - C.T)
    if not np.any(asym > 2 * tol_t):
        return None
    i, j = np.unravel_index(int(np.argmax(asym - 2 * tol_t)), asym.shape)
    where = f"[{i}, {j}] is {C[i, j]:.6g} but [{j}, {i}] is {C[j, i]:.6g} (flat vec indices)"
    if np.all(np.abs((C + C.T) / 2 - N) <= tol_t):
        return Diagnosis(
            kind="not_symmetric",
            message=f"the claim is not symmetric ({where}); its symmetric part (H + H^T)/2 is "
            "right: the formula has A where (A + A^T)/2 belongs, or a mixed block transposed",
        )
    shape = ev.x_shape + ev.x_shape
    off = np.abs(C - N) > tol
    entries = _worst(np.where(off, C, N).reshape(shape), ev.numerical.reshape(shape))
    entries = tuple(e for e in entries if e[1] != e[2]) or entries[:1]
    shown = ", ".join(
        "[" + ", ".join(map(str, k)) + f"] claimed {c:.6g} vs {v:.6g}" for k, c, v in entries
    )
    return Diagnosis(
        kind="not_symmetric",
        message=f"the claim is not symmetric ({where}), and its symmetric part is wrong too. "
        f"Worst: {shown}",
        entries=entries,
    )


@dataclass(frozen=True)
class _LeastSquares:
    """A declared least-squares form ``f = c ||r||^2 / 2``: the residual's target and c."""

    residual: Target
    factor: float


def _least_squares(target: Target, residual: Callable[..., Any], f0: np.ndarray) -> _LeastSquares:
    """The declared residual bound to the point, with ``f = c ||r||^2 / 2`` verified there
    (c = 1 or 2), else InvalidArgumentError."""
    if not callable(residual):
        raise InvalidArgumentError(
            f"`residual` must be a callable with f's signature; got {type(residual).__name__}."
        )
    bound = replace(target, f=residual, role="the residual")
    r = np.asarray(bound.call(target.x.copy(), "at the point"), dtype=np.float64)
    half = 0.5 * float(np.sum(r * r))
    value = float(f0)
    for factor in (1.0, 2.0):
        if abs(value - factor * half) <= 1e-10 * max(abs(value), factor * half, 1e-300):
            return _LeastSquares(bound, factor)
    raise InvalidArgumentError(
        f"f is not a least-squares function of `residual`: f = {value:.6g} at the point, but "
        f"||r||^2 / 2 = {half:.6g} (and ||r||^2 = {2 * half:.6g}). Pass the residual r of "
        f"f = ||r||^2 / 2 or f = ||r||^2, or no `residual`."
    )


def _gauss_newton(
    result: SecondOrderResult, least: _LeastSquares, target: Target, options: CheckOptions
) -> Diagnosis | None:
    """ "missing_term" when the failed claim is the Gauss-Newton matrix ``c J^T J`` of the
    declared residual (within the claim's tolerance plus the matrix's own error bound)."""
    est = estimate_tensor(least.residual, options.finite_differences, vectorized=options.vectorized)
    n = target.x.size
    J, E = est.value.reshape(-1, n), est.error.reshape(-1, n)
    gn = least.factor * (J.T @ J)
    gn_error = least.factor * (np.abs(J).T @ E + E.T @ np.abs(J))
    ev = _evidence(result, target.x.shape)
    C = np.asarray(ev.claimed).reshape(n, n)
    N, tol = np.asarray(ev.numerical).reshape(n, n), np.asarray(ev.tolerance).reshape(n, n)
    if not np.all(np.abs(C - gn) <= tol + SAFETY * gn_error):
        return None
    missing = float(np.max(np.abs(N - gn)))
    return Diagnosis(
        kind="missing_term",
        message=f"the claim is the Gauss-Newton matrix {'2 ' if least.factor == 2 else ''}J^T J "
        f"of the residual (J its Jacobian): the residual term "
        f"{'2 ' if least.factor == 2 else ''}sum_i r_i d^2 r_i, up to {missing:.3g} in an entry, "
        f"is missing. J^T J is the Hessian only where the residuals vanish or are linear",
    )


def _gradient_target(gradient: Callable[..., Any], point: Point, wrt: str | None) -> Target:
    target = replace(make_target(gradient, point, wrt), role="the gradient")
    g0 = np.asarray(target.call(target.x.copy(), "at the point"))
    if g0.shape != target.x.shape:
        raise ShapeMismatchError(
            f"the gradient returned shape {g0.shape}; it must return the variable's shape "
            f"{target.x.shape} (the denominator layout)."
        )
    return target


def _from_gradient(
    target: Target,
    gradient: Callable[..., Any],
    claimed: np.ndarray,
    layout: str,
    options: CheckOptions,
    point: Point,
) -> SecondOrderResult:
    """The verdict against the Jacobian of the gradient, after checking the gradient."""
    g_target = _gradient_target(gradient, point, target.wrt)
    gradient_check = check(target.f, gradient, point, wrt=target.wrt, options=options)
    if gradient_check.passed and options.method == "central":
        ladder = _from_gradient_ladder(g_target, claimed, layout, options)
        if ladder.passed:
            return replace(ladder, gradient_check=gradient_check)
    jac_layout = "numerator" if layout == "vec" else "tensor"
    result, estimates = full_verdict(g_target, claimed, jac_layout, options)
    if gradient_check.passed:
        if not result.passed:
            result = with_diagnosis(result, estimates.latest, g_target, claimed, options)
            symmetric = _symmetry_diagnosis(
                _evidence(replace(result, layout=layout), target.x.shape)
            )
            result = replace(result, diagnosis=symmetric or result.diagnosis)
        how = f"Jacobian of the gradient, {options.method}, {result.evaluations} evaluations"
        headline = headline_text(result.status, _what(target, layout), result, "entry", how)
        shared = _shared_fields(result, CheckResult)
        shared.update(headline=headline, layout=layout, f_shape=(), method=options.method)
        return SecondOrderResult(**shared, source="gradient", gradient_check=gradient_check)
    return _wrong_gradient(target, claimed, layout, options, (result, gradient_check))


def _from_gradient_ladder(
    g_target: Target, claimed: np.ndarray, layout: str, options: CheckOptions
) -> SecondOrderResult:
    """The claim against the Jacobian of the gradient by central differences on a ladder of
    steps (:func:`gradcheck.engine.estimate_hessian_from_gradient`), central's tolerances."""
    est = estimate_hessian_from_gradient(
        g_target, step=options.step, vectorized=options.vectorized, chunk_bytes=options.chunk_bytes
    )
    how = f"Jacobian of the gradient, central ladder, {est.evaluations} evaluations"
    target = replace(g_target, role="f")
    return _estimate_result(
        target, claimed, layout, est, options.tolerances(), ("central ladder", how)
    )


def _wrong_gradient(
    target: Target,
    claimed: np.ndarray,
    layout: str,
    options: CheckOptions,
    results: tuple[CheckResult, CheckResult],
) -> SecondOrderResult:
    """The given gradient does not match f: the verdict comes from second differences of f,
    with what the Jacobian of the gradient said."""
    jacobian_result, gradient_check = results
    values = _from_values(target, claimed, layout, options, scalar_at_point(target))
    note = (
        f"the given gradient does not match f ({gradient_check.status}, max rel. error "
        f"{gradient_check.max_rel_error:.2e}), so the Hessian was compared with second "
        f"differences of f instead."
    )
    values = replace(values, notes=(*values.notes, note), gradient_check=gradient_check)
    if not values.passed and jacobian_result.passed:
        diagnosis = Diagnosis(
            kind="gradient_mismatch",
            message="the Jacobian of your gradient matches your Hessian, but the Hessian of f "
            "does not: the Hessian formula follows the gradient, and the gradient is wrong "
            f"(check(f, gradient) {gradient_check.status}); fix the gradient, then the Hessian",
        )
        values = replace(values, diagnosis=diagnosis)
    return values


def check_hessian(
    f: Callable[..., Any],
    hessian: np.ndarray | Callable[..., Any],
    point: Point,
    *,
    wrt: str | Sequence[str] | None = None,
    gradient: Callable[..., Any] | None = None,
    layout: str = "auto",
    options: HessianOptions | None = None,
    **values: Unpack[HessianValues],
) -> SecondOrderResult | BlocksResult:
    """Compare a claimed Hessian of a scalar f with a numerical one, entry by entry.

    Parameters
    ----------
    f : callable
        A scalar function, ``f(x)`` or ``f(**point)``.
    hessian : array_like, mapping or callable
        The claimed Hessian, or a callable with f's signature returning it. With several
        variables, its blocks: a mapping from pairs ``(a, b)`` to ``d^2 f / da db`` (a's
        entries along the rows: ``a.size x b.size`` in "vec" layout, ``a.shape + b.shape``
        in "tensor"; a mixed block given once, as ``(a, b)`` or ``(b, a)``, stands for its
        mirror transposed), or a nested tuple, row a, column b.
    point : array_like or mapping of str to array_like
        As in :func:`gradcheck.check`.
    wrt : str or sequence of str, optional
        The variable, or several: then the Hessian of the variables stacked into one vector
        is checked and a :class:`BlocksResult` names the blocks that fail.
    gradient : callable, optional
        The gradient of f (f's signature, returning the variable's shape). When given, it is
        checked against f (:func:`gradcheck.check`), and the numerical Hessian is its
        Jacobian: for method "central", central differences on a ladder of steps
        (:func:`gradcheck.engine.estimate_hessian_from_gradient`, ``4 n`` gradient
        evaluations for a linear gradient, 2 n more per rung where an entry gains; about
        1e-10 relative on smooth functions), and where that does not pass (or for another
        method) the first-order engine with its second opinion and diagnosis. A gradient that
        does not match f is not used: the Hessian is then compared with second differences of f, and
        a Hessian that matches the gradient's Jacobian but not f is diagnosed
        "gradient_mismatch".
    layout : {"auto", "vec", "tensor"}
        "vec": ``d^2 f / d vec(X) d vec(X)^T``, ``N x N`` for ``N = X.size``, column-major
        vec (The Matrix Cookbook; for a vector, the ``n x n`` Hessian); "tensor": shape
        ``X.shape + X.shape``. "auto" takes the one the claim's shape fits.
    options : HessianOptions, optional
        How to estimate, compare and diagnose, as one record (a :class:`CheckOptions` is
        taken too, as a HessianOptions without a residual).
    **values
        The fields of :class:`HessianOptions` as keywords: those of :class:`CheckOptions`
        and `residual`. `method` is the gradient's finite-difference method; `step` fixes
        the base step h of the differences (then h, 2h and 4h; default: the ladder of
        steps); the default rtol is the method's with a gradient, and ``16 eps^(1/2)`` =
        2.4e-7 with second differences. `residual` (a callable with f's signature,
        returning an array r) declares that f is a least-squares function of it:
        ``f = ||r||^2 / 2`` or ``f = ||r||^2``, verified at the point. A claim that fails is
        then compared with the Gauss-Newton matrix ``c J^T J`` (``c`` = 1 or 2, ``J`` the
        residual's numerical Jacobian): a claim equal to it is diagnosed "missing_term" (the
        residual term ``c sum_i r_i d^2 r_i`` is missing).

    Returns
    -------
    SecondOrderResult or BlocksResult
        Verdict, errors, and a bounded report as ``str(result)``; a BlocksResult for
        several variables.

    Raises
    ------
    OutputTypeError
        f is not scalar.
    ShapeMismatchError
        The claim (or a block) fits neither layout, or the gradient returns another shape
        than the variable's.
    UnknownNameError
        Several variables: a block is missing, or keyed by a pair that is not of `wrt`.

    Notes
    -----
    Each entry passes under :func:`gradcheck.check`'s rule
    ``|claimed - numerical| <= 4 * error_estimate + atol + rtol * max|numerical|``. From f
    alone, the second differences (see :mod:`gradcheck.engine.second_order`) are taken on a
    ladder of steps: ``2 n LADDER_RUNGS`` evaluations of f for the diagonal (``n`` = the
    variable's size) and 4 or more per mixed entry (about ``2 n (n + 1)`` for a quadratic,
    ``5 n (n + 1)`` on smooth nonlinear functions), batched, plus 2 at the point and a probe
    of 3-5; each entry's error estimate is a truncation estimate from the ladder plus a
    rounding bound from f's measured noise. A verdict that is not "passed" is re-examined with
    a second estimate at 1/4 of the steps (with a gradient: the first-order second opinion), merged
    entry by entry. A claim that did not pass is diagnosed: "not_symmetric" (and whether its
    symmetric part is right), then the kinds of :func:`gradcheck.check` ("scale" for a factor
    2 or 1/2, "sign", "entries", "missing_term", ...).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[2.0, 1.0], [0.0, 3.0]])
    >>> f = lambda x: x @ A @ x
    >>> x = np.array([0.5, -1.0])
    >>> check_hessian(f, A + A.T, x).status
    'passed'
    >>> check_hessian(f, 2 * A, x).diagnosis.kind
    'not_symmetric'
    >>> check_hessian(f, A + A.T, x, gradient=lambda x: (A + A.T) @ x).source
    'gradient'
    """
    merged = _hessian_options(options, values)
    residual, opts = merged.residual, merged.check_options
    if wrt is not None and not isinstance(wrt, str):
        if residual is not None:
            raise InvalidArgumentError(
                "`residual` is taken for one variable; check the blocks without it, or each "
                "variable's Hessian with its residual."
            )
        return _check_blocks(f, hessian, point, wrt, gradient, layout, opts)
    target = make_target(f, point, wrt)
    refuse_empty(target, "check_hessian")
    at_point = scalar_at_point(target)
    least_squares = None if residual is None else _least_squares(target, residual, at_point[0])
    claimed = claimed_value(hessian, target)
    layout = _hessian_layout(claimed.shape, target.x.shape, layout)
    if gradient is not None:
        result = _from_gradient(target, gradient, claimed, layout, opts, point)
    else:
        result = _from_values(target, claimed, layout, opts, at_point)
    if result.passed or least_squares is None:
        return result
    found = _gauss_newton(result, least_squares, target, opts)
    return result if found is None else replace(result, diagnosis=found)


@dataclass(frozen=True, kw_only=True)
class BlocksResult:
    """Outcome of :func:`check_hessian` with several variables: the Hessian of the variables
    stacked into one vector (each in C order, in the order of `wrt`), and one verdict per
    block.

    Attributes
    ----------
    joined : SecondOrderResult
        The check of the whole Hessian in the stacked variable (vec layout); its entry
        ``[i, j]`` is in block ``(a, b)`` where i falls in a's range and j in b's.
    blocks : Mapping of (str, str) to str
        Each block's status: "failed" when one of its entries fails, else "inconclusive"
        when the whole check is and the block has unreliable entries, else "passed".
    diagnosis : Diagnosis or None
        What the failure looks like (`joined`'s diagnosis, or a mixed block transposed).
    status : str
        `joined`'s status; `passed` and the truth value follow it.
    failed_blocks : tuple of (str, str)
        The blocks whose status is not "passed".

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> f = lambda x, y: x @ A @ y + x @ x
    >>> point = {"x": np.ones(2), "y": np.ones(2)}
    >>> blocks = {("x", "x"): 2 * np.eye(2), ("x", "y"): A, ("y", "y"): np.zeros((2, 2))}
    >>> gradcheck.check_hessian(f, blocks, point, wrt=("x", "y")).status
    'passed'
    >>> wrong = {**blocks, ("x", "y"): A.T}
    >>> r = gradcheck.check_hessian(f, wrong, point, wrt=("x", "y"))
    >>> r.failed_blocks, r.diagnosis.kind
    ((('x', 'y'), ('y', 'x')), 'transpose')
    """

    joined: SecondOrderResult
    blocks: Mapping[tuple[str, str], str]
    diagnosis: Diagnosis | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", MappingProxyType(dict(self.blocks)))

    @property
    def status(self) -> str:
        return self.joined.status

    @property
    def passed(self) -> bool:
        """True when `status` is "passed"; also the truth value of the result."""
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    @property
    def failed_blocks(self) -> tuple[tuple[str, str], ...]:
        return tuple(k for k, v in self.blocks.items() if v != "passed")

    @property
    def headline(self) -> str:
        word = self.status.upper()
        names = ", ".join(dict.fromkeys(a for a, _ in self.blocks))
        if self.passed:
            return f"gradcheck {word}: Hessian by ({names}): every block passed"
        wrong = ", ".join(f"({a}, {b})" for a, b in self.failed_blocks) or "no single block"
        return f"gradcheck {word}: Hessian by ({names}): not passed in the blocks {wrong}"

    def __str__(self) -> str:
        parts = [self.headline]
        if self.diagnosis is not None:
            parts.append(f"diagnosis: {self.diagnosis}")
        parts.append(f"the stacked variable: {self.joined}")
        return "\n".join(parts)


def _block_statuses(result: CheckResult, joined: Joined) -> dict[tuple[str, str], str]:
    n = int(sum(joined.sizes))
    C, N, tol, reliable = (
        np.asarray(a).reshape(n, n)
        for a in (result.claimed, result.numerical, result.tolerance, result.reliable)
    )
    bad = np.abs(C - N) > tol
    statuses = {}
    for a in joined.names:
        for b in joined.names:
            if np.any(joined.block_of(bad, a, b)):
                statuses[a, b] = "failed"
            elif result.status == "inconclusive" and not np.all(joined.block_of(reliable, a, b)):
                statuses[a, b] = "inconclusive"
            else:
                statuses[a, b] = "passed"
    return statuses


def _transposed_block(result: CheckResult, joined: Joined) -> Diagnosis | None:
    """A mixed block that is the transpose of the right one (square blocks only)."""
    n = int(sum(joined.sizes))
    C, N, tol = (
        np.asarray(a).reshape(n, n) for a in (result.claimed, result.numerical, result.tolerance)
    )
    for i, a in enumerate(joined.names):
        for b in joined.names[i + 1 :]:
            Cb, Nb, tb = (joined.block_of(m, a, b) for m in (C, N, tol))
            if Cb.shape[0] != Cb.shape[1] or np.all(np.abs(Cb - Nb) <= tb):
                continue
            tb_t = np.maximum(tb, tb.T)
            if np.all(np.abs(Cb - Nb.T) <= tb_t) and np.any(np.abs(Nb - Nb.T) > 2 * tb_t):
                return Diagnosis(
                    kind="transpose",
                    message=f"the mixed block ({a}, {b}) is the transpose of the right one: "
                    f"d^2 f / d{a} d{b} has {a}'s entries along its rows (the other "
                    f"orientation is the block ({b}, {a})); transpose it",
                )
    return None


def _check_blocks(
    f: Callable[..., Any],
    hessian: Any,
    point: Point,
    wrt: Any,
    gradient: Callable[..., Any] | None,
    layout: str,
    options: CheckOptions,
) -> BlocksResult:
    """check_hessian of several variables, as one Hessian of the stacked variables."""
    joined = Joined.of(point, wrt)
    if callable(hessian):
        hessian = hessian(**point)
    layout = validate_layout(layout, allowed=(*HESSIAN_LAYOUTS, "auto"))
    try:
        claimed = joined.hessian(hessian, "vec" if layout == "auto" else layout)
    except ShapeMismatchError:
        if layout != "auto":
            raise
        try:
            claimed = joined.hessian(hessian, "tensor")
        except ShapeMismatchError:
            claimed = joined.hessian(hessian, "vec")  # the error in the first layout
    g = None if gradient is None else joined.gradient(gradient)
    result = check_hessian(
        joined.function(f), claimed, joined.joined_point(), wrt=JOINED, gradient=g, options=options
    )
    label = joined.label
    result = replace(result, wrt=label, headline=result.headline.replace(JOINED, label))
    diagnosis = None if result.passed else (_transposed_block(result, joined) or result.diagnosis)
    return BlocksResult(joined=result, blocks=_block_statuses(result, joined), diagnosis=diagnosis)


def _hvp_from_values(
    target: Target, hvp: _Product, options: DirectionalOptions, at_point, part: slice
) -> ProductResult:
    """``<a_r, hvp(b_r)>`` against second differences of f for random pairs (a_r, b_r), with
    ``a_r`` zero outside the `part` of the (flat) variable whose products are checked."""
    rng = rng_from_seed(options.seed)
    x = target.x
    count = options.directions or 16
    a, _ = _random_directions(x, 1, count, rng)
    b, _ = _random_directions(x, 1, count, rng)
    outside = np.ones(x.size, dtype=bool)
    outside[part] = False
    a.reshape(count, -1)[:, outside] = 0.0
    est = estimate_second_directional(
        target,
        a,
        b,
        vectorized=options.vectorized,
        chunk_bytes=options.chunk_bytes,
        at_point=at_point,
    )
    rows = np.stack([hvp(b[r]) for r in range(count)])
    claimed = np.sum((a * rows).reshape(count, -1), axis=1)
    tolerances = options.tolerances(SECOND_DIFFERENCE_RTOL)
    comparison = compare(claimed, est.value, est.error, est.reliable, **tolerances)
    norms = np.sum(np.abs(b.reshape(count, -1)), axis=1)
    scale = float(np.max(np.max(np.abs(rows.reshape(count, -1)), axis=1) / norms))
    tolerance = comparison.tolerance
    threshold = _directional_threshold(b, a.reshape(count, -1)[:, part], tolerance, scale)
    comparison = replace(comparison, detection_threshold=threshold)
    var = "x" if target.wrt is None else target.wrt
    what = f"hvp of f (f: (), {var}: {x.shape})"
    how = f"second differences, {count} pairs, {est.evaluations} evaluations"
    return ProductResult(
        status=comparison.status,
        max_abs_error=comparison.max_abs_error,
        max_rel_error=comparison.max_rel_error,
        tolerance=tolerance,
        error_estimate=est.error,
        reliable=est.reliable,
        detection_threshold=threshold,
        worst_direction=int(comparison.worst_index[0]),
        numerical=est.value,
        claimed=claimed,
        directions=count,
        evaluations=est.evaluations,
        layout="tensor",
        method="second differences",
        wrt=target.wrt,
        f_shape=(),
        x_shape=x.shape,
        headline=headline_text(comparison.status, what, comparison, "pair", how),
        notes=tuple(reliability_notes(est.reliable, comparison, "pair", "pairs")),
        form="hvp",
        product_calls=hvp.calls[0],
    )


def _locate_hvp(
    result: ProductResult,
    hvp: _Product,
    f: Callable[..., Any],
    point: Point,
    gradient: Callable[..., Any] | None,
    options: DirectionalOptions,
) -> ProductResult:
    """Rebuild the claimed Hessian from ``hvp(e_j)`` and check it entry by entry."""
    n = int(np.prod(hvp.in_shape))
    basis = np.eye(n)
    columns = [hvp(basis[j].reshape(hvp.in_shape)).ravel() for j in range(n)]
    claimed = np.stack(columns, axis=1)  # vec layout: column j is H e_j
    full = CheckOptions(rtol=options.rtol, atol=options.atol, method=options.method)
    located = check_hessian(f, claimed, point, wrt=result.wrt, gradient=gradient, options=full)
    note = (
        f"the pairs failed; the Hessian was rebuilt from {n} basis products and every entry "
        f"compared."
    )
    return with_located(result, located, note, product_calls=hvp.calls[0])


def check_hvp(
    f: Callable[..., Any],
    hvp: Callable[..., Any],
    point: Point,
    *,
    wrt: str | Sequence[str] | None = None,
    gradient: Callable[..., Any] | None = None,
    options: DirectionalOptions | None = None,
    **values: Unpack[DirectionalValues],
) -> ProductResult | SeveralResult:
    """Check a Hessian-vector product of a scalar f: ``hvp(v)`` must be ``H v``.

    Parameters
    ----------
    f : callable
        A scalar function, ``f(x)`` or ``f(**point)``.
    hvp : callable
        ``hvp(v, x)`` for an array point, ``hvp(v, **point)`` for a mapping; returns the
        variable's shape. With several variables `v` is a mapping from their names, and the
        hvp returns ``(H v)`` per variable: a mapping from the names or a tuple in the order
        of `wrt`.
    point : array_like or mapping of str to array_like
        As in :func:`gradcheck.check`.
    wrt : str or sequence of str, optional
        The variable, or several: then each variable's part of the products is checked
        (pairs ``<a_r, hvp(b_r)>`` with ``a_r`` in that variable only, ``b_r`` in all) and a
        :class:`SeveralResult` returned.
    gradient : callable, optional
        The gradient of f (with several variables, returning a mapping or tuple of their
        gradients). When given it is checked against f along random directions
        (:func:`gradcheck.check_directional`), and the hvp is checked as the JVP of the
        gradient (:func:`gradcheck.check_jvp`).
    options : DirectionalOptions, optional
        As in :func:`gradcheck.check_vjp`; from f alone, `directions` pairs (default 16) and
        the default rtol 2.4e-7 of second differences.
    **values
        The fields of :class:`DirectionalOptions` as keywords.

    Returns
    -------
    ProductResult or SeveralResult
        The verdict (`form` "hvp"); when the pairs fail and the variable is small (at most 2048
        entries with a gradient, 100 without), `located` is the :func:`check_hessian` of the
        Hessian rebuilt from the hvps of the basis vectors.

    Notes
    -----
    The hvp's linearity is tested first (as in :func:`gradcheck.check_vjp`). From f alone,
    each pair of random scaled directions ``(a_r, b_r)`` compares ``<a_r, hvp(b_r)>`` with the
    polarized second difference ``(q(t (a + b)) - q(t (a - b))) / (4 t^2)`` on a ladder of
    steps t: two pilot pairs walk all of it, the others start two steps above the pilots' best
    and go down while they gain (8 evaluations of f for a pair's first two steps, 4 per step
    more; about 40 per pair on smooth functions), plus up to 80 that measure f's rounding
    noise (see :mod:`gradcheck.engine.second_order`); the cost does not depend on the
    variable's size.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> f = lambda x: x @ A @ x / 2 + np.sum(np.cos(x))
    >>> hvp = lambda v, x: A @ v - np.cos(x) * v
    >>> check_hvp(f, hvp, np.array([0.3, -0.2])).status
    'passed'
    >>> check_hvp(f, lambda v, x: A @ v, np.array([0.3, -0.2])).status
    'failed'
    """
    opts = merge_options(DirectionalOptions, options, values, "check_hvp")
    if wrt is not None and not isinstance(wrt, str):
        joined = Joined.of(point, wrt)
        g = None if gradient is None else joined.gradient(gradient)
        bound = (joined.function(f), joined.hvp(hvp), joined.joined_point(), g)
        results = {
            name: _check_hvp_part(*bound, opts, part, wrt=JOINED, label=joined.label)
            for name, part in joined.slices.items()
        }
        return SeveralResult(results=results, form="hvp")
    return _check_hvp_part(f, hvp, point, gradient, opts, slice(None), wrt=wrt, label=None)


def _check_hvp_part(
    f: Callable[..., Any],
    hvp: Callable[..., Any],
    point: Point,
    gradient: Callable[..., Any] | None,
    opts: DirectionalOptions,
    part: slice,
    *,
    wrt: str | None,
    label: str | None,
) -> ProductResult:
    """check_hvp of one variable, or of the `part` of the products that belongs to one of
    several variables stacked (`label` names them in the headline)."""
    target = make_target(f, point, wrt)
    refuse_empty(target, "check_hvp")
    at_point = scalar_at_point(target)
    bound = _Product.bind("hvp", hvp, target, (), None)
    nonlinear = _linearity_note(bound, rng_from_seed(opts.seed))
    if gradient is not None:
        result = _hvp_from_gradient(f, hvp, point, wrt, gradient, opts, part)
    else:
        result = _hvp_from_values(target, bound, opts, at_point, part)
    if nonlinear is not None:
        diagnosis = Diagnosis(kind="not_linear", message=nonlinear.removeprefix("the hvp "))
        notes = (*result.notes, nonlinear)
        result = replace(result, status="failed", linear=False, diagnosis=diagnosis, notes=notes)
    elif not result.passed and result.located is None:
        if target.x.size <= LOCATE_MAX_SIZE["f" if gradient is None else "gradient"]:
            result = _locate_hvp(result, bound, f, point, gradient, opts)
    if label is None:
        return result
    return replace(result, wrt=label, headline=result.headline.replace(JOINED, label))


@dataclass(frozen=True)
class _Sliced:
    """``function(...)[part]``: the part of a gradient or hvp that belongs to one variable."""

    function: Callable[..., Any]
    part: slice

    def __call__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        return np.asarray(self.function(*args, **kwargs))[..., self.part]


def _hvp_from_gradient(
    f: Callable[..., Any],
    hvp: Callable[..., Any],
    point: Point,
    wrt: str | None,
    gradient: Callable[..., Any],
    options: DirectionalOptions,
    part: slice,
) -> ProductResult:
    """The hvp (its `part`) as the JVP of the gradient (its part), with the gradient checked
    against f."""
    slope = check_directional(f, gradient, point, wrt=wrt, options=options)
    if part != slice(None):
        gradient, hvp = _Sliced(gradient, part), _Sliced(hvp, part)
    result = replace(check_jvp(gradient, hvp, point, wrt=wrt, options=options), form="hvp")
    if slope.passed:
        return result
    if slope.status == "failed":
        note = f"the given gradient does not match f, so neither can be trusted: {slope.headline}"
        return replace(result, status="failed", notes=(*result.notes, note))
    # the gradient could not be checked (f rounds, overflows or is not smooth enough along the
    # directions): the products were compared with the Jacobian of a gradient nobody vouches
    # for, so they decide nothing
    note = (
        "the given gradient could not be checked against f, so the products compared with its "
        f"Jacobian decide nothing: {slope.headline}"
    )
    return replace(result, status="inconclusive", notes=(*result.notes, note))
