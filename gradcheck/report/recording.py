"""Report records and documents: the one place that writes gradcheck's JSON (schema 1).

Every writer — ``gradcheck catalogue``, ``gradcheck formula``/``check``, the pytest plugin's
``--gradcheck-json`` and :func:`gradcheck.report.report_to_json` — makes its records with
:func:`record_to_json` (or :func:`record_from_result`) and its document with
:func:`report_document`; ``schema-v1.json`` describes both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..catalogue import CheckRecord, check_record
from ..verdict import CheckResult
from .environment import environment
from .schema import SCHEMA_VERSION

#: The fields of the environment written again as `settings.versions`, as schema-1 files always
#: had them (readers written before `environment` read them there).
_VERSION_FIELDS = ("gradcheck", "numpy", "scipy", "python")

__all__ = ["record_from_result", "record_to_json", "report_document"]


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _worst_entry(result: CheckResult | None) -> dict[str, Any] | None:
    """Index, claimed and numerical value and tolerance of the worst entry of a verdict."""
    if result is None or result.claimed.size == 0:
        return None
    index = tuple(result.worst_index)
    if len(index) != result.claimed.ndim:
        return None
    return {
        "index": [int(i) for i in index],
        "claimed": _finite_or_none(float(result.claimed[index])),
        "numerical": _finite_or_none(float(result.numerical[index])),
        "tolerance": _finite_or_none(float(result.tolerance[index])),
    }


def record_to_json(record: CheckRecord) -> dict[str, Any]:
    """One record of a report, JSON-ready: non-finite numbers are written as ``null``.

    `diagnosis` is the diagnosis of a claim that did not pass, else the record's message (why
    the status is not the expected one), else null. `method`, `mode`, `wrt` and `worst_entry`
    come from the verdict and are null for a record without one (f or the derivative raised).

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck import check
    >>> from gradcheck.catalogue import check_record
    >>> result = check(lambda x: x @ x, lambda x: 2 * x, {"x": np.ones(2)})
    >>> data = record_to_json(check_record(result, identity="dxTx_dx"))
    >>> data["status"], data["shapes"], data["worst_entry"]["index"]
    ('passed', {'x': [2]}, [0])
    """
    result = record.result
    return {
        "identity": record.identity,
        "family": record.family,
        "layout": record.layout,
        "trial": record.trial,
        "shapes": {k: list(v) for k, v in record.shapes.items()},
        "pitfall": record.expected == "fail",
        "status": record.status,
        "ok": record.ok,
        "max_rel_error": _finite_or_none(record.max_rel_error),
        "error_estimate": _finite_or_none(record.error_estimate),
        "detection_threshold": _finite_or_none(record.detection_threshold),
        "evaluations": record.evaluations,
        "seconds": record.seconds,
        "diagnosis": (
            str(record.diagnosis) if record.diagnosis is not None else (record.message or None)
        ),
        "method": None if result is None else result.method,
        # records hold the results of full checks (check_directional's are not recorded yet)
        "mode": None if result is None else "full",
        "wrt": None if result is None else result.wrt,
        "worst_entry": _worst_entry(result),
    }


def record_from_result(
    result: CheckResult,
    *,
    name: str,
    family: str = "",
    trial: int = 0,
    shapes: dict[str, tuple[int, ...]] | None = None,
    pitfall: bool = False,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """The report record of one verdict of :func:`gradcheck.check` (see :func:`record_to_json`).

    Parameters
    ----------
    result : CheckResult
        The verdict.
    name : str
        What was checked: an identity, a test id, a formula.
    family : str
        The identity's family, if any.
    trial : int
        Index of the random draw.
    shapes : dict, optional
        Concrete shape of every variable; default the differentiated one's.
    pitfall : bool
        A known-wrong claim, whose expected verdict is "failed".
    seconds : float
        Time the check took.

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck import check
    >>> result = check(lambda x: x @ x, lambda x: 3 * x, {"x": np.ones(2)})
    >>> record = record_from_result(result, name="wrong", pitfall=True)
    >>> record["status"], record["ok"]
    ('failed', True)
    """
    expected = "fail" if pitfall else "pass"
    return record_to_json(
        check_record(
            result,
            identity=name,
            family=family,
            trial=trial,
            shapes=shapes,
            expected=expected,
            seconds=seconds,
        )
    )


def report_document(
    records: Sequence[Mapping[str, Any]],
    *,
    command: str,
    seed: int,
    trials: int,
    method: str,
    layouts: Sequence[str],
    seconds: float,
    options: Mapping[str, Any] | None = None,
    diagnosis: str | None = None,
) -> dict[str, Any]:
    """A whole report (schema 1): the run's settings, its environment and its records.

    Parameters
    ----------
    records : sequence of dict
        Made by :func:`record_to_json` or :func:`record_from_result`.
    command : str
        What ran: "catalogue", "formula", "check", "pytest".
    seed, trials, method, layouts
        The run's settings.
    seconds : float
        Wall time of the run.
    options : mapping, optional
        What else defines the run (``formula``/``check``: the expressions or functions,
        `wrt`, the shapes, constraints and layout); written as `options` when given.
    diagnosis : str, optional
        The diagnosis of the check the command reported (``formula``/``check``: the most
        informative failing trial); written as `diagnosis` when `options` is given.

    Returns
    -------
    dict
        JSON-ready; `ok` says whether every record's verdict is the expected one;
        `environment` is :func:`gradcheck.report.environment` (versions, platform, CPU) and
        `settings.versions` its versions, for readers of reports written before it.

    Examples
    --------
    >>> doc = report_document([], command="pytest", seed=0, trials=1, method="central",
    ...                       layouts=[], seconds=0.0)
    >>> doc["schema"], doc["ok"], sorted(doc["settings"])
    (1, True, ['layouts', 'method', 'seed', 'trials', 'versions'])
    >>> doc["environment"]["numpy"] == doc["settings"]["versions"]["numpy"]
    True
    """
    env = environment()
    document = {
        "schema": SCHEMA_VERSION,
        "tool": "gradcheck",
        "command": command,
        "ok": all(r["ok"] for r in records),
        "settings": {
            "seed": int(seed),
            "trials": int(trials),
            "method": method,
            "layouts": list(layouts),
            "versions": {k: env[k] for k in _VERSION_FIELDS},
        },
        "environment": env,
        "seconds": seconds,
    }
    if options is not None:
        document["options"] = dict(options)
        document["diagnosis"] = diagnosis
    document["records"] = list(records)
    return document
