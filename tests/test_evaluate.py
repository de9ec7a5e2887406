"""Batch detection: a stack of points is never mistaken for a point, whatever the batch size."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from gradcheck.engine.evaluate import _avoided_batch_sizes, _chunk_sizes, probe_size
from gradcheck.engine.target import make_target


def mean_square(x):
    """|x|^2 / n, written with len(x): a batch of n points looks like a point to it."""
    return np.sum(x**2, axis=-1) / len(x)


@pytest.mark.parametrize("check", [gc.check, gc.check_directional])
def test_a_batch_of_two_is_not_mistaken_for_a_two_vector(check):
    x = np.array([0.5, -1.0])
    assert check(mean_square, x, x).passed  # d(|x|^2 / 2)/dx = x
    assert check(mean_square, 2 * x, x).status == "failed"
    est = gc.estimate_jacobian(mean_square, x)
    assert not est.vectorized
    assert np.allclose(est.value, x, rtol=1e-8)


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_len_normalised_function_at_every_small_size(n):
    x = np.linspace(-1.0, 2.0, n)
    assert np.allclose(gc.jacobian(mean_square, x), 2 * x / n, rtol=1e-8)


def _single_when_len_is_3(sizes):
    """Batch-polymorphic except that it takes any array of length 3 for one point."""

    def weighted(p):
        return p[0] ** 2 + 2 * p[1] ** 2 + 3 * p[2] ** 2

    def f(x):
        if x.ndim == 2:
            sizes.append(len(x))
        if len(x) == 3:
            return weighted(x)
        return np.array([weighted(p) for p in x])

    return f


@pytest.mark.parametrize("points_per_chunk", [2, 3, 4, 6, 100])
def test_function_wrong_only_for_batches_of_its_dimension(points_per_chunk):
    x = np.array([0.5, -1.0, 2.0])
    sizes = []
    f = _single_when_len_is_3(sizes)
    chunk_bytes = points_per_chunk * (3 + 1) * 8  # stacked inputs and outputs per point
    est = gc.estimate_jacobian(f, x, chunk_bytes=chunk_bytes)
    assert np.allclose(est.value, [2 * 0.5, 4 * -1.0, 6 * 2.0], rtol=1e-8)
    assert est.vectorized and 3 not in sizes and 1 not in sizes


@pytest.mark.parametrize("points_per_chunk", range(1, 13))
def test_squeezing_function_survives_every_chunk_size(points_per_chunk):
    x = np.array([0.5, -1.0, 2.0])

    def f(x):  # squeeze(): a batch of one point comes back without its batch axis
        return np.squeeze(np.sum(x**2, axis=-1))

    est = gc.estimate_jacobian(f, x, chunk_bytes=points_per_chunk * (3 + 1) * 8)
    assert np.allclose(est.value, 2 * x, rtol=1e-8)
    assert est.vectorized


def test_the_probe_costs_one_batch_of_its_size():
    x = np.array([0.5, -1.0, 2.0, 0.25])

    def f(x):
        return np.sum(x**3, axis=-1)

    auto = gc.estimate_jacobian(f, x)
    looped = gc.estimate_jacobian(f, x, vectorized=False)
    assert auto.vectorized
    assert auto.evaluations == looped.evaluations + 3  # 3: not 1, not 4 (x) and f is scalar
    assert auto.calls == 2 + 3 + 1 + 1  # point twice, 3 singles, the probe, the rest at once


def _out_size(shape, out):
    return {"scalar": 1, "same": int(np.prod(shape)), "row sums": int(np.prod(shape[:-1]))}[out]


@given(
    shape=st.sampled_from(["n", "n m", "n m k"]).flatmap(lambda s: gst.shapes(s, max_value=5)),
    out=st.sampled_from(["scalar", "same", "row sums"]),
)
@settings(max_examples=30)
def test_batched_calls_never_have_an_avoided_size(shape, out):
    x = np.linspace(-1.0, 1.5, int(np.prod(shape))).reshape(shape)
    axes = tuple(range(-len(shape), 0))
    sizes = []

    def f(x):
        if x.ndim > len(shape):
            sizes.append(x.shape[0])
        if out == "scalar":
            return np.sum(x**2, axis=axes)
        if out == "same":
            return x**2
        return np.sum(x**2, axis=-1)

    est = gc.estimate_jacobian(f, x, chunk_bytes=7 * 8 * (x.size + _out_size(shape, out)))
    avoid = {1, *shape, *est.f_shape}
    assert sizes and not (set(sizes) & avoid)
    assert sizes[0] == min(b for b in range(3, 20) if b not in avoid)  # the probe
    looped = gc.estimate_jacobian(f, x, vectorized=False)
    assert np.allclose(est.value, looped.value, rtol=1e-9, atol=1e-12)


@given(
    count=st.integers(0, 300),
    per_chunk=st.integers(1, 60),
    avoid=st.sets(st.integers(2, 40), max_size=4),
)
def test_chunk_plan_covers_every_point_and_avoids_the_sizes(count, per_chunk, avoid):
    avoid = frozenset({1, *avoid})
    sizes = _chunk_sizes(count, per_chunk, avoid)
    assert sum(sizes) == count
    left = count
    for size in sizes:
        assert 1 <= size <= per_chunk
        if size == 1:  # a single call, only when no allowed batch size fits
            assert all(b in avoid for b in range(2, min(per_chunk, left) + 1))
        else:
            assert size not in avoid
        left -= size


def test_probe_size_avoids_the_dimensions_of_every_array():
    target = make_target(lambda x, A: x @ A @ x, {"x": np.ones(3), "A": np.ones((4, 5))}, "x")
    assert _avoided_batch_sizes(target, (6,)) == {1, 3, 4, 5, 6}
    assert probe_size(target, (6,)) == 7
    assert probe_size(target, ()) == 6
    assert probe_size(make_target(np.sum, np.ones(7), None), ()) == 3
