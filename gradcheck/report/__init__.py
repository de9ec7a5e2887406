"""Reports of catalogue runs and checks: JSON records and baselines.

Built on ``gradcheck.catalogue`` and ``gradcheck.verdict``.
"""

from .baseline import Regressions, compare_reports
from .ci_formats import CaseSummary, case_summaries, junit_xml, markdown_summary
from .environment import ENVIRONMENT_FIELDS, environment
from .json_report import load_report, report_to_json
from .listening import Listener, TestRecords, listening_to, reported
from .recording import (
    FORMS,
    RunSettings,
    check_form,
    record_from_result,
    record_to_json,
    records_from_result,
    report_document,
)
from .schema import SCHEMA_VERSION, BaselineError, report_schema, validate_report

__all__ = [
    "ENVIRONMENT_FIELDS",
    "FORMS",
    "SCHEMA_VERSION",
    "BaselineError",
    "CaseSummary",
    "Listener",
    "Regressions",
    "RunSettings",
    "TestRecords",
    "case_summaries",
    "check_form",
    "compare_reports",
    "environment",
    "junit_xml",
    "listening_to",
    "load_report",
    "markdown_summary",
    "record_from_result",
    "record_to_json",
    "records_from_result",
    "report_document",
    "report_schema",
    "report_to_json",
    "reported",
    "validate_report",
]
