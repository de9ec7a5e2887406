"""gradcheck: numerical verification of hand-derived gradients, Jacobians and identities.

The public API is re-exported here; the code lives in private modules.
"""

from ._catalogue import CatalogueReport, CheckRecord, run_catalogue
from ._check import CheckResult, assert_gradient, check
from ._constraints import CONSTRAINTS
from ._diagnosis import KINDS, Diagnosis
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
from ._registry import (
    MISTAKES,
    Catalogue,
    DuplicateIdentityError,
    Identity,
    identity,
    load_catalogue,
    pitfall,
)
from ._stencils import METHOD_NAMES
from ._taylor import TaylorResult, taylor_test

__version__ = "0.1.0"

__all__ = [
    "CONSTRAINTS",
    "KINDS",
    "LAYOUTS",
    "METHOD_NAMES",
    "MISTAKES",
    "Catalogue",
    "CatalogueReport",
    "CheckRecord",
    "CheckResult",
    "ComplexStepError",
    "Diagnosis",
    "DuplicateIdentityError",
    "FunctionCallError",
    "GradcheckError",
    "GradcheckWarning",
    "GradientAssertionError",
    "Identity",
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
    "identity",
    "jacobian",
    "layout_shapes",
    "load_catalogue",
    "pitfall",
    "run_catalogue",
    "taylor_test",
]
