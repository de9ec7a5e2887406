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
from .complex_check import ComplexCheckResult, check_complex_layouts
from .complex_diagnosis import COMPLEX_KINDS
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
from .plots import PLOT_EXTRA, new_figure, require_matplotlib, save_figure
from .products import PRODUCT_KINDS, ProductResult, SeveralResult, check_jvp, check_vjp
from .second_order import (
    SECOND_ORDER_KINDS,
    BlocksResult,
    HessianOptions,
    SecondOrderResult,
    check_hessian,
    check_hvp,
)
from .sweeps import EntrySweep, SweepSource, entry_sweep
from .taylor import TaylorOptions, TaylorResult, taylor_test
from .text import counted, render_table

__all__ = [
    "COMPLEX_KINDS",
    "DEFAULT_RTOL_DIRECTIONAL",
    "KINDS",
    "MAX_REQUESTED_DIRECTIONS",
    "PLOT_EXTRA",
    "PRODUCT_KINDS",
    "SECOND_ORDER_KINDS",
    "BlocksResult",
    "CheckOptions",
    "CheckResult",
    "ComplexCheckResult",
    "Diagnosis",
    "DirectionalOptions",
    "DirectionalResult",
    "EntrySweep",
    "Estimates",
    "Evidence",
    "HessianOptions",
    "ProductResult",
    "SecondOrderResult",
    "SeveralResult",
    "SweepSource",
    "TaylorOptions",
    "TaylorResult",
    "assert_gradient",
    "check",
    "check_complex_layouts",
    "check_directional",
    "check_hessian",
    "check_hvp",
    "check_jvp",
    "check_vjp",
    "compare",
    "counted",
    "diagnose",
    "entry_sweep",
    "full_check",
    "full_verdict",
    "merge_options",
    "new_figure",
    "render_table",
    "require_matplotlib",
    "resolve_layouts",
    "save_figure",
    "shape_diagnosis",
    "taylor_test",
    "with_diagnosis",
]
