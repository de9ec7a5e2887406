"""Vector-Jacobian and Jacobian-vector products: `check_vjp` and `check_jvp`.

A VJP maps an output cotangent ``u`` to ``J^T u``, a JVP an input tangent ``d`` to ``J d``.
Both are checked along a few random sign directions ``d_k``: the finite differences of
``t -> f(x + t d_k)`` give ``J d_k`` (one step search along all directions), compared entry
by entry with ``jvp(d_k)``, or projected on block sign cotangents ``v_r`` and compared with
``<vjp(v_r), d_k>``. Sign vectors weigh every Jacobian entry alike, so the detection
threshold holds for every entry, not for most (see :func:`check_vjp`); the cost does not
depend on the sizes beyond the evaluations themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import (
    Point,
    Search,
    Target,
    call_checked,
    coordinate_scales,
    estimate_tensor,
    evaluate_at_point,
    first_nonfinite,
    is_complex_point,
    make_target,
    refuse_convention_for_real,
    refuse_empty,
    rng_from_seed,
)
from ..errors import (
    InvalidArgumentError,
    NonFiniteValueError,
    ShapeMismatchError,
)
from .check import (
    Candidate,
    CheckResult,
    compare_candidates,
    full_verdict,
    headline_text,
    reliability_notes,
    with_diagnosis,
)
from .diagnosis import Diagnosis, diagnose
from .directional import (
    FALLBACK_MAX_SIZE,
    AlongDirections,
    DirectionalResult,
    _full_options,
    _probe_vectorized,
    _projection_evidence,
    with_located,
)
from .joined import parts_of, validate_names
from .options import DirectionalOptions, DirectionalValues, merge_options

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .complex_check import ComplexCheckResult

__all__ = ["PRODUCT_KINDS", "ProductResult", "SeveralResult", "check_jvp", "check_vjp"]

#: Diagnosis kinds of products beyond :data:`gradcheck.KINDS`.
PRODUCT_KINDS = ("not_linear",)
#: A product is linear when ``P(a u1 + b u2)`` and ``a P(u1) + b P(u2)`` differ by at most
#: this fraction of ``|a| max|P(u1)| + |b| max|P(u2)|``: float64 rounding of a linear map
#: (a sum of products, condition number up to ~1e6) stays far below it.
LINEARITY_RTOL = 1e-8
#: Input directions of a product check: 4, or 2 where the variable or f has more than
#: `FALLBACK_MAX_SIZE` entries (each direction costs a step search of about 25 evaluations of
#: f, and with sign vectors more directions do not lower the single-entry threshold).
DIRECTIONS = {"small": 4, "large": 2}
#: Sign cotangents of a vjp check, each compared along every direction.
COTANGENTS = 8
#: Argument names under which the vector and a bare point reach the product (they cannot
#: be a Python identifier, so they never meet a variable of the point).
_VECTOR, _BARE = "(vector)", "(x)"


@dataclass(frozen=True)
class _Call:
    """``product(vector, x)`` for a bare point, ``product(vector, **point)`` for a mapping;
    `pick` selects one variable's part of a product that returns several."""

    product: Callable[..., Any]
    bare: bool
    pick: Callable[[Any], Any] | None = None

    def __call__(self, **arguments: Any) -> Any:
        vector = arguments.pop(_VECTOR)
        out = (
            self.product(vector, arguments[_BARE])
            if self.bare
            else self.product(vector, **arguments)
        )
        return out if self.pick is None else self.pick(out)


@dataclass(frozen=True)
class _Product:
    """A claimed product bound to the point: maps a vector of `in_shape` to one of
    `out_shape`, validated (real, finite, of the right shape) and counted."""

    form: str
    target: Target
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    calls: list[int]

    @classmethod
    def bind(cls, form: str, product: object, target: Target, f_shape: tuple, pick=None):
        if not callable(product):
            raise InvalidArgumentError(
                f"`{form}` must be a callable {form}(vector, x) (or {form}(vector, **point)); "
                f"got {type(product).__name__}."
            )
        x_shape = target.x.shape
        shapes = {"vjp": (f_shape, x_shape), "jvp": (x_shape, f_shape), "hvp": (x_shape, x_shape)}[
            form
        ]
        point = (
            {_BARE: target.variable_value()}
            if target.wrt is None
            else {
                target.wrt: target.variable_value(),
                **target.others,
            }
        )
        call = _Call(product, target.wrt is None, pick)
        bound = make_target(call, {_VECTOR: np.zeros(shapes[0]), **point}, _VECTOR)
        return cls(form, replace(bound, role=f"the {form}"), shapes[0], shapes[1], [0])

    def __call__(self, vector: np.ndarray) -> np.ndarray:
        what = {"vjp": "cotangent", "jvp": "tangent", "hvp": "vector"}[self.form]
        where = f"on a {what} of shape {self.in_shape}"
        out = call_checked(
            self.target, np.asarray(vector, dtype=np.float64), where, allow_complex=False
        )
        self.calls[0] += 1
        if out.shape != self.out_shape:
            expected = "f's value's" if self.form == "jvp" else "the variable's"
            raise ShapeMismatchError(
                f"the {self.form} returned shape {out.shape} {where}; it must return "
                f"{expected} shape {self.out_shape}."
            )
        bad = first_nonfinite(out)
        if bad is not None:
            raise NonFiniteValueError(
                f"the {self.form} returned a non-finite value at index {bad} {where}; a "
                f"product with a finite Jacobian is finite."
            )
        return out


def _linearity_note(product: _Product, rng: np.random.Generator) -> str | None:
    """None when ``P(a u1 + b u2) = a P(u1) + b P(u2)`` within rounding; else what differs."""
    u1, u2 = rng.standard_normal((2, *product.in_shape))
    a, b = rng.uniform(0.5, 2.0) * np.array([1.0, -1.0])
    p1, p2, p12 = product(u1), product(u2), product(a * u1 + b * u2)
    size = abs(a) * float(np.max(np.abs(p1), initial=0.0))
    size += abs(b) * float(np.max(np.abs(p2), initial=0.0))
    gap = float(np.max(np.abs(p12 - (a * p1 + b * p2)), initial=0.0))
    if gap <= LINEARITY_RTOL * size or (size == 0 and gap == 0):
        return None
    what = {"vjp": "cotangent", "jvp": "tangent", "hvp": "vector"}[product.form]
    relative = gap / size if size > 0 else float("inf")
    return (
        f"the {product.form} is not linear in its {what}: P(a u1 + b u2) differs from "
        f"a P(u1) + b P(u2) by {relative:.2e} of their size (a = {a:.3g}, b = {b:.3g}; "
        f"rounding allows {LINEARITY_RTOL:.0e}). A {product.form} must be linear in the {what}: "
        f"does it ignore it, square it, or add a term that does not depend on it?"
    )


def _sign_vectors(rng: np.random.Generator, count: int, size: int) -> np.ndarray:
    """`count` random vectors of `size` entries ``+-1 / sqrt(size)`` (unit norm): every entry of
    an error is seen with the same weight, so no entry can hide where a vector is near 0."""
    signs = rng.integers(0, 2, (count, size), dtype=np.int8).astype(np.float64)
    return (2.0 * signs - 1.0) / np.sqrt(size)


@dataclass(frozen=True)
class _Derivatives:
    """The directional derivatives ``J d_k`` found by finite differences: value, error and
    reliability of shape ``(K, f.size)``, the directions ``(K, *x.shape)``, the coordinate
    scales of x, and the evaluations of f."""

    value: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    d: np.ndarray
    scales: np.ndarray
    evaluations: int


def _along_directions(
    target: Target, f0: np.ndarray, count: int, rng: np.random.Generator, options
) -> _Derivatives:
    """``J d_k`` for `count` scaled sign directions ``d_k = s * sign_k / sqrt(n)`` (``s`` the
    coordinate scales): one step search along all of them, ``K`` evaluations per step."""
    x = target.x
    scales = coordinate_scales(x).ravel()
    d = (_sign_vectors(rng, count, x.size) * scales).reshape((count, *x.shape))
    vectorized, probing = options.vectorized, 0
    if vectorized is None:
        vectorized, probing = _probe_vectorized(target, f0, d[0])
    along = AlongDirections(
        target, f0, d, bool(vectorized), options.chunk_bytes, executor=options.executor
    )
    method = options.finite_differences
    # one entry's error reaches a directional derivative scaled by 1/sqrt(n): the step
    # search aims that much lower (it stops where the error stops improving)
    refine_above = None
    if method.refine_above is not None:
        refine_above = min(method.refine_above, 1e-8 / np.sqrt(x.size))
    est = estimate_tensor(
        Target(f=along, x=np.zeros(()), wrt=None, others={}, role=target.role),
        method,
        step=options.step,
        vectorized=True,
        chunk_bytes=options.chunk_bytes,
        search=Search(at_point=(np.tile(f0.ravel(), count), 0), refine_above=refine_above),
    )
    shape = (count, f0.size)
    return _Derivatives(
        value=est.value.reshape(shape),
        error=est.error.reshape(shape),
        reliable=est.reliable.reshape(shape),
        d=d,
        scales=scales,
        evaluations=probing + along.evaluations,
    )


@dataclass(frozen=True)
class _Compared:
    """What is compared: the claim's values, the numerical ones with their errors, flat; and
    for the detection threshold, each value's `group` of outputs (an error in a Jacobian
    entry of an output of group g moves only the values of group g) and `weight` (an error
    ``e`` in entry ``(i, j)`` moves the value by ``e s_j weight``), and a lower bound `scale`
    of the claim's largest entry."""

    claimed: np.ndarray
    numerical: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    group: np.ndarray
    weight: np.ndarray
    scale: float


def _block_cotangents(rng: np.random.Generator, m: int) -> tuple[np.ndarray, np.ndarray]:
    """`COTANGENTS` (at most m) unit cotangents, random signs on disjoint blocks of outputs
    that cover them all: every output is seen by one cotangent, whose rounding sum runs over
    its block only. Returns the cotangents ``(R, m)`` and each block's size."""
    blocks = np.array_split(np.arange(m), min(COTANGENTS, m))
    signs = 2.0 * rng.integers(0, 2, m).astype(np.float64) - 1.0
    v = np.zeros((len(blocks), m))
    for r, block in enumerate(blocks):
        v[r, block] = signs[block] / np.sqrt(block.size)
    return v, np.array([b.size for b in blocks])


def _vjp_compared(product: _Product, found: _Derivatives, rng: np.random.Generator) -> _Compared:
    """``<vjp(v_r), d_k>`` against ``v_r . (J d_k)`` for block cotangents ``v_r``."""
    K, m = found.value.shape
    v, sizes = _block_cotangents(rng, m)
    d = found.d.reshape(K, -1)
    claimed, largest = np.empty((len(v), K)), np.empty(len(v))
    for r in range(len(v)):  # one row at a time: R rows of 10^6 entries need not be kept
        row = product(v[r].reshape(product.in_shape)).ravel()
        claimed[r], largest[r] = d @ row, np.max(np.abs(row), initial=0.0)
    reliable = np.broadcast_to(np.all(found.reliable, axis=1), claimed.shape)
    # max|J| >= max|J^T v| / ||v||_1, and the row of the output that moves most
    largest_row = int(np.argmax(np.max(np.abs(found.value), axis=0)))
    row = product(np.eye(1, m, largest_row).reshape(product.in_shape))
    scale = max(float(np.max(largest / np.sqrt(sizes))), float(np.max(np.abs(row))))
    weight = 1.0 / np.sqrt(sizes * found.scales.size)
    return _Compared(
        claimed=claimed.ravel(),
        numerical=(v @ found.value.T).ravel(),
        error=(np.abs(v) @ found.error.T).ravel(),
        reliable=reliable.ravel(),
        group=np.repeat(np.arange(len(v)), K),
        weight=np.repeat(weight, K),
        scale=scale,
    )


def _jvp_compared(product: _Product, found: _Derivatives) -> _Compared:
    """``jvp(d_k)`` against ``J d_k``, entry by entry."""
    K, m = found.value.shape
    claimed = np.stack([product(found.d[k]).ravel() for k in range(K)])
    n = found.scales.size
    # max|J| >= max|J d| / ||d||_1, and the column of the largest coordinate scale
    column = product(np.eye(1, n, int(np.argmax(found.scales))).reshape(product.in_shape))
    norm_1 = float(np.sum(found.scales)) / np.sqrt(n)
    scale = max(float(np.max(np.abs(claimed), initial=0.0)) / norm_1, float(np.max(np.abs(column))))
    return _Compared(
        claimed=claimed.ravel(),
        numerical=found.value.ravel(),
        error=found.error.ravel(),
        reliable=found.reliable.ravel(),
        group=np.tile(np.arange(m), K),
        weight=np.full(K * m, 1.0 / np.sqrt(n)),
        scale=scale,
    )


def _sign_threshold(compared: _Compared, tolerance: np.ndarray, s_min: float) -> float:
    """The smallest error of any single Jacobian entry, relative to the claim's largest entry,
    that is caught for certain, whichever the entry: it moves each value of its group by
    ``e s_j weight >= e s_min weight``, and is caught where that exceeds the value's tolerance
    plus its error estimate (the most the numerical value itself is off)."""
    if compared.scale == 0 or not np.all(np.isfinite(tolerance)):
        return float("inf")
    needed = (tolerance + compared.error) / compared.weight
    per_group = np.full(int(np.max(compared.group)) + 1, np.inf)
    np.minimum.at(per_group, compared.group, needed)
    return float(np.max(per_group)) / s_min / compared.scale


@dataclass(frozen=True, kw_only=True)
class ProductResult(DirectionalResult):
    """Outcome of :func:`check_vjp` or :func:`check_jvp`.

    The fields are those of :class:`gradcheck.DirectionalResult` over the compared values
    (`directions` is the number of input directions, `layout` is "tensor"): for a vjp the
    projections ``<vjp(v_r), d_k>`` against ``v_r . (J d_k)`` for 8 cotangents ``v_r`` and
    every direction ``d_k`` (index ``r * directions + k``); for a jvp every entry of
    ``jvp(d_k)`` against ``J d_k`` (index ``k * f.size + i``). Plus:

    Attributes
    ----------
    form : {"vjp", "jvp", "hvp"}
        Which product was checked.
    product_calls : int
        Number of calls of the claimed product (the full check's basis products included).
    linear : bool
        False when the product is not linear in its vector (the verdict is then "failed",
        with diagnosis kind "not_linear").

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> r = gradcheck.check_jvp(np.sin, lambda d, x: np.cos(x) * d, np.ones(3))
    >>> r.form, r.directions, r.claimed.shape
    ('jvp', 4, (12,))
    """

    form: str
    product_calls: int = 0
    linear: bool = True


def _product_result(
    product: _Product,
    target: Target,
    found: _Derivatives,
    compared: _Compared,
    options: DirectionalOptions,
    at_point: tuple[np.ndarray, int],
) -> ProductResult:
    """The verdict over the compared values."""
    candidate = Candidate(
        "tensor", compared.numerical, compared.error, compared.reliable, shown=compared.claimed
    )
    chosen, _ = compare_candidates(compared.claimed, [candidate], options.tolerances())
    threshold = _sign_threshold(compared, chosen.comparison.tolerance, float(np.min(found.scales)))
    comparison = replace(chosen.comparison, detection_threshold=threshold)
    notes = reliability_notes(
        np.asarray(compared.reliable, dtype=bool), comparison, "value", "values"
    )
    f_shape = at_point[0].shape
    var = "x" if target.wrt is None else target.wrt
    what = f"{product.form} of f (f: {f_shape}, {var}: {target.x.shape})"
    count = len(found.d)
    evaluations = at_point[1] + found.evaluations
    how = f"{options.method}, {count} directions, {evaluations} evaluations"
    return ProductResult(
        status=comparison.status,
        max_abs_error=comparison.max_abs_error,
        max_rel_error=comparison.max_rel_error,
        tolerance=comparison.tolerance,
        error_estimate=compared.error,
        reliable=compared.reliable,
        detection_threshold=threshold,
        worst_direction=int(comparison.worst_index[0]) if comparison.worst_index else 0,
        numerical=compared.numerical,
        claimed=compared.claimed,
        directions=count,
        evaluations=evaluations,
        layout="tensor",
        method=options.method,
        wrt=target.wrt,
        f_shape=f_shape,
        x_shape=target.x.shape,
        headline=headline_text(comparison.status, what, comparison, "value", how),
        notes=tuple(notes),
        form=product.form,
        product_calls=product.calls[0],
    )


def _claimed_tensor(product: _Product, f_shape: tuple, x_shape: tuple) -> np.ndarray:
    """The claimed Jacobian in tensor layout, from the products of the basis vectors."""
    k = int(np.prod(product.in_shape))
    basis = np.eye(k)
    rows = np.stack([product(basis[i].reshape(product.in_shape)).ravel() for i in range(k)])
    jm = rows if product.form == "vjp" else rows.T  # (f.size, x.size)
    return jm.reshape(tuple(f_shape) + tuple(x_shape))


def _transposed_axes(located: CheckResult, form: str, f_ndim: int) -> Diagnosis | None:
    """A claim that is the Jacobian with its variable's (or, for a JVP, its output's) two
    axes swapped: a product that returns the transpose of the right matrix."""
    C, N, tol = located.claimed, located.numerical, located.tolerance
    nd = C.ndim
    axes = (nd - 2, nd - 1) if form == "vjp" else (f_ndim - 2, f_ndim - 1)
    if min(axes) < (f_ndim if form == "vjp" else 0) or C.shape[axes[0]] != C.shape[axes[1]]:
        return None
    swapped = np.swapaxes(N, *axes)
    moved_tol = np.swapaxes(tol, *axes)
    if np.all(np.abs(C - swapped) <= moved_tol) and np.any(np.abs(swapped - N) > tol + moved_tol):
        what = "gradient" if form == "vjp" else "output tangent"
        return Diagnosis(
            kind="transpose",
            message=f"the {form} returns the transpose of the right {what} (its matrix is "
            f"transposed): transpose the result, or the factor it is built from",
        )
    return None


def _located_diagnosis(located: CheckResult, form: str, f_ndim: int) -> Diagnosis | None:
    """The full check's diagnosis, in the words of a product."""
    found = _transposed_axes(located, form, f_ndim)
    if found is not None:
        return found
    diagnosis = located.diagnosis
    if diagnosis is not None and diagnosis.kind in ("layout", "transpose"):
        right = "J^T u" if form == "vjp" else "J d"
        wrong = "J u" if form == "vjp" else "J^T d"
        return Diagnosis(
            kind="transpose",
            message=f"the {form} applies the transposed Jacobian: it returns {wrong} where "
            f"{right} is due (a missing or extra transpose)",
        )
    return diagnosis


def _locate(
    result: ProductResult, product: _Product, target: Target, options: DirectionalOptions
) -> ProductResult:
    """Reconstruct the claimed Jacobian from basis products and run the full verdict."""
    f_shape = result.f_shape
    tensor = _claimed_tensor(product, f_shape, target.x.shape)
    full_options = _full_options(options)
    full, estimates = full_verdict(target, tensor, "tensor", full_options)
    located = full
    if not full.passed:
        located = with_diagnosis(full, estimates.latest, target, tensor, full_options)
        located = replace(
            located, diagnosis=_located_diagnosis(located, product.form, len(f_shape))
        )
    note = (
        f"the products failed (worst value [{result.worst_direction}], max rel. error "
        f"{result.max_rel_error:.2e}); the sizes are small enough, so the claimed Jacobian was "
        f"rebuilt from {int(np.prod(product.in_shape))} basis products and every entry compared."
    )
    return with_located(result, located, note, product_calls=product.calls[0])


def _check_product(
    form: str,
    f: Callable[..., Any],
    product: object,
    point: Point,
    wrt: str | None,
    options: DirectionalOptions,
    pick: Callable[[Any], Any] | None = None,
) -> ProductResult:
    """The check of one product by one variable (see :func:`check_vjp`)."""
    target = make_target(f, point, wrt)
    refuse_empty(target, f"check_{form}")
    f0, evaluations = evaluate_at_point(target)
    bound = _Product.bind(form, product, target, f0.shape, pick)
    rng = rng_from_seed(options.seed)
    nonlinear = _linearity_note(bound, rng)
    small = max(target.x.size, f0.size) <= FALLBACK_MAX_SIZE
    count = options.directions or DIRECTIONS["small" if small else "large"]
    found = _along_directions(target, f0, count, rng, options)
    compared = _vjp_compared(bound, found, rng) if form == "vjp" else _jvp_compared(bound, found)
    result = _product_result(bound, target, found, compared, options, (f0, evaluations))
    if nonlinear is not None:
        diagnosis = Diagnosis(kind="not_linear", message=nonlinear.removeprefix(f"the {form} "))
        return replace(
            result,
            status="failed",
            linear=False,
            diagnosis=diagnosis,
            product_calls=bound.calls[0],
            headline=result.headline.replace("PASSED", "FAILED").replace("INCONCLUSIVE", "FAILED"),
            notes=(*result.notes, nonlinear),
        )
    if result.passed:
        return result
    if not small:
        return replace(result, diagnosis=diagnose(_projection_evidence(result)))
    return _locate(result, bound, target, options)


def _product_options(options: object, values: Mapping[str, Any], caller: str) -> DirectionalOptions:
    return merge_options(DirectionalOptions, options, values, caller)


def _complex_product(
    form: str,
    f: Callable[..., Any],
    product: Any,
    point: Point,
    wrt: object,
    convention: object,
    options: DirectionalOptions,
) -> ComplexCheckResult | None:
    """The check at a complex point (see :mod:`gradcheck.verdict.complex_products`); None for
    a real variable, for which a `convention` is refused."""
    single = wrt if isinstance(wrt, str) or wrt is None else None
    if single is wrt and is_complex_point(point, single):
        from .complex_products import check_complex_product  # imports this module

        return check_complex_product(
            form, f, product, point, wrt=single, convention=convention, options=options
        )
    refuse_convention_for_real(convention, "the variable" if single is None else f"`{single}`")
    return None


def check_vjp(
    f: Callable[..., Any],
    vjp: Callable[..., Any],
    point: Point,
    *,
    wrt: str | Sequence[str] | None = None,
    convention: str | None = None,
    options: DirectionalOptions | None = None,
    **values: Unpack[DirectionalValues],
) -> ProductResult | SeveralResult | ComplexCheckResult:
    """Check a vector-Jacobian product (a backward pass): ``vjp(u)`` must be ``J^T u``.

    Parameters
    ----------
    f : callable
        ``f(x)`` for an array `point`, ``f(**point)`` for a mapping.
    vjp : callable
        ``vjp(u, x)`` for an array point, ``vjp(u, **point)`` for a mapping: takes a
        cotangent `u` of f's shape and returns the gradient of ``<u, f>``, of the variable's
        shape (with several variables, a mapping from their names, or a tuple in the order of
        `wrt`).
    point : array_like or mapping of str to array_like
        Where to check.
    wrt : str or sequence of str, optional
        The variable (required for a mapping point of several), or several variables: then
        each is checked and a :class:`SeveralResult` returned.
    convention : str, optional
        For a complex variable (required): the convention of the VJP, one of
        :data:`gradcheck.CONVENTIONS`; the result is then a
        :class:`~gradcheck.ComplexCheckResult` (see
        :mod:`gradcheck.verdict.complex_products` for what each convention's VJP is).
        Refused for a real variable.
    options : DirectionalOptions, optional
        How to estimate and compare, as one record.
    **values
        The fields of :class:`DirectionalOptions` as keywords (`directions` is the number
        of random input directions; `seed` their randomness, 0 by default).

    Returns
    -------
    ProductResult or SeveralResult
        The verdict; a SeveralResult when `wrt` names several variables.

    Raises
    ------
    ShapeMismatchError
        The vjp returns a shape other than the variable's, or for several variables a
        tuple of another length.
    FunctionCallError, NonFiniteValueError
        The vjp raises, or returns NaN or infinity.
    UnknownNameError
        A mapping returned for several variables lacks one of them or has a name that is
        not a variable of the point (other variables of the point are allowed: a backward
        that returns dx too), or `wrt` names an unknown variable.

    Notes
    -----
    First the vjp's linearity is tested: for random cotangents ``u1, u2`` and numbers
    ``a, b``, ``vjp(a u1 + b u2)`` must equal ``a vjp(u1) + b vjp(u2)`` within 1e-8 of the
    terms' size (rounding of a linear map is far below); a vjp that is not fails with
    diagnosis kind "not_linear".

    Then the directional derivatives ``J d_k`` along ``K`` random sign directions
    ``d_k = s * (+-1) / sqrt(n)`` (``s`` the coordinate scales, ``n`` the variable's size;
    ``K`` = `directions`, default 4, or 2 when f or the variable has more than 2048 entries)
    are estimated by finite differences (one step search along all of them), and compared,
    under :func:`gradcheck.check`'s tolerance rule (default rtol 1e-12), with
    ``<vjp(v_r), d_k>`` for 8 cotangents ``v_r`` (random signs on 8 disjoint blocks of the
    outputs that cover them all; with fewer outputs, one per output). Cost: about 25 K
    evaluations of f and 10 vjps, whatever the sizes.

    What this promises (`detection_threshold`): a single Jacobian entry ``(i, j)`` wrong by
    ``e`` moves every compared value of the block of output ``i`` by exactly
    ``e s_j / sqrt(b n)`` (``b`` the block's size) whatever the signs, so it is caught, at
    any entry, when that exceeds the value's tolerance plus its error estimate;
    `detection_threshold` is the smallest such ``e`` over all entries, relative to a lower
    bound of the claim's largest entry (``max |vjp(v_r)| / ||v_r||_1`` and the row of the
    output that moves most). Errors in several entries can cancel in one value only for
    particular sign patterns: each further direction halves the chance at worst.

    If the check fails and f and the variable each have at most 2048 entries, the claimed
    Jacobian is rebuilt from the vjps of the output's basis vectors and every entry compared
    by the full check, which locates and diagnoses the error (`located`; a vjp returning
    ``J u`` for ``J^T u``, or the transposed gradient, is a "transpose" diagnosis).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> W, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    >>> f = lambda x: np.tanh(x @ W.T)
    >>> vjp = lambda u, x: W.T @ (u * (1 - np.tanh(W @ x) ** 2))
    >>> check_vjp(f, vjp, x).status
    'passed'
    >>> check_vjp(f, lambda u, x: W.T @ u, x).status
    'failed'
    """
    opts = _product_options(options, values, "check_vjp")
    complex_result = _complex_product("vjp", f, vjp, point, wrt, convention, opts)
    if complex_result is not None:
        return complex_result
    if wrt is not None and not isinstance(wrt, str):
        return _check_several("vjp", f, vjp, point, wrt, opts)
    return _check_product("vjp", f, vjp, point, wrt, opts)


def check_jvp(
    f: Callable[..., Any],
    jvp: Callable[..., Any] | Mapping[str, Callable[..., Any]] | Sequence[Callable[..., Any]],
    point: Point,
    *,
    wrt: str | Sequence[str] | None = None,
    convention: str | None = None,
    options: DirectionalOptions | None = None,
    **values: Unpack[DirectionalValues],
) -> ProductResult | SeveralResult | ComplexCheckResult:
    """Check a Jacobian-vector product (a forward-mode rule): ``jvp(d)`` must be ``J d``.

    Parameters
    ----------
    f, point, options, **values
        As in :func:`check_vjp`.
    jvp : callable
        ``jvp(d, x)`` for an array point, ``jvp(d, **point)`` for a mapping: takes a tangent
        `d` of the variable's shape and returns the directional derivative of f, of f's
        shape. With several variables, a mapping from their names to each one's jvp, or a
        tuple of them in the order of `wrt`.
    wrt : str or sequence of str, optional
        The variable (required for a mapping point of several), or several variables: then
        each is checked and a :class:`SeveralResult` returned.
    convention : str, optional
        For a complex variable the JVP is the real-linear differential
        ``∂f/∂z t + ∂f/∂z̄ conj(t)`` in every convention, so none is needed; ``"holomorphic"``
        checks ``f'(z) t`` and the Cauchy-Riemann equations (see
        :mod:`gradcheck.verdict.complex_products`). Refused for a real variable.

    Returns
    -------
    ProductResult or SeveralResult
        The verdict; a SeveralResult when `wrt` names several variables.

    Raises
    ------
    ShapeMismatchError, FunctionCallError, NonFiniteValueError
        As in :func:`check_vjp` (the jvp must return f's shape).
    UnknownNameError
        The mapping of jvps for several variables lacks one or has a name not in `wrt`.

    Notes
    -----
    As in :func:`check_vjp`, with every entry of ``jvp(d_k)`` compared with ``J d_k`` (no
    cotangents): a single Jacobian entry ``(i, j)`` wrong by ``e`` moves entry ``i`` of every
    ``jvp(d_k)`` by ``e s_j / sqrt(n)``, and the detection threshold is the smallest such
    ``e`` caught at every entry, relative to a lower bound of the claim's largest entry. The
    jvps of the variable's basis vectors rebuild the Jacobian to locate a failure.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.5, -1.0, 2.0])
    >>> check_jvp(np.sin, lambda d, x: np.cos(x) * d, x).status
    'passed'
    >>> check_jvp(np.sin, lambda d, x: np.cos(x) * d ** 2, x).diagnosis.kind
    'not_linear'
    """
    opts = _product_options(options, values, "check_jvp")
    complex_result = _complex_product("jvp", f, jvp, point, wrt, convention, opts)
    if complex_result is not None:
        return complex_result
    if wrt is not None and not isinstance(wrt, str):
        return _check_several("jvp", f, jvp, point, wrt, opts)
    return _check_product("jvp", f, jvp, point, wrt, opts)


@dataclass(frozen=True)
class _Part:
    """One variable's part of what a product of several variables returns."""

    name: str
    names: tuple[str, ...]
    allowed: tuple[str, ...]

    def __call__(self, out: Any) -> Any:
        return parts_of(out, self.names, self.allowed, "the vjp")[self.names.index(self.name)]


@dataclass(frozen=True, kw_only=True)
class SeveralResult:
    """Outcome of :func:`check_vjp` or :func:`check_jvp` with several variables: one verdict
    per variable.

    Attributes
    ----------
    results : Mapping of str to ProductResult
        Each variable's verdict, in the order of `wrt`.
    form : {"vjp", "jvp", "hvp"}
        Which product was checked.
    status : {"passed", "failed", "inconclusive"}
        "failed" when some variable failed, else "inconclusive" when some was, else "passed".
    passed : bool
        True when `status` is "passed"; also the truth value of the result.
    failed_variables : tuple of str
        The variables whose verdict is not "passed".

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> point = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, -1.0])}
    >>> f = lambda a, b: a * b
    >>> r = gradcheck.check_vjp(f, lambda u, a, b: {"a": u * b, "b": u}, point, wrt=("a", "b"))
    >>> r.status, r.failed_variables
    ('failed', ('b',))
    """

    results: Mapping[str, ProductResult]
    form: str = "vjp"

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", MappingProxyType(dict(self.results)))

    @property
    def status(self) -> str:
        statuses = [r.status for r in self.results.values()]
        for status in ("failed", "inconclusive"):
            if status in statuses:
                return status
        return "passed"

    @property
    def passed(self) -> bool:
        """True when `status` is "passed"; also the truth value of the result."""
        return self.status == "passed"

    @property
    def failed_variables(self) -> tuple[str, ...]:
        return tuple(name for name, r in self.results.items() if not r.passed)

    def __bool__(self) -> bool:
        return self.passed

    @property
    def headline(self) -> str:
        names = ", ".join(self.results)
        word = self.status.upper()
        if self.passed:
            return f"gradcheck {word}: {self.form} by {names}: every variable passed"
        wrong = ", ".join(self.failed_variables)
        return f"gradcheck {word}: {self.form} by {names}: not passed for {wrong}"

    def __str__(self) -> str:
        parts = [self.headline]
        for name, result in self.results.items():
            parts.append(f"[{name}] {result if not result.passed else result.headline}")
        return "\n".join(parts)


def _check_several(
    form: str,
    f: Callable[..., Any],
    product: object,
    point: Point,
    wrt: Sequence[str],
    options: DirectionalOptions,
) -> SeveralResult:
    """Each variable's product: a vjp returning every variable's gradient, or one jvp per
    variable (a mapping from the names, or a tuple in their order)."""
    names = validate_names(wrt, point)
    if form == "vjp":
        allowed = tuple(k for k in point if k not in names)
        results = {
            name: _check_product(
                "vjp", f, product, point, name, options, _Part(name, names, allowed)
            )
            for name in names
        }
    else:
        if callable(product):
            raise InvalidArgumentError(
                f"for wrt={names} `jvp` must be a mapping from the names to each variable's "
                f"jvp(d, **point), or a tuple of them in that order; got one callable."
            )
        jvps = parts_of(product, names, (), "`jvp`")
        results = {
            name: _check_product("jvp", f, jvp, point, name, options)
            for name, jvp in zip(names, jvps, strict=True)
        }
    return SeveralResult(results=results, form=form)
