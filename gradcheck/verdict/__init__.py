"""Verdicts: the tolerance rule, `check`, directional checks, diagnosis and the Taylor test.

Built on ``gradcheck.engine``.
"""

from .check import (
    CheckResult,
    Estimates,
    assert_gradient,
    check,
    check_and_estimate,
    compare,
    full_verdict,
    resolve_layouts,
    with_diagnosis,
)
from .diagnosis import (
    KINDS,
    Diagnosis,
    Evidence,
    diagnose,
    shape_diagnosis,
)
from .options import CheckOptions
from .taylor import TaylorResult, taylor_test
from .text import render_table

__all__ = [
    "KINDS",
    "CheckOptions",
    "CheckResult",
    "Diagnosis",
    "Estimates",
    "Evidence",
    "TaylorResult",
    "assert_gradient",
    "check",
    "check_and_estimate",
    "compare",
    "diagnose",
    "full_verdict",
    "render_table",
    "resolve_layouts",
    "shape_diagnosis",
    "taylor_test",
    "with_diagnosis",
]
