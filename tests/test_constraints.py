"""The numpy samplers of gradcheck.catalogue.constraints: every draw meets its constraint's
documented guarantee, over many seeds (tests/test_strategies.py checks the hypothesis side)."""

import dataclasses

import numpy as np
import pytest

import gradcheck as gc
from gradcheck.catalogue import CONSTRAINTS, Draw, get_constraint, sample
from tests.constraint_checks import GUARANTEES, MATRIX, SQUARE, VECTOR, check_guarantee

#: The names identities and ``--constraint X=NAME`` have always used.
NAMES = [
    "any",
    "symmetric",
    "spd",
    "invertible",
    "pd_nonsym",
    "orthogonal",
    "positive",
    "nonzero",
    "small",
    "simplex",
    "onehot",
    "binary",
    "pm1",
    "unit",
    "diagonal",
    "distinct_eigs",
    "distinct_sv",
    "real_eigs",
]
SEEDS = range(300)


def _shape(name: str, seed: int) -> tuple[int, ...]:
    """A shape constraint `name` accepts, varying with `seed`: dimensions 1..7, and for the
    entrywise ones also scalars (unless they act along an axis) and 3-D arrays."""
    n, m = 1 + seed % 7, 1 + (seed // 7) % 5
    if name in SQUARE:
        return (n, n)
    if name in MATRIX:
        return (n, m)
    shapes = [(n,), (n, m), (m, 2, n)] + ([] if name in VECTOR else [()])
    return shapes[seed % len(shapes)]


def test_the_constraint_names_are_kept():
    assert list(CONSTRAINTS) == NAMES
    assert set(GUARANTEES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_numpy_draw_meets_the_guarantee(name):
    for seed in SEEDS:
        shape = _shape(name, seed)
        check_guarantee(name, sample(name, np.random.default_rng(seed), shape), shape)


def test_condition_bounds_are_documented_and_hold():
    bounds = {c.name: c.condition_bound for c in CONSTRAINTS.values() if c.condition_bound}
    assert bounds == {"spd": 4.0, "invertible": 4.0, "orthogonal": 1.0, "diagonal": 2 / 0.3}
    for name, bound in bounds.items():
        for seed in SEEDS:
            X = sample(name, np.random.default_rng(seed), _shape(name, seed))
            assert np.linalg.cond(X) <= bound * (1 + 1e-12), (name, seed)


@pytest.mark.parametrize("v", [[0.0, 0.0], [5e-324, 0.0], [1e-160, -1e-160], [3.0, 1e-300]])
def test_unit_transform_normalises_tiny_and_zero_vectors(v):
    # hypothesis draws such vectors: v / norm(v) overflowed to inf for a subnormal entry
    check_guarantee("unit", get_constraint("unit").build((2,), (np.array(v),)), (2,))


def test_pd_nonsym_draws_are_not_symmetric():
    # almost surely, for numpy's Gaussian skew part (a shrunk hypothesis draw may be symmetric)
    for seed in SEEDS:
        n = 2 + seed % 6
        X = sample("pd_nonsym", np.random.default_rng(seed), (n, n))
        assert not np.allclose(X, X.T), seed


@pytest.mark.parametrize(
    ("draw", "values"),
    [
        (Draw(kind="integers", shape=(400,), low=0, high=3), {0, 1, 2}),
        (Draw(kind="sign", shape=(400,)), {-1.0, 1.0}),
    ],
)
def test_discrete_primitive_draws_cover_their_values(draw, values):
    assert set(draw.numpy(np.random.default_rng(1)).tolist()) == values


def test_uniform_primitive_draws_stay_in_their_range():
    u = Draw(kind="uniform", shape=(1000,), low=0.3, high=2.0).numpy(np.random.default_rng(2))
    assert u.min() >= 0.3 and u.max() < 2.0 and u.max() - u.min() > 1.5


def test_same_seed_same_sample():
    a = sample("spd", np.random.default_rng(7), (4, 4))
    b = sample("spd", np.random.default_rng(7), (4, 4))
    assert np.array_equal(a, b)


def test_records_are_frozen_and_the_table_read_only():
    with pytest.raises(dataclasses.FrozenInstanceError):
        CONSTRAINTS["spd"].condition_bound = 100.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        CONSTRAINTS["mine"] = CONSTRAINTS["spd"]  # type: ignore[index]


@pytest.mark.parametrize("bad", ["symetric", 3, None])
def test_unknown_constraint_is_refused(bad):
    with pytest.raises(gc.UnknownNameError, match="unknown constraint"):
        get_constraint(bad)


def test_unknown_constraint_suggests_a_name():
    with pytest.raises(gc.UnknownNameError, match="Did you mean 'symmetric'"):
        sample("symetric", np.random.default_rng(0), (3, 3))


@pytest.mark.parametrize("name", sorted(SQUARE))
@pytest.mark.parametrize("shape", [(3, 2), (3,), (2, 2, 2)])
def test_square_constraints_need_square_shapes(name, shape):
    with pytest.raises(gc.InvalidArgumentError, match="square"):
        sample(name, np.random.default_rng(0), shape)


@pytest.mark.parametrize("shape", [(3,), (2, 2, 2), ()])
def test_distinct_sv_needs_a_matrix(shape):
    with pytest.raises(gc.InvalidArgumentError, match="matrix shape"):
        sample("distinct_sv", np.random.default_rng(0), shape)


@pytest.mark.parametrize("name", sorted(VECTOR))
def test_constraints_along_the_last_axis_need_an_axis(name):
    with pytest.raises(gc.InvalidArgumentError, match="at least one axis"):
        sample(name, np.random.default_rng(0), ())
