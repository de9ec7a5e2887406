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

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import (
    SECOND_DIFFERENCE_RTOL,
    HessianEstimate,
    Point,
    Target,
    convert_layout,
    estimate_hessian,
    estimate_second_directional,
    make_target,
    merge_hessian_estimates,
    rng_from_seed,
    scalar_at_point,
    validate_layout,
)
from ..errors import ShapeMismatchError
from .check import (
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
from .options import (
    CheckOptions,
    CheckValues,
    DirectionalOptions,
    DirectionalValues,
    merge_options,
)
from .products import ProductResult, _linearity_note, _Product, check_jvp

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["SECOND_ORDER_KINDS", "SecondOrderResult", "check_hessian", "check_hvp"]

#: Diagnosis kinds of second derivatives beyond :data:`gradcheck.KINDS`.
SECOND_ORDER_KINDS = ("not_symmetric", "gradient_mismatch")
HESSIAN_LAYOUTS = ("vec", "tensor")
#: Largest variable for which a failed HVP check rebuilds the Hessian from basis products:
#: with a gradient (4 n gradient evaluations), from f alone (3 n (n + 1) evaluations of f).
LOCATE_MAX_SIZE = {"gradient": 2048, "f": 100}


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
    x_shape = target.x.shape

    def move(a: np.ndarray) -> np.ndarray:
        return _moved(a, x_shape, layout, claimed.shape)

    numerical, error, reliable = move(est.value), move(est.error), move(est.reliable)
    tolerances = options.tolerances(SECOND_DIFFERENCE_RTOL)
    comparison = compare(claimed, numerical, error, reliable, **tolerances)
    notes = reliability_notes(reliable, comparison, "entry", "entries")
    how = f"second differences, {est.evaluations} evaluations"
    return SecondOrderResult(
        **comparison.result_fields(),
        numerical=numerical,
        claimed=claimed,
        error_estimate=error,
        reliable=reliable,
        evaluations=est.evaluations,
        layout=layout,
        method="second differences",
        wrt=target.wrt,
        f_shape=(),
        x_shape=x_shape,
        headline=headline_text(comparison.status, _what(target, layout), comparison, "entry", how),
        notes=tuple(notes),
        source="f",
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
        fields = {k: getattr(result, k) for k in CheckResult.__dataclass_fields__}
        fields.update(headline=headline, layout=layout, f_shape=(), method=options.method)
        return SecondOrderResult(**fields, source="gradient", gradient_check=gradient_check)
    return _wrong_gradient(target, claimed, layout, options, (result, gradient_check))


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
    wrt: str | None = None,
    gradient: Callable[..., Any] | None = None,
    layout: str = "auto",
    options: CheckOptions | None = None,
    **values: Unpack[CheckValues],
) -> SecondOrderResult:
    """Compare a claimed Hessian of a scalar f with a numerical one, entry by entry.

    Parameters
    ----------
    f : callable
        A scalar function, ``f(x)`` or ``f(**point)``.
    hessian : array_like or callable
        The claimed Hessian, or a callable with f's signature returning it.
    point, wrt
        As in :func:`gradcheck.check`.
    gradient : callable, optional
        The gradient of f (f's signature, returning the variable's shape). When given, it is
        checked against f (:func:`gradcheck.check`), and the numerical Hessian is its
        Jacobian (first-order stencils, ``4 n`` gradient evaluations and more where the step
        search runs, accurate to about 1e-9 relative for central). A gradient that does not
        match f is not used: the Hessian is then compared with second differences of f, and
        a Hessian that matches the gradient's Jacobian but not f is diagnosed
        "gradient_mismatch".
    layout : {"auto", "vec", "tensor"}
        "vec": ``d^2 f / d vec(X) d vec(X)^T``, ``N x N`` for ``N = X.size``, column-major
        vec (The Matrix Cookbook; for a vector, the ``n x n`` Hessian); "tensor": shape
        ``X.shape + X.shape``. "auto" takes the one the claim's shape fits.
    options : CheckOptions, optional
        How to estimate and compare, as one record.
    **values
        The fields of :class:`CheckOptions` as keywords. `method` is the gradient's
        finite-difference method; `step` the base step of the second differences (default
        ``eps^(1/6)`` relative); the default rtol is the method's with a gradient, and
        ``16 eps^(1/2)`` = 2.4e-7 with second differences.

    Returns
    -------
    SecondOrderResult
        Verdict, errors, and a bounded report as ``str(result)``.

    Raises
    ------
    OutputTypeError
        f is not scalar.
    ShapeMismatchError
        The claim fits neither layout, or the gradient returns another shape than the
        variable's.

    Notes
    -----
    Each entry passes under :func:`gradcheck.check`'s rule
    ``|claimed - numerical| <= 4 * error_estimate + atol + rtol * max|numerical|``. From f
    alone, the second differences (see :mod:`gradcheck.engine.second_order`) cost
    ``3 n (n + 1)`` evaluations of f (``n`` = the variable's size), batched, plus 2 at the
    point and a probe of 3-5; their error estimate is a truncation estimate from three step
    sizes plus a rounding bound. A verdict that is not "passed" is re-examined with a second
    estimate at 1/4 of the steps (with a gradient: the first-order second opinion), merged
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
    opts = merge_options(CheckOptions, options, values, "check_hessian")
    target = make_target(f, point, wrt)
    at_point = scalar_at_point(target)
    claimed = claimed_value(hessian, target)
    layout = _hessian_layout(claimed.shape, target.x.shape, layout)
    if gradient is not None:
        return _from_gradient(target, gradient, claimed, layout, opts, point)
    return _from_values(target, claimed, layout, opts, at_point)


def _hvp_from_values(
    target: Target, hvp: _Product, options: DirectionalOptions, at_point
) -> ProductResult:
    """``<a_r, hvp(b_r)>`` against second differences of f for random pairs (a_r, b_r)."""
    rng = rng_from_seed(options.seed)
    x = target.x
    count = options.directions or 16
    a, _ = _random_directions(x, 1, count, rng)
    b, _ = _random_directions(x, 1, count, rng)
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
    threshold = _directional_threshold(b, a.reshape(count, -1), tolerance, scale)
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
    wrt: str | None = None,
    gradient: Callable[..., Any] | None = None,
    options: DirectionalOptions | None = None,
    **values: Unpack[DirectionalValues],
) -> ProductResult:
    """Check a Hessian-vector product of a scalar f: ``hvp(v)`` must be ``H v``.

    Parameters
    ----------
    f : callable
        A scalar function, ``f(x)`` or ``f(**point)``.
    hvp : callable
        ``hvp(v, x)`` for an array point, ``hvp(v, **point)`` for a mapping; returns the
        variable's shape.
    point, wrt
        As in :func:`gradcheck.check`.
    gradient : callable, optional
        The gradient of f. When given it is checked against f along random directions
        (:func:`gradcheck.check_directional`), and the hvp is checked as the JVP of the
        gradient (:func:`gradcheck.check_jvp`).
    options : DirectionalOptions, optional
        As in :func:`gradcheck.check_vjp`; from f alone, `directions` pairs (default 16) and
        the default rtol 2.4e-7 of second differences.
    **values
        The fields of :class:`DirectionalOptions` as keywords.

    Returns
    -------
    ProductResult
        The verdict (`form` "hvp"); when the pairs fail and the variable is small (at most 2048
        entries with a gradient, 100 without), `located` is the :func:`check_hessian` of the
        Hessian rebuilt from the hvps of the basis vectors.

    Notes
    -----
    The hvp's linearity is tested first (as in :func:`gradcheck.check_vjp`). From f alone,
    each pair of random scaled directions ``(a_r, b_r)`` compares ``<a_r, hvp(b_r)>`` with the
    polarized second difference ``(q(a + b) - q(a - b)) / 4`` at three step sizes (12
    evaluations of f per pair, see :mod:`gradcheck.engine.second_order`); the cost does not
    depend on the variable's size.

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
    target = make_target(f, point, wrt)
    at_point = scalar_at_point(target)
    bound = _Product.bind("hvp", hvp, target, (), None)
    nonlinear = _linearity_note(bound, rng_from_seed(opts.seed))
    if gradient is not None:
        result = _hvp_from_gradient(f, hvp, point, wrt, gradient, opts)
    else:
        result = _hvp_from_values(target, bound, opts, at_point)
    if nonlinear is not None:
        diagnosis = Diagnosis(kind="not_linear", message=nonlinear.removeprefix("the hvp "))
        notes = (*result.notes, nonlinear)
        return replace(result, status="failed", linear=False, diagnosis=diagnosis, notes=notes)
    if result.passed or result.located is not None:
        return result
    if target.x.size <= LOCATE_MAX_SIZE["f" if gradient is None else "gradient"]:
        return _locate_hvp(result, bound, f, point, gradient, opts)
    return result


def _hvp_from_gradient(
    f: Callable[..., Any],
    hvp: Callable[..., Any],
    point: Point,
    wrt: str | None,
    gradient: Callable[..., Any],
    options: DirectionalOptions,
) -> ProductResult:
    """The hvp as the JVP of the gradient, with the gradient checked against f."""
    slope = check_directional(f, gradient, point, wrt=wrt, options=options)
    result = replace(check_jvp(gradient, hvp, point, wrt=wrt, options=options), form="hvp")
    if slope.passed:
        return result
    note = f"the given gradient does not match f, so neither can be trusted: {slope.headline}"
    return replace(result, status="failed", notes=(*result.notes, note))
