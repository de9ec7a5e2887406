"""Diagnosis: when a claimed derivative is wrong, say how it is wrong.

The tests run from cheapest to costliest and the first that explains the claim wins:

1. ``unreliable`` - the check was inconclusive: why, and what to try;
2. ``layout`` - the claim is the derivative in another layout (its shape, or its values
   where both layouts have the same shape);
3. ``transpose`` - the claim is the transposed derivative (scalar by square matrix);
4. ``sign`` / ``scale`` - the claim is a constant multiple of the derivative (factor fitted by
   least squares; -1 is a sign error);
5. ``structured_convention`` - the claim is the gradient by a square matrix under the other
   convention for symmetric matrices (Cookbook ``2G - G o I`` versus the symmetric part ``G``);
6. ``entries`` - the claim is right except for a few entries (listed), or it agrees with the
   derivative to many significant digits but not to the tolerance (computed in float32, say);
7. ``symmetric_only`` - the claim passes when one input matrix is replaced by its symmetric
   part (re-checked at that point; needs a callable derivative);
8. ``wrong_order`` - the claim passes when the input matrices are replaced by commuting ones
   (polynomials in one of them, neither diagonal nor symmetric; same requirement). A claim that
   passes only where they are diagonal is reported as ``unknown``, with that fact;
9. ``missing_term`` - the difference is a sizeable term of its own (a term, or a chain-rule
   factor, is missing);
10. ``unknown`` - with a summary of the error pattern (a claim that is zero, for one).

An explanation is named only when the evidence shows it: the claim must match the derivative
as the explanation changes it (within the check's tolerance, widened where noted), *and* that
changed derivative must differ from the derivative itself by more than both tolerances at
some entry - otherwise the explanation is no different from "the claim is a little off" (a
transposed symmetric matrix, a factor that rounds to 1). Printed factors never read 1, and
printed pairs of numbers carry enough digits to differ.

Tests 1-6 and 9-10 reuse the check's evaluations (no extra cost). When they find nothing,
one numerical derivative at the point with the variable X replaced by X^T tests for a
transpose missing inside the formula, and tests 7 and 8 re-run the check at modified points:
at most one full check per square-matrix input, one for all of them together, one for the
commuting point and one for the diagonal point.

For a directional check (a variable too large for the full check) the evidence is projections
``v_r^T J u_r`` on random directions, not entries: only a constant factor and a loss of digits
can be read from them; anything else is reported as ``unknown`` without naming entries.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..engine import LAYOUTS, convert_layout, layout_shapes
from ..errors import GradcheckError
from .text import _fmt_pair

__all__ = ["KINDS", "Diagnosis"]

KINDS = (
    "unreliable",
    "layout",
    "transpose",
    "sign",
    "scale",
    "structured_convention",
    "entries",
    "symmetric_only",
    "wrong_order",
    "missing_term",
    "unknown",
    # complex variables (see gradcheck.verdict.complex_diagnosis)
    "conjugate_transpose",
    "conjugate",
    "wirtinger_factor",
    "not_holomorphic",
)

_NICE = {2.0: "2", 0.5: "1/2", 3.0: "3", 1 / 3: "1/3", 4.0: "4", 0.25: "1/4"}

#: A claim whose largest error is at most this fraction of the largest numerical entry agrees
#: with the derivative to five or more significant digits: it is called imprecise (lower
#: precision, an approximation, a tiny term), not wrong in a way the numbers could name.
_IMPRECISE = 1e-5


@dataclass(frozen=True, kw_only=True)
class Diagnosis:
    """What kind of mistake a failed claim looks like.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    message : str
        One line for a person.
    factor : float or None
        The fitted factor (kinds "scale" and "sign"; -1 exactly when the claim is the negative
        of the derivative within the tolerance).
    layout : str or None
        Kind "layout": the layout in which the claim is right, or, when the claim has another
        layout's shape but is wrong there too, that layout.
    variables : tuple of str
        The inputs involved (kinds "symmetric_only", "wrong_order"; "transpose" when a variable
        appears untransposed inside the formula).
    entries : tuple of (index, claimed, numerical)
        The worst entries (kinds "entries", "missing_term", "unknown"; empty in directional
        mode, where no entry is compared).

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> x = np.array([0.5, -1.0, 2.0])
    >>> d = gradcheck.check(lambda x: x @ x, 4 * x, x).diagnosis
    >>> d.kind, d.factor
    ('scale', 2.0)
    """

    kind: str
    message: str
    factor: float | None = None
    layout: str | None = None
    variables: tuple[str, ...] = ()
    entries: tuple[tuple[tuple[int, ...], float, float], ...] = field(default=())

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


def _worst(claimed: np.ndarray, numerical: np.ndarray, count: int = 3):
    err = np.abs(claimed - numerical).ravel()
    order = np.argsort(-err, kind="stable")[: min(count, err.size)]
    out = []
    for k in order:
        idx = tuple(int(i) for i in np.unravel_index(int(k), claimed.shape))
        out.append((idx, float(claimed[idx]), float(numerical[idx])))
    return tuple(out)


def _entries_text(entries) -> str:
    parts = []
    for index, claimed, numerical in entries:
        c, n = _fmt_pair(claimed, numerical, 4)
        parts.append("[" + ", ".join(map(str, index)) + f"] claimed {c} vs {n}")
    return ", ".join(parts)


def _factor_text(alpha: float) -> str:
    for value, text in _NICE.items():
        if abs(alpha - value) <= 1e-6 * value:
            return text
    return f"{alpha:.6g}"


@dataclass(frozen=True)
class Evidence:
    """What a diagnosis may look at. `claimed`, `numerical` and `tolerance` share one shape:
    a layout's (``layout``), or ``(directions,)`` for the projections of a directional check
    (`projections` True). `tensor` is not needed (other layouts are moved from `numerical`),
    and kept for the callers."""

    claimed: np.ndarray
    numerical: np.ndarray
    tolerance: np.ndarray
    status: str
    layout: str
    f_shape: tuple[int, ...]
    x_shape: tuple[int, ...]
    tensor: np.ndarray | None = None
    kink: np.ndarray | None = None
    layout_mismatch: str | None = None
    recheck: Callable[[dict[str, Any]], bool] | None = None
    numerical_at: Callable[[dict[str, Any]], np.ndarray] | None = None
    point: dict[str, Any] | None = None
    wrt: str | None = None
    projections: bool = False


def _close(a: np.ndarray, b: np.ndarray, tol: np.ndarray, scale: float = 1.0) -> bool:
    return bool(np.all(np.abs(a - b) <= tol * max(1.0, abs(scale))))


def _distinct(candidate: np.ndarray, N: np.ndarray, tol: np.ndarray, slack: np.ndarray) -> bool:
    """Does an explanation's `candidate` differ from the numerical derivative `N` at some entry
    by more than N's tolerance plus the `slack` allowed between the claim and the candidate?
    Only then does a claim within `slack` of the candidate fail *because* of the difference;
    otherwise the explanation says nothing the bare failure does not."""
    return bool(np.any(np.abs(candidate - N) > tol + slack))


def diagnose(ev: Evidence) -> Diagnosis:
    """Explain a claim that did not pass (see the module docstring for the order of tests)."""
    if ev.status == "inconclusive":
        return _unreliable(ev)
    if ev.layout_mismatch is not None:
        return _shape_of_other_layout(ev)
    if ev.projections:
        return _directional(ev)
    C, N, tol = ev.claimed, ev.numerical, ev.tolerance
    found = (
        _zero(C, N, tol)
        or _other_layout(ev)
        or _scale(C, N, tol)
        or _structured(ev)
        or _few(C, N, tol)
        or _imprecise(C, N, tol)
    )
    if found is not None:
        return found
    found = _transposed_variable(ev) or _rechecks(ev)
    if found is not None:
        return found
    found = _residual(C, N, tol)
    if ev.recheck is None and _has_square_matrix(ev):
        hint = (
            " (a callable derivative would also let symmetric-only and ordering mistakes be tested)"
        )
        return Diagnosis(kind=found.kind, entries=found.entries, message=found.message + hint)
    return found


def _unreliable(ev: Evidence) -> Diagnosis:
    if ev.kink is not None and np.any(ev.kink):
        count = int(np.sum(ev.kink))
        return Diagnosis(
            kind="unreliable",
            message=f"the one-sided slopes differ at {count} entr{'y' if count == 1 else 'ies'} "
            "(f has a kink at or near the point): check at a point away from the kink",
        )
    return Diagnosis(
        kind="unreliable",
        message="the finite differences are noisy or lose their digits to cancellation: try "
        "method='richardson' or 'complex', a larger `step`, or a better-conditioned point",
    )


def _shape_of_other_layout(ev: Evidence) -> Diagnosis:
    """The claim has the shape of layout `ev.layout` although `ev.layout_mismatch` was declared
    (the claim and the numerical derivative are compared in a layout of that shape)."""
    shape = (
        f"the claim has the shape of the {ev.layout} layout, but the {ev.layout_mismatch} "
        "layout was declared"
    )
    C, N, tol = ev.claimed, ev.numerical, ev.tolerance
    if _close(C, N, tol):
        return Diagnosis(kind="layout", layout=ev.layout, message=shape)
    # Wrong in that layout too: say so, and what the values show (the tests that need no
    # layout; a re-check would fail on the shape again).
    if ev.projections:
        values = _directional(ev)
        return replace(
            values,
            message=f"{shape}; and in the {ev.layout} layout its "
            f"projections are wrong too: {values.message}",
            layout=ev.layout,
        )
    values = (
        _zero(C, N, tol)
        or _scale(C, N, tol)
        or _structured(ev)
        or _few(C, N, tol)
        or _imprecise(C, N, tol)
        or _transposed_variable(ev)
        or _residual(C, N, tol)
    )
    return Diagnosis(
        kind=values.kind,
        message=f"{shape}; and in the {ev.layout} layout it is wrong too: {values.message}",
        factor=values.factor,
        layout=ev.layout,
        variables=values.variables,
        entries=values.entries,
    )


def _directional(ev: Evidence) -> Diagnosis:
    C, N, tol = ev.claimed, ev.numerical, ev.tolerance
    found = _zero(C, N, tol, directional=True) or _scale(C, N, tol, directional=True)
    if found is not None:
        return found
    bad = int(np.sum(np.abs(C - N) > tol))
    scale = float(np.max(np.abs(N), initial=0.0))
    rel = float(np.max(np.abs(C - N))) / scale if scale > 0 else math.inf
    if rel <= _IMPRECISE:
        return Diagnosis(
            kind="entries",
            message=f"the claim's projections on {C.size} random directions agree with the "
            f"finite differences to about {_digits(rel)} significant digits (largest error "
            f"{rel:.1e} of the largest) but {bad} differ by more than the tolerance: is the "
            "claim computed in lower precision (float32 gives about 7 digits) or "
            f"approximated? {_ILL_CONDITIONED} gradcheck.check compares every entry",
        )
    return Diagnosis(
        kind="unknown",
        message=f"{bad} of {C.size} projections on random directions differ (largest error "
        f"{rel:.3g} of the largest projection), and not by a common factor; a directional "
        "check does not locate the error: gradcheck.check compares every entry",
    )


# Why a right formula can miss the tolerance by a few digits: the claim and f are two
# computations of the derivative, and an ill-conditioned step in either (a solve, an inverse)
# moves its result by about cond * eps, which finite differences of f cannot see.
_ILL_CONDITIONED = (
    "Or do the claim or f solve or invert an ill-conditioned matrix (at condition number k, "
    "two computations of the same derivative differ by about k * 1e-16)? Then the formula may "
    "be right: pass rtol of that size."
)


def _digits(rel: float) -> int:
    """Significant digits to which values agree when their largest error is `rel` of the
    largest value."""
    return math.floor(-math.log10(rel)) if rel > 0 else 17


def _zero(
    C: np.ndarray, N: np.ndarray, tol: np.ndarray, *, directional: bool = False
) -> Diagnosis | None:
    """A claim that is zero (within the tolerance) where the derivative is not: any factor
    would fit it, so it is not called a multiple of the derivative."""
    if not np.all(np.abs(C) <= tol) or not _distinct(np.zeros_like(N), N, tol, tol):
        return None
    k = np.unravel_index(int(np.argmax(np.abs(N))), N.shape)
    where = "along direction" if directional else "at"
    return Diagnosis(
        kind="unknown",
        message="the claim is zero (within the tolerance) but the derivative is not: its "
        f"largest {'projection' if directional else 'entry'} is {float(N[k]):.4g} {where} "
        "[" + ", ".join(str(int(i)) for i in k) + "]: is the derivative of the right "
        "function, by the right variable?",
    )


def _other_layout(ev: Evidence) -> Diagnosis | None:
    """Is the claim the derivative in another layout of the same shape? (For a scalar by a
    matrix that is its transpose; for a matrix by a scalar, or a square Jacobian, the other
    layout.) The numerical derivative is moved to each layout whose shapes include the
    claim's, entry by entry (no arithmetic), with the tolerance moved alongside."""
    C, N, tol = ev.claimed, ev.numerical, ev.tolerance
    f_shape, x_shape = ev.f_shape, ev.x_shape
    if ev.layout not in LAYOUTS:
        return None

    def move(a: np.ndarray, target: str) -> np.ndarray:
        tensor = convert_layout(a, f_shape, x_shape, source=ev.layout, target="tensor")
        moved = convert_layout(tensor, f_shape, x_shape, source="tensor", target=target)
        return moved.reshape(C.shape)

    for other in LAYOUTS:
        if other == ev.layout or C.shape not in layout_shapes(f_shape, x_shape, other):
            continue
        there, tol_there = move(N, other), move(tol, other)
        if not (_close(C, there, tol_there) and _distinct(there, N, tol, tol_there)):
            continue
        if f_shape == () and len(x_shape) == 2:
            return Diagnosis(
                kind="transpose",
                message="the claim equals the derivative transposed: a transpose is missing "
                "(or extra)",
            )
        fix = (
            "transpose it"
            if {other, ev.layout} == {"numerator", "denominator"}
            else "convert it (gradcheck.convert_layout)"
        )
        return Diagnosis(
            kind="layout",
            layout=other,
            message=f"the claim is right in the {other} layout (the {ev.layout} layout was "
            f"declared): {fix}, or declare layout={other!r}",
        )
    return None


def _scale(
    C: np.ndarray, N: np.ndarray, tol: np.ndarray, *, directional: bool = False
) -> Diagnosis | None:
    nn = float(np.sum(N * N))
    if nn == 0:
        return None
    alpha = float(np.sum(C * N) / nn)
    text = _factor_text(abs(alpha))
    if text == "1" and alpha > 0:
        return None  # a factor that prints as 1 names no mistake: the claim is imprecise
    candidate = alpha * N
    if not _close(C, candidate, tol, alpha):
        return None
    if not _distinct(candidate, N, tol, tol * max(1.0, abs(alpha))):
        return None
    significant = int(np.sum(np.abs(N) > 1e-8 * np.max(np.abs(N))))
    negative = alpha < 0 and text == "1"  # the factor prints as -1
    if significant < 2 and not (negative or text in _NICE.values()):
        return None  # any wrong value of a single number is "a multiple" of the right one
    along = " (along every random direction compared)" if directional else ""
    if negative:
        digits, factor = "", -1.0
        if not _close(C, -N, tol):
            digits, factor = f" to about {_digits(abs(alpha + 1))} significant digits", alpha
        return Diagnosis(
            kind="sign",
            factor=factor,
            message=f"the claim is the negative of the derivative{digits}{along}",
        )
    sign = "-" if alpha < 0 else ""
    hint = ""
    if text in ("2", "1/2"):
        hint = ": a factor 2 or 1/2 is spurious or missing"
    return Diagnosis(
        kind="scale",
        factor=alpha,
        message=f"the claim is {sign}{text} times the derivative{along}{hint}",
    )


def _structured(ev: Evidence) -> Diagnosis | None:
    """Conventions for the gradient of a scalar by a symmetric matrix: only a scalar by a
    square matrix has them."""
    C, N, tol = ev.claimed, ev.numerical, ev.tolerance
    if ev.f_shape != () or len(ev.x_shape) != 2 or ev.x_shape[0] != ev.x_shape[1]:
        return None
    if C.shape != ev.x_shape or C.shape[0] < 2:
        return None
    eye = np.eye(C.shape[0])
    candidates = {
        "the Cookbook convention 2G - G o I where the symmetric-part gradient G is expected": (
            2 * N - N * eye
        ),
        "the symmetric-part gradient where the Cookbook convention (independent entries, "
        "2G - G o I) is expected": (N + N * eye) / 2,
    }
    for text, candidate in candidates.items():
        for variant in (candidate, np.tril(candidate)):
            if _close(C, variant, tol, 2.0) and _distinct(variant, N, tol, 2 * tol):
                return Diagnosis(
                    kind="structured_convention",
                    message=f"the claim is {text} (symmetric-matrix conventions differ)",
                )
    return None


def _few(C: np.ndarray, N: np.ndarray, tol: np.ndarray) -> Diagnosis | None:
    bad = np.abs(C - N) > tol
    count = int(bad.sum())
    if count == 0 or bad.size < 4 or count > max(1, min(10, bad.size // 4)):
        return None
    entries = _worst(C, N, min(count, 5))
    return Diagnosis(
        kind="entries",
        entries=entries,
        message=f"the claim is right except at {count} of {bad.size} entries: "
        + _entries_text(entries),
    )


def _imprecise(C: np.ndarray, N: np.ndarray, tol: np.ndarray) -> Diagnosis | None:
    """A claim that agrees with the derivative to many digits, but not to the tolerance."""
    scale = float(np.max(np.abs(N), initial=0.0))
    if scale == 0:
        return None
    rel = float(np.max(np.abs(C - N))) / scale
    if rel > _IMPRECISE:
        return None
    bad = int(np.sum(np.abs(C - N) > tol))
    entries = _worst(C, N, min(3, bad))
    if C.size == 1:
        where = f"(relative error {rel:.1e}), but not to the tolerance"
    else:
        where = (
            f"(largest error {rel:.1e} of the largest entry), but {bad} of {C.size} entries "
            "differ by more than the tolerance"
        )
    return Diagnosis(
        kind="entries",
        entries=entries,
        message=f"the claim agrees with the derivative to about {_digits(rel)} significant "
        f"digits {where}: is it computed in lower precision (float32 gives about 7 digits) "
        f"or approximated? {_ILL_CONDITIONED} Worst: " + _entries_text(entries),
    )


def _is_square_matrix(value: object, *, nonsymmetric: bool = False) -> bool:
    """A square matrix of size at least 2 (and, if asked, not symmetric)."""
    if not (isinstance(value, np.ndarray) and value.ndim == 2):
        return False
    if value.shape[0] != value.shape[1] or value.shape[0] < 2:
        return False
    return not (nonsymmetric and np.allclose(value, value.T))


def _has_square_matrix(ev: Evidence) -> bool:
    """Is there an input the re-checks (symmetric part, commuting matrices) could modify?"""
    return ev.point is not None and any(_is_square_matrix(v) for v in ev.point.values())


def _transposed_variable(ev: Evidence) -> Diagnosis | None:
    """Is the claim the derivative at the point where the variable X is replaced by X^T?
    Then X appears untransposed where X^T belongs inside the formula. (The derivative there
    has its own finite-difference error, hence the doubled tolerance.)"""
    if ev.numerical_at is None or ev.point is None or ev.wrt is None:
        return None
    X = ev.point.get(ev.wrt)
    if not _is_square_matrix(X, nonsymmetric=True):
        return None
    try:
        there = ev.numerical_at({**ev.point, ev.wrt: np.ascontiguousarray(X.T)})
    except GradcheckError:
        return None
    if there.shape != ev.claimed.shape or not _close(ev.claimed, there, ev.tolerance, 2.0):
        return None
    if not _distinct(there, ev.numerical, ev.tolerance, 2 * ev.tolerance):
        return None  # the derivative at X^T is the derivative at X: nothing to tell apart
    return Diagnosis(
        kind="transpose",
        variables=(ev.wrt,),
        message=f"the claim is the derivative at {ev.wrt}^T: {ev.wrt} appears untransposed "
        f"where {ev.wrt}^T belongs inside the formula (a transpose is missing)",
    )


def _rechecks(ev: Evidence) -> Diagnosis | None:
    if ev.recheck is None or ev.point is None:
        return None
    others = {k: v for k, v in ev.point.items() if k != ev.wrt}
    square = [k for k, v in others.items() if _is_square_matrix(v, nonsymmetric=True)]
    wrt_square = _is_square_matrix(ev.point.get(ev.wrt), nonsymmetric=True)

    def sym(v: np.ndarray) -> np.ndarray:
        return (v + v.T) / 2

    for name in [*square, *([ev.wrt] if wrt_square else [])]:
        if _passes(ev, {name: sym(ev.point[name])}):
            return Diagnosis(
                kind="symmetric_only",
                variables=(name,),
                message=f"the claim holds only for symmetric {name} (it passes where {name} is "
                f"replaced by its symmetric part): use the general formula, e.g. A + A^T "
                f"instead of 2A",
            )
    if len(square) > 1 and _passes(ev, {k: sym(ev.point[k]) for k in square}):
        return Diagnosis(
            kind="symmetric_only",
            variables=tuple(square),
            message=f"the claim holds only when {', '.join(square)} are symmetric",
        )
    commuting = [k for k, v in others.items() if _is_square_matrix(v)]
    if not commuting:
        return None
    changes, bases = _commuting(ev, commuting)
    if changes and _passes(ev, changes):
        involved = [*bases, *changes]
        return Diagnosis(
            kind="wrong_order",
            variables=tuple(involved),
            message=f"the claim holds where {_and(involved)} commute (re-checked with "
            f"{_and(list(changes))} replaced by polynomials in {_and(bases)}), but not at the "
            "point: products are in the wrong order - matrix products do not commute",
        )
    if _passes(ev, {k: _diagonal(ev.point[k]) for k in commuting}):
        tried = " or commute" if changes else ""
        return Diagnosis(
            kind="unknown",
            entries=_worst(ev.claimed, ev.numerical),
            message=f"the claim holds where {_and(commuting)} "
            f"{'are' if len(commuting) > 1 else 'is'} diagonal, but not at the point, nor "
            f"where {'they are' if len(commuting) > 1 else 'it is'} symmetric{tried}: is a "
            "matrix product taken entry by entry, or an entrywise one as a matrix product?",
        )
    return None


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _commuting(ev: Evidence, names: list[str]) -> tuple[dict[str, np.ndarray], list[str]]:
    """A point where the square matrices `names` (and the variable, when it is a square
    matrix) commute without being diagonal or symmetric: per size, the first of them (the
    variable first) stays and each other becomes ``a I + b (M - m I)``, a polynomial in that
    first matrix ``M`` (mean diagonal ``m``), with its own mean diagonal ``a`` and size ``b``.
    Returns the changes and the names of the matrices kept as bases."""
    point = ev.point or {}
    order = [ev.wrt, *names] if _is_square_matrix(point.get(ev.wrt)) else list(names)
    base: dict[int, str] = {}
    used: list[str] = []
    changes: dict[str, np.ndarray] = {}
    for name in order:
        V = np.asarray(point[name], dtype=float)
        n = V.shape[0]
        if n not in base:
            base[n] = name
            continue
        eye = np.eye(n)
        M = np.asarray(point[base[n]], dtype=float)
        centred = M - np.trace(M) / n * eye
        unit = float(np.linalg.norm(centred))
        if unit == 0:
            continue  # a multiple of I: it commutes with everything already
        a = np.trace(V) / n
        size = float(np.linalg.norm(V - a * eye))
        changes[name] = a * eye + (size / unit if size > 0 else 1.0) * centred
        if base[n] not in used:
            used.append(base[n])
    return changes, used


def _diagonal(v: np.ndarray) -> np.ndarray:
    d = np.diagonal(v).copy()
    small = np.abs(d) < 0.25
    d[small] = np.where(d[small] < 0, -0.25, 0.25) + d[small]
    return np.diag(d)


def _passes(ev: Evidence, changes: dict[str, np.ndarray]) -> bool:
    try:
        return bool(ev.recheck({**ev.point, **changes}))  # type: ignore[misc]
    except GradcheckError:
        return False


def _residual(C: np.ndarray, N: np.ndarray, tol: np.ndarray) -> Diagnosis:
    entries = _worst(C, N)
    nc, nn = float(np.linalg.norm(C)), float(np.linalg.norm(N))
    wrong = int(np.sum(np.abs(C - N) > tol))
    if nn > 0 and 1e-3 * nn <= nc <= 1e3 * nn:
        missing = float(np.linalg.norm(N - C))
        return Diagnosis(
            kind="missing_term",
            entries=entries,
            message=f"numerical - claimed is a term of its own (norm {missing:.3g} against "
            f"{nn:.3g}; {wrong} of {C.size} entries differ): is a term or a chain-rule factor "
            "missing? Worst: " + _entries_text(entries),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(N != 0, C / N, np.nan)
    finite = ratio[np.isfinite(ratio)]
    if finite.size:
        low, high = _fmt_pair(float(finite.min()), float(finite.max()), 3)
        pattern = f"claimed/numerical ranges from {low} to {high}"
    else:
        pattern = "the numerical derivative is zero"
    return Diagnosis(
        kind="unknown",
        entries=entries,
        message=f"{wrong} of {C.size} entries differ; {pattern}. Worst: " + _entries_text(entries),
    )


def shape_diagnosis(
    claimed_shape: tuple[int, ...], f_shape: tuple[int, ...], x_shape: tuple[int, ...]
) -> Diagnosis:
    """For a claim whose shape fits no layout."""
    if (
        len(f_shape) == 0
        and len(claimed_shape) == 2
        and claimed_shape[0] == claimed_shape[1]
        and len(x_shape) == 1
    ):
        n, p = claimed_shape[0], x_shape[0]
        if p == n and n > 1:
            return Diagnosis(
                kind="unknown",
                message=f"the claim has the shape of an {n} x {n} matrix, but the variable has "
                f"{n} entries: if they are the parameters of a structured (e.g. diagonal) "
                "matrix, differentiate by the parameters; if the claim is a Hessian or "
                "Jacobian, give the gradient",
            )
        if p in (2 * n - 1, n * (n + 1) // 2) and p != n * n:
            return Diagnosis(
                kind="structured_convention",
                message=f"the claim has the shape of an {n} x {n} matrix, but the variable has "
                f"{p} entries: if they are the parameters of a structured matrix, differentiate "
                "by the parameters (sum the matrix gradient over the entries each parameter "
                "fills)",
            )
    return Diagnosis(
        kind="unknown",
        message=f"the claim's shape {claimed_shape} fits no layout for f {f_shape} and the "
        f"variable {x_shape}",
    )
