"""Finite-difference estimates of Jacobians: targets, evaluation, stencils, step search and layouts.

Pure numerics: imports nothing of gradcheck but ``gradcheck.errors``.
"""

from .complex_jacobian import (
    pair_step,
    refuse_convention_for_real,
    validate_complex_method,
    validated_convention,
)
from .complex_pair import (
    ComplexPairTarget,
    WirtingerPair,
    is_complex_point,
    make_complex_target,
    wirtinger_pair,
)
from .conventions import (
    CONVENTIONS,
    Convention,
    apply_convention,
    convention_named,
    convert_convention,
)
from .estimate import (
    SECOND_OPINION,
    JacobianEstimate,
    TensorEstimate,
    coordinate_scales,
    estimate_jacobian,
    estimate_tensor,
    evaluate_at_point,
    jacobian,
    second_opinion,
    third_opinion,
    validate_chunk_bytes,
    validate_method,
)
from .evaluate import (
    DEFAULT_CHUNK_BYTES,
    call_checked,
    evaluate_points,
    probe_batching,
    probe_size,
)
from .layouts import (
    LAYOUTS,
    Layout,
    convert_layout,
    layout_shapes,
    validate_layout,
)
from .second_order import (
    SECOND_DIFFERENCE_RTOL,
    SECOND_DIFFERENCE_STEP,
    HessianEstimate,
    estimate_hessian,
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
    "CONVENTIONS",
    "DEFAULT_CHUNK_BYTES",
    "EPS",
    "LAYOUTS",
    "METHOD_NAMES",
    "SECOND_DIFFERENCE_RTOL",
    "SECOND_DIFFERENCE_STEP",
    "SECOND_OPINION",
    "ComplexPairTarget",
    "Convention",
    "HessianEstimate",
    "JacobianEstimate",
    "Layout",
    "Method",
    "Point",
    "StepSweep",
    "Target",
    "TensorEstimate",
    "WirtingerPair",
    "apply_convention",
    "call_checked",
    "convention_named",
    "convert_convention",
    "convert_layout",
    "coordinate_scales",
    "describe_index",
    "estimate_hessian",
    "estimate_jacobian",
    "estimate_second_directional",
    "estimate_tensor",
    "evaluate_at_point",
    "evaluate_points",
    "first_nonfinite",
    "is_complex_point",
    "jacobian",
    "layout_shapes",
    "make_complex_target",
    "make_target",
    "merge_hessian_estimates",
    "pair_step",
    "probe_batching",
    "probe_size",
    "refuse_convention_for_real",
    "rng_from_seed",
    "scalar_at_point",
    "second_opinion",
    "seed_from_text",
    "step_sweep",
    "third_opinion",
    "validate_chunk_bytes",
    "validate_complex_method",
    "validate_layout",
    "validate_method",
    "validate_seed",
    "validated_convention",
    "wirtinger_pair",
]
