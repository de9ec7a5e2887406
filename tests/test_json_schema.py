"""Every JSON writer of gradcheck, run for real, against the shipped schema (report/schema-v1.json).

The writers: ``gradcheck catalogue --format json`` and ``--save``, ``gradcheck formula`` and
``gradcheck check`` with ``--format json`` and ``--save``, the pytest plugin's
``--gradcheck-json``, and :func:`gradcheck.report.report_to_json`. Each output is validated with
the ``jsonschema`` package against the schema file as installed (importlib.resources), and read
back by gradcheck's own reader (:func:`gradcheck.report.load_report`).
"""

import copy
import json
import platform
import shlex
import subprocess
import sys
from importlib.resources import files

import hypothesis
import numpy as np
import pytest
import scipy

from gradcheck.catalogue import run_catalogue
from gradcheck.report import (
    ENVIRONMENT_FIELDS,
    SCHEMA_VERSION,
    BaselineError,
    compare_reports,
    load_report,
    report_schema,
    report_to_json,
    validate_report,
)
from tests.cli_run import gradcheck_cli

jsonschema = pytest.importorskip("jsonschema")

#: Fields every record of every writer has (the optional ones of the schema included).
RECORD_KEYS = {
    *report_schema()["$defs"]["record"]["required"],
    "method",
    "form",
    "mode",
    "directions",
    "wrt",
    "spending",
    "worst_entry",
}

IDENTITIES = """
import numpy as np
from gradcheck import identity


@identity(wrt="x", variables={"x": "n"}, derivative=lambda x: 2 * x, source="test")
def square_norm(x):
    "d(x.x)/dx = 2x"
    return np.sum(x * x, axis=-1)


def _raises(x):
    raise RuntimeError("no derivative here")


@identity(wrt="x", variables={"x": "n"}, derivative=_raises, source="test")
def broken(x):
    "a derivative that raises"
    return np.sum(x, axis=-1)
"""

FUNCTIONS = """
import numpy as np


def f(x):
    return np.sum(np.sin(x))


def right(x):
    return np.cos(x)


def wrong(x):
    return np.sin(x)
"""

PYTEST_FILE = """
import numpy as np


def test_checks(gradcheck):
    x = np.array([0.3, -1.2, 2.0])
    gradcheck.check(lambda x: np.sum(x ** 3), lambda x: 3 * x ** 2, {"x": x})
    gradcheck.check(lambda x: np.sum(x ** 3), lambda x: 2 * x ** 2, {"x": x})
"""


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(files("gradcheck.report").joinpath("schema-v1.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def assert_valid(validator, data, *, command):
    """`data` follows the whole schema, has the unified records, and gradcheck reads it."""
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    assert data["schema"] == SCHEMA_VERSION and data["command"] == command
    assert data["records"], "a writer wrote no record"
    for record in data["records"]:
        assert set(record) == RECORD_KEYS
    assert data["ok"] == all(r["ok"] for r in data["records"])
    assert validate_report(data) == data
    env = data["environment"]  # one block, from one builder, in every writer's output
    assert list(env) == list(ENVIRONMENT_FIELDS) and all(
        isinstance(v, str) and v for v in env.values()
    )
    assert env["numpy"] == np.__version__ and env["scipy"] == scipy.__version__
    assert env["hypothesis"] == hypothesis.__version__
    assert env["python"] == platform.python_version()
    assert data["settings"]["versions"] == {k: env[k] for k in data["settings"]["versions"]}


def assert_worst_entries_agree(records):
    """A passed record's worst entry is within its tolerance; a failed full check's is not."""
    full = [r for r in records if r["mode"] == "full" and r["status"] in ("passed", "failed")]
    assert full, "no full-mode verdict to compare"
    for r in full:
        worst = r["worst_entry"]
        error = abs(worst["claimed"] - worst["numerical"])
        if r["status"] == "passed":
            assert error <= worst["tolerance"], r
        else:
            assert error > worst["tolerance"], r


def test_the_shipped_schema_is_a_json_schema_of_this_version(validator):
    schema = report_schema()
    assert schema == validator.schema
    assert schema["properties"]["schema"]["const"] == SCHEMA_VERSION == 1


def test_catalogue_json_and_save(validator, tmp_path):
    save = tmp_path / "run.json"
    args = ["catalogue", "--family", "vector_by_vector", "--trials", "1"]
    done = gradcheck_cli(*args, "--format", "json", "--save", str(save), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed, saved = json.loads(done.stdout), json.loads(save.read_text())
    for data in (printed, saved):
        assert_valid(validator, data, command="catalogue")
    assert printed["records"] == saved["records"]
    assert any(r["pitfall"] and r["status"] == "failed" and r["ok"] for r in printed["records"])
    assert all(r["method"] == "central" for r in printed["records"])
    assert_worst_entries_agree(printed["records"])
    assert load_report(save) == saved


def test_catalogue_json_with_an_error_record(validator, tmp_path):
    (tmp_path / "mine.py").write_text(IDENTITIES)
    done = gradcheck_cli(
        "catalogue", "--module", "mine.py", "--trials", "1", "--format", "json", cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert_valid(validator, data, command="catalogue")
    broken = [r for r in data["records"] if r["identity"] == "broken"]
    assert broken and all(r["status"] == "error" and r["worst_entry"] is None for r in broken)
    assert all("no derivative here" in r["diagnosis"] for r in broken)
    assert data["ok"] is False


def test_formula_json_and_save(validator, tmp_path):
    save = tmp_path / "formula.json"
    formula = shlex.split("formula 'x @ A @ x' --claim '2 * A @ x' --wrt x --shapes 'x=n A=n,n'")
    done = gradcheck_cli(
        *formula, "--trials", "2", "--format", "json", "--save", str(save), cwd=tmp_path
    )
    assert done.returncode == 1, done.stderr  # 2A x holds only for symmetric A
    printed, saved = json.loads(done.stdout), json.loads(save.read_text())
    for data in (printed, saved):
        assert_valid(validator, data, command="formula")
    records = printed["records"]
    assert [r["trial"] for r in records] == [0, 1] and printed["ok"] is False
    assert all(r["identity"] == "x @ A @ x" and r["status"] == "failed" for r in records)
    assert all(r["diagnosis"] for r in records)
    for r in records:
        n = r["shapes"]["x"][0]
        assert r["shapes"] == {"x": [n], "A": [n, n]}
    assert_worst_entries_agree(records)
    assert printed["options"] == {
        "expression": "x @ A @ x",
        "claim": "2 * A @ x",
        "wrt": "x",
        "shapes": {"x": "n", "A": "n n"},
        "constraints": {},
        "layout": "denominator",
    }
    assert printed["settings"]["seed"] == 0 and printed["settings"]["method"] == "central"
    # the diagnosis of the trial the text report shows: the one of the largest x
    largest = max(records, key=lambda r: r["shapes"]["x"][0])
    assert printed["diagnosis"] == largest["diagnosis"]
    assert printed["diagnosis"].startswith("symmetric_only:")


def test_a_passing_formula_has_no_diagnosis(validator, tmp_path):
    formula = shlex.split(
        "formula 'logdet(X)' --claim 'inv(X).T' --wrt X --shapes 'X=n,n' --constraint X=spd"
    )
    done = gradcheck_cli(
        *formula, "--trials", "2", "--method", "richardson", "--format", "json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert_valid(validator, data, command="formula")
    assert data["diagnosis"] is None and data["settings"]["method"] == "richardson"
    assert data["options"]["constraints"] == {"X": "spd"}


def test_check_json_and_save_text_format(validator, tmp_path):
    (tmp_path / "funcs.py").write_text(FUNCTIONS)
    save = tmp_path / "check.json"
    common = ["--shapes", "x=n", "--trials", "2", "--save", str(save)]
    right = ["check", "funcs.py:f", "--derivative", "funcs.py:right"]
    done = gradcheck_cli(*right, *common, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "all trials passed" in done.stdout  # the table is printed, the report saved
    saved = json.loads(save.read_text())
    assert_valid(validator, saved, command="check")
    assert all(r["identity"] == "funcs.py:f" and r["ok"] for r in saved["records"])
    done = gradcheck_cli(
        "check",
        "funcs.py:f",
        "--derivative",
        "funcs.py:wrong",
        *common,
        "--format",
        "json",
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    printed = json.loads(done.stdout)
    assert_valid(validator, printed, command="check")
    assert printed == json.loads(save.read_text())
    assert not any(r["ok"] for r in printed["records"])
    assert_worst_entries_agree(printed["records"])
    assert printed["options"]["function"] == "funcs.py:f"
    assert printed["options"]["derivative"] == "funcs.py:wrong"


def pytest_json(test_file, cwd, *options):
    """The --gradcheck-json report of `test_file` run by pytest in a fresh interpreter."""
    (cwd / "test_tiny.py").write_text(test_file)
    target = cwd / "checks.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "no:gradcheck", "-p", "gradcheck.plugin"),
            *("-p", "no:cacheprovider", "-q", *options, "--gradcheck-json", str(target)),
            "test_tiny.py",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(target.read_text())


def test_pytest_plugin_json(validator, tmp_path):
    options = ("--gradcheck-trials", "3", "--gradcheck-seed", "7")
    data = pytest_json(PYTEST_FILE, tmp_path, *options)
    assert_valid(validator, data, command="pytest")
    assert data["settings"]["seed"] == 7 and data["settings"]["trials"] == 3
    assert [r["status"] for r in data["records"]] == ["passed", "failed"]
    assert {r["identity"] for r in data["records"]} == {"test_tiny.py::test_checks"}
    assert data["records"][1]["diagnosis"] is not None
    assert_worst_entries_agree(data["records"])


# One test per form of check, through the fixture (an error in each "wrong" claim is far above
# its detection threshold: 10% of an entry, or a whole missing term).
PYTEST_FORMS_FILE = """
import numpy as np

A = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
W = np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])
X = np.array([0.3, -1.2, 2.0])


def quadratic(x):
    return x @ A @ x / 2 + np.sum(np.cos(x))


def layer(x):
    return np.tanh(W @ x)


def layer_jacobian(x):
    return (1 - np.tanh(W @ x) ** 2)[:, None] * W


def test_jacobian(gradcheck):
    gradcheck.check(layer, layer_jacobian(X), X, layout="numerator")


def test_directional(gradcheck):
    gradcheck.check(quadratic, A @ X - np.sin(X), X)
    gradcheck.check_directional(quadratic, A @ X - np.sin(X), X)


def test_vjp(gradcheck):
    gradcheck.check_vjp(layer, lambda u, x: layer_jacobian(x).T @ u, X)
    gradcheck.check_vjp(layer, lambda u, x: W.T @ u, X)


def test_jvp(gradcheck):
    gradcheck.check_jvp(layer, lambda d, x: layer_jacobian(x) @ d, X)


def test_hessian(gradcheck):
    gradcheck.check_hessian(quadratic, A - np.diag(np.cos(X)), X)
    gradcheck.check_hessian(quadratic, A, X)


def test_hvp(gradcheck):
    gradcheck.check_hvp(quadratic, lambda v, x: A @ v - np.cos(x) * v, X)
"""

#: (test, form, mode, layout, status) of each record PYTEST_FORMS_FILE makes, in order.
PYTEST_FORMS = [
    ("test_jacobian", "jacobian", "full", "numerator", "passed"),
    ("test_directional", "jacobian", "full", "denominator", "passed"),
    ("test_directional", "directional", "directional", "denominator", "passed"),
    ("test_vjp", "vjp", "directional", "tensor", "passed"),
    ("test_vjp", "vjp", "directional", "tensor", "failed"),
    ("test_jvp", "jvp", "directional", "tensor", "passed"),
    ("test_hessian", "hessian", "full", "vec", "passed"),
    ("test_hessian", "hessian", "full", "vec", "failed"),
    ("test_hvp", "hvp", "directional", "tensor", "passed"),
]


def test_pytest_plugin_json_of_every_form(validator, tmp_path):
    data = pytest_json(PYTEST_FORMS_FILE, tmp_path)
    assert_valid(validator, data, command="pytest")
    found = [
        (r["identity"].partition("::")[2], r["form"], r["mode"], r["layout"], r["status"])
        for r in data["records"]
    ]
    assert found == PYTEST_FORMS
    assert sorted(data["settings"]["layouts"]) == ["denominator", "numerator", "tensor", "vec"]
    for r in data["records"]:
        assert (r["directions"] is None) == (r["mode"] == "full"), r
        from_f_alone = r["form"] in ("hessian", "hvp")  # no gradient given
        assert r["method"] == ("second differences" if from_f_alone else "central"), r
        assert r["wrt"] is None
        assert (r["diagnosis"] is None) == (r["status"] == "passed"), r
    assert_worst_entries_agree(data["records"])


def test_the_cpu_name_is_never_empty(monkeypatch):
    """Where /proc/cpuinfo and platform.processor() say nothing, the machine type names the
    CPU, and "unknown" where that is empty too."""
    module = sys.modules[
        "gradcheck.report.environment"
    ]  # the package's `environment` is the function
    real_path = module.Path
    monkeypatch.setattr(module, "Path", lambda _: real_path("/nonexistent/cpuinfo"))
    monkeypatch.setattr(module.platform, "processor", lambda: "")
    monkeypatch.setattr(module.platform, "machine", lambda: "riscv64")
    assert module._cpu_name() == "riscv64"
    monkeypatch.setattr(module.platform, "machine", lambda: "")
    assert module._cpu_name() == "unknown"


def test_report_to_json(validator):
    report = run_catalogue(select=["dxTAx_dx", "w_quadform_sym_only"], trials=2, seed=3)
    data = report_to_json(report)
    assert_valid(validator, data, command="catalogue")
    assert len(data["records"]) == len(report.records) == 8
    assert data["settings"]["layouts"] == ["numerator", "denominator"]
    assert json.loads(json.dumps(data, allow_nan=False)) == data  # no NaN or Infinity
    assert_worst_entries_agree(data["records"])


@pytest.fixture(scope="module")
def valid_report():
    return report_to_json(run_catalogue(select=["dxTAx_dx"], trials=1))


def _drop_identity(data):
    del data["records"][0]["identity"]


def _drop_settings(data):
    del data["settings"]


def _string_trial(data):
    data["records"][0]["trial"] = "0"


def _bool_evaluations(data):
    data["records"][0]["evaluations"] = True


def _string_error(data):
    data["records"][0]["max_rel_error"] = "1e-10"


def _unknown_status(data):
    data["records"][0]["status"] = "ok"


def _version_2(data):
    data["schema"] = 2


def _version_text(data):
    data["schema"] = "1"


@pytest.mark.parametrize(
    ("spoil", "reader_says"),
    [
        (_drop_identity, "no `identity`"),
        (_drop_settings, "`settings` must be an object"),
        (_string_trial, "field `trial` has type str"),
        (_bool_evaluations, "field `evaluations` has type bool"),
        (_string_error, "field `max_rel_error` has type str"),
        (_unknown_status, "unknown status 'ok'"),
        (_version_2, "has schema 2"),
        (_version_text, "has schema '1'"),
    ],
)
def test_an_invalid_report_is_rejected(validator, valid_report, spoil, reader_says):
    assert validator.is_valid(valid_report)
    data = copy.deepcopy(valid_report)
    spoil(data)
    assert not validator.is_valid(data)
    with pytest.raises(BaselineError, match=reader_says):
        validate_report(data)


def test_the_schema_rejects_what_only_it_checks(validator, valid_report):
    """Fields the baseline reader does not read are still checked by the schema."""
    for spoil in (
        lambda d: d.update(tool="other"),
        lambda d: d["settings"].update(seed=-1),
        lambda d: d["records"][0].update(worst_entry={"index": [0]}),
        lambda d: d["records"][0].update(mode="sideways"),
        lambda d: d["records"][0].update(form="gradient"),
        lambda d: d["records"][0].update(directions=0),
        lambda d: d["records"][0]["shapes"].update(x=[2.5]),
    ):
        data = copy.deepcopy(valid_report)
        spoil(data)
        assert not validator.is_valid(data)


# A report as gradcheck wrote it before the writers were unified (schema 1, no `ok`, `seconds`
# only from the catalogue, records without method/mode/wrt/worst_entry, and the plugin's two
# versions): still valid, still read, still compared.
OLD_REPORT = {
    "schema": 1,
    "tool": "gradcheck",
    "command": "pytest",
    "settings": {
        "seed": 0,
        "trials": 2,
        "method": "central",
        "layouts": ["denominator"],
        "versions": {"gradcheck": "0.1.0", "numpy": "1.26.4"},
    },
    "records": [
        {
            "identity": "dxTAx_dx",
            "family": "quadratic",
            "layout": "denominator",
            "trial": 0,
            "shapes": {"x": [3], "A": [3, 3]},
            "pitfall": False,
            "status": "passed",
            "ok": True,
            "max_rel_error": 1e-11,
            "error_estimate": 1e-10,
            "detection_threshold": None,
            "evaluations": 13,
            "seconds": 0.01,
            "diagnosis": None,
        }
    ],
}


def test_an_old_schema_1_report_is_still_read(validator, valid_report, tmp_path):
    assert validator.is_valid(OLD_REPORT)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(OLD_REPORT))
    assert load_report(path) == OLD_REPORT
    regressions = compare_reports(valid_report, load_report(path))
    assert not regressions.newly_failing and "dxTAx_dx" not in regressions.added
