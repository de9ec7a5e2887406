"""Evaluating f on an executor: the serial result bit for bit, worker errors named, cancellation."""

import functools
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from gradcheck.engine.evaluate import MAX_IN_FLIGHT


def softplus_sum(x):
    """Batch-polymorphic: sum over the last axis of log(1 + exp(x))."""
    return np.sum(np.logaddexp(0.0, x), axis=-1)


def softplus_sum_gradient(x):
    return 1.0 / (1.0 + np.exp(-x))


def rows_of_products(x):
    """One point at a time (not vectorized): outer product of x with itself."""
    return np.outer(x, np.sin(x))


def fails_far_out(x):
    """Raises at the points where x[0] was moved by +h (a simulator that crashes there)."""
    if x[0] > 0.5 + 1e-9:
        raise RuntimeError("solver diverged")
    return float(np.sum(x**2))


@pytest.fixture(scope="module")
def processes():
    with ProcessPoolExecutor(max_workers=2) as pool:
        yield pool


@pytest.fixture(scope="module")
def threads():
    with ThreadPoolExecutor(max_workers=3) as pool:
        yield pool


def abs_squared_sum(z):
    return np.sum(np.abs(z) ** 2, axis=-1)


def _equal_bits(a, b):
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("vectorized", [None, False])
def test_process_pool_gives_the_serial_jacobian_bit_for_bit(processes, vectorized):
    x = np.linspace(-2.0, 3.0, 37)
    serial = gc.jacobian(softplus_sum, x, vectorized=vectorized, chunk_bytes=2048)
    pooled = gc.jacobian(
        softplus_sum, x, vectorized=vectorized, chunk_bytes=2048, executor=processes
    )
    assert _equal_bits(serial, pooled)
    # and it is the gradient (logistic function), checked against the closed form
    np.testing.assert_allclose(pooled, softplus_sum_gradient(x), rtol=1e-7)


def test_process_pool_estimate_and_check_equal_the_serial_ones(processes):
    x = np.linspace(-1.0, 1.0, 6)
    serial = gc.estimate_jacobian(rows_of_products, x, vectorized=False)
    pooled = gc.estimate_jacobian(rows_of_products, x, vectorized=False, executor=processes)
    for name in ("value", "error", "reliable", "step"):
        assert _equal_bits(getattr(serial, name), getattr(pooled, name)), name
    assert serial.evaluations == pooled.evaluations and serial.calls == pooled.calls
    claim = gc.jacobian(rows_of_products, x, vectorized=False)
    one = gc.check(rows_of_products, claim, x, layout="tensor", vectorized=False)
    other = gc.check(rows_of_products, claim, x, layout="tensor", executor=processes)
    assert one.status == other.status == "passed"
    assert _equal_bits(one.numerical, other.numerical)


@settings(max_examples=15, deadline=None)
@given(x=gst.dims(1, 40).flatmap(lambda n: gst.arrays((n,))), chunk=st.integers(1, 4096))
def test_thread_pool_equals_serial_for_any_chunking(threads, x, chunk):
    serial = gc.estimate_jacobian(softplus_sum, x, chunk_bytes=chunk)
    pooled = gc.estimate_jacobian(softplus_sum, x, chunk_bytes=chunk, executor=threads)
    assert _equal_bits(serial.value, pooled.value)
    assert _equal_bits(serial.error, pooled.error)
    assert serial.evaluations == pooled.evaluations


def test_directional_and_product_checks_take_an_executor(threads):
    x = np.linspace(-1.0, 2.0, 300)
    grad = softplus_sum_gradient(x)
    serial = gc.check_directional(softplus_sum, grad, x)
    pooled = gc.check_directional(softplus_sum, grad, x, executor=threads)
    assert serial.status == pooled.status == "passed"
    assert _equal_bits(serial.numerical, pooled.numerical)
    wrong = grad.copy()
    wrong[7] *= 1.001
    assert gc.check_directional(softplus_sum, wrong, x, executor=threads).status == "failed"
    jvp = gc.check_jvp(np.sin, lambda d, x: np.cos(x) * d, x, executor=threads)
    assert jvp.status == "passed"


def test_a_worker_error_names_the_point(processes):
    x = np.array([0.5, 1.0, -2.0])
    with pytest.raises(gc.GradcheckError, match=r"solver diverged") as info:
        gc.jacobian(fails_far_out, x, vectorized=False, executor=processes)
    assert "at perturbed point 1 of 6" in str(info.value)
    with pytest.raises(gc.GradcheckError) as serial:
        gc.jacobian(fails_far_out, x, vectorized=False)
    assert str(serial.value) == str(info.value)


def test_a_function_that_cannot_be_pickled_is_named(processes):
    x = np.ones(3)
    with pytest.raises(gc.GradcheckError, match=r"cannot be sent to the executor's workers"):
        gc.jacobian(lambda x: np.sum(x**2), x, vectorized=False, executor=processes)


def test_executor_must_be_an_executor():
    with pytest.raises(gc.GradcheckError, match=r"`executor` must be a concurrent"):
        gc.jacobian(np.sum, np.ones(3), executor=4)
    with pytest.raises(gc.GradcheckError, match=r"`executor` must be a concurrent"):
        gc.check(np.sum, np.ones(3), np.ones(3), executor="processes")


class _Counting:
    """f(x) = sum(x^2), counting its calls; raises `error` from the `fail_at`-th call on."""

    def __init__(self, error, fail_at):
        self.calls = 0
        self.lock = threading.Lock()
        self.error, self.fail_at = error, fail_at

    def __call__(self, x):
        with self.lock:
            self.calls += 1
            number = self.calls
        if number >= self.fail_at:
            raise self.error
        return float(np.sum(x**2))


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("boom")])
def test_a_failing_call_cancels_the_calls_not_started(error):
    x = np.ones(2000)  # 4002 calls one point at a time
    f = _Counting(error, fail_at=10)
    with ThreadPoolExecutor(max_workers=2) as pool:
        with pytest.raises(type(error)):
            gc.jacobian(f, x, vectorized=False, executor=pool)
    called = f.calls  # after the pool shut down: every call that was not cancelled has run
    # at most the calls in flight when the error was collected were made
    assert 10 <= called <= 10 + MAX_IN_FLIGHT + 2
    assert called < 2 * x.size


def at_point_fine_elsewhere_failing(x, path):
    if np.all(x == 1.0):
        return float(np.sum(x))
    with open(path, "a") as log:
        log.write("x")
    raise RuntimeError("fails off the point")


def test_process_pool_cancels_after_the_first_failing_chunk(processes, tmp_path):
    path = tmp_path / "calls.txt"
    f = functools.partial(at_point_fine_elsewhere_failing, path=str(path))
    x = np.ones(1000)  # 2000 perturbed points, one call each
    with pytest.raises(gc.GradcheckError, match="fails off the point"):
        gc.jacobian(f, x, vectorized=False, executor=processes)
    assert 1 <= path.read_text().count("x") <= MAX_IN_FLIGHT + 2


def test_dask_distributed_executor_gives_the_serial_result():
    distributed = pytest.importorskip("distributed")  # not installed here: skipped
    x = np.linspace(-2.0, 3.0, 12)
    serial = gc.jacobian(softplus_sum, x, vectorized=False)
    with distributed.LocalCluster(n_workers=2, processes=False) as cluster:
        with distributed.Client(cluster) as client:
            pooled = gc.jacobian(softplus_sum, x, vectorized=False, executor=client.get_executor())
    assert _equal_bits(serial, pooled)


@pytest.mark.parametrize("name", ["jacobian", "estimate_jacobian"])
def test_a_complex_point_on_a_process_pool_gives_the_serial_result(processes, name):
    # was refused ("`executor` is not supported at complex points yet")
    z = np.array([1.0 + 2.0j, -0.5j, 0.3 - 0.1j])
    call = getattr(gc, name)
    serial = call(abs_squared_sum, z, convention="complex_gradient")
    pooled = call(abs_squared_sum, z, convention="complex_gradient", executor=processes)
    if name == "estimate_jacobian":
        assert _equal_bits(serial.error, pooled.error)
        serial, pooled = serial.value, pooled.value
    assert _equal_bits(serial, pooled)
    np.testing.assert_allclose(pooled, 2 * z, rtol=1e-8)
