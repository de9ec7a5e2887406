"""Verdicts: the tolerance rule, `check`, directional checks, diagnosis and the Taylor test.

Built on ``gradcheck.engine``.
"""

from .check import (
    CheckResult,
    Estimates,
    assert_gradient,
    check,
    compare,
    full_check,
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
from .directional import DirectionalResult, check_directional
from .options import (
    DEFAULT_RTOL_DIRECTIONAL,
    MAX_REQUESTED_DIRECTIONS,
    CheckOptions,
    DirectionalOptions,
    merge_options,
)
from .products import PRODUCT_KINDS, ProductResult, SeveralResult, check_jvp, check_vjp
from .second_order import (
    SECOND_ORDER_KINDS,
    BlocksResult,
    SecondOrderResult,
    check_hessian,
    check_hvp,
)
from .taylor import TaylorOptions, TaylorResult, taylor_test
from .text import render_table

__all__ = [
    "DEFAULT_RTOL_DIRECTIONAL",
    "KINDS",
    "MAX_REQUESTED_DIRECTIONS",
    "PRODUCT_KINDS",
    "SECOND_ORDER_KINDS",
    "BlocksResult",
    "CheckOptions",
    "CheckResult",
    "Diagnosis",
    "DirectionalOptions",
    "DirectionalResult",
    "Estimates",
    "Evidence",
    "ProductResult",
    "SecondOrderResult",
    "SeveralResult",
    "TaylorOptions",
    "TaylorResult",
    "assert_gradient",
    "check",
    "check_directional",
    "check_hessian",
    "check_hvp",
    "check_jvp",
    "check_vjp",
    "compare",
    "diagnose",
    "full_check",
    "full_verdict",
    "merge_options",
    "render_table",
    "resolve_layouts",
    "shape_diagnosis",
    "taylor_test",
    "with_diagnosis",
]
