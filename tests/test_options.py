"""The options of a check: one frozen record, given whole or field by field."""

from dataclasses import FrozenInstanceError

import numpy as np
import pytest

import gradcheck as gc

A = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, -1.0, 1.5]])
X = np.array([0.3, -1.2, 0.8])


def quad(x):
    return x @ A @ x


GRAD = (A + A.T) @ X


def test_options_record_and_keywords_give_the_same_verdict():
    by_record = gc.check(quad, GRAD, X, options=gc.CheckOptions(method="richardson"))
    by_keyword = gc.check(quad, GRAD, X, method="richardson")
    assert by_record.method == by_keyword.method == "richardson"
    assert by_record.detection_threshold == by_keyword.detection_threshold
    assert np.array_equal(by_record.numerical, by_keyword.numerical)


def test_keywords_are_put_over_the_record():
    record = gc.CheckOptions(method="richardson", rtol=1e-3)
    result = gc.check(quad, 1.0001 * GRAD, X, options=record, rtol=None)
    # rtol=None restores the method's default (6.1e-13), under which 1e-4 is caught
    assert result.status == "failed"
    assert gc.check(quad, 1.0001 * GRAD, X, options=record).status == "passed"


def test_options_are_frozen_and_validated_once():
    record = gc.CheckOptions(method="central4")
    with pytest.raises(FrozenInstanceError):
        record.method = "forward"  # type: ignore[misc]
    with pytest.raises(gc.InvalidArgumentError, match="Did you mean 'central'"):
        gc.CheckOptions(method="centre")
    with pytest.raises(gc.InvalidArgumentError, match="`rtol`"):
        gc.CheckOptions(rtol=-1.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gc.check(quad, GRAD, X, mode="directional"), "'mode'.*check_directional"),
        (lambda: gc.check(quad, GRAD, X, seed=1), "unknown option 'seed'"),
        (lambda: gc.check(quad, GRAD, X, tolerance=1e-6), "method, rtol, atol"),
        (lambda: gc.assert_gradient(quad, GRAD, X, directions=4), "check_directional"),
        (lambda: gc.check_directional(quad, GRAD, X, mode="full"), "unknown option 'mode'"),
        (lambda: gc.check(quad, GRAD, X, options={"method": "central"}), "CheckOptions"),
        # a DirectionalOptions would bring its rtol of 1e-12 into a full check unseen
        (lambda: gc.check(quad, GRAD, X, options=gc.DirectionalOptions()), "CheckOptions"),
        (lambda: gc.check_directional(quad, GRAD, X, options=gc.CheckOptions()), "Directional"),
        (lambda: gc.check_directional(quad, GRAD, X, step=np.ones(3)), "one number"),
    ],
)
def test_unknown_or_misplaced_options_are_refused_by_name(call, match):
    with pytest.raises(gc.InvalidArgumentError, match=match):
        call()


def test_directional_options_default_to_their_own_rtol_and_seed_0():
    record = gc.DirectionalOptions()
    assert record.seed == 0 and record.tolerances()["rtol"] == 1e-12
    assert gc.CheckOptions().tolerances()["rtol"] > 1e-10  # central's, not directional's


def test_directional_result_is_its_own_type_and_cannot_lie():
    result = gc.check_directional(quad, GRAD, X, directions=4)
    assert isinstance(result, gc.DirectionalResult) and result.directions == 4
    assert result.numerical.shape == result.claimed.shape == (4,)
    with pytest.raises(ValueError, match="read-only"):
        result.claimed[0] = 0.0
    assert result.passed and not __import__("dataclasses").replace(result, status="failed")
    assert "4 directions" in result.headline


def test_directional_check_of_a_vector_valued_f_in_each_layout():
    B = np.arange(12.0).reshape(4, 3) / 10

    def f(x):
        return np.tanh(x @ B.T)

    J = (1 - np.tanh(B @ X) ** 2)[:, None] * B  # numerator layout, (4, 3)
    assert gc.check_directional(f, J, X, layout="numerator").passed
    assert gc.check_directional(f, J.T, X, layout="denominator").passed
    auto = gc.check_directional(f, J.T, X, layout="auto")
    assert auto.passed and auto.layout == "denominator"
    # the other layout's shape declared: failed whatever the values, and said so
    wrong = gc.check_directional(f, J, X, layout="denominator")
    assert wrong.status == "failed" and "layout mismatch" in str(wrong)
    assert wrong.diagnosis is not None and wrong.diagnosis.kind == "layout"


def test_taylor_options_record_keywords_and_unknown_names():
    x = np.array([0.3, -1.2, 2.0])

    def f(x):
        return np.sum(np.sin(x))

    by_record = gc.taylor_test(f, np.cos(x), x, options=gc.TaylorOptions(num_steps=12, seed=5))
    by_keyword = gc.taylor_test(f, np.cos(x), x, num_steps=12, seed=5)
    assert by_record.passed and np.array_equal(by_record.remainders, by_keyword.remainders)
    assert len(by_record.steps) == 12
    with pytest.raises(gc.InvalidArgumentError, match="unknown option 'method'"):
        gc.taylor_test(f, np.cos(x), x, method="central")


def test_run_options_record_keywords_and_bad_values():
    by_record = gc.run_catalogue(
        select=["dxTAx_dx"], options=gc.RunOptions(trials=2, seed=4, layouts=["denominator"])
    )
    by_keyword = gc.run_catalogue(select=["dxTAx_dx"], trials=2, seed=4, layouts=["denominator"])
    assert [r.max_rel_error for r in by_record.records] == [
        r.max_rel_error for r in by_keyword.records
    ]
    assert by_record.layouts == ("denominator",) and len(by_record.records) == 2
    with pytest.raises(gc.InvalidArgumentError, match="the string 'numerator'"):
        gc.RunOptions(layouts="numerator")
    with pytest.raises(gc.InvalidArgumentError, match=r"unknown option 'module'.*layouts"):
        gc.run_catalogue(select=["dxTAx_dx"], module="mymod")
    with pytest.raises(gc.InvalidArgumentError, match="load_catalogue"):
        gc.run_catalogue(catalogue="mymod")  # type: ignore[arg-type]
