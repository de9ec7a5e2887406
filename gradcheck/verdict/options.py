"""The options of a check, validated once, in one frozen record."""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np

from ..engine import (
    DEFAULT_CHUNK_BYTES,
    Method,
    merge_options,
    validate_chunk_bytes,
    validate_executor,
    validate_method,
    validate_seed,
    validate_vectorized,
)
from ..errors import InvalidArgumentError

__all__ = [
    "CheckOptions",
    "CheckValues",
    "DirectionalOptions",
    "DirectionalValues",
    "merge_options",
    "real_numbers",
    "validate_directions",
]

#: Most random directions a check may be asked for. Every direction (and its output weights) is
#: kept in memory, ``directions * (x.size + f.size)`` float64 numbers; the automatic choice
#: stops at 64, and more than 10,000 buys nothing a full check would not give more cheaply.
MAX_REQUESTED_DIRECTIONS = 10_000


def validate_directions(directions: object) -> int:
    """`directions` as an int in ``[1, MAX_REQUESTED_DIRECTIONS]``, else InvalidArgumentError."""
    is_int = isinstance(directions, (int, np.integer)) and not isinstance(
        directions, (bool, np.bool_)
    )
    if not is_int:
        raise InvalidArgumentError(f"`directions` must be a positive integer; got {directions!r}.")
    if not 1 <= directions <= MAX_REQUESTED_DIRECTIONS:  # type: ignore[operator]
        raise InvalidArgumentError(
            f"`directions` must be from 1 to {MAX_REQUESTED_DIRECTIONS:,}; got {directions}. "
            "Leave it None for the automatic choice, or use gradcheck.check to compare every entry."
        )
    return int(directions)  # type: ignore[arg-type]


#: Default rtol of a directional check, where each projection must resolve single-entry errors.
DEFAULT_RTOL_DIRECTIONAL = 1e-12


def _got(value: object) -> str:
    """`value` as a message shows it: its repr and its type (``'1e-3' (str)``)."""
    return f"{value!r} ({type(value).__name__})"


def real_numbers(value: object, name: str, expected: str) -> np.ndarray:
    """`value` as a float64 array when it is a real number or an array of them; a string, a
    boolean or anything else is an InvalidArgumentError naming `name` and what is `expected`.

    Examples
    --------
    >>> real_numbers(2, "step", "a positive number").dtype
    dtype('float64')
    >>> real_numbers("0.1", "step", "a positive number")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gradcheck.InvalidArgumentError: `step` must be a positive number; got '0.1' (str)...
    """
    try:  # strings and booleans convert to float; they are not numbers a caller meant
        kind = "U" if isinstance(value, (str, bytes)) else np.asarray(value).dtype.kind
    except (TypeError, ValueError):  # ragged or otherwise not an array
        kind = "O"
    if kind not in "iuf":
        raise InvalidArgumentError(
            f"`{name}` must be {expected}; got {_got(value)}. Pass a number (int or float), "
            "not a string or a boolean."
        )
    return np.asarray(value, dtype=np.float64)


def _validate_tolerance(value: object, name: str) -> float | None:
    if value is None:
        return None
    v = real_numbers(value, name, "a number >= 0 such as 1e-6, or None")
    if v.ndim != 0:
        raise InvalidArgumentError(f"`{name}` must be one number; got an array of shape {v.shape}.")
    if not np.isfinite(v) or v < 0:
        raise InvalidArgumentError(f"`{name}` must be finite and >= 0; got {value!r}.")
    return float(v)


def _validate_step_type(step: object) -> None:
    """`step` is None, a number or an array of numbers (its values are checked where the
    steps are made, against the variable's shape)."""
    if step is not None:
        real_numbers(step, "step", "a positive number or an array of them, or None")


@dataclass(frozen=True, kw_only=True)
class CheckOptions:
    """How a full check estimates and compares: what `check` forwards to the one verdict path.

    `check` and `assert_gradient` take these either as one record (``options=``) or as keyword
    arguments of the same names (see :func:`merge_options`).

    Parameters
    ----------
    method : str
        Finite-difference method (see :func:`gradcheck.estimate_jacobian`).
    rtol, atol : float or None
        Rounding allowance; None: the method's default rtol (see :func:`gradcheck.check`)
        and atol 0.
    step, vectorized, chunk_bytes, executor
        As in :func:`gradcheck.estimate_jacobian` (`executor`: where f is evaluated; the
        verdict is the serial one).

    Examples
    --------
    >>> CheckOptions(method="richardson").tolerances()["rtol"] < 1e-12
    True
    """

    method: str = "central"
    rtol: float | None = None
    atol: float | None = None
    step: float | np.ndarray | None = None
    vectorized: bool | None = None
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    executor: Executor | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        validate_method(self.method)
        validate_executor(self.executor)
        object.__setattr__(self, "rtol", _validate_tolerance(self.rtol, "rtol"))
        object.__setattr__(self, "atol", _validate_tolerance(self.atol, "atol"))
        _validate_step_type(self.step)
        validate_chunk_bytes(self.chunk_bytes)
        validate_vectorized(self.vectorized)

    @property
    def finite_differences(self) -> Method:
        """The method's stencil and error model."""
        return validate_method(self.method)

    def tolerances(self, default_rtol: float | None = None) -> dict[str, float]:
        """``{"rtol": ..., "atol": ...}`` with the defaults filled in (`default_rtol`, else the
        method's)."""
        rtol = self.rtol
        if rtol is None:
            rtol = self.finite_differences.rtol if default_rtol is None else default_rtol
        return {"rtol": float(rtol), "atol": 0.0 if self.atol is None else float(self.atol)}


@dataclass(frozen=True, kw_only=True)
class DirectionalOptions(CheckOptions):
    """The options of :func:`gradcheck.check_directional`: those of a full check, plus the
    directions.

    Parameters
    ----------
    directions : int or None
        Number of random directions, 1 to 10,000; None: 8, doubled (up to 64) until the
        detection threshold is at most 1e-6.
    seed : int or numpy.random.Generator
        Randomness of the directions (default 0: reproducible). A Generator is consumed by
        the check that uses it.

    The default rtol is 1e-12 (:data:`DEFAULT_RTOL_DIRECTIONAL`), not the method's: a
    projection must resolve an error in a single entry. `step` is one number, the step along
    each scaled direction.

    Examples
    --------
    >>> DirectionalOptions(directions=16).tolerances()
    {'rtol': 1e-12, 'atol': 0.0}
    """

    directions: int | None = None
    seed: int | np.random.Generator = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.directions is not None:
            object.__setattr__(self, "directions", validate_directions(self.directions))
        object.__setattr__(self, "seed", validate_seed(self.seed))
        if self.step is not None and np.ndim(self.step) != 0:
            raise InvalidArgumentError(
                "a directional check's `step` is one number: the step along each scaled "
                f"direction; got an array of shape {np.shape(self.step)}."
            )

    def tolerances(self, default_rtol: float | None = None) -> dict[str, float]:
        """As :meth:`CheckOptions.tolerances`, with the directional default rtol."""
        return super().tolerances(
            DEFAULT_RTOL_DIRECTIONAL if default_rtol is None else default_rtol
        )


class CheckValues(TypedDict, total=False):
    """The keyword form of :class:`CheckOptions` (for type checkers)."""

    method: str
    rtol: float | None
    atol: float | None
    step: float | np.ndarray | None
    vectorized: bool | None
    chunk_bytes: int
    executor: Executor | None


class DirectionalValues(CheckValues, total=False):
    """The keyword form of :class:`DirectionalOptions` (for type checkers)."""

    directions: int | None
    seed: int | np.random.Generator
