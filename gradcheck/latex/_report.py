"""Notes records as a bounded table (one row per statement) or as JSON records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..verdict import render_table
from ._notes import NoteRecord

__all__ = ["notes_document", "notes_summary", "notes_table"]

VERDICTS = ("passed", "failed", "inconclusive", "unparsed")
_DIAGNOSIS = 70


def _short(text: str, size: int = _DIAGNOSIS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 3] + "..."


def notes_table(records: Sequence[NoteRecord], tablefmt: str = "simple") -> str:
    """One row per statement: place, formula, kind, verdict, layouts, shapes, diagnosis (the
    reason for an unparsed one), and a closing line with the counts.

    Examples
    --------
    >>> from gradcheck.latex import check_notes_text
    >>> text = notes_table(check_notes_text("$\\operatorname{tr}(A^T) = \\operatorname{tr}(A)$"))
    >>> text.splitlines()[-1]
    '1 statement: 1 passed, 0 failed, 0 inconclusive, 0 unparsed'
    """
    rows = [
        [
            f"{r.file}:{r.line}",
            r.short(),
            r.kind,
            r.verdict,
            "/".join(_abbrev(x) for x in r.layouts),
            r.shapes,
            _short(r.reason if r.verdict == "unparsed" else r.diagnosis),
        ]
        for r in records
    ]
    headers = ["place", "formula", "kind", "verdict", "layouts", "shapes", "diagnosis"]
    return render_table(rows, headers, tablefmt=tablefmt) + "\n" + notes_summary(records) + "\n"


def _abbrev(layout: str) -> str:
    return {"numerator": "num", "denominator": "den"}.get(layout, layout)


def notes_summary(records: Sequence[NoteRecord]) -> str:
    """``N statements: P passed, F failed, I inconclusive, U unparsed``."""
    counts = Counter(r.verdict for r in records)
    total = len(records)
    listed = ", ".join(f"{counts[v]} {v}" for v in VERDICTS)
    return f"{total} statement{'s' * (total != 1)}: {listed}"


def notes_document(records: Sequence[NoteRecord]) -> dict[str, Any]:
    """The records as one JSON document: ``ok`` (no statement failed), the counts and the
    records (file, line, latex, kind, verdict, layouts, stated_layout, shapes, diagnosis,
    reason).

    Examples
    --------
    >>> from gradcheck.latex import check_notes_text
    >>> notes_document(check_notes_text("$x^T x = x^T x$"))["counts"]["passed"]
    1
    """
    counts = Counter(r.verdict for r in records)
    return {
        "command": "notes",
        "ok": counts["failed"] == 0,
        "counts": {v: counts[v] for v in VERDICTS},
        "records": [r.to_json() for r in records],
    }
