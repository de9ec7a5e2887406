"""gradcheck: numerical verification of hand-derived gradients, Jacobians and identities.

The public API is re-exported here; the code lives in private modules.
"""

from ._version import __version__
from .catalogue import (
    CONSTRAINTS,
    MISTAKES,
    REFERENCE_MISTAKES,
    Catalogue,
    CatalogueReport,
    CheckRecord,
    DuplicateIdentityError,
    HessianIdentity,
    Identity,
    RunOptions,
    VjpIdentity,
    hessian_identity,
    identity,
    installed_catalogue,
    installed_catalogues,
    load_catalogue,
    pitfall,
    run_catalogue,
    vjp_identity,
)
from .engine import (
    CONVENTIONS,
    LAYOUTS,
    METHOD_NAMES,
    EstimateOptions,
    JacobianEstimate,
    Layout,
    convert_convention,
    convert_layout,
    estimate_jacobian,
    jacobian,
    layout_shapes,
)
from .errors import (
    ComplexStepError,
    ComplexUnsafeFunctionError,
    ConventionError,
    FunctionCallError,
    GradcheckError,
    GradcheckWarning,
    GradientAssertionError,
    InPlaceModificationError,
    InvalidArgumentError,
    InvalidInputError,
    MissingDependencyError,
    NonDeterministicFunctionError,
    NonFiniteValueError,
    OutputTypeError,
    ShapeMismatchError,
    UnknownNameError,
)
from .report import reported
from .verdict import (
    KINDS,
    PRODUCT_KINDS,
    SECOND_ORDER_KINDS,
    BlocksResult,
    CheckOptions,
    CheckResult,
    ComplexCheckResult,
    Diagnosis,
    DirectionalOptions,
    DirectionalResult,
    HessianOptions,
    ProductResult,
    SecondOrderResult,
    SeveralResult,
    TaylorOptions,
    TaylorResult,
    assert_gradient,
    check,
    check_directional,
    check_hessian,
    check_hvp,
    check_jvp,
    check_vjp,
    taylor_test,
)

# The checks users call report their results to the listener of the pytest test they run in
# (see gradcheck.report.listening), so that plain calls are in the plugin's session report;
# the verdict layer's own functions, which the fixture and the catalogue use, do not.
assert_gradient = reported(assert_gradient)
check = reported(check)
check_directional = reported(check_directional)
check_hessian = reported(check_hessian)
check_hvp = reported(check_hvp)
check_jvp = reported(check_jvp)
check_vjp = reported(check_vjp)

__all__ = [
    "CONSTRAINTS",
    "CONVENTIONS",
    "KINDS",
    "LAYOUTS",
    "METHOD_NAMES",
    "MISTAKES",
    "PRODUCT_KINDS",
    "REFERENCE_MISTAKES",
    "SECOND_ORDER_KINDS",
    "BlocksResult",
    "Catalogue",
    "CatalogueReport",
    "CheckOptions",
    "CheckRecord",
    "CheckResult",
    "ComplexCheckResult",
    "ComplexStepError",
    "ComplexUnsafeFunctionError",
    "ConventionError",
    "Diagnosis",
    "DirectionalOptions",
    "DirectionalResult",
    "DuplicateIdentityError",
    "EstimateOptions",
    "FunctionCallError",
    "GradcheckError",
    "GradcheckWarning",
    "GradientAssertionError",
    "HessianIdentity",
    "HessianOptions",
    "Identity",
    "InPlaceModificationError",
    "InvalidArgumentError",
    "InvalidInputError",
    "JacobianEstimate",
    "Layout",
    "MissingDependencyError",
    "NonDeterministicFunctionError",
    "NonFiniteValueError",
    "OutputTypeError",
    "ProductResult",
    "RunOptions",
    "SecondOrderResult",
    "SeveralResult",
    "ShapeMismatchError",
    "TaylorOptions",
    "TaylorResult",
    "UnknownNameError",
    "VjpIdentity",
    "__version__",
    "assert_gradient",
    "check",
    "check_directional",
    "check_hessian",
    "check_hvp",
    "check_jvp",
    "check_vjp",
    "convert_convention",
    "convert_layout",
    "estimate_jacobian",
    "hessian_identity",
    "identity",
    "installed_catalogue",
    "installed_catalogues",
    "jacobian",
    "layout_shapes",
    "load_catalogue",
    "pitfall",
    "run_catalogue",
    "taylor_test",
    "vjp_identity",
]


def _show_public_module() -> None:
    """Public classes name the module users import them from (``gradcheck.CheckResult``, and
    ``gradcheck.GradientAssertionError`` in a traceback), not the private one they live in."""
    public = globals()
    for name in __all__:
        if isinstance(public[name], type):
            public[name].__module__ = __name__


_show_public_module()
