"""Finite-difference estimates of Jacobians: targets, evaluation, stencils, step search and layouts.

Pure numerics: imports nothing of gradcheck but ``gradcheck.errors``.
"""

from .estimate import (
    SECOND_OPINION,
    JacobianEstimate,
    Spending,
    TensorEstimate,
    coordinate_scales,
    estimate_jacobian,
    estimate_tensor,
    evaluate_at_point,
    jacobian,
    second_opinion,
    third_opinion,
    validate_method,
)
from .evaluate import (
    DEFAULT_CHUNK_BYTES,
    MAX_CHUNK_BYTES,
    call_checked,
    evaluate_points,
    probe_batching,
    probe_size,
    validate_chunk_bytes,
    validate_executor,
)
from .layouts import (
    LAYOUTS,
    Layout,
    convert_layout,
    layout_shapes,
    validate_layout,
)
from .second_order import (
    LADDER_RUNGS,
    SECOND_DIFFERENCE_RTOL,
    SECOND_DIFFERENCE_STEP,
    HessianEstimate,
    estimate_hessian,
    estimate_hessian_from_gradient,
    estimate_second_directional,
    merge_hessian_estimates,
    scalar_at_point,
)
from .seeds import rng_from_seed, seed_from_text, validate_seed
from .stencils import EPS, METHOD_NAMES, Method
from .sweep import StepSweep, step_sweep
from .target import (
    Point,
    Target,
    describe_index,
    first_nonfinite,
    make_target,
)

__all__ = [
    "DEFAULT_CHUNK_BYTES",
    "EPS",
    "LADDER_RUNGS",
    "LAYOUTS",
    "MAX_CHUNK_BYTES",
    "METHOD_NAMES",
    "SECOND_DIFFERENCE_RTOL",
    "SECOND_DIFFERENCE_STEP",
    "SECOND_OPINION",
    "HessianEstimate",
    "JacobianEstimate",
    "Layout",
    "Method",
    "Point",
    "Spending",
    "StepSweep",
    "Target",
    "TensorEstimate",
    "call_checked",
    "convert_layout",
    "coordinate_scales",
    "describe_index",
    "estimate_hessian",
    "estimate_hessian_from_gradient",
    "estimate_jacobian",
    "estimate_second_directional",
    "estimate_tensor",
    "evaluate_at_point",
    "evaluate_points",
    "first_nonfinite",
    "jacobian",
    "layout_shapes",
    "make_target",
    "merge_hessian_estimates",
    "probe_batching",
    "probe_size",
    "rng_from_seed",
    "scalar_at_point",
    "second_opinion",
    "seed_from_text",
    "step_sweep",
    "third_opinion",
    "validate_chunk_bytes",
    "validate_executor",
    "validate_layout",
    "validate_method",
    "validate_seed",
]
