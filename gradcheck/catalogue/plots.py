"""A picture of a catalogue run: each identity's error against its detection threshold.

Optional: needs matplotlib (``pip install "gradcheck[plot]"``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..verdict import new_figure, save_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .runner import CatalogueReport, CheckRecord

__all__ = ["ERROR_FLOOR", "DetectionChart", "detection_chart", "plot_detection"]

#: Relative errors below this (an exact 0 among them) are drawn at it: a log axis has no 0.
ERROR_FLOOR = 1e-17


@dataclass(frozen=True, kw_only=True)
class DetectionChart:
    """One point per identity of a catalogue run: its relative error and detection threshold.

    For an identity, the worst relative error over its checks and the largest threshold (the
    summary table's "worst rel. err" and "detects"); for a pitfall, the check that came
    closest to escaping (smallest error over threshold), since a pitfall is caught only when
    every check's error is above its threshold.

    Attributes
    ----------
    names : tuple of str
        The identities, in the order of the run.
    pitfall : numpy.ndarray of bool
        Which are pitfalls.
    by_shape : numpy.ndarray of bool
        Pitfalls whose shown check failed by its shape alone (the claim has the other layout's
        shape): its values may well match the numerical derivative in that layout.
    rel_errors, thresholds : numpy.ndarray
        The relative error and the detection threshold of each (inf where a check could not
        be made or could not detect anything).
    """

    names: tuple[str, ...]
    pitfall: np.ndarray
    by_shape: np.ndarray
    rel_errors: np.ndarray
    thresholds: np.ndarray

    def __post_init__(self) -> None:
        for name in ("pitfall", "by_shape", "rel_errors", "thresholds"):
            arr = np.array(getattr(self, name), copy=True)
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)


def _margin(record: CheckRecord) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.float64(record.max_rel_error) / np.float64(record.detection_threshold)
    return float(ratio) if np.isfinite(ratio) else float("inf")


def detection_chart(report: CatalogueReport) -> DetectionChart:
    """The points of :func:`plot_detection` for a catalogue run.

    Examples
    --------
    >>> import gradcheck
    >>> report = gradcheck.run_catalogue(select=["dxTAx_dx"], trials=1)
    >>> chart = detection_chart(report)
    >>> chart.names, bool(chart.rel_errors[0] < chart.thresholds[0])
    (('dxTAx_dx',), True)
    """
    grouped: dict[str, list[CheckRecord]] = {}
    for record in report.records:
        grouped.setdefault(record.identity, []).append(record)
    names, pitfall, by_shape, errors, thresholds = [], [], [], [], []
    for name, records in grouped.items():
        is_pitfall = records[0].expected == "fail"
        shape_only = False
        if is_pitfall:
            closest = min(records, key=_margin)
            error, threshold = closest.max_rel_error, closest.detection_threshold
            shape_only = closest.result is not None and closest.result.declared_layout is not None
        else:
            error = max(r.max_rel_error for r in records)
            threshold = max(r.detection_threshold for r in records)
        names.append(name)
        pitfall.append(is_pitfall)
        by_shape.append(shape_only)
        errors.append(error)
        thresholds.append(threshold)
    return DetectionChart(
        names=tuple(names),
        pitfall=np.array(pitfall, dtype=bool),
        by_shape=np.array(by_shape, dtype=bool),
        rel_errors=np.array(errors, dtype=np.float64),
        thresholds=np.array(thresholds, dtype=np.float64),
    )


def plot_detection(report: CatalogueReport, path: str | os.PathLike[str] | None = None) -> Figure:
    """Each identity's relative error against its detection threshold, on log-log axes:
    identities as dots, pitfalls as crosses (squares for those caught by their shape alone,
    see :class:`DetectionChart`), and the line where the two are equal (a point
    above it is caught, one below it passes). Errors below `ERROR_FLOOR` are drawn at it;
    points with an infinite error or threshold are left out and counted in the title.

    Examples
    --------
    >>> import gradcheck
    >>> report = gradcheck.run_catalogue(select=["dxTAx_dx"], trials=1)
    >>> fig = report.plot()  # doctest: +SKIP
    """
    chart = detection_chart(report)
    fig, ax = new_figure(6.4, 5.2)
    shown = np.isfinite(chart.rel_errors) & np.isfinite(chart.thresholds)
    errors = np.maximum(chart.rel_errors, ERROR_FLOOR)
    kinds = (
        (~chart.pitfall, "o", "tab:blue", "identity (should lie below)"),
        (chart.pitfall & ~chart.by_shape, "x", "tab:red", "pitfall (should lie above)"),
        (chart.by_shape, "s", "tab:purple", "pitfall caught by its shape (other layout's)"),
    )
    for kind, marker, colour, label in kinds:
        which = shown & kind
        ax.scatter(
            chart.thresholds[which], errors[which], marker=marker, s=16, c=colour, label=label
        )
    if np.any(shown):
        low = min(float(np.min(chart.thresholds[shown])), float(np.min(errors[shown])))
        high = max(float(np.max(chart.thresholds[shown])), float(np.max(errors[shown])))
        ax.plot([low, high], [low, high], "k--", lw=1, label="error = threshold")
    ax.set_xscale("log")
    ax.set_yscale("log")
    left_out = int(np.sum(~shown))
    extra = ""
    if left_out:
        extra = f"\n({left_out} not shown: not checkable, error or threshold infinite)"
    ax.set_title(f"{len(chart.names)} identities and pitfalls: error against threshold{extra}")
    ax.set_xlabel("detection threshold (relative)")
    ax.set_ylabel("worst relative error")
    ax.legend(fontsize="small")
    return save_figure(fig, path)
