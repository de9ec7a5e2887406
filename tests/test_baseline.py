"""``gradcheck catalogue --baseline`` against runs of other settings: every setting that differs
is reported, what could not be compared is counted and listed, and "no change against the
baseline" is said only of runs that compared everything. A baseline sharing no check with the
run exits 2 with one line on stderr.

The saved baseline (exit status 0) and the run that cannot be compared (exit status 2, one
line on stderr) run as a user runs them, in a fresh interpreter (exit status 1 of a catalogue
run in a fresh one: tests/test_ci_formats.py); the other runs, about what the comparison
prints, call the same ``gradcheck.cli.main`` in this one (tests/cli_run.py)."""

import json

import numpy as np
import pytest

from gradcheck.report import compare_reports, environment, report_document
from gradcheck.verdict import counted
from tests.cli_run import gradcheck_cli, gradcheck_main

IDENTITIES = ["dtrX_dX", "dtrX2_dX"]
NO_CHANGE = "no change against the baseline"


def catalogue(cwd, *argv, select=IDENTITIES, run=gradcheck_main):
    """``gradcheck catalogue --select SELECT... ARGV...`` in `cwd`, in this interpreter unless
    `run` is gradcheck_cli (a fresh one)."""
    return run("catalogue", "--select", *select, *argv, cwd=cwd)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    """A saved run: two identities, 3 trials, the denominator layout, seed 0, central."""
    cwd = tmp_path_factory.mktemp("baseline")
    done = catalogue(
        cwd, "--trials", "3", "--layout", "denominator", "--save", "base.json", run=gradcheck_cli
    )
    assert done.returncode == 0, done.stderr
    return cwd / "base.json"


def comparison(stdout):
    """The lines after "against baseline ...:"."""
    _, found, tail = stdout.partition("against baseline ")
    assert found, stdout
    return tail.splitlines()[1:]


def test_the_same_settings_compare_everything(baseline):
    done = catalogue(
        baseline.parent, "--trials", "3", "--layout", "denominator", "--baseline", baseline.name
    )
    assert done.returncode == 0, done.stderr
    # 2 identities x 1 layout x 3 trials, every one of them in both runs
    assert comparison(done.stdout) == [f"{NO_CHANGE} (6 checks compared)"]


def test_more_trials_and_both_layouts(baseline):
    done = catalogue(baseline.parent, "--trials", "10", "--baseline", baseline.name)
    assert done.returncode == 0, done.stderr
    lines = comparison(done.stdout)
    assert lines[:3] == [
        "settings that differ (baseline -> this run):",
        "  trials: 3 -> 10",
        "  layouts: denominator -> numerator, denominator",
    ]
    assert "  1 layout only in this run: numerator" in lines
    assert "  7 trials only in this run: 3-9" in lines  # trials 0, 1, 2 are in both
    assert lines[-1] == "no change in the 6 checks compared"
    assert NO_CHANGE not in done.stdout


def test_fewer_trials_other_seed_and_method(baseline):
    done = catalogue(
        baseline.parent,
        "--trials", "2", "--layout", "denominator", "--seed", "5", "--method", "richardson",
        "--baseline", baseline.name,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = comparison(done.stdout)
    assert "  seed: 0 -> 5" in lines and "  method: central -> richardson" in lines
    assert "  trials: 3 -> 2" in lines
    assert "  1 trial only in the baseline: 2" in lines
    assert any(
        line.startswith("  errors, since the seed differs (0 -> 5") and "method differs" in line
        for line in lines
    ), lines
    assert lines[-1] == "no change in the 4 checks compared"


def _saved(path):
    return json.loads(path.read_text())


def test_errors_of_other_draws_are_not_compared(baseline, tmp_path):
    """A baseline whose errors were tiny: their growth is a regression at the same seed only."""
    tiny = _saved(baseline)
    for record in tiny["records"]:
        record["max_rel_error"] = 1e-20
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny))
    same = catalogue(
        tmp_path, "--trials", "3", "--layout", "denominator", "--baseline", "tiny.json"
    )
    assert same.returncode == 1 and "error grew" in same.stdout
    other = catalogue(
        tmp_path, "--trials", "3", "--layout", "denominator", "--seed", "1", "--baseline",
        "tiny.json",
    )  # fmt: skip
    assert other.returncode == 0, other.stdout
    assert "error grew" not in other.stdout and "  seed: 0 -> 1" in other.stdout


def test_checks_drawn_at_other_shapes(baseline, tmp_path):
    redrawn = _saved(baseline)
    first = redrawn["records"][0]
    first["shapes"] = {name: [9] * len(shape) for name, shape in first["shapes"].items()}
    first["max_rel_error"] = 1e-20  # would be a grown error if it were compared
    (tmp_path / "redrawn.json").write_text(json.dumps(redrawn))
    done = catalogue(
        tmp_path, "--trials", "3", "--layout", "denominator", "--baseline", "redrawn.json"
    )
    assert done.returncode == 0, done.stdout
    where = f"{first['identity']} [denominator, trial {first['trial']}]"
    assert f"  1 check drawn at other shapes (errors not compared): {where}" in done.stdout
    assert NO_CHANGE not in done.stdout


def test_other_families_cannot_be_compared_at_all(baseline):
    """No identity in common: exit 2 and one line on stderr, the comparison says so."""
    done = catalogue(
        baseline.parent, "--trials", "3", "--layout", "denominator", "--baseline", baseline.name,
        select=["dxTAx_dx"], run=gradcheck_cli,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "shares no check" in done.stderr and "--save" in done.stderr
    lines = comparison(done.stdout)
    assert "  2 identities only in the baseline (removed): dtrX2_dX, dtrX_dX" in lines
    assert "  1 identity only in this run (added): dxTAx_dx" in lines
    assert lines[-1].startswith("nothing could be compared")
    assert "no change" not in done.stdout


def test_many_identities_in_one_run_are_counted_and_listed_briefly(tmp_path):
    done = gradcheck_main(
        "catalogue", "--family", "seed_notes", "--trials", "1", "--save", "all.json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    names = sorted({r["identity"] for r in _saved(tmp_path / "all.json")["records"]})
    kept = names[0]
    done = catalogue(tmp_path, "--trials", "1", "--baseline", "all.json", select=[kept])
    assert done.returncode == 0, done.stderr
    removed = names[1:]
    expected = (
        f"  {len(removed)} identities only in the baseline (removed): "
        f"{', '.join(removed[:5])} and {len(removed) - 5} more"
    )
    assert len(removed) > 5 and expected in comparison(done.stdout)


def test_other_versions_and_machine_are_reported(baseline, tmp_path):
    old = _saved(baseline)
    old["environment"].update(numpy="1.25.0", cpu="Old CPU")
    del old["environment"]["hypothesis"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    done = catalogue(tmp_path, "--trials", "3", "--layout", "denominator", "--baseline", "old.json")
    assert done.returncode == 0, done.stderr
    lines = comparison(done.stdout)
    now = environment()
    assert f"  numpy: 1.25.0 -> {np.__version__}" in lines
    assert f"  cpu: Old CPU -> {now['cpu']}" in lines
    assert f"  hypothesis: not recorded -> {now['hypothesis']}" in lines
    assert lines[-1] == "no change in the 6 checks compared"


def _document(records, **settings):
    options = {"seed": 0, "trials": 1, "method": "central", "layouts": ["numerator"]}
    options.update(settings)
    return report_document(records, command="catalogue", seconds=0.0, **options)


def _record(identity, *, trial=0, layout="numerator", ok=True, error=1e-12):
    return {
        "identity": identity,
        "layout": layout,
        "trial": trial,
        "shapes": {"x": [3]},
        "pitfall": False,
        "ok": ok,
        "max_rel_error": error,
    }


def test_a_report_written_before_the_environment_block_is_compared():
    before = _document([_record("a")])
    del before["environment"]
    before["settings"]["versions"] = {"gradcheck": "0.0.1", "numpy": "1.26.4"}
    regressions = compare_reports(_document([_record("a")]), before)
    changed = {name: (old, new) for name, old, new in regressions.settings}
    assert changed["gradcheck"] == ("0.0.1", environment()["gradcheck"])
    assert changed["cpu"] == ("not recorded", environment()["cpu"])
    assert regressions.compared == 1 and not regressions.regressed


def test_a_malformed_environment_is_not_compared_field_by_field():
    before = _document([_record("a")])
    before["environment"] = "a string"
    before["settings"]["versions"] = ["not", "an", "object"]
    regressions = compare_reports(_document([_record("a")]), before)
    changed = {name: (old, new) for name, old, new in regressions.settings}
    assert changed["numpy"] == ("not recorded", np.__version__)
    assert regressions.compared == 1


def test_several_records_of_one_check_are_one_check():
    """The pytest plugin records every check a test makes under one test id and trial."""
    now = _document([_record("t", error=1e-12), _record("t", ok=False, error=0.5)])
    before = _document([_record("t", error=1e-12), _record("t", error=1e-12)])
    regressions = compare_reports(now, before)
    assert regressions.compared == 1
    assert regressions.newly_failing == (("t", "numerator"),)
    assert regressions.grown == (("t", "numerator", 1e-12, 0.5),)


@pytest.mark.parametrize(
    ("count", "text"), [(1, "1 trial only in this run: 4"), (2, "2 trials only in this run: 4-5")]
)
def test_counts_take_the_number_of_their_noun(count, text):
    now = _document([_record("a", trial=t) for t in range(4 + count)], trials=4 + count)
    before = _document([_record("a", trial=t) for t in range(4)], trials=4)
    assert text in compare_reports(now, before).not_compared_lines()


def test_counted():
    assert [counted(n, "layout") for n in (0, 1, 2)] == ["0 layouts", "1 layout", "2 layouts"]
    assert counted(1, "identity", "identities") == "1 identity"
    assert counted(2, "identity", "identities") == "2 identities"


def test_a_baseline_that_is_not_utf8_text_is_a_one_line_usage_error(tmp_path):
    """Bytes 0xff 0xfe escaped as UnicodeDecodeError, reported as an internal error."""
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe")
    done = catalogue(tmp_path, "--baseline", "bin.json", select=["dtrX_dX"])
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0], done.stderr
    assert "cannot read baseline 'bin.json': not UTF-8 text" in lines[0]
    assert "Traceback" not in done.stderr
