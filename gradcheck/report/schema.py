"""The report schema: its version, and the validation of a saved report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidArgumentError

__all__ = ["SCHEMA_VERSION", "BaselineError", "validate_report"]

#: Version of the JSON schema; bumped on any incompatible change.
SCHEMA_VERSION = 1

RECORD_FIELDS: dict[str, tuple[type, ...]] = {
    "identity": (str,),
    "family": (str,),
    "layout": (str,),
    "trial": (int,),
    "shapes": (dict,),
    "pitfall": (bool,),
    "status": (str,),
    "ok": (bool,),
    "max_rel_error": (float, int, type(None)),
    "error_estimate": (float, int, type(None)),
    "detection_threshold": (float, int, type(None)),
    "evaluations": (int,),
    "seconds": (float, int),
    "diagnosis": (str, type(None)),
}
STATUSES = ("passed", "failed", "inconclusive", "error")


class BaselineError(InvalidArgumentError):
    """A saved report cannot be read or does not follow the schema."""


def validate_report(data: Any, source: str = "the report") -> dict[str, Any]:
    """Check that `data` follows schema 1; raise :class:`BaselineError` naming the problem."""
    if not isinstance(data, Mapping):
        raise BaselineError(f"{source} is not a JSON object.")
    if data.get("schema") != SCHEMA_VERSION:
        raise BaselineError(
            f"{source} has schema {data.get('schema')!r}; this gradcheck reads schema "
            f"{SCHEMA_VERSION}. Save a new baseline with `gradcheck catalogue --save FILE`."
        )
    settings = data.get("settings")
    if not isinstance(settings, Mapping) or not isinstance(settings.get("seed"), int):
        raise BaselineError(f"{source}: `settings` must be an object with an integer `seed`.")
    records = data.get("records")
    if not isinstance(records, list):
        raise BaselineError(f"{source}: `records` must be a list.")
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise BaselineError(f"{source}: record {i} is not an object.")
        for key, types in RECORD_FIELDS.items():
            if key not in record:
                raise BaselineError(f"{source}: record {i} has no `{key}`.")
            value = record[key]
            if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
                raise BaselineError(
                    f"{source}: record {i} field `{key}` has type {type(value).__name__}."
                )
        if record["status"] not in STATUSES:
            raise BaselineError(f"{source}: record {i} has unknown status {record['status']!r}.")
    return dict(data)
