"""Reports of catalogue runs and checks: JSON records and baselines.

Built on ``gradcheck.catalogue`` and ``gradcheck.verdict``.
"""

from .json_report import compare_reports, load_report, report_to_json
from .listening import Listener, TestRecords, listening_to, reported
from .recording import (
    FORMS,
    check_form,
    record_from_result,
    record_to_json,
    records_from_result,
    report_document,
)
from .schema import SCHEMA_VERSION, BaselineError, report_schema, validate_report

__all__ = [
    "FORMS",
    "SCHEMA_VERSION",
    "BaselineError",
    "Listener",
    "TestRecords",
    "check_form",
    "compare_reports",
    "listening_to",
    "load_report",
    "record_from_result",
    "record_to_json",
    "records_from_result",
    "report_document",
    "report_schema",
    "report_to_json",
    "reported",
    "validate_report",
]
