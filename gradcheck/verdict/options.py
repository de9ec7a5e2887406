"""The options of a check, validated once, in one frozen record."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import DEFAULT_CHUNK_BYTES, Method, validate_chunk_bytes, validate_method
from ..errors import InvalidArgumentError

__all__ = ["CheckOptions"]


def _validate_tolerance(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"`{name}` must be a number; got {value!r}.")
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"`{name}` must be a number; got {value!r}.") from exc
    if not np.isfinite(v) or v < 0:
        raise InvalidArgumentError(f"`{name}` must be finite and >= 0; got {value!r}.")
    return v


@dataclass(frozen=True, kw_only=True)
class CheckOptions:
    """How a full check estimates and compares: what `check` forwards to the one verdict path.

    Parameters
    ----------
    method : str
        Finite-difference method (see :func:`gradcheck.estimate_jacobian`).
    rtol, atol : float or None
        Rounding allowance; None: the method's default rtol (see :func:`gradcheck.check`)
        and atol 0.
    step, vectorized, chunk_bytes
        As in :func:`gradcheck.estimate_jacobian`.

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

    def __post_init__(self) -> None:
        validate_method(self.method)
        object.__setattr__(self, "rtol", _validate_tolerance(self.rtol, "rtol"))
        object.__setattr__(self, "atol", _validate_tolerance(self.atol, "atol"))
        validate_chunk_bytes(self.chunk_bytes)
        if self.vectorized is not None and not isinstance(self.vectorized, (bool, np.bool_)):
            raise InvalidArgumentError(
                f"`vectorized` must be True, False or None; got {self.vectorized!r}."
            )

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
