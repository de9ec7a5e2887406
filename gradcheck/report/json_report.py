"""The JSON form of a catalogue run (schema 1) and reading saved reports (baselines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..catalogue import CatalogueReport
from .recording import record_to_json, report_document
from .schema import BaselineError, validate_report

__all__ = ["load_report", "report_to_json"]


def report_to_json(report: CatalogueReport, *, command: str = "catalogue") -> dict[str, Any]:
    """A catalogue run as a JSON-ready report (schema 1; see :func:`report_document`).

    Non-finite numbers (an error that could not be computed) are written as ``null``.

    Examples
    --------
    >>> from gradcheck.catalogue import run_catalogue
    >>> data = report_to_json(run_catalogue(select=["dxTAx_dx"], trials=1))
    >>> data["schema"], data["ok"], len(data["records"])
    (1, True, 2)
    """
    return report_document(
        [record_to_json(r) for r in report.records],
        command=command,
        seed=report.seed,
        trials=report.trials,
        method=report.method,
        layouts=report.layouts,
        seconds=report.seconds,
    )


def load_report(path: str | Path) -> dict[str, Any]:
    """Read and validate a report saved with ``--save``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {str(path)!r}: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        raise BaselineError(
            f"cannot read baseline {str(path)!r}: not UTF-8 text ({exc.reason} at byte "
            f"{exc.start}); give a report saved with --save."
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {str(path)!r} is not valid JSON: {exc}.") from exc
    return validate_report(data, f"baseline {str(path)!r}")
