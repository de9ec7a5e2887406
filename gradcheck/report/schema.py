"""The report schema: the shipped JSON Schema file, its version, and the validation of a saved
report.

``schema-v1.json`` (next to this module, in the wheel) is the one description of the format;
every writer builds its document with :func:`gradcheck.report.report_document`. Reading a saved
report (``--baseline``) does not need the ``jsonschema`` package, and does not use it when it is
installed, so that what gradcheck accepts never depends on what else is installed: it checks
what the baseline comparison reads — the version, an integer seed, and in every record the
required fields with their JSON types and allowed values, all taken from the schema file. The
tests validate every writer's output against the whole schema with ``jsonschema``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from ..errors import InvalidArgumentError

__all__ = ["SCHEMA_VERSION", "BaselineError", "report_schema", "validate_report"]

SCHEMA_FILE = "schema-v1.json"


@cache
def _schema_text() -> str:
    return files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def report_schema() -> dict[str, Any]:
    """The JSON Schema of gradcheck's reports (a fresh copy of ``schema-v1.json``).

    Examples
    --------
    >>> report_schema()["properties"]["schema"]
    {'description': 'Version of this schema.', 'const': 1}
    """
    return json.loads(_schema_text())


#: Version of the report format (the schema file's ``schema`` constant); bumped on any
#: incompatible change.
SCHEMA_VERSION: int = report_schema()["properties"]["schema"]["const"]

#: JSON type names of the schema and the Python values json.loads gives for them.
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


class BaselineError(InvalidArgumentError):
    """A saved report cannot be read or does not follow the schema."""


def _record_rules() -> dict[str, dict[str, Any]]:
    """Required record field -> its schema (``$ref`` resolved), from the schema file."""
    schema = report_schema()
    record = schema["$defs"]["record"]
    rules = {}
    for key in record["required"]:
        rule = record["properties"][key]
        if "$ref" in rule:
            rule = schema["$defs"][rule["$ref"].rpartition("/")[2]]
        rules[key] = rule
    return rules


def _has_type(value: Any, rule: Mapping[str, Any]) -> bool:
    names = rule["type"] if isinstance(rule["type"], list) else [rule["type"]]
    if isinstance(value, bool):  # a bool is an int in Python, not in JSON
        return "boolean" in names
    return any(isinstance(value, _JSON_TYPES[name]) for name in names)


def _check_record(record: Any, rules: Mapping[str, Mapping[str, Any]], where: str) -> None:
    if not isinstance(record, Mapping):
        raise BaselineError(f"{where} is not an object.")
    for key, rule in rules.items():
        if key not in record:
            raise BaselineError(f"{where} has no `{key}`.")
        value = record[key]
        if not _has_type(value, rule):
            raise BaselineError(
                f"{where} field `{key}` has type {type(value).__name__}; "
                f"the schema wants {rule['type']}."
            )
        if "enum" in rule and value not in rule["enum"]:
            raise BaselineError(
                f"{where} has unknown {key} {value!r}; one of {', '.join(rule['enum'])}."
            )


def validate_report(data: Any, source: str = "the report") -> dict[str, Any]:
    """Check what the baseline comparison reads of a report; raise :class:`BaselineError`
    naming the problem.

    Parameters
    ----------
    data : object
        A report as read by ``json.loads``.
    source : str
        How the messages name it.

    Returns
    -------
    dict
        `data`, as a dict.

    Examples
    --------
    >>> validate_report({"schema": 1, "settings": {"seed": 0}, "records": []})["records"]
    []
    """
    if not isinstance(data, Mapping):
        raise BaselineError(f"{source} is not a JSON object.")
    if data.get("schema") != SCHEMA_VERSION or isinstance(data.get("schema"), bool):
        raise BaselineError(
            f"{source} has schema {data.get('schema')!r}; this gradcheck reads schema "
            f"{SCHEMA_VERSION}. Save a new baseline with `gradcheck catalogue --save FILE`."
        )
    settings = data.get("settings")
    seed = settings.get("seed") if isinstance(settings, Mapping) else None
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise BaselineError(f"{source}: `settings` must be an object with an integer `seed`.")
    records = data.get("records")
    if not isinstance(records, list):
        raise BaselineError(f"{source}: `records` must be a list.")
    rules = _record_rules()
    for i, record in enumerate(records):
        _check_record(record, rules, f"{source}: record {i}")
    return dict(data)
