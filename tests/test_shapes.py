import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck.catalogue.shapes import dimension_names, draw_dimensions, resolve_shape
from tests.helpers import seeds


def test_resolve_shapes():
    dims = {"n": 3, "m": 2}
    assert resolve_shape("n m", dims) == (3, 2)
    assert resolve_shape("", dims) == ()
    assert resolve_shape("2*n-1", dims) == (5,)
    assert resolve_shape("n, n", dims) == (3, 3)
    assert dimension_names(["n m", "2*n-1", "p"]) == ["n", "m", "p"]


@given(seed=seeds, k=st.integers(1, 4))
def test_draws_are_distinct_in_range_and_meet_conditions(seed, k):
    names = ["n", "m", "p", "q"][:k]
    dims = draw_dimensions(
        names, np.random.default_rng(seed), conditions=("n >= m",) if k > 1 else ()
    )
    assert all(1 <= v <= 8 for v in dims.values())
    assert len(set(dims.values())) == k
    if k > 1:
        assert dims["n"] >= dims["m"]


def test_size_one_dimensions_appear():
    rng = np.random.default_rng(0)
    draws = [draw_dimensions(["n", "m"], rng) for _ in range(200)]
    assert any(1 in d.values() for d in draws)
    assert any(1 not in d.values() for d in draws)


def test_impossible_conditions_raise():
    with pytest.raises(gc.InvalidArgumentError, match="satisfy"):
        draw_dimensions(["n"], np.random.default_rng(0), conditions=("n > 100",))


@pytest.mark.parametrize(
    "spec", ["__import__('os')", "n.real", "lambda: 1", "[n for n in m]", "n ** 99", "1.5"]
)
def test_hostile_shape_specs_are_rejected(spec):
    with pytest.raises(gc.InvalidArgumentError):
        resolve_shape(spec, {"n": 2, "m": 3})
