"""Diagnosis of a claimed derivative by a complex variable that did not pass.

The tests run in this order; the first that explains the claim wins (reusing the check's
evaluations, no new ones):

1. ``unreliable`` - the verdict was inconclusive;
2. ``layout`` - the claim has another layout's shape;
3. ``not_holomorphic`` - a holomorphic claim (``convention="holomorphic"``) for an f whose
   ``∂f/∂z̄`` is not zero, or, for a complex-valued f, a claim equal to the convention's value
   with ``∂f/∂z̄`` dropped (what the formula would be for a holomorphic f): use the Wirtinger
   pair;
4. ``conjugate_transpose`` - the claim is the entrywise conjugate of the derivative, and the
   layout is a transposing one of a matrix-shaped claim: a transpose where the conjugate
   transpose is needed, or the reverse (for a VJP of a complex-valued f: ``J^T u`` for
   ``J^H u``, or the reverse);
5. ``conjugate`` - the claim is the entrywise conjugate of the derivative: right in the
   conjugate convention;
6. ``wirtinger_factor`` - the claim is 2 or 1/2 times the derivative (or its conjugate): the
   factor 2 between a Wirtinger derivative and the complex gradient;
7. ``unknown`` - with the worst entry.

As for real variables (:mod:`gradcheck.verdict.diagnosis`), an explanation is named only when
the claim matches the changed derivative within the tolerance and the changed derivative
differs from the derivative by more than the tolerance somewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import CONVENTIONS, Convention
from .diagnosis import Diagnosis
from .text import _index_text

if TYPE_CHECKING:
    from .complex_check import ComplexCheckResult

__all__ = ["COMPLEX_KINDS", "diagnose_complex"]

#: The diagnosis kinds of complex claims (see the module docstring).
COMPLEX_KINDS = ("conjugate_transpose", "conjugate", "wirtinger_factor", "not_holomorphic")

#: (words, transform of the numerical value, factor of its error bound)
_CHANGES: tuple[tuple[str, Callable[[np.ndarray], np.ndarray], float, str], ...] = (
    ("the conjugate of", np.conj, 1.0, "conjugate"),
    ("2 times", lambda a: 2 * a, 2.0, "wirtinger_factor"),
    ("1/2 times", lambda a: 0.5 * a, 0.5, "wirtinger_factor"),
    ("2 times the conjugate of", lambda a: 2 * np.conj(a), 2.0, "wirtinger_factor"),
    ("1/2 times the conjugate of", lambda a: 0.5 * np.conj(a), 0.5, "wirtinger_factor"),
)


def _changed_convention(conv: Convention, change: Callable[[np.ndarray], np.ndarray]) -> Convention:
    """The convention whose value is `change` (a conjugation and/or a real factor) of `conv`'s:
    conjugating swaps the coefficients of ∂f/∂z with conj(∂f/∂z) and of ∂f/∂z̄ with
    conj(∂f/∂z̄)."""
    probe = change(np.array([1.0 + 1.0j]))[0]
    factor = abs(probe) / np.sqrt(2)
    a, b, c, d = conv.a, conv.b, conv.c, conv.d
    if probe.imag < 0:  # conjugated
        a, b, c, d = c, d, a, b
    return replace(conv, a=factor * a, b=factor * b, c=factor * c, d=factor * d)


def _matches(
    claimed: np.ndarray,
    changed: np.ndarray,
    result: ComplexCheckResult,
    factor: float,
    tol: dict[str, float],
) -> bool:
    """The claim equals `changed` within the tolerance, and `changed` is not the numerical
    derivative itself within it."""
    from .complex_check import compare_complex

    error = factor * result.error_estimate
    if not compare_complex(claimed, changed, error, result.reliable, tol, result).passed:
        return False
    return not compare_complex(
        changed, result.numerical, result.error_estimate, result.reliable, tol, result
    ).passed


def _other_names(result: ComplexCheckResult, changed_ok: Callable[[Convention], bool]) -> str:
    names = [c.name for c in CONVENTIONS.values() if changed_ok(c)]
    word = "convention" if len(names) == 1 else "conventions"
    return f" (it is the derivative in {word} {', '.join(map(repr, names))})" if names else ""


#: ``numerical_in(convention, dzbar)``: the numerical value compared in another convention,
#: with ∂f/∂z̄ replaced by `dzbar` when that is not None, and its error bound.
NumericalIn = Callable[[Any, Any], tuple[np.ndarray, np.ndarray]]


def _satisfies(
    result: ComplexCheckResult, tol: dict[str, float], numerical_in: NumericalIn
) -> Callable[[Convention], bool]:
    from .complex_check import compare_complex

    def ok(conv: Convention) -> bool:
        meaningless = conv.real_only if result.complex_output else conv.holomorphic
        if conv.name == result.convention or meaningless:
            return False
        numerical, error = numerical_in(conv, None)
        return compare_complex(
            result.claimed, numerical, error, result.reliable, tol, result
        ).passed

    return ok


def _not_holomorphic(
    result: ComplexCheckResult,
    conv: Convention | None,
    tol: dict[str, float],
    numerical_in: NumericalIn,
) -> bool:
    """Whether the claim is the convention's value with ∂f/∂z̄ dropped, for an f that is not
    holomorphic."""
    if result.cauchy_riemann != "failed" or not result.complex_output:
        return False  # a real f's pair is one derivative: a factor or conjugation explains it
    dropped, _ = numerical_in(conv, np.zeros_like(result.dzbar))
    return _matches(result.claimed, dropped, result, 1.0, tol)


def diagnose_complex(
    result: ComplexCheckResult,
    declared: Convention | None,
    tol: dict[str, float],
    numerical_in: NumericalIn,
) -> Diagnosis:
    """What a complex claim that did not pass looks like (tests in the module docstring);
    `numerical_in` gives the compared value in another convention (see :data:`NumericalIn`)."""
    conv = CONVENTIONS.get(result.convention)  # None: a JVP's differential
    if result.status == "inconclusive":
        return Diagnosis(
            kind="unreliable",
            message="the finite differences could not vouch for the claim (see the notes); "
            "try method='richardson' or another point.",
        )
    if result.declared_layout is not None:
        return Diagnosis(
            kind="layout",
            layout=result.layout,
            message=f"the claim has the {result.layout} layout's shape, not the "
            f"{result.declared_layout} layout's.",
        )
    holomorphic_claim = conv is not None and conv.holomorphic
    if (holomorphic_claim and result.cauchy_riemann == "failed") or _not_holomorphic(
        result, conv, tol, numerical_in
    ):
        worst = float(np.max(np.abs(result.dzbar)))
        return Diagnosis(
            kind="not_holomorphic",
            message=f"f is not holomorphic (∂f/∂z̄ reaches {worst:.3g}; the Cauchy-Riemann "
            f"equations fail), so it has no single complex derivative: use the Wirtinger pair "
            f"(convention='wirtinger' and 'conjugate_wirtinger'), or a framework's convention "
            f"that includes ∂f/∂z̄.",
        )
    if declared is None and conv is not None:  # convention="auto" matched none
        return _unknown(result)
    satisfies = _satisfies(result, tol, numerical_in)
    for words, change, factor, kind in _CHANGES:
        if conv is None:  # a JVP's differential: the products themselves
            changed = change(result.numerical)
        else:  # the derivative changed, then mapped as the claim was (products too)
            changed = numerical_in(_changed_convention(conv, change), None)[0]
        if not _matches(result.claimed, changed, result, factor, tol):
            continue
        others = "" if conv is None else _other_names(result, satisfies)
        label = "the differential" if conv is None else f"convention {conv.name!r}"
        if kind == "conjugate" and _transposing(result):
            return Diagnosis(
                kind="conjugate_transpose",
                layout=result.layout,
                message=f"a transpose where the conjugate transpose is needed (or the reverse): "
                f"the claim is the entrywise conjugate of the {result.layout}-layout derivative "
                f"in {label}{others}.",
            )
        if kind == "conjugate":
            return Diagnosis(
                kind="conjugate",
                message=f"right in the conjugate convention: the claim is the conjugate of the "
                f"derivative in {label}{others}.",
            )
        return Diagnosis(
            kind="wirtinger_factor",
            factor=factor,
            message=f"off by a factor 2 (Wirtinger derivative vs complex gradient): the claim "
            f"is {words} the derivative in {label}{others}; "
            f"∂f/∂z̄ = (∂f/∂x + i ∂f/∂y)/2, the complex gradient ∂f/∂x + i ∂f/∂y.",
        )
    return _unknown(result)


def _transposing(result: ComplexCheckResult) -> bool:
    """Whether the layout transposes a matrix-shaped claim (both sides not scalars), or the
    claim is a VJP (``J^T u`` against ``J^H u``) of a complex-valued f."""
    if result.form == "vjp":
        return result.complex_output
    shape = result.claimed.shape
    return (
        result.layout in ("numerator", "denominator")
        and len(shape) == 2
        and min(shape) > 1
        and len(result.f_shape) > 0
    )


def _unknown(result: ComplexCheckResult) -> Diagnosis:
    idx = result.worst_index
    c, n = complex(result.claimed[idx]), complex(result.numerical[idx])
    return Diagnosis(
        kind="unknown",
        message=f"the claim matches no convention's derivative; worst entry {_index_text(idx)}: "
        f"claimed {c:.6g}, numerical {n:.6g}.",
    )
