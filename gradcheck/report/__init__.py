"""Reports of catalogue runs and checks: JSON records and baselines.

Built on ``gradcheck.catalogue`` and ``gradcheck.verdict``.
"""

from .baseline import Regressions, compare_reports
from .environment import ENVIRONMENT_FIELDS, environment
from .json_report import load_report, report_to_json
from .recording import record_from_result, record_to_json, report_document
from .schema import SCHEMA_VERSION, BaselineError, report_schema, validate_report

__all__ = [
    "ENVIRONMENT_FIELDS",
    "SCHEMA_VERSION",
    "BaselineError",
    "Regressions",
    "compare_reports",
    "environment",
    "load_report",
    "record_from_result",
    "record_to_json",
    "report_document",
    "report_schema",
    "report_to_json",
    "validate_report",
]
