"""Chunk sizes bound memory without changing results; a check says where its evaluations went."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from gradcheck.engine import DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES
from gradcheck.report import record_from_result


def cubes(x):
    return np.sum(x**3, axis=-1)


def test_the_default_chunk_is_cache_sized_and_256_mib_the_bound():
    assert DEFAULT_CHUNK_BYTES == 2**20 and MAX_CHUNK_BYTES == 256 * 2**20
    gc.jacobian(cubes, np.ones(3), chunk_bytes=MAX_CHUNK_BYTES)  # the bound itself is allowed
    with pytest.raises(gc.GradcheckError, match=r"`chunk_bytes` must be at most"):
        gc.jacobian(cubes, np.ones(3), chunk_bytes=MAX_CHUNK_BYTES + 1)
    with pytest.raises(gc.GradcheckError, match=r"`chunk_bytes` must be at most"):
        gc.check(cubes, 3 * np.ones(3), np.ones(3), chunk_bytes=2**30)


@settings(max_examples=20, deadline=None)
@given(x=gst.dims(1, 30).flatmap(lambda n: gst.arrays((n,))), chunk=st.integers(1, 2**16))
def test_chunking_does_not_change_a_rowwise_jacobian(x, chunk):
    one = gc.estimate_jacobian(cubes, x, chunk_bytes=chunk)
    other = gc.estimate_jacobian(cubes, x)
    assert one.value.tobytes() == other.value.tobytes()
    assert one.evaluations == other.evaluations
    np.testing.assert_allclose(one.value, 3 * x**2, rtol=1e-6, atol=1e-8)


def test_a_quadratic_is_not_refined_and_says_so():
    rng = np.random.default_rng(5)
    n = 50
    A = rng.standard_normal((n, n))
    x = rng.standard_normal(n)
    r = gc.check(lambda x: np.einsum("...i,ij,...j->...", x, A, x), (A + A.T) @ x, x)
    assert r.status == "passed"
    s = r.spending
    # a quadratic's central differences have no truncation error: the first steps suffice
    assert s.search == 0 and s.searched == 0 and s.confirmation == 0
    # 2 at the point, 4 per coordinate (the first 3 of them one call each), and those 3
    # again as one batch to test vectorization
    assert s.first == r.evaluations == 2 + 4 * n + 3
    assert "no step search" in str(r) and "spent" in str(r)


def test_a_search_and_a_second_estimate_are_counted():
    x = np.linspace(-3.0, 3.0, 40)

    def lse(x):
        return np.log(np.sum(np.exp(x), axis=-1))

    p = np.exp(x) / np.sum(np.exp(x))
    r = gc.check(lse, p * 1.01, x)
    assert r.status == "failed"
    s = r.spending
    assert s.total == r.evaluations
    assert s.confirmation > 0 and s.coordinates == x.size
    assert s.first >= 4 * x.size
    data = record_from_result(r, name="lse")
    assert data["spending"] == str(s) and str(r.evaluations) in data["spending"]
