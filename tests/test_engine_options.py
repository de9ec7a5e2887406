"""The options of estimate_jacobian and jacobian: one frozen record, given whole or by keyword."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import gradcheck as gc
import gradcheck.strategies as gst

A = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, -1.0, 1.5]])
X = np.array([0.3, -1.2, 0.8])


def quad(x):
    return np.einsum("...i,ij,...j->...", x, A, x)


#: A bad value of each field, and a word its message must contain besides the field's name.
BAD = [
    ("method", "centre", "central"),
    ("method", 3, "one of"),
    ("step", "0.1", "positive number"),
    ("step", -1e-6, "positive"),
    ("step", [1e-6, np.nan, 1e-6], "finite"),
    ("step", True, "positive number"),
    ("vectorized", "yes", "True, False or None"),
    ("chunk_bytes", 1.5, "integer"),
    ("chunk_bytes", 0, "positive"),
    ("chunk_bytes", 2**40, "at most"),
    ("executor", object(), "Executor"),
]


@pytest.mark.parametrize(
    ("name", "value", "word"), BAD, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD)]
)
def test_a_bad_value_is_refused_naming_its_field(name, value, word):
    for make in (
        lambda: gc.EstimateOptions(**{name: value}),
        lambda: gc.jacobian(quad, X, **{name: value}),
        lambda: gc.estimate_jacobian(quad, X, **{name: value}),
    ):
        with pytest.raises(gc.InvalidArgumentError, match=f"`{name}`") as info:
            make()
        assert word in str(info.value)


@settings(max_examples=25, deadline=None)
@given(
    x=gst.dims(1, 4).flatmap(lambda n: gst.arrays((n,))),
    method=st.sampled_from(["forward", "central", "central4", "richardson", "complex"]),
    step=st.sampled_from([None, 2.5e-6]),
)
@example(x=np.array([0.0]), method="forward", step=1e-3)
def test_the_record_and_the_keywords_give_the_same_estimate(x, method, step):
    def f(x):
        return np.sin(x) * np.sum(x**2, axis=-1, keepdims=True)

    record = gc.EstimateOptions(method=method, step=step, vectorized=True)
    by_record = gc.estimate_jacobian(f, x, options=record)
    by_keyword = gc.estimate_jacobian(f, x, method=method, step=step, vectorized=True)
    assert by_record.method == by_keyword.method == method
    for field in ("value", "error", "reliable", "step"):
        assert np.array_equal(getattr(by_record, field), getattr(by_keyword, field)), field
    assert by_record.evaluations == by_keyword.evaluations
    assert np.array_equal(gc.jacobian(f, x, options=record), gc.jacobian(f, x, **_fields(record)))


def _fields(record: gc.EstimateOptions) -> dict:
    return {"method": record.method, "step": record.step, "vectorized": record.vectorized}


def test_keywords_are_put_over_the_record():
    record = gc.EstimateOptions(method="forward", step=1e-3)
    over = gc.estimate_jacobian(quad, X, options=record, method="central")
    forward = gc.estimate_jacobian(quad, X, options=record)
    assert (over.method, forward.method) == ("central", "forward")
    assert np.array_equal(over.step, forward.step)  # the record's step, kept
    assert np.allclose(over.step, 1e-3, rtol=1e-9, atol=0)
    # central differences of a quadratic are exact up to rounding; forward ones are off by h A
    assert np.allclose(over.value, (A + A.T) @ X, rtol=0, atol=1e-9)
    assert np.max(np.abs(forward.value - (A + A.T) @ X)) > 1e-4


def test_an_unknown_option_or_a_record_of_another_kind_is_refused():
    with pytest.raises(gc.InvalidArgumentError, match=r"unknown option 'rtol'.*chunk_bytes"):
        gc.jacobian(quad, X, rtol=1e-6)
    with pytest.raises(gc.InvalidArgumentError, match=r"estimate_jacobian.*EstimateOptions"):
        gc.estimate_jacobian(quad, X, options=gc.CheckOptions())
    with pytest.raises(gc.InvalidArgumentError, match=r"jacobian.*EstimateOptions"):
        gc.jacobian(quad, X, options={"method": "forward"})


def test_the_record_is_frozen_and_its_executor_is_used():
    record = gc.EstimateOptions(method="central4")
    with pytest.raises(FrozenInstanceError):
        record.method = "forward"  # type: ignore[misc]
    serial = gc.jacobian(quad, X, options=record)
    with ThreadPoolExecutor(2) as pool:
        pooled = gc.jacobian(quad, X, options=record, executor=pool)
    assert np.array_equal(serial, pooled)
    assert record.executor is None


def test_the_record_reaches_a_complex_point():
    z = np.array([1.0 + 2.0j, -0.5j])

    def f(z):
        return np.sum(np.abs(z) ** 2, axis=-1)

    record = gc.EstimateOptions(method="central4")
    by_record = gc.jacobian(f, z, convention="complex_gradient", options=record)
    by_keyword = gc.jacobian(f, z, convention="complex_gradient", method="central4")
    assert np.array_equal(by_record, by_keyword)
    assert np.allclose(by_record, 2 * z)
    with ThreadPoolExecutor(1) as pool:
        pooled = gc.jacobian(f, z, convention="complex_gradient", options=record, executor=pool)
    assert np.array_equal(pooled, by_record)
