"""The finite-difference error of one entry against the step: the V-shaped curve.

A difference quotient of order ``p`` with base step ``h`` is off by a truncation error
``~ C h^p`` (it shrinks with ``h``) plus a rounding error ``~ eps |f| / h`` (it grows as ``h``
shrinks: the values of f that are subtracted agree in more and more of their digits). On
log-log axes the total is a V: slope ``-1`` on the small-step side, slope ``p`` on the large
one, its bottom near ``h ~ eps^(1/(p+1))``, where the engine's default steps sit.

:func:`step_sweep` evaluates one entry of the Jacobian with the method's own stencil (the
functions `gradcheck.engine.estimate_tensor` uses) at a geometric ladder of steps around the
one a check used, and measures each value against a Richardson extrapolation (order ``h^6``)
at its own default step (smaller where f is not finite that far): an independent reference,
far more accurate than the V's bottom for the forward and central methods.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import FunctionCallError, InvalidArgumentError, NonFiniteValueError
from .estimate import (
    _combine,
    _derivatives,
    _evaluate_stencil,
    _quotients,
    coordinate_scales,
)
from .evaluate import DEFAULT_CHUNK_BYTES, call_checked
from .stencils import METHODS, Method
from .target import Target

__all__ = ["StepSweep", "step_sweep"]

#: Steps per decade of the sweep, and decades below the step used.
SWEEP_PER_DECADE = 3
SWEEP_DECADES_BELOW = 5
#: The sweep goes up by about ``10 ** (SWEEP_RISE / order)`` above the step used (the
#: truncation error then grows by about ``10 ** SWEEP_RISE``), but its largest perturbation
#: stays below this fraction of the coordinate's scale.
SWEEP_RISE = 8
SWEEP_LARGEST_PERTURBATION = 0.1


@dataclass(frozen=True, kw_only=True)
class StepSweep:
    """One entry of the Jacobian estimated at a ladder of steps.

    Attributes
    ----------
    steps : numpy.ndarray
        The base steps ``h``, increasing (each exactly representable as ``(x + h) - x``).
    values : numpy.ndarray
        The method's estimate of the entry at each step.
    errors : numpy.ndarray
        ``|values - reference|``.
    reference : float
        Richardson extrapolation of the entry at its default step.
    reference_error : float
        That extrapolation's own truncation-error estimate.
    step_used : float
        The base step the check used for this coordinate.
    method : str
        The finite-difference method of `values`.
    output, coordinate : int
        Flat indices of the entry: into f's value and into the variable.
    stopped : str or None
        Why the ladder ends below its planned top (f not finite, or raising, at a larger
        step); None when it went all the way.
    """

    steps: np.ndarray
    values: np.ndarray
    errors: np.ndarray
    reference: float
    reference_error: float
    step_used: float
    method: str
    output: int
    coordinate: int
    stopped: str | None = None

    def __post_init__(self) -> None:
        for name in ("steps", "values", "errors"):
            arr = np.array(getattr(self, name), dtype=np.float64, copy=True)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)


def _ladder(x: float, scale: float, method: Method, step_used: float) -> np.ndarray:
    """The base steps of the sweep: geometric, `SWEEP_PER_DECADE` per decade, from
    `SWEEP_DECADES_BELOW` decades below `step_used` up to the top set by the method's order."""
    top = step_used * 10.0 ** math.ceil(SWEEP_RISE / method.order)
    top = min(top, SWEEP_LARGEST_PERTURBATION * scale / max(method.multiples))
    top = max(top, step_used)
    bottom = step_used * 10.0**-SWEEP_DECADES_BELOW
    count = round(SWEEP_PER_DECADE * math.log10(top / bottom)) + 1
    steps = np.geomspace(bottom, top, count)
    if method.kind != "complex":
        steps = (x + steps) - x  # the realised steps, as the engine makes them
    return np.unique(steps[steps > 0])


def _values(
    target: Target,
    method: Method,
    steps: np.ndarray,
    coordinate: int,
    output: int,
    f0: np.ndarray,
    vectorized: bool | None,
) -> np.ndarray:
    """The method's estimate of entry (`output`, `coordinate`) at each base step."""
    coords = np.full(steps.size, coordinate, dtype=np.intp)
    y, realised, *_ = _evaluate_stencil(
        target,
        method,
        steps,
        coords,
        f0.shape,
        vectorized=vectorized,
        chunk_bytes=DEFAULT_CHUNK_BYTES,
    )
    return _combine(method.value, _quotients(method, y, realised, f0.ravel()))[:, output]


#: The reference step is divided by 4 up to this many times where f is not finite (or raises)
#: at it; from the first step that works, this many smaller ones are tried as well.
REFERENCE_RETRIES = 6
REFERENCE_SMALLER = 2


def _reference(
    target: Target, coordinate: int, output: int, f0: np.ndarray, vectorized: bool | None
) -> tuple[float, float]:
    """Richardson extrapolation of the entry and its error estimate: at the method's default
    step, or where f is not finite that far from the point, at the first quarter, sixteenth,
    ... of it that works or the `REFERENCE_SMALLER` steps below it, whichever estimates its
    error lowest."""
    richardson = METHODS["richardson"]
    x = float(target.x.ravel()[coordinate])
    step = richardson.relative_step * float(coordinate_scales(target.x).ravel()[coordinate])
    found: list[tuple[float, float]] = []
    failure: Exception | None = None
    for attempt in range(REFERENCE_RETRIES + 1):
        try:
            y, realised, *_ = _evaluate_stencil(
                target,
                richardson,
                np.array([(x + step) - x]),
                np.array([coordinate], dtype=np.intp),
                f0.shape,
                vectorized=vectorized,
                chunk_bytes=DEFAULT_CHUNK_BYTES,
            )
        except (NonFiniteValueError, FunctionCallError) as exc:
            failure = exc
        else:
            value, error = _derivatives(richardson, y, realised, f0.ravel())
            found.append((float(error[0, output]), float(value[0, output])))
            if attempt == 0 or len(found) > REFERENCE_SMALLER:
                break
        step /= 4
    if not found:
        raise failure  # type: ignore[misc]
    error, value = min(found)
    return value, error


def step_sweep(
    target: Target,
    method: Method,
    *,
    coordinate: int,
    output: int,
    step_used: float,
    vectorized: bool | None = None,
) -> StepSweep:
    """Estimate one entry of the Jacobian at a ladder of steps around `step_used`.

    Parameters
    ----------
    target : Target
        f bound to its point (see :func:`gradcheck.engine.make_target`).
    method : Method
        The finite-difference method (e.g. ``validate_method("central")``).
    coordinate, output : int
        Flat indices of the entry: the coordinate of the variable that moves and the entry of
        f's value that is differentiated.
    step_used : float
        The base step of the check, the centre of the ladder (positive).
    vectorized : bool or None
        Whether f takes a stack of points (None: probe it).

    Returns
    -------
    StepSweep
        The steps, the estimates, their errors against a Richardson reference, and where the
        ladder stopped. The ladder spans `SWEEP_DECADES_BELOW` decades below `step_used` and
        about ``SWEEP_RISE / order`` above (no perturbation beyond a tenth of the coordinate's
        scale); it is evaluated a decade at a time and ends at the first decade where f is
        not finite or raises. About ``3 * decades * len(stencil)`` evaluations.

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck.engine import make_target, validate_method
    >>> target = make_target(lambda x: np.sin(x), np.array([0.5]), None)
    >>> sweep = step_sweep(target, validate_method("central"), coordinate=0, output=0,
    ...                    step_used=6e-6)
    >>> bool(abs(sweep.reference - np.cos(0.5)) < 1e-12), bool(sweep.errors.min() < 1e-9)
    (True, True)
    """
    x = target.x.ravel()
    if not (0 <= coordinate < x.size):
        raise InvalidArgumentError(
            f"`coordinate` must be a flat index into the variable (0 to {x.size - 1}); "
            f"got {coordinate!r}."
        )
    if not (math.isfinite(step_used) and step_used > 0):
        raise InvalidArgumentError(f"`step_used` must be positive and finite; got {step_used!r}.")
    f0 = call_checked(target, target.x.copy(), "at the point", allow_complex=False)
    if not (0 <= output < f0.size):
        raise InvalidArgumentError(
            f"`output` must be a flat index into f's value (0 to {f0.size - 1}); got {output!r}."
        )
    scale = float(coordinate_scales(target.x).ravel()[coordinate])
    used = replace(method, multiples=tuple(sorted(method.value)))  # only what the value reads
    steps = _ladder(float(x[coordinate]), scale, used, step_used)
    values, stopped = [], None
    for start in range(0, steps.size, SWEEP_PER_DECADE):
        chunk = steps[start : start + SWEEP_PER_DECADE]
        try:
            values.append(_values(target, used, chunk, coordinate, output, f0, vectorized))
        except (NonFiniteValueError, FunctionCallError) as exc:
            stopped = f"stopped at step {chunk[0]:.3g}: {exc}"
            steps = steps[:start]
            break
    values = np.concatenate(values) if values else np.empty(0)
    reference, reference_error = _reference(target, coordinate, output, f0, vectorized)
    return StepSweep(
        steps=steps,
        values=values,
        errors=np.abs(values - reference),
        reference=reference,
        reference_error=reference_error,
        step_used=float(step_used),
        method=method.name,
        output=int(output),
        coordinate=int(coordinate),
        stopped=stopped,
    )
