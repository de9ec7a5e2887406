"""Verdicts: the tolerance rule, `check`, directional checks, diagnosis and the Taylor test.

Built on ``gradcheck.engine``.
"""

from .check import (
    CheckResult,
    assert_gradient,
    check,
    check_and_estimate,
    compare,
    resolve_layouts,
)
from .diagnosis import (
    KINDS,
    Diagnosis,
    Evidence,
    diagnose,
    shape_diagnosis,
)
from .taylor import TaylorResult, taylor_test

__all__ = [
    "KINDS",
    "CheckResult",
    "Diagnosis",
    "Evidence",
    "TaylorResult",
    "assert_gradient",
    "check",
    "check_and_estimate",
    "compare",
    "diagnose",
    "resolve_layouts",
    "shape_diagnosis",
    "taylor_test",
]
