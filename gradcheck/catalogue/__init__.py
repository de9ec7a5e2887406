"""Catalogues of identities: the registry, shapes, constraints, the runner and the listings.

Built on ``gradcheck.verdict`` and ``gradcheck.engine``.
"""

from .constraints import (
    COMPLEX_CONSTRAINTS,
    CONSTRAINTS,
    Constraint,
    Draw,
    get_constraint,
    is_complex_constraint,
    sample,
)
from .docs import IdentityCard, fit_table, identity_card, render_listing, render_markdown
from .forms import (
    HESSIAN_MISTAKES,
    VJP_MISTAKES,
    HessianIdentity,
    VjpIdentity,
    hessian_identity,
    vjp_identity,
)
from .installed import CATALOGUE_GROUP, installed_catalogue, installed_catalogues
from .plots import ERROR_FLOOR, DetectionChart, detection_chart, plot_detection
from .registry import (
    MISTAKES,
    REFERENCE_MISTAKES,
    Catalogue,
    DuplicateIdentityError,
    Identity,
    complex_identity,
    complex_pitfall,
    identity,
    load_catalogue,
    pitfall,
)
from .runner import (
    CatalogueReport,
    CheckRecord,
    RunOptions,
    WorkerError,
    available_jobs,
    check_record,
    run_catalogue,
    threshold_text,
    validate_jobs,
)
from .shapes import (
    dimension_names,
    draw_dimensions,
    evaluate_dimension,
    resolve_shape,
)

__all__ = [
    "CATALOGUE_GROUP",
    "COMPLEX_CONSTRAINTS",
    "CONSTRAINTS",
    "ERROR_FLOOR",
    "HESSIAN_MISTAKES",
    "MISTAKES",
    "REFERENCE_MISTAKES",
    "VJP_MISTAKES",
    "Catalogue",
    "CatalogueReport",
    "CheckRecord",
    "Constraint",
    "DetectionChart",
    "Draw",
    "DuplicateIdentityError",
    "HessianIdentity",
    "Identity",
    "IdentityCard",
    "RunOptions",
    "VjpIdentity",
    "WorkerError",
    "available_jobs",
    "check_record",
    "complex_identity",
    "complex_pitfall",
    "detection_chart",
    "dimension_names",
    "draw_dimensions",
    "evaluate_dimension",
    "fit_table",
    "get_constraint",
    "hessian_identity",
    "identity",
    "identity_card",
    "installed_catalogue",
    "installed_catalogues",
    "is_complex_constraint",
    "load_catalogue",
    "pitfall",
    "plot_detection",
    "render_listing",
    "render_markdown",
    "resolve_shape",
    "run_catalogue",
    "sample",
    "threshold_text",
    "validate_jobs",
    "vjp_identity",
]
