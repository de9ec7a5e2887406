"""The counting logic of benchmarks/stress.py on tiny configurations (not its timing)."""

import importlib.util
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import gradcheck as gc

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "stress.py"


def _load():
    spec = importlib.util.spec_from_file_location("stress_benchmark", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


stress = _load()


def _by_claim(outcomes):
    return {(o.method, o.wrong_by): o for o in outcomes}


@pytest.mark.parametrize("name", sorted(stress.PROBLEMS))
def test_every_problem_exact_claim_passes_and_a_wrong_entry_is_caught(name):
    case = stress.build_case(name, 3, 1.0, 1.0, 0)
    assert case.claim_disagreement <= 1e-12 and case.unreliable_reason == ""
    got = _by_claim(stress.run_case(case, methods=("central",), wrong=(1e-2,)))
    assert got[("central", 0.0)].status == "passed"
    assert got[("central", 0.0)].category == "passed"
    assert got[("central", 1e-2)].status == "failed"
    assert got[("central", 1e-2)].category == "caught"


def test_tally_counts_passed_caught_and_rates():
    case = stress.build_case("inv", 3, 1.0, 1.0, 0)
    outcomes = stress.run_case(case, methods=("central", "richardson"), wrong=(1e-2,))
    assert len(outcomes) == 4
    total = stress.tally(outcomes, lambda o: None)[None]
    assert total.counts["draws"] == 2 and total.counts["passed"] == 2
    assert total.counts["false alarm"] == 0 and total.judged == 2
    assert total.caught(1e-2) == "2/2"
    assert total.caught(1e-6) == "-"
    by_method = stress.tally(outcomes, lambda o: o.method)
    assert set(by_method) == {"central", "richardson"}
    assert by_method["central"].counts["draws"] == 1


def _outcome(**changes):
    base = stress.Outcome(
        problem="inv",
        n=3,
        cond=1.0,
        t_scale=1.0,
        seed=0,
        t=1.0,
        method="central",
        wrong_by=0.0,
        status="passed",
        max_rel_error=0.0,
        detection_threshold=float("nan"),
        headline="",
        report="",
        claim_disagreement=0.0,
        natural_difference=0.0,
        unreliable_reason="",
    )
    return replace(base, **changes)


def test_categories_and_inconclusive_rate_exclude_unreliable_claims():
    outcomes = [
        _outcome(status="passed", detection_threshold=1e-7),
        _outcome(status="passed", detection_threshold=3e-7),
        _outcome(status="failed"),
        _outcome(status="inconclusive"),
        _outcome(status="error"),
        _outcome(status="failed", unreliable_reason="claim formulas differ by 1e-6"),
        _outcome(status="failed", wrong_by=1e-6),
        _outcome(status="inconclusive", wrong_by=1e-6),
        _outcome(status="passed", wrong_by=1e-8),
    ]
    assert [o.category for o in outcomes] == [
        "passed",
        "passed",
        "false alarm",
        "inconclusive",
        "error",
        "claim unreliable",
        "caught",
        "missed",
        "missed",
    ]
    t = stress.tally(outcomes, lambda o: None)[None]
    assert t.counts["draws"] == 6 and t.judged == 5
    assert t.inconclusive_rate() == pytest.approx(1 / 5)
    assert t.caught(1e-6) == "1/2" and t.caught(1e-8) == "0/1"
    assert t.threshold_stats() == ("2.0e-07", "3.0e-07")


def test_a_claim_whose_two_formulas_disagree_is_unreliable_not_a_false_alarm():
    inv = stress.PROBLEMS["inv"]
    # the claim given to the check is 1% off (so the check fails); the second formula is right
    doubtful = replace(inv, name="inv_doubtful", claim=lambda y, b, c: 1.01 * inv.claim(y, b, c))
    case = stress.build_case(doubtful, 3, 1.0, 1.0, 0)
    assert case.unreliable_reason.startswith("claim formulas differ")
    (only,) = stress.run_case(case, methods=("central",), wrong=(1e-2,))  # no wrong claims
    assert only.status == "failed" and only.category == "claim unreliable"


def test_a_failed_check_of_a_trusted_claim_counts_as_false_alarm():
    case = stress.build_case("inv", 3, 1.0, 1.0, 0)
    assert case.unreliable_reason == ""
    trusted_but_wrong = replace(case, claim=1.01 * case.claim)  # past the reliability tests
    got = _by_claim(stress.run_case(trusted_but_wrong, methods=("central",), wrong=()))
    assert got[("central", 0.0)].status == "failed"
    assert got[("central", 0.0)].category == "false alarm"


def test_a_function_whose_computed_derivative_differs_from_the_claim_is_unreliable():
    inv = stress.PROBLEMS["inv"]
    # f is not inv: its derivative differs from both (agreeing) claim formulas by ~1e-3
    off = replace(inv, value=lambda y, c: np.linalg.inv(y) + 1e-3 * y)
    case = stress.build_case(off, 3, 1.0, 1.0, 0)
    assert case.claim_disagreement <= 1e-12
    assert "df/dt at step" in case.unreliable_reason
    assert stress.build_case(inv, 3, 1.0, 1.0, 0).natural_difference <= 1e-8


def test_wrong_claim_changes_exactly_one_entry_by_the_relative_amount():
    case = stress.build_case("solve", 5, 1e2, 1e-2, 1)
    wrong = case.wrong_claim(1e-6)
    diff = np.abs(wrong - case.claim)
    assert np.count_nonzero(diff) == 1
    assert diff[case.wrong_index] == pytest.approx(1e-6 * np.max(np.abs(case.claim)), rel=1e-6)


def test_cases_are_reproducible_from_the_json_fields():
    case = stress.build_case("sqrtm", 3, 1e4, 1e-6, 2)
    record = stress.outcome_record(stress.check_claim(case, case.claim, "central"))
    for key in ("problem", "F", "t_scale", "t", "cond", "n", "seed", "status", "max_rel_error"):
        assert key in record
    assert record["headline"].startswith("gradcheck ")
    json.dumps(record)
    again = stress.build_case(
        record["problem"], record["n"], record["cond"], record["t_scale"], record["seed"]
    )
    assert again.t == record["t"]
    np.testing.assert_array_equal(again.claim, case.claim)
    other = stress.build_case("sqrtm", 3, 1e4, 1e-6, 3)
    assert not np.array_equal(other.claim, case.claim)


def test_detection_threshold_helper_reads_the_result():
    x = np.array([1.0, 2.0])
    result = gc.check(lambda x: x @ x, 2 * x, x)
    assert stress.detection_threshold(result) == result.detection_threshold > 0


def test_catalogue_tally_counts_identities_and_pitfalls():
    report = gc.run_catalogue(select=["dxTAx_dx", "w_seed_quadform_row"], trials=2, seed=0)
    families = stress.catalogue_tally(report)
    total = Counter()
    for c in families.values():
        total.update(c)
    assert total["draws"] == 4 and total["passed"] == 4 and total["false alarm"] == 0
    assert total["pitfall draws"] == 4 and total["pitfalls caught"] == 4
    assert stress.catalogue_failures(report) == []


def test_catalogue_failure_is_counted_and_dumped():
    report = gc.run_catalogue(select=["dxTAx_dx"], trials=1, seed=0)
    bad = replace(report.records[0], status="failed", ok=False, message="max rel. error 1")
    report = replace(report, records=(bad, *report.records[1:]))
    families = stress.catalogue_tally(report)
    (row,) = families.values()
    assert row["false alarm"] == 1 and row["passed"] == 1
    (dumped,) = stress.catalogue_failures(report)
    assert dumped["problem"] == "dxTAx_dx" and dumped["status"] == "failed"
    assert dumped["trial"] == 0 and dumped["layout"] == bad.layout


def test_cpu_name_is_not_empty():
    assert stress.cpu_name().strip()
