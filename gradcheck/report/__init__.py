"""Reports of catalogue runs and checks: JSON records and baselines, JUnit XML and Markdown.

Built on ``gradcheck.catalogue`` and ``gradcheck.verdict``.
"""

from .ci_formats import CaseSummary, case_summaries, junit_xml, markdown_summary
from .json_report import compare_reports, load_report, report_to_json
from .recording import record_from_result, record_to_json, report_document
from .schema import SCHEMA_VERSION, BaselineError, report_schema, validate_report

__all__ = [
    "SCHEMA_VERSION",
    "BaselineError",
    "CaseSummary",
    "case_summaries",
    "compare_reports",
    "junit_xml",
    "load_report",
    "markdown_summary",
    "record_from_result",
    "record_to_json",
    "report_document",
    "report_schema",
    "report_to_json",
    "validate_report",
]
