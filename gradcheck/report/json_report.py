"""The JSON form of a catalogue run (schema 1), reading saved reports, and baseline comparison."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue import CatalogueReport
from ..verdict import render_table
from .recording import record_to_json, report_document
from .schema import BaselineError, validate_report

__all__ = ["Regressions", "compare_reports", "load_report", "report_to_json"]


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
        text = path.read_text()
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {str(path)!r}: {exc.strerror}.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {str(path)!r} is not valid JSON: {exc}.") from exc
    return validate_report(data, f"baseline {str(path)!r}")


def _summarise(data: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in data["records"]:
        key = (r["identity"], r["layout"])
        row = out.setdefault(key, {"ok": True, "worst": 0.0, "pitfall": r["pitfall"]})
        row["ok"] = row["ok"] and r["ok"]
        err = r["max_rel_error"]
        row["worst"] = math.inf if err is None else max(row["worst"], float(err))
    return out


@dataclass(frozen=True, kw_only=True)
class Regressions:
    """What changed between a baseline run and the current one.

    Attributes
    ----------
    newly_failing, newly_passing : tuple of (identity, layout)
        Checks whose verdict (as expected or not) changed.
    added, removed : tuple of str
        Identities present in only one of the runs.
    grown : tuple of (identity, layout, before, after)
        Identities whose worst relative error grew more than 10 times (and above 1e-12).
    """

    newly_failing: tuple[tuple[str, str], ...] = ()
    newly_passing: tuple[tuple[str, str], ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    grown: tuple[tuple[str, str, float, float], ...] = field(default=())

    @property
    def regressed(self) -> bool:
        """Something got worse: a check newly fails or an error grew."""
        return bool(self.newly_failing or self.grown)

    def table(self, tablefmt: str = "simple") -> str:
        rows = [["newly failing", f"{i} [{lay}]", ""] for i, lay in self.newly_failing]
        rows += [["newly passing", f"{i} [{lay}]", ""] for i, lay in self.newly_passing]
        rows += [["added", i, ""] for i in self.added]
        rows += [["removed", i, ""] for i in self.removed]
        rows += [
            ["error grew", f"{i} [{lay}]", f"{before:.1e} -> {after:.1e}"]
            for i, lay, before, after in self.grown
        ]
        if not rows:
            return "no change against the baseline"
        headers = ["change", "check", "worst rel. error"]
        return render_table(rows, headers, tablefmt=tablefmt, numparse=True)


def compare_reports(current: Mapping[str, Any], baseline: Mapping[str, Any]) -> Regressions:
    """Compare two schema-1 reports (see :class:`Regressions`)."""
    now, before = _summarise(current), _summarise(baseline)
    ids_now = {k[0] for k in now}
    ids_before = {k[0] for k in before}
    common = sorted(set(now) & set(before))
    grown = []
    for key in common:
        if now[key]["pitfall"]:
            continue
        old, new = before[key]["worst"], now[key]["worst"]
        if new > 10 * max(old, 1e-13) and new > 1e-12:
            grown.append((key[0], key[1], old, new))
    return Regressions(
        newly_failing=tuple(k for k in common if before[k]["ok"] and not now[k]["ok"]),
        newly_passing=tuple(k for k in common if not before[k]["ok"] and now[k]["ok"]),
        added=tuple(sorted(ids_now - ids_before)),
        removed=tuple(sorted(ids_before - ids_now)),
        grown=tuple(grown),
    )
