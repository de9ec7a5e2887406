"""Checking a claimed derivative by a complex variable, in a named convention.

:func:`gradcheck.check` comes here when its variable is complex. The numerical side is the
Wirtinger pair from the real engine (see :mod:`gradcheck.engine.complex_pair`); the claim is
compared with the pair mapped by the convention (see :mod:`gradcheck.engine.conventions`), in
the layout, under the one tolerance rule of :func:`gradcheck.check` (``|claimed - numerical|``
is the modulus of a complex difference; the error estimate maps with the convention). The
Cauchy-Riemann equations are tested on every check: ``∂f/∂z̄ = 0`` holds when every
``|∂f/∂z̄|`` is within ``4 * error_estimate + atol + rtol * max(|∂f/∂z|, |∂f/∂z̄|)``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from ..engine import (
    CONVENTIONS,
    ComplexPairTarget,
    Convention,
    Method,
    Search,
    TensorEstimate,
    WirtingerPair,
    apply_convention,
    convert_layout,
    estimate_tensor,
    evaluate_at_point,
    make_complex_target,
    pair_step,
    refuse_empty,
    second_opinion,
    validate_complex_method,
    validate_layout,
    validated_convention,
    wirtinger_pair,
)
from ..engine import LAYOUTS as _LAYOUTS
from ..errors import FunctionCallError, NonFiniteValueError
from .check import (
    SAFETY,
    CheckResult,
    Comparison,
    Status,
    _as_claimed_array,
    compare,
    headline_text,
    resolve_layouts,
)
from .complex_diagnosis import diagnose_complex
from .options import CheckOptions
from .outcome import error_ratio
from .text import _fmt_err, _index_text, render_table, worst_entries

__all__ = ["ComplexCheckResult", "check_complex", "check_complex_layouts"]


@dataclass(frozen=True, kw_only=True)
class ComplexCheckResult(CheckResult):
    """Outcome of checking a derivative by a complex variable (a :class:`CheckResult`).

    The fields of :class:`CheckResult` keep their meaning with complex `claimed` and
    `numerical` (`numerical` in the convention and layout compared; errors are moduli); in
    addition:

    Attributes
    ----------
    convention : str
        The convention compared in (for ``convention="auto"``: the first one the claim
        satisfies, else the closest).
    satisfied_conventions : tuple of str
        Every convention in which the claim passes (with ``convention="auto"``; else the
        declared one when it passed, or empty).
    cauchy_riemann : {"passed", "failed", "inconclusive"}
        Whether ``∂f/∂z̄ = 0`` (f holomorphic at the point) within the error bars.
    dz, dzbar : numpy.ndarray
        The numerical Wirtinger pair ``∂f/∂z``, ``∂f/∂z̄`` in tensor layout
        (``f_shape + x_shape``).
    pair_error : numpy.ndarray
        The error bound of either (real, same shape).
    complex_output : bool
        Whether f's value is complex.
    form : {"jacobian", "vjp", "jvp"}
        What was checked: the derivative itself (:func:`gradcheck.check`), or products
        (:func:`gradcheck.check_vjp`, :func:`gradcheck.check_jvp`; `claimed` and `numerical`
        are then the stacked products, see :mod:`gradcheck.verdict.complex_products`, and
        `convention` is "differential" for a JVP checked without one).

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> z = np.array([1.0 + 2.0j, -0.5j])
    >>> r = gradcheck.check(lambda z: np.vdot(z, z).real, 2 * z, z, convention="auto")
    >>> r.satisfied_conventions
    ('complex_gradient', 'pytorch', 'tensorflow')
    """

    ARRAYS: ClassVar[tuple[str, ...]] = (*CheckResult.ARRAYS, "dz", "dzbar", "pair_error")
    convention: str
    satisfied_conventions: tuple[str, ...] = ()
    cauchy_riemann: Status = "inconclusive"
    dz: np.ndarray = field(repr=False)
    dzbar: np.ndarray = field(repr=False)
    pair_error: np.ndarray = field(repr=False)
    complex_output: bool = False
    form: str = "jacobian"

    def report_parts(self) -> list[str]:
        parts = [self.headline]
        if self.claimed.size:
            parts.append(complex_entries_table(self))
        return parts


def _complex_text(value: complex) -> str:
    return f"{value.real:.6g}{value.imag:+.6g}j"


def complex_entries_table(result: CheckResult) -> str:
    """The worst entries of a complex comparison: index, claimed, numerical, |error|,
    tolerance, FD error estimate."""
    ratio = error_ratio(np.abs(result.claimed - result.numerical), result.tolerance)
    rows = []
    for idx in worst_entries(ratio):
        c, n = complex(result.claimed[idx]), complex(result.numerical[idx])
        rows.append(
            [
                _index_text(idx),
                _complex_text(c),
                _complex_text(n),
                _fmt_err(abs(c - n)),
                _fmt_err(float(result.tolerance[idx])),
                _fmt_err(float(result.error_estimate[idx])),
            ]
        )
    headers = ["index", "claimed", "numerical", "|error|", "tolerance", "FD error est."]
    return render_table(rows, headers)


def complex_claim(derivative: object, target: ComplexPairTarget) -> np.ndarray:
    """The claimed derivative as complex128: the array, or the callable at the point."""
    value = derivative
    if callable(derivative):
        assert target.inner is not None
        deriv = replace(target.inner, f=derivative, role="the derivative")
        value = deriv.call(target.z.copy(), "at the point")
    label = "the claimed `derivative`" if value is derivative else "what `derivative` returned"
    return _as_claimed_array(value, label, np.complex128)


def pair_fields(pair: WirtingerPair) -> dict[str, Any]:
    """The fields of a :class:`ComplexCheckResult` that come from the Wirtinger pair."""
    return {
        "dz": pair.dz,
        "dzbar": pair.dzbar,
        "pair_error": pair.error,
        "complex_output": pair.complex_output,
    }


def pair_scale(dz: np.ndarray, dzbar: np.ndarray) -> float:
    """The scale of a derivative by a complex variable: the largest entry of either Wirtinger
    derivative."""
    return max(float(np.max(np.abs(dz), initial=0.0)), float(np.max(np.abs(dzbar), initial=0.0)))


def compare_complex(
    claimed: np.ndarray,
    numerical: np.ndarray,
    error: np.ndarray,
    reliable: np.ndarray,
    tolerances: dict[str, float],
    pair: WirtingerPair | ComplexCheckResult,
    frozen: np.ndarray | None = None,
) -> Comparison:
    """:func:`compare` at the scale of the whole derivative (see :func:`pair_scale`)."""
    scale = max(pair_scale(pair.dz, pair.dzbar), float(np.max(np.abs(numerical), initial=0.0)))
    return compare(claimed, numerical, error, reliable, **tolerances, frozen=frozen, scale=scale)


def cauchy_riemann(pair: WirtingerPair, tolerances: dict[str, float]) -> Status:
    """Whether ``∂f/∂z̄ = 0`` within the error bars (the rule in the module docstring)."""
    scale = pair_scale(pair.dz, pair.dzbar)
    tol = SAFETY * pair.error + tolerances["atol"] + tolerances["rtol"] * scale
    off = np.abs(pair.dzbar) > tol
    if np.any(off & pair.reliable):
        return "failed"
    return "passed" if np.all(pair.reliable) else "inconclusive"


@dataclass(frozen=True)
class ConventionCandidate:
    """The numerical derivative in one convention and layout, and the claim compared with it."""

    convention: Convention
    layout: str
    numerical: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    comparison: Comparison


def in_convention(
    pair: WirtingerPair,
    conv: Convention,
    layout: str,
    claimed: np.ndarray,
    tolerances: dict[str, float],
    cr: Status,
) -> ConventionCandidate:
    """The claim compared with the pair in `conv` and `layout` (a holomorphic claim also
    needs the Cauchy-Riemann equations to hold)."""
    value, error = apply_convention(conv, pair.dz, pair.dzbar, pair.error)
    z_shape = pair.dz.shape[len(pair.f_shape) :]

    def conv_layout(a: np.ndarray) -> np.ndarray:
        out = convert_layout(a, pair.f_shape, z_shape, source="tensor", target=layout)
        return out.reshape(claimed.shape)

    numerical, err = conv_layout(value), conv_layout(error)
    reliable, frozen = conv_layout(pair.reliable), conv_layout(pair.frozen)
    comparison = compare_complex(claimed, numerical, err, reliable, tolerances, pair, frozen)
    if conv.holomorphic and cr != "passed" and comparison.status != "failed":
        comparison = replace(comparison, status="failed" if cr == "failed" else cr)
    return ConventionCandidate(conv, layout, numerical, err, reliable, comparison)


def numerical_in(
    result: ComplexCheckResult, conv: Convention, *, dzbar: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(numerical derivative, error bound) of `result`'s pair in `conv`, in the result's layout
    and the claim's shape (`dzbar` replaces ∂f/∂z̄ when given)."""
    error = result.pair_error
    value, err = apply_convention(conv, result.dz, result.dzbar if dzbar is None else dzbar, error)

    def conv_layout(a: np.ndarray) -> np.ndarray:
        out = convert_layout(
            a, result.f_shape, result.x_shape, source="tensor", target=result.layout
        )
        return out.reshape(result.claimed.shape)

    return conv_layout(value), conv_layout(err)


def _candidates(
    pair: WirtingerPair,
    conventions: list[Convention],
    layouts: list[str],
    claimed: np.ndarray,
    tolerances: dict[str, float],
) -> tuple[list[ConventionCandidate], Status]:
    cr = cauchy_riemann(pair, tolerances)
    found = [
        in_convention(pair, conv, layout, claimed, tolerances, cr)
        for conv in conventions
        for layout in layouts
    ]
    return found, cr


@dataclass(frozen=True)
class _Case:
    """One claim to compare: the target, the estimate, the claim, the convention (None:
    every convention), the layout and the options."""

    target: ComplexPairTarget
    est: TensorEstimate
    claimed: np.ndarray
    conv: Convention | None
    layout: str
    options: CheckOptions


@dataclass(frozen=True)
class _SecondOpinion:
    """The second estimate of `target` (another method, other steps than `first`), made at
    most once, when a verdict first asks for it; the error that making it raised, if any."""

    target: ComplexPairTarget
    method: Method
    first: TensorEstimate
    options: CheckOptions

    @functools.cached_property
    def estimate(self) -> TensorEstimate | Exception:
        engine = {"vectorized": self.options.vectorized, "chunk_bytes": self.options.chunk_bytes}
        try:
            return second_opinion(self.target, self.method, self.first, **engine)
        except (NonFiniteValueError, FunctionCallError) as exc:
            return exc


def _verdict(case: _Case) -> ComplexCheckResult:
    """The verdict on the case's estimate, in its convention (None: every convention)."""
    target, est, claimed, conv = case.target, case.est, case.claimed, case.conv
    layout, options = case.layout, case.options
    pair = wirtinger_pair(est, target.complex_output)
    z_shape = target.z.shape
    layouts, declared = resolve_layouts(claimed.shape, pair.f_shape, z_shape, layout)
    conventions = [conv] if conv is not None else list(CONVENTIONS.values())
    meaningful = (
        (lambda c: not c.real_only) if target.complex_output else (lambda c: not c.holomorphic)
    )
    conventions = [c for c in conventions if meaningful(c)]
    found, cr = _candidates(pair, conventions, layouts, claimed, options.tolerances())
    passing = [c for c in found if c.comparison.passed]
    chosen = passing[0] if passing else min(found, key=lambda c: c.comparison.max_rel_error)
    comparison = chosen.comparison
    if declared is not None:
        comparison = replace(comparison, status="failed")
    satisfied = tuple(dict.fromkeys(c.convention.name for c in passing))
    notes = _notes(conv, satisfied, chosen, declared, cr, target)
    var = "z" if target.wrt is None else target.wrt
    what = (
        f"df/d{var} (f: {pair.f_shape}, {var}: {z_shape}, complex) in convention "
        f"{chosen.convention.name!r}, {chosen.layout} layout"
    )
    how = f"{options.method}, {est.evaluations + 1} evaluations"
    return ComplexCheckResult(
        **comparison.result_fields(),
        numerical=chosen.numerical,
        claimed=claimed,
        error_estimate=chosen.error,
        reliable=chosen.reliable,
        evaluations=est.evaluations + 1,
        layout=chosen.layout,
        method=options.method,
        wrt=target.wrt,
        f_shape=pair.f_shape,
        x_shape=z_shape,
        headline=headline_text(comparison.status, what, comparison, "entry", how),
        notes=tuple(notes),
        declared_layout=declared,
        convention=chosen.convention.name,
        satisfied_conventions=satisfied if (conv is None or comparison.passed) else (),
        cauchy_riemann=cr,
        **pair_fields(pair),
    )


def _notes(
    conv: Convention | None,
    satisfied: tuple[str, ...],
    chosen: ConventionCandidate,
    declared: str | None,
    cr: Status,
    target: ComplexPairTarget,
) -> list[str]:
    notes = []
    if conv is None:
        if satisfied:
            notes.append("the claim satisfies the conventions " + ", ".join(satisfied) + ".")
        else:
            notes.append("the claim satisfies none of the conventions " + ", ".join(CONVENTIONS))
    if declared is not None:
        notes.append(
            f"layout mismatch: the claim has the {chosen.layout} layout's shape, but "
            f"layout={declared!r} was declared."
        )
    if chosen.convention.holomorphic and cr == "failed":
        notes.append("the Cauchy-Riemann equations fail: ∂f/∂z̄ is not zero.")
    if not target.complex_output and cr == "passed":
        notes.append("f is real-valued and its derivative vanishes here (a stationary point).")
    if not np.all(chosen.reliable):
        notes.append(
            f"the finite differences are unreliable at {int(np.sum(~chosen.reliable))} entries "
            f"(noise, a kink or cancellation): try method='richardson' or another point."
        )
    return notes


def check_complex(
    f: Any,
    derivative: Any,
    point: Any,
    *,
    wrt: str | None,
    layout: str,
    convention: object,
    options: CheckOptions,
) -> ComplexCheckResult:
    """:func:`gradcheck.check` at a complex point (see its docstring and this module's)."""
    claims = {layout: derivative}
    return check_complex_layouts(f, claims, point, wrt=wrt, convention=convention, options=options)[
        layout
    ]


def check_complex_layouts(
    f: Any,
    claims: Mapping[str, Any],
    point: Any,
    *,
    wrt: str | None,
    convention: object,
    options: CheckOptions,
) -> dict[str, ComplexCheckResult]:
    """:func:`check_complex` of each claim of `claims` (layout -> derivative) on one estimate:
    the layouts are relabellings of the same numbers, so each result is the one a separate
    call would give (the same evaluations reported), at the cost of one.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([1 + 2j, 3 - 1j])
    >>> f = lambda z: np.real(np.vdot(z, z))
    >>> claims = {"numerator": lambda z: z, "denominator": lambda z: z}
    >>> found = check_complex_layouts(
    ...     f, claims, {"z": z}, wrt="z", convention="conjugate_wirtinger",
    ...     options=CheckOptions())
    >>> [r.status for r in found.values()]
    ['passed', 'passed']
    """
    target = make_complex_target(f, point, wrt)
    refuse_empty(target.inner or target, "check")
    conv = validated_convention(convention, target, allow_auto=True)
    layouts = {name: validate_layout(name, allowed=(*_LAYOUTS, "auto")) for name in claims}
    m = validate_complex_method(options.method)
    engine = {"vectorized": options.vectorized, "chunk_bytes": options.chunk_bytes}
    second: _SecondOpinion | None = None  # made with the first estimate, which it holds
    results = {}
    for name, derivative in claims.items():
        layout = layouts[name]
        claimed = complex_claim(derivative, target)
        if second is None:
            f0, evaluations = evaluate_at_point(target)
        n_out = f0.ndim - (1 if target.complex_output else 0)
        resolve_layouts(claimed.shape, f0.shape[:n_out], target.z.shape, layout)  # shapes first
        if second is None:
            est = estimate_tensor(
                target,
                m,
                step=pair_step(options.step),
                search=Search(at_point=(f0, evaluations)),
                **engine,
            )
            second = _SecondOpinion(target, m, est, options)
        case = _Case(target, second.first, claimed, conv, layout, options)
        results[name] = _layout_result(case, second)
    return results


def _layout_result(case: _Case, second: _SecondOpinion) -> ComplexCheckResult:
    """The verdict of one claim, re-examined on the `second` estimate when it did not pass."""
    conv, options = case.conv, case.options
    result = _verdict(case)
    if result.status != "passed" and result.declared_layout is None:
        merged = second.estimate
        if isinstance(merged, Exception):
            note = f"no second estimate at larger steps could be made to confirm this ({merged})"
            result = replace(result, notes=(*result.notes, note))
        else:
            again = _verdict(replace(case, est=merged))
            outcome = (
                f"confirms the first one's {result.status} verdict"
                if again.status == result.status
                else f"turns the first one's {result.status} verdict into {again.status}"
            )
            note = f"a second estimate (another method, other steps) {outcome}."
            result = replace(again, notes=(*again.notes, note))
    if result.status != "passed":
        found = result

        def elsewhere(other: Convention, dzbar: np.ndarray | None) -> tuple[np.ndarray, ...]:
            return numerical_in(found, other, dzbar=dzbar)

        diagnosis = diagnose_complex(result, conv, options.tolerances(), elsewhere)
        result = replace(result, diagnosis=diagnosis)
    return result
