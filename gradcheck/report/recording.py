"""Report records and documents: the one place that writes gradcheck's JSON (schema 1).

Every writer — ``gradcheck catalogue``, ``gradcheck formula``/``check``, the pytest plugin's
``--gradcheck-json`` and :func:`gradcheck.report.report_to_json` — makes its records with
:func:`record_to_json` (or :func:`record_from_result`) and its document with
:func:`report_document`; ``schema-v1.json`` describes both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

import numpy as np

from ..catalogue import CheckRecord, check_record
from ..errors import InvalidArgumentError
from ..verdict import (
    BlocksResult,
    CheckResult,
    DirectionalResult,
    ProductResult,
    SecondOrderResult,
    SeveralResult,
    merge_options,
)
from .environment import environment
from .schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "FORMS",
    "RunSettings",
    "RunSettingsValues",
    "check_form",
    "record_from_result",
    "record_to_json",
    "records_from_result",
    "report_document",
]

#: The fields of the environment written again as `settings.versions`, as schema-1 files always
#: had them (readers written before `environment` read them there).
_VERSION_FIELDS = ("gradcheck", "numpy", "scipy", "python")

#: The forms a checked claim takes: a full first derivative (:func:`gradcheck.check`), its
#: projections (:func:`gradcheck.check_directional`), a vector-Jacobian or Jacobian-vector
#: product, a Hessian and a Hessian-vector product.
FORMS = ("jacobian", "directional", "vjp", "jvp", "hessian", "hvp")

#: A verdict of one of gradcheck's checks.
AnyResult = CheckResult | DirectionalResult


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _spending_text(result: object) -> str | None:
    """Where a verdict's evaluations went (see :class:`gradcheck.verdict.CheckResult`), or None."""
    spending = getattr(result, "spending", None)
    return None if spending is None else str(spending)


def _worst_entry(result: CheckResult | None) -> dict[str, Any] | None:
    """Index, claimed and numerical value and tolerance of the worst entry of a verdict."""
    if result is None or result.claimed.size == 0:
        return None
    index = tuple(result.worst_index)
    if len(index) != result.claimed.ndim:
        return None
    claimed, numerical = complex(result.claimed[index]), complex(result.numerical[index])
    entry = {
        "index": [int(i) for i in index],
        "claimed": _finite_or_none(claimed.real),
        "numerical": _finite_or_none(numerical.real),
        "tolerance": _finite_or_none(float(result.tolerance[index])),
    }
    if np.iscomplexobj(result.claimed) or np.iscomplexobj(result.numerical):
        entry["claimed_imag"] = _finite_or_none(claimed.imag)
        entry["numerical_imag"] = _finite_or_none(numerical.imag)
    return entry


def check_form(result: AnyResult) -> str:
    """The form of the claim a verdict is about, one of :data:`FORMS`.

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck import check, check_hessian
    >>> check_form(check(lambda x: np.sum(np.sin(x)), np.cos, np.ones(2)))
    'jacobian'
    >>> check_form(check_hessian(lambda x: x @ x, 2 * np.eye(2), np.ones(2)))
    'hessian'
    """
    if isinstance(result, ProductResult):
        return result.form
    if isinstance(result, CheckResult) and getattr(result, "form", None) in ("vjp", "jvp"):
        return result.form  # a product by a complex variable (a ComplexCheckResult)
    if isinstance(result, SecondOrderResult):
        return "hessian"
    if isinstance(result, DirectionalResult):
        return "directional"
    if isinstance(result, CheckResult):
        return "jacobian"
    raise InvalidArgumentError(
        f"`result` must be the verdict of a gradcheck check (CheckResult, DirectionalResult, "
        f"ProductResult, SecondOrderResult); got {type(result).__name__}."
    )


def record_to_json(record: CheckRecord) -> dict[str, Any]:
    """One record of a report, JSON-ready: non-finite numbers are written as ``null``.

    `diagnosis` is the diagnosis of a claim that did not pass, else the record's message (why
    the status is not the expected one), else null. `method`, `form`, `mode`, `directions`,
    `wrt`, `spending` and `worst_entry` come from the verdict and are null for a record without
    one (f or the derivative raised; `spending` also for verdicts that do not account for
    it): `form` is the claim's (see :func:`check_form`); `mode` is "full" when every entry
    was compared and "directional" when projections on random directions (or pairs of a
    weight and a direction) were, with `directions` their number and
    `worst_entry` the worst one.

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
    projected = isinstance(result, DirectionalResult)
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
        "form": None if result is None else check_form(result),
        "mode": None if result is None else "directional" if projected else "full",
        "directions": result.directions if projected else None,
        "wrt": None if result is None else result.wrt,
        "spending": _spending_text(result),
        "worst_entry": _worst_entry(result),
        **_convention_fields(result),
    }


def _convention_fields(result: object) -> dict[str, Any]:
    """`convention` and `satisfied_conventions` of a verdict by a complex variable (no fields
    for a real one)."""
    convention = getattr(result, "convention", None)
    if convention is None:
        return {}
    return {
        "convention": convention,
        "satisfied_conventions": list(getattr(result, "satisfied_conventions", ())),
    }


def record_from_result(
    result: AnyResult,
    *,
    name: str,
    family: str = "",
    trial: int = 0,
    shapes: dict[str, tuple[int, ...]] | None = None,
    pitfall: bool = False,
    seconds: float = 0.0,
) -> dict[str, Any]:
    """The report record of one verdict (see :func:`record_to_json`).

    Parameters
    ----------
    result : CheckResult, DirectionalResult, ProductResult or SecondOrderResult
        The verdict of :func:`gradcheck.check`, :func:`gradcheck.check_directional`,
        :func:`gradcheck.check_vjp`, :func:`gradcheck.check_jvp`,
        :func:`gradcheck.check_hessian` or :func:`gradcheck.check_hvp` (for a
        :class:`gradcheck.SeveralResult`, see :func:`records_from_result`).
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
    if isinstance(result, SeveralResult):
        raise InvalidArgumentError(
            "a SeveralResult holds one verdict per variable; make their records with "
            "records_from_result(result, ...)."
        )
    check_form(result)  # refuses what is not a verdict
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


def records_from_result(
    result: AnyResult | SeveralResult | BlocksResult, *, name: str, seconds: float = 0.0
) -> list[dict[str, Any]]:
    """The report records of any check's result: one, or one per variable of a
    :class:`gradcheck.SeveralResult` (each naming its variable in `wrt`; the time is split
    evenly between them).

    Parameters
    ----------
    result : verdict, SeveralResult or BlocksResult
        What a check returned (a BlocksResult is recorded as the check of its stacked
        Hessian).
    name : str
        What was checked (a test id, say).
    seconds : float
        Time the check took.

    Examples
    --------
    >>> import numpy as np
    >>> from gradcheck import check_vjp
    >>> W = np.array([[1.0, 2.0], [0.5, -1.0]])
    >>> point = {"W": W, "x": np.array([0.3, -0.7])}
    >>> result = check_vjp(lambda W, x: W @ x, lambda u, W, x: (np.outer(u, x), W.T @ u),
    ...                    point, wrt=("W", "x"))
    >>> [(r["form"], r["wrt"], r["status"]) for r in records_from_result(result, name="layer")]
    [('vjp', 'W', 'passed'), ('vjp', 'x', 'passed')]
    """
    if isinstance(result, BlocksResult):  # the Hessian of the stacked variables
        return [record_from_result(result.joined, name=name, seconds=seconds)]
    if not isinstance(result, SeveralResult):
        return [record_from_result(result, name=name, seconds=seconds)]
    share = seconds / max(len(result.results), 1)
    return [record_from_result(r, name=name, seconds=share) for r in result.results.values()]


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """What a report's `settings` say of the run: its seed, trials, method and layouts.

    :func:`report_document` takes them as one record (``settings=``) or as keyword arguments
    of the same names.

    Parameters
    ----------
    seed : int
        The run's seed.
    trials : int
        Random draws per identity or test.
    method : str
        Finite-difference method.
    layouts : sequence of str
        The layouts the records are in.

    Examples
    --------
    >>> RunSettings(seed=0, trials=3, method="central", layouts=["numerator"]).layouts
    ('numerator',)
    """

    seed: int
    trials: int
    method: str
    layouts: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "seed", int(self.seed))
        object.__setattr__(self, "trials", int(self.trials))
        object.__setattr__(self, "layouts", tuple(self.layouts))


class RunSettingsValues(TypedDict, total=False):
    """The keyword form of :class:`RunSettings` (for type checkers)."""

    seed: int
    trials: int
    method: str
    layouts: Sequence[str]


def report_document(
    records: Sequence[Mapping[str, Any]],
    *,
    command: str,
    seconds: float,
    settings: RunSettings | None = None,
    options: Mapping[str, Any] | None = None,
    diagnosis: str | None = None,
    **values: Unpack[RunSettingsValues],
) -> dict[str, Any]:
    """A whole report (schema 1): the run's settings, its environment and its records.

    Parameters
    ----------
    records : sequence of dict
        Made by :func:`record_to_json` or :func:`record_from_result`.
    command : str
        What ran: "catalogue", "formula", "check", "pytest".
    seconds : float
        Wall time of the run.
    settings : RunSettings, optional
        The run's seed, trials, method and layouts, as one record.
    options : mapping, optional
        What else defines the run (``formula``/``check``: the expressions or functions,
        `wrt`, the shapes, constraints and layout); written as `options` when given.
    diagnosis : str, optional
        The diagnosis of the check the command reported (``formula``/``check``: the most
        informative failing trial); written as `diagnosis` when `options` is given.
    **values
        The fields of :class:`RunSettings` (`seed`, `trials`, `method`, `layouts`) as
        keywords; with `settings`, they replace its fields.

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
    >>> run = RunSettings(seed=0, trials=1, method="central", layouts=[])
    >>> report_document([], command="pytest", settings=run, seconds=0.0)["settings"]["trials"]
    1
    """
    run = merge_options(RunSettings, settings, values, "report_document")
    env = environment()
    document = {
        "schema": SCHEMA_VERSION,
        "tool": "gradcheck",
        "command": command,
        "ok": all(r["ok"] for r in records),
        "settings": {
            "seed": run.seed,
            "trials": run.trials,
            "method": run.method,
            "layouts": list(run.layouts),
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
