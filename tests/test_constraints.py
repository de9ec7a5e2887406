import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck.catalogue.constraints import sample
from tests.helpers import seeds

sizes = st.integers(1, 8)


@given(seed=seeds, n=sizes)
def test_spd_is_symmetric_with_eigenvalues_in_range(seed, n):
    S = sample("spd", np.random.default_rng(seed), (n, n))
    assert np.allclose(S, S.T, atol=1e-12)
    eig = np.linalg.eigvalsh(S)
    assert eig.min() >= 0.5 - 1e-12 and eig.max() <= 2 + 1e-12


@given(seed=seeds, n=sizes)
def test_orthogonal_is_orthogonal_to_rounding(seed, n):
    Q = sample("orthogonal", np.random.default_rng(seed), (n, n))
    assert np.allclose(Q.T @ Q, np.eye(n), atol=1e-12)


@given(seed=seeds, n=sizes)
def test_invertible_has_bounded_condition_number(seed, n):
    X = sample("invertible", np.random.default_rng(seed), (n, n))
    s = np.linalg.svd(X, compute_uv=False)
    assert s.min() >= 0.5 - 1e-12 and s.max() <= 2 + 1e-12
    assert np.linalg.cond(X) <= 4 + 1e-9


@given(seed=seeds, n=st.integers(2, 8))
def test_pd_nonsym_has_positive_definite_symmetric_part(seed, n):
    X = sample("pd_nonsym", np.random.default_rng(seed), (n, n))
    assert np.linalg.eigvalsh((X + X.T) / 2).min() > 0
    assert not np.allclose(X, X.T)


@given(seed=seeds, n=sizes, m=sizes)
def test_entrywise_constraints(seed, n, m):
    rng = np.random.default_rng(seed)
    pos = sample("positive", rng, (n, m))
    assert np.all((pos >= 0.5) & (pos <= 2))
    nz = np.abs(sample("nonzero", rng, (n, m)))
    assert nz.min() >= 0.3 and nz.max() <= 2
    assert np.abs(sample("small", rng, (n,))).max() <= 0.05
    p = sample("simplex", rng, (n, m))
    assert np.all(p > 0) and np.allclose(p.sum(axis=-1), 1)
    h = sample("onehot", rng, (n, m))
    assert np.array_equal(h.sum(axis=-1), np.ones(n)) and set(np.unique(h)) <= {0.0, 1.0}
    assert set(np.unique(sample("binary", rng, (n, m)))) <= {0.0, 1.0}
    assert set(np.unique(sample("pm1", rng, (n, m)))) <= {-1.0, 1.0}
    assert np.allclose(np.linalg.norm(sample("unit", rng, (n, m)), axis=-1), 1)


@given(seed=seeds, n=sizes)
def test_distinct_eigenvalues_are_separated(seed, n):
    S = sample("distinct_eigs", np.random.default_rng(seed), (n, n))
    assert np.allclose(S, S.T, atol=1e-12)
    assert np.all(np.diff(np.linalg.eigvalsh(S)) >= 0.5 - 1e-9)


@given(seed=seeds, n=sizes, m=sizes)
def test_distinct_singular_values_are_separated(seed, n, m):
    X = sample("distinct_sv", np.random.default_rng(seed), (n, m))
    s = np.linalg.svd(X, compute_uv=False)
    assert np.all(-np.diff(s) >= 0.4 - 1e-9) and s.min() >= 0.5


@given(seed=seeds, n=sizes)
def test_real_eigenvalues_are_real_and_separated(seed, n):
    X = sample("real_eigs", np.random.default_rng(seed), (n, n))
    w = np.linalg.eigvals(X)
    assert np.allclose(w.imag, 0, atol=1e-8)
    assert np.all(np.diff(np.sort(w.real)) >= 0.5 - 1e-6)


def test_same_seed_same_sample():
    a = sample("spd", np.random.default_rng(7), (4, 4))
    b = sample("spd", np.random.default_rng(7), (4, 4))
    assert np.array_equal(a, b)


def test_unknown_constraint_suggests_a_name():
    with pytest.raises(gc.UnknownNameError, match="Did you mean 'symmetric'"):
        sample("symetric", np.random.default_rng(0), (3, 3))


def test_square_constraints_need_square_shapes():
    with pytest.raises(gc.InvalidArgumentError, match="square"):
        sample("spd", np.random.default_rng(0), (3, 2))
