"""gradcheck: numerical verification of hand-derived gradients, Jacobians and identities.

The public API is re-exported here; the code lives in private modules.
"""

from ._check import CheckResult, assert_gradient, check
from ._engine import JacobianEstimate, estimate_jacobian, jacobian
from ._errors import (
    ComplexStepError,
    FunctionCallError,
    GradcheckError,
    GradcheckWarning,
    GradientAssertionError,
    InPlaceModificationError,
    InvalidArgumentError,
    InvalidInputError,
    NonDeterministicFunctionError,
    NonFiniteValueError,
    OutputTypeError,
    ShapeMismatchError,
    UnknownNameError,
)
from ._layouts import LAYOUTS, Layout, convert_layout, layout_shapes
from ._stencils import METHOD_NAMES
from ._taylor import TaylorResult, taylor_test

__version__ = "0.1.0"

__all__ = [
    "LAYOUTS",
    "METHOD_NAMES",
    "CheckResult",
    "ComplexStepError",
    "FunctionCallError",
    "GradcheckError",
    "GradcheckWarning",
    "GradientAssertionError",
    "InPlaceModificationError",
    "InvalidArgumentError",
    "InvalidInputError",
    "JacobianEstimate",
    "Layout",
    "NonDeterministicFunctionError",
    "NonFiniteValueError",
    "OutputTypeError",
    "ShapeMismatchError",
    "TaylorResult",
    "UnknownNameError",
    "__version__",
    "assert_gradient",
    "check",
    "convert_layout",
    "estimate_jacobian",
    "jacobian",
    "layout_shapes",
    "taylor_test",
]
