"""The evidence behind a verdict's worst entry: its finite-difference error against the step.

A :class:`CheckResult` remembers how its estimate was made (:class:`SweepSource`: the bound
target, the method and the steps); :func:`entry_sweep` re-estimates the worst entry at a ladder
of steps (:func:`gradcheck.engine.step_sweep`) and puts the verdict's numbers beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..engine import Method, StepSweep, Target, convert_layout, step_sweep
from ..errors import InvalidArgumentError

if TYPE_CHECKING:
    from .check import CheckResult

__all__ = ["EntrySweep", "SweepSource", "entry_sweep"]


@dataclass(frozen=True, kw_only=True)
class SweepSource:
    """How a result's estimate was made, for re-estimating one of its entries.

    Attributes
    ----------
    target : Target
        f bound to its point (private, read-only copies of the caller's arrays).
    method : Method
        The finite-difference method.
    steps : numpy.ndarray
        The base step of each coordinate of the variable (read-only).
    vectorized : bool
        Whether f took stacks of points.
    """

    target: Target
    method: Method
    steps: np.ndarray
    vectorized: bool


@dataclass(frozen=True, kw_only=True)
class EntrySweep:
    """A check's worst entry: the finite differences at a ladder of steps, and the verdict.

    Attributes
    ----------
    index : tuple of int
        The entry, an index into the result's `claimed` (its `worst_index`).
    sweep : StepSweep
        The entry estimated at a ladder of steps (see :func:`gradcheck.engine.step_sweep`).
    claimed, numerical : float
        The claimed value of the entry and the check's numerical one.
    discrepancy : float
        ``|claimed - numerical|``.
    tolerance : float
        The entry's tolerance in the check.
    step_used : float
        The base step of the check along the entry's coordinate.
    layout : str
        The layout of `index`.
    """

    index: tuple[int, ...]
    sweep: StepSweep
    claimed: float
    numerical: float
    discrepancy: float
    tolerance: float
    step_used: float
    layout: str


def _tensor_entry(result: CheckResult) -> tuple[int, int]:
    """(output, coordinate): flat indices in tensor layout of the result's worst entry."""
    f_size, x_size = int(np.prod(result.f_shape)), int(np.prod(result.x_shape))
    positions = np.arange(f_size * x_size, dtype=np.float64).reshape(
        (*result.f_shape, *result.x_shape)
    )
    in_layout = convert_layout(
        positions, result.f_shape, result.x_shape, source="tensor", target=result.layout
    )
    flat = int(in_layout.reshape(result.claimed.shape)[result.worst_index])
    return divmod(flat, x_size)


def entry_sweep(result: CheckResult) -> EntrySweep:
    """The worst entry of `result`, re-estimated at a ladder of steps around the one used.

    Parameters
    ----------
    result : CheckResult
        A result of :func:`gradcheck.check` (or :meth:`gradcheck.Identity.check`, the
        catalogue runner, ``gradcheck show``/``formula``) with at least one entry.

    Returns
    -------
    EntrySweep
        The sweep and the verdict's numbers for the entry. The ladder costs a few dozen
        evaluations of f (see :func:`gradcheck.engine.step_sweep`).

    Raises
    ------
    InvalidArgumentError
        When the result has no entries, or was not made by a full check.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> r = gradcheck.check(lambda x: np.sum(np.sin(x)), np.cos([0.5, 1.0]), np.array([0.5, 1.0]))
    >>> e = entry_sweep(r)
    >>> e.index == r.worst_index, bool(e.sweep.errors.min() < e.tolerance)
    (True, True)
    """
    source = result.sweep_source
    if source is None:
        raise InvalidArgumentError(
            "this result was not made by a full check of every entry, so there is no entry "
            "estimate to sweep; use gradcheck.check (a directional or product check has none)."
        )
    if result.claimed.size == 0:
        raise InvalidArgumentError("the result has no entries (a size-0 derivative): no sweep.")
    output, coordinate = _tensor_entry(result)
    step_used = float(source.steps.ravel()[coordinate])
    sweep = step_sweep(
        source.target,
        source.method,
        coordinate=coordinate,
        output=output,
        step_used=step_used,
        vectorized=source.vectorized,
    )
    claimed = float(result.claimed[result.worst_index])
    numerical = float(result.numerical[result.worst_index])
    return EntrySweep(
        index=result.worst_index,
        sweep=sweep,
        claimed=claimed,
        numerical=numerical,
        discrepancy=abs(claimed - numerical),
        tolerance=float(result.tolerance[result.worst_index]),
        step_used=step_used,
        layout=result.layout,
    )
