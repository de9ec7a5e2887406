"""Turning check results into report records (the CLI's JSON schema), for the pytest plugin."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..verdict import CheckResult


def record_from_result(
    result: CheckResult,
    *,
    name: str,
    family: str = "",
    trial: int = 0,
    shapes: dict[str, tuple[int, ...]] | None = None,
    pitfall: bool = False,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """One record in the schema of ``gradcheck catalogue --format json``."""
    expected = "failed" if pitfall else "passed"
    scale = float(np.max(np.abs(result.numerical), initial=0.0))
    estimate = float(np.max(result.error_estimate, initial=0.0)) / scale if scale else 0.0
    rel = result.max_rel_error
    return {
        "identity": name,
        "family": family,
        "layout": result.layout,
        "trial": trial,
        "shapes": {k: list(v) for k, v in (shapes or {result.wrt or "x": result.x_shape}).items()},
        "pitfall": pitfall,
        "status": result.status,
        "ok": result.status == expected,
        "max_rel_error": rel if math.isfinite(rel) else None,
        "error_estimate": estimate if math.isfinite(estimate) else None,
        "detection_threshold": (
            result.detection_threshold if math.isfinite(result.detection_threshold) else None
        ),
        "evaluations": result.evaluations,
        "seconds": seconds,
        "diagnosis": None if result.diagnosis is None else str(result.diagnosis),
    }
