"""gradcheck.report.listening on its own: the per-test listener of plain gradcheck calls and the
records of a test's final execution (the plugin's logic, outside pytest's machinery)."""

import contextvars
import threading

import numpy as np
import pytest
from hypothesis import given, settings

import gradcheck
from gradcheck.report import (
    TestRecords,
    check_form,
    listening_to,
    record_from_result,
    records_from_result,
    reported,
)
from gradcheck.strategies import dims


def f(x):
    return np.sum(np.sin(x))


X = np.array([0.5, -1.0, 2.0])


def test_a_public_check_reports_to_the_listener_of_its_context_only():
    heard = []
    with listening_to(lambda result, seconds: heard.append((result.status, seconds))):
        gradcheck.check(f, np.cos(X), X)
        with pytest.raises(gradcheck.GradientAssertionError):
            gradcheck.assert_gradient(f, np.sin(X), X)
    gradcheck.check(f, np.cos(X), X)  # after the block: nobody listens
    assert [status for status, _ in heard] == ["passed", "failed"]
    assert all(seconds > 0 for _, seconds in heard)


def test_the_listener_is_restored_after_a_block_that_raises():
    outer, inner = [], []
    with listening_to(lambda r, s: outer.append(r.status)):
        with pytest.raises(RuntimeError), listening_to(lambda r, s: inner.append(r.status)):
            gradcheck.check(f, np.cos(X), X)
            raise RuntimeError("the test failed")
        gradcheck.check(f, np.sin(X), X)
    assert inner == ["passed"] and outer == ["failed"]


def test_the_verdict_layer_and_bad_input_report_nothing():
    heard = []
    with listening_to(lambda r, s: heard.append(r)):
        gradcheck.verdict.check(f, np.cos(X), X)  # what the fixture and the catalogue call
        with pytest.raises(gradcheck.ShapeMismatchError):
            gradcheck.check(f, np.cos(X)[:2], X)
    assert heard == []


def test_a_thread_sees_the_listener_only_in_a_copy_of_the_context():
    heard = []

    def run():
        gradcheck.check(f, np.cos(X), X)

    with listening_to(lambda r, s: heard.append(r.status)):
        bare = threading.Thread(target=run)
        copied = threading.Thread(target=contextvars.copy_context().run, args=(run,))
        for thread in (bare, copied):
            thread.start()
            thread.join()
    assert heard == ["passed"]


def test_reported_keeps_the_signature_and_the_docstring():
    assert gradcheck.check.__wrapped__ is gradcheck.verdict.check
    assert gradcheck.check.__doc__ == gradcheck.verdict.check.__doc__
    wrapped = reported(gradcheck.verdict.check_vjp)
    assert wrapped.__name__ == "check_vjp" and wrapped.__wrapped__ is gradcheck.verdict.check_vjp


def test_records_keep_the_last_hypothesis_example():
    records = TestRecords("test_x")
    seen = []

    @settings(max_examples=20, database=None, derandomize=True)
    @given(dims(1, 6))
    def run(n):
        seen.append(n)
        records.add({"n": n, "check": 1})
        records.add({"n": n, "check": 2})

    run()
    assert len(seen) > 1
    assert records.records == ({"n": seen[-1], "check": 1}, {"n": seen[-1], "check": 2})


def test_records_keep_every_check_of_one_execution_and_new_example_starts_another():
    records = TestRecords("test_x")
    records.add({"check": 1})
    records.add({"check": 2})
    assert [r["check"] for r in records.records] == [1, 2]
    records.new_example()
    records.add({"check": 3})
    assert [r["check"] for r in records.records] == [3]


def test_add_result_names_the_records_after_the_test():
    records = TestRecords("test_file.py::test_layer")
    records.add_result(gradcheck.check(f, np.cos(X), X), 0.5)
    (record,) = records.records
    assert record["identity"] == "test_file.py::test_layer" and record["seconds"] == 0.5
    assert record["form"] == "jacobian" and record["status"] == "passed"


def test_the_form_of_every_result():
    results = {
        "jacobian": gradcheck.check(f, np.cos(X), X),
        "directional": gradcheck.check_directional(f, np.cos(X), X),
        "vjp": gradcheck.check_vjp(np.sin, lambda u, x: np.cos(x) * u, X),
        "jvp": gradcheck.check_jvp(np.sin, lambda d, x: np.cos(x) * d, X),
        "hessian": gradcheck.check_hessian(f, -np.diag(np.sin(X)), X),
        "hvp": gradcheck.check_hvp(f, lambda v, x: -np.sin(x) * v, X),
    }
    for form, result in results.items():
        assert check_form(result) == form
        record = record_from_result(result, name=form)
        assert record["form"] == form
        projected = form in ("directional", "vjp", "jvp", "hvp")
        assert record["mode"] == ("directional" if projected else "full")
        assert record["directions"] == (result.directions if projected else None)


def test_a_several_variable_result_gives_a_record_per_variable_and_nothing_else_does():
    W = np.array([[1.0, 2.0], [0.5, -1.0]])
    point = {"W": W, "x": np.array([0.3, -0.7])}
    several = gradcheck.check_vjp(
        lambda W, x: W @ x, lambda u, W, x: (np.outer(u, x), 2 * W.T @ u), point, wrt=("W", "x")
    )
    records = records_from_result(several, name="layer", seconds=1.0)
    assert [(r["wrt"], r["status"]) for r in records] == [("W", "passed"), ("x", "failed")]
    assert [r["seconds"] for r in records] == [0.5, 0.5]
    with pytest.raises(gradcheck.InvalidArgumentError, match="records_from_result"):
        record_from_result(several, name="layer")
    with pytest.raises(gradcheck.InvalidArgumentError, match="verdict of a gradcheck check"):
        record_from_result("passed", name="layer")


def test_a_result_that_cannot_be_recorded_warns_and_does_not_fail_the_check():
    records = TestRecords("test_x")
    with pytest.warns(gradcheck.GradcheckWarning, match="test_x: a check was not recorded"):
        records.add_result(object(), 0.1)
    assert records.records == ()
