"""What every result record of a check shares: a verdict it cannot be edited out of."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .text import entries_table

__all__ = ["ComparedOutcome", "Outcome", "error_ratio", "frozen_array"]


def frozen_array(value: object) -> np.ndarray:
    """A read-only copy of `value`."""
    out = np.array(value, copy=True)
    out.flags.writeable = False
    return out


def error_ratio(err: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """``err / tol`` entrywise, with ``0/0 = 0`` and ``x/0 = inf``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tol > 0, err / np.where(tol > 0, tol, 1.0), np.where(err > 0, np.inf, 0.0))


class Outcome:
    """Mixin of the frozen result dataclasses: `passed` is derived from `status` (so that
    ``replace(result, status="failed")`` cannot leave it True), the result's truth value is
    `passed`, and the arrays named in `ARRAYS` are stored as read-only copies."""

    ARRAYS: ClassVar[tuple[str, ...]] = ()
    status: str

    def __post_init__(self) -> None:
        for name in self.ARRAYS:
            object.__setattr__(self, name, frozen_array(getattr(self, name)))

    @property
    def passed(self) -> bool:
        """True when `status` is "passed"; also the truth value of the result."""
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed


class ComparedOutcome(Outcome):
    """An outcome that compares `claimed` with `numerical` under a `tolerance`, reported as a
    headline and the worst entries (or directions) side by side."""

    ARRAYS = ("tolerance", "numerical", "claimed", "error_estimate", "reliable")
    INDEX_LABEL: ClassVar[str] = "index"
    headline: str
    claimed: np.ndarray
    numerical: np.ndarray
    tolerance: np.ndarray
    error_estimate: np.ndarray

    def report_parts(self) -> list[str]:
        """The headline and, when there is anything to compare, the worst-entries table."""
        parts = [self.headline]
        if self.claimed.size:
            parts.append(
                entries_table(
                    claimed=self.claimed,
                    numerical=self.numerical,
                    tolerance=self.tolerance,
                    error_estimate=self.error_estimate,
                    ratio=error_ratio(np.abs(self.claimed - self.numerical), self.tolerance),
                    index_label=self.INDEX_LABEL,
                )
            )
        return parts
