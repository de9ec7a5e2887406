"""Numerical Jacobians of any shape, with a per-entry error estimate.

The engine stacks every perturbed point along a new leading axis and evaluates ``f`` once per
chunk when ``f`` is batch-polymorphic, and once per point otherwise. See :mod:`._stencils` for
the difference formulas.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._errors import (
    ComplexStepError,
    InvalidArgumentError,
    NonDeterministicFunctionError,
    NonFiniteValueError,
    OutputTypeError,
)
from ._evaluate import (
    DEFAULT_CHUNK_BYTES,
    _call_checked,
    _detect_vectorized,
    _evaluate_points,
)
from ._layouts import Layout, _validate_layout, convert_layout
from ._stencils import EPS, METHOD_NAMES, METHODS, _Method
from ._target import Point, _describe_index, _first_nonfinite, _make_target, _Target

__all__ = ["JacobianEstimate", "estimate_jacobian", "jacobian"]

#: A priori rounding error of one evaluation of ``f``, in units of ``eps * max|f|``.
_ROUNDING_ULPS = 4.0
#: An entry is unreliable when its empirical error estimate exceeds this fraction of the
#: largest entry of the Jacobian.
_UNRELIABLE_FRACTION = 2.5e-5
_CROSS_CHECK = "at a real point to cross-check the complex step"
#: Kinks are flagged when the kink indicator exceeds its rounding bound by this factor.
_KINK_MARGIN = 4.0


def _validate_method(method: object, *, allowed: tuple[str, ...] = METHOD_NAMES) -> _Method:
    if isinstance(method, str) and method in allowed:
        return METHODS[method]
    msg = f"`method` must be one of {', '.join(map(repr, allowed))}; got {method!r}."
    if isinstance(method, str):
        close = difflib.get_close_matches(method, allowed, n=1, cutoff=0.4)
        if close:
            msg += f" Did you mean {close[0]!r}?"
    raise InvalidArgumentError(msg)


def _coordinate_scales(x: np.ndarray) -> np.ndarray:
    """Scale of each coordinate: ``max(|x_j|, typical)``, typical = median of ``|x|``.

    The typical magnitude (falling back to the mean of ``|x|``, then to 1 for an all-zero
    variable) keeps steps sensible for coordinates that are zero or tiny compared to the rest.
    """
    mags = np.abs(x)
    typical = float(np.median(mags)) if mags.size else 0.0
    if typical == 0.0:
        typical = float(np.mean(mags)) if mags.size else 0.0
    if typical == 0.0:
        typical = 1.0
    return np.maximum(mags, typical)


def _base_steps(x: np.ndarray, method: _Method, step: object) -> np.ndarray:
    """Base step per coordinate, made exactly representable as ``(x + h) - x``."""
    if step is None:
        h = method.relative_step * _coordinate_scales(x)
    else:
        try:
            h = np.broadcast_to(np.asarray(step, dtype=np.float64), x.shape).copy()
        except (ValueError, TypeError) as exc:
            raise InvalidArgumentError(
                f"`step` must be a positive number or an array broadcastable to the variable's "
                f"shape {x.shape}; got {step!r}."
            ) from exc
        if not np.all(np.isfinite(h)) or np.any(h <= 0):
            raise InvalidArgumentError(
                f"`step` must be positive and finite; got {step!r}. Use step=None for steps "
                f"scaled to each coordinate."
            )
    if method.kind == "complex":
        return h
    h = (x + h) - x
    if np.any(h == 0):
        j = _describe_index(tuple(int(i) for i in np.argwhere(h == 0)[0]))
        raise InvalidArgumentError(
            f"`step` is below the spacing of floating-point numbers at coordinate {j} "
            f"(x = {x[tuple(np.argwhere(h == 0)[0])]!r}); use a larger step."
        )
    return h


@dataclass(frozen=True, kw_only=True)
class _TensorEstimate:
    """Engine output in tensor layout (``F.shape + X.shape``)."""

    value: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    kink: np.ndarray
    f_value: np.ndarray
    step: np.ndarray
    evaluations: int
    calls: int
    vectorized: bool


def _evaluate_at_point(target: _Target) -> tuple[np.ndarray, int]:
    """f at the point, evaluated twice to detect non-determinism; returns (F, evaluations)."""
    x = target.x
    f0 = _call_checked(target, x.copy(), "at the point", allow_complex=False)
    bad = _first_nonfinite(f0)
    if bad is not None:
        raise NonFiniteValueError(
            f"{target.role} returned a non-finite value (entry {_describe_index(bad)} of its "
            f"output) at the point itself; derivatives exist only where f is finite."
        )
    again = _call_checked(target, x.copy(), "at the point (second time)", allow_complex=False)
    scale = float(np.max(np.abs(f0), initial=0.0))
    if again.shape != f0.shape or np.any(np.abs(again - f0) > 1e-11 * scale + 1e-300):
        diff = float(np.max(np.abs(again - f0))) if again.shape == f0.shape else float("nan")
        raise NonDeterministicFunctionError(
            f"{target.role} returned different values in two calls at the same point (largest "
            f"difference {diff:.3g}, relative to {scale:.3g}); finite differences of a random "
            f"or stateful function are meaningless. Fix its seed or state inside the function."
        )
    return f0, 2


def _perturbation_plan(x: np.ndarray, h: np.ndarray, method: _Method):
    """Signed offsets, perturbed coordinate values (K, n) and realised steps (K, n)."""
    offsets = np.array(method.offsets, dtype=np.float64)
    xf, hf = x.ravel(), h.ravel()
    if method.kind == "complex":
        perturbed = xf[None, :] + 1j * offsets[:, None] * hf[None, :]
        realised = offsets[:, None] * hf[None, :]
    else:
        perturbed = xf[None, :] + offsets[:, None] * hf[None, :]
        realised = perturbed - xf[None, :]  # exact: both are floats close to each other
    return offsets, perturbed, realised


def _point_builder(x: np.ndarray, perturbed: np.ndarray) -> Callable[[int, int], np.ndarray]:
    n = x.size
    dtype = perturbed.dtype

    def make_points(start: int, stop: int) -> np.ndarray:
        idx = np.arange(start, stop)
        rows, cols = idx // n, idx % n
        points = np.empty((stop - start, *x.shape), dtype=dtype)
        flat = points.reshape(stop - start, n)
        flat[:] = x.ravel()
        flat[np.arange(stop - start), cols] = perturbed[rows, cols]
        return points

    return make_points


def _evaluate_stencil(
    target: _Target,
    method: _Method,
    h: np.ndarray,
    f_shape: tuple[int, ...],
    *,
    vectorized: bool | None,
    chunk_bytes: int,
) -> tuple[np.ndarray, np.ndarray, int, int, bool]:
    """Evaluate f at every perturbed point; returns (Y (K, n, m), realised (K, n), evals, calls,
    vectorized)."""
    x = target.x
    offsets, perturbed, realised = _perturbation_plan(x, h, method)
    n, k = x.size, len(offsets)
    count = k * n
    make_points = _point_builder(x, perturbed)
    is_complex = method.kind == "complex"
    evaluations = calls = 0
    first = []
    for i in range(min(2, count)):
        where = f"at the point perturbed by {_offset_text(offsets[i // n], method)} in coordinate "
        where += _describe_index(np.unravel_index(i % n, x.shape)) + f" of {target.label}"
        value = _call_checked(target, make_points(i, i + 1)[0], where, allow_complex=is_complex)
        if is_complex and value.dtype.kind != "c":
            raise ComplexStepError(
                f"{target.role} returned real values for a complex input, so it is not "
                f"complex-step safe (it probably uses abs, real, imag or a comparison). Use "
                f"method='central' or method='richardson'."
            )
        if value.shape != f_shape:
            raise (
                NonFiniteValueError if False else _shape_error(target, value.shape, f_shape, where)
            )
        first.append(value)
        evaluations += 1
        calls += 1
    first_arr = np.stack(first) if first else np.empty((0, *f_shape))
    if vectorized is None:
        if count >= 2:
            vectorized = _detect_vectorized(
                target, make_points(0, 2), first_arr, allow_complex=is_complex
            )
            evaluations += 2
            calls += 1
        else:
            vectorized = False

    def make_rest(start: int, stop: int) -> np.ndarray:
        return make_points(start + len(first), stop + len(first))

    rest, rest_calls = _evaluate_points(
        target,
        make_rest,
        count - len(first),
        f_shape,
        vectorized=bool(vectorized),
        chunk_bytes=chunk_bytes,
        allow_complex=is_complex,
    )
    evaluations += count - len(first)
    calls += rest_calls
    values = np.concatenate([first_arr.astype(rest.dtype), rest])
    bad = _first_nonfinite(values)
    if bad is not None:
        row = bad[0]
        coord = _describe_index(np.unravel_index(row % n, x.shape))
        raise NonFiniteValueError(
            f"{target.role} returned a non-finite value at the point perturbed by "
            f"{_offset_text(offsets[row // n], method)} in coordinate {coord} of {target.label} "
            f"(h = {h.ravel()[row % n]:.3g}); it is finite at the point itself. Choose a smaller "
            f"`step`, or a point farther from where f is undefined."
        )
    m = int(np.prod(f_shape))
    return values.reshape(k, n, m), realised, evaluations, calls, bool(vectorized)


def _shape_error(target: _Target, got: tuple, expected: tuple, where: str) -> OutputTypeError:
    return OutputTypeError(
        f"{target.role} returned shape {got} {where}, but shape {expected} at the point itself; "
        f"the output shape must not depend on the value of {target.label}."
    )


def _offset_text(offset: float, method: _Method) -> str:
    c = int(offset)
    if method.kind == "complex":
        return f"{c}ih" if c != 1 else "ih"
    sign = "+" if c > 0 else "-"
    return f"{sign}{abs(c)}h" if abs(c) != 1 else f"{sign}h"


def _quotients(method: _Method, y: np.ndarray, realised: np.ndarray, f0: np.ndarray):
    """Difference quotients ``{c: D(c)}``, each of shape (n, m)."""
    index = {int(o): i for i, o in enumerate(method.offsets)}
    out = {}
    for c in method.multiples:
        if method.kind == "central":
            plus, minus = index[c], index[-c]
            width = realised[plus] - realised[minus]
            out[c] = (y[plus] - y[minus]) / width[:, None]
        elif method.kind == "forward":
            i = index[c]
            out[c] = (y[i] - f0[None, :]) / realised[i][:, None]
        else:
            i = index[c]
            out[c] = y[i].imag / realised[i][:, None]
    return out


def _combine(weights: dict[int, float], quotients: dict[int, np.ndarray]) -> np.ndarray:
    return sum(w * quotients[c] for c, w in sorted(weights.items()))


def _estimate_tensor(
    target: _Target,
    method: _Method,
    *,
    step: object = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    at_point: tuple[np.ndarray, int] | None = None,
) -> _TensorEstimate:
    """Numerical Jacobian in tensor layout with its error estimate (see estimate_jacobian).

    `at_point` is ``(f(x), evaluations)`` when the caller has already evaluated f at the point.
    """
    _validate_chunk_bytes(chunk_bytes)
    x = target.x
    f0, evaluations = _evaluate_at_point(target) if at_point is None else at_point
    calls = evaluations
    h = _base_steps(x, method, step)
    y, realised, evals, n_calls, vectorized = _evaluate_stencil(
        target, method, h, f0.shape, vectorized=vectorized, chunk_bytes=chunk_bytes
    )
    evaluations += evals
    calls += n_calls
    f0_flat = f0.ravel()
    hf = h.ravel()
    quotients = _quotients(method, y, realised, f0_flat)
    value = _combine(method.value, quotients)
    truncation = np.abs(_combine(method.truncation, quotients))

    if method.kind == "complex":
        _check_complex_real_part(target, y, f0_flat)
        magnitude = np.max(np.abs(value) * hf[:, None], axis=0, initial=0.0)
        prior = _ROUNDING_ULPS * EPS * magnitude
    else:
        magnitude = np.maximum(np.abs(f0_flat), np.max(np.abs(y), axis=(0, 1), initial=0.0))
        prior = _ROUNDING_ULPS * EPS * magnitude
    # Rounding error of f, pooled over all entries: each truncation estimate bounds it from
    # below (up to the stencil's noise factor), so their maximum is a conservative estimate that
    # does not depend on one entry's luck. Pooled over outputs too, it is an absolute level:
    # tolerances stay small relative to the largest entry, the scale of the detection target.
    # Typical combinations of independent rounding errors reach about half the worst case.
    trunc_noise = method.noise_factor(method.truncation) / 2
    empirical = np.full_like(prior, np.max(truncation * hf[:, None], initial=0.0) / trunc_noise)
    kink = np.zeros(value.shape, dtype=bool)
    kink_term = np.zeros_like(value)
    if method.kind == "central":
        kink, kink_term = _kinks(method, y, f0_flat, np.maximum(prior, empirical), hf)
        if kink.any():  # a kink's truncation estimate says nothing about f's rounding error
            smooth = np.where(kink, 0.0, truncation * hf[:, None])
            empirical = np.full_like(prior, np.max(smooth, initial=0.0) / trunc_noise)
    delta = np.maximum(prior, empirical)
    noise_factor = method.noise_factor(method.value)
    rounding = noise_factor * delta[None, :] / hf[:, None]
    excess = noise_factor * np.maximum(empirical - prior, 0.0)[None, :] / hf[:, None]
    error = truncation + rounding + kink_term
    empirical_error = truncation + excess + kink_term
    scale = float(np.max(np.abs(value), initial=0.0))
    reliable = empirical_error <= _UNRELIABLE_FRACTION * scale

    if method.kind == "complex":
        extra = _cross_check_complex(target, value, f0, h)
        evaluations += extra
        calls += extra

    f_shape, x_shape = f0.shape, x.shape

    def to_tensor(a: np.ndarray) -> np.ndarray:
        return np.array(a.T.reshape(f_shape + x_shape), order="C")

    return _TensorEstimate(
        value=to_tensor(value),
        error=to_tensor(error),
        reliable=to_tensor(reliable),
        kink=to_tensor(kink),
        f_value=f0,
        step=h,
        evaluations=evaluations,
        calls=calls,
        vectorized=vectorized,
    )


def _kinks(method: _Method, y: np.ndarray, f0: np.ndarray, delta: np.ndarray, h: np.ndarray):
    """Detect kinks (one-sided slopes that differ); returns (mask, half the slope jump).

    Uses the second differences ``s(c)`` combined by :attr:`_Method.kink_weights`, which cancel
    the smooth part; an indicator above its rounding bound (each ``s(c)`` is off by at most
    ``4 delta``) times a margin is a kink, with slope jump ``indicator / (h sum(w_c c))``.
    """
    index = {int(o): i for i, o in enumerate(method.offsets)}
    weights = method.kink_weights
    indicator = np.zeros(y.shape[1:])
    for c, w in weights.items():
        indicator += w * (y[index[c]] + y[index[-c]] - 2 * f0[None, :])
    indicator = np.abs(indicator)
    bound = 4 * sum(abs(w) for w in weights.values()) * delta[None, :]
    kink = indicator > _KINK_MARGIN * bound
    response = abs(sum(w * c for c, w in weights.items()))
    half_jump = np.where(kink, indicator / (2 * response * h[:, None]), 0.0)
    return kink, half_jump


def _validate_chunk_bytes(chunk_bytes: object) -> None:
    if not isinstance(chunk_bytes, (int, np.integer)) or isinstance(chunk_bytes, bool):
        raise InvalidArgumentError(f"`chunk_bytes` must be an integer; got {chunk_bytes!r}.")
    if chunk_bytes <= 0:
        raise InvalidArgumentError(f"`chunk_bytes` must be positive; got {chunk_bytes}.")


def _check_complex_real_part(target: _Target, y: np.ndarray, f0: np.ndarray) -> None:
    """Re f(x + ih e_j) must equal f(x) up to O(h^2): otherwise f is not complex-step safe."""
    scale = float(np.max(np.abs(f0), initial=0.0))
    if np.any(np.abs(y.real - f0[None, None, :]) > 1e-8 * scale + 1e-300):
        raise ComplexStepError(
            f"{target.role} is not complex-step safe: its real part changes under an imaginary "
            f"perturbation (it probably uses abs, conj, real/imag or a comparison on its input). "
            f"Use method='central' or method='richardson'."
        )


def _cross_check_complex(target: _Target, value: np.ndarray, f0: np.ndarray, h: np.ndarray) -> int:
    """Compare the complex-step Jacobian with central differences along one fixed direction.

    A function that is analytic but not complex-step safe (conj, abs of a product, ...) gives a
    confidently wrong complex-step derivative; this catches gross disagreement (4 evaluations).
    """
    x = target.x
    rng = np.random.default_rng(20_240_229)
    u = rng.standard_normal(x.shape) * _coordinate_scales(x)
    t = EPS ** (1 / 3)
    values = []
    for c in (1.0, -1.0, 2.0, -2.0):
        point = x + c * t * u
        values.append(
            _call_checked(
                target,
                point,
                "at a real point to cross-check the complex step",
                allow_complex=False,
            ).ravel()
        )
    d1 = (values[0] - values[1]) / (2 * t)
    d2 = (values[2] - values[3]) / (4 * t)
    magnitude = float(max(np.max(np.abs(f0), initial=0.0), np.max(np.abs(values), initial=0.0)))
    tolerance = 100 * (np.abs(d1 - d2) / 3 + _ROUNDING_ULPS * EPS * magnitude / t)
    directional = value.T @ u.ravel()  # (m,)
    scale = max(float(np.max(np.abs(directional), initial=0.0)), float(np.max(np.abs(d1))))
    if np.any(np.abs(directional - d1) > tolerance + 1e-6 * scale):
        worst = int(np.argmax(np.abs(directional - d1)))
        raise ComplexStepError(
            f"method='complex' disagrees with central differences along a random direction "
            f"(entry {worst} of f: complex step {directional[worst]:.6g}, central "
            f"{d1[worst]:.6g}): {target.role} is not complex-step safe (it probably uses conj, "
            f"abs, real/imag or comparisons). Use method='central' or method='richardson'."
        )
    return 4


@dataclass(frozen=True, kw_only=True)
class JacobianEstimate:
    """A numerical derivative with its estimated error.

    Attributes
    ----------
    value : numpy.ndarray
        The numerical derivative in `layout`.
    error : numpy.ndarray
        Estimated absolute error of each entry of `value` (same shape): the truncation-error
        estimate of the method, plus a rounding-error bound for ``f`` (at least
        ``4 eps max|f|`` per evaluation, raised to what the differences show), plus half the
        detected slope jump where ``f`` has a kink.
    reliable : numpy.ndarray of bool
        False where the finite differences cannot be trusted: a kink (different one-sided
        slopes) was detected, or the empirical error estimate exceeds 2.5e-5 of the largest
        entry of `value` (noise, cancellation, too large a step).
    layout : str
        Layout of `value`: "numerator", "denominator" or "tensor".
    method : str
        Finite-difference method used.
    wrt : str or None
        Name of the variable (None for a bare-array point).
    f_shape, x_shape : tuple of int
        Shapes of the function value and of the variable.
    f_value : numpy.ndarray
        The function value at the point.
    step : numpy.ndarray
        Base step of each coordinate (shape `x_shape`).
    evaluations : int
        Number of points at which ``f`` was evaluated (including the two evaluations at the
        point itself and the vectorization test).
    calls : int
        Number of calls of ``f`` (a batched call evaluates many points).
    vectorized : bool
        Whether ``f`` was called on stacked batches of points.
    """

    value: np.ndarray
    error: np.ndarray
    reliable: np.ndarray
    layout: str
    method: str
    wrt: str | None
    f_shape: tuple[int, ...]
    x_shape: tuple[int, ...]
    f_value: np.ndarray
    step: np.ndarray
    evaluations: int
    calls: int
    vectorized: bool


def estimate_jacobian(
    f: Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: Layout = "tensor",
    method: str = "central",
    step: float | np.ndarray | None = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> JacobianEstimate:
    """Numerical derivative of `f` at `point`, with a per-entry error estimate.

    Parameters
    ----------
    f : callable
        The function: ``f(x)`` when `point` is an array, ``f(**point)`` when it is a mapping.
        It must return a real scalar or array whose shape does not depend on the point.
    point : array_like or mapping of str to array_like
        Where to differentiate. The variable must hold real floating-point values; float32 and
        float16 are computed in float64 with a warning.
    wrt : str, optional
        The variable of a mapping `point` to differentiate by; required when it has more than
        one entry.
    layout : {"tensor", "numerator", "denominator"}
        Layout of the result; see :func:`gradcheck.convert_layout` for the conventions.
        ``"tensor"`` has shape ``F.shape + X.shape``.
    method : {"central", "forward", "central4", "richardson", "complex"}
        The difference formula, with base step ``h`` (by default the relative step below times
        each coordinate's scale ``max(|x_j|, median|x|)``):

        ========== ============================================ ========= ============ =======
        method     formula                                      error     default h    evals
        ========== ============================================ ========= ============ =======
        forward    ``(f(x+h) - f(x)) / h``                      O(h)      2^-26        2n
        central    ``(f(x+h) - f(x-h)) / 2h``                   O(h^2)    eps^(1/3)    4n
        central4   ``(-f(x+2h) + 8f(x+h) - 8f(x-h)``            O(h^4)    eps^(1/5)    6n
                   ``+ f(x-2h)) / 12h``
        richardson central differences at 8h, 4h, 2h, h,        O(h^8)    2.5e-3       8n
                   extrapolated (Richardson table)
        complex    ``Im f(x + ih) / h``                         O(h^2)    1e-20        2n
        ========== ============================================ ========= ============ =======

        ``n`` is the number of entries of the variable; every method evaluates ``f`` a few more
        times at the point (and complex once more for a cross-check). The extra evaluations
        (at ``2h`` for central and forward, at ``4h`` for central4, at ``3ih`` for complex)
        give the error estimate. ``"complex"`` needs ``f`` to be real-analytic and written
        with operations that extend to complex numbers (no abs, conj, real/imag, comparisons);
        that is checked.
    step : float or array_like, optional
        Absolute base step, a scalar or per-coordinate array broadcastable to the variable's
        shape. Default: relative steps as above. Steps are rounded so that ``x + h`` is exact.
    vectorized : bool, optional
        Whether ``f`` accepts a stack of points along a new leading axis (returning a stack of
        values). ``None`` (default) detects it safely by evaluating a batch of two points and
        comparing with two single calls; any difference beyond rounding means "no".
    chunk_bytes : int
        Bound on the memory of one batched call (stacked inputs, their copy and the stacked
        outputs); default 256 MiB.

    Returns
    -------
    JacobianEstimate
        The derivative, its error estimate and how it was computed.

    Raises
    ------
    GradcheckError
        On invalid arguments, a function that raises, returns non-finite or non-real values,
        modifies its input, or is not deterministic; each message says where and what to do.

    Notes
    -----
    Assumes ``f`` is smooth (for central4 and richardson: several times differentiable) in a
    neighbourhood of the point of the size of the largest step. The error estimate is the
    difference between two approximations of different accuracy, which is reliable when the
    leading error term dominates; the rounding part assumes each value of ``f`` is accurate to
    a few ulps of ``max|f|`` unless the differences show it is noisier. On smooth functions the
    error relative to ``max(max|J|, max|f| / median|x|)`` (the derivative's scale, or the scale
    rounding in ``f`` imposes) stays below about 2e-6 for forward, 2e-9 for central, 1e-9 for
    central4, 2e-12 for richardson and 1e-14 for complex (the worst cases seen in the test
    suite's random problems are 3 to 10 times smaller).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> est = estimate_jacobian(lambda x: A @ x, np.array([0.5, -1.0]))
    >>> np.allclose(est.value, A), bool(np.all(est.error < 1e-8))
    (True, True)
    """
    target = _make_target(f, point, wrt)
    layout = _validate_layout(layout)
    m = _validate_method(method)
    est = _estimate_tensor(target, m, step=step, vectorized=vectorized, chunk_bytes=chunk_bytes)
    f_shape, x_shape = est.f_value.shape, target.x.shape

    def convert(a: np.ndarray) -> np.ndarray:
        return convert_layout(a, f_shape, x_shape, source="tensor", target=layout)

    return JacobianEstimate(
        value=convert(est.value),
        error=convert(est.error),
        reliable=convert(est.reliable),
        layout=layout,
        method=m.name,
        wrt=target.wrt,
        f_shape=f_shape,
        x_shape=x_shape,
        f_value=est.f_value,
        step=est.step,
        evaluations=est.evaluations,
        calls=est.calls,
        vectorized=est.vectorized,
    )


def jacobian(
    f: Callable[..., Any],
    point: Point,
    *,
    wrt: str | None = None,
    layout: Layout = "tensor",
    method: str = "central",
    step: float | np.ndarray | None = None,
    vectorized: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> np.ndarray:
    """Numerical derivative of `f` at `point` in the requested layout.

    The same computation as :func:`estimate_jacobian` (see it for the parameters, the methods,
    their formulas and error orders), returning only the derivative.

    Returns
    -------
    numpy.ndarray
        Shape ``F.shape + X.shape`` for ``layout="tensor"``, otherwise the canonical shape of
        the layout (see :func:`gradcheck.layout_shapes`).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> g = jacobian(lambda x: x @ x, x)          # gradient of |x|^2 is 2x
    >>> np.allclose(g, 2 * x)
    True
    >>> jacobian(lambda X: X.sum(axis=0), np.ones((2, 3)), layout="numerator").shape
    (3, 6)
    """
    return estimate_jacobian(
        f,
        point,
        wrt=wrt,
        layout=layout,
        method=method,
        step=step,
        vectorized=vectorized,
        chunk_bytes=chunk_bytes,
    ).value
