import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from tests.helpers import shapes


@st.composite
def tensors(draw):
    """(F.shape, X.shape, a derivative of shape F.shape + X.shape in the tensor layout)."""
    f_shape, x_shape = draw(shapes, label="f_shape"), draw(shapes, label="x_shape")
    return f_shape, x_shape, draw(gst.arrays(f_shape + x_shape, name="D"), label="tensor")


@given(tensors())
def test_round_trip_through_every_layout_is_exact(drawn):
    f_shape, x_shape, tensor = drawn
    for a in ("numerator", "denominator"):
        converted = gc.convert_layout(tensor, f_shape, x_shape, source="tensor", target=a)
        assert converted.shape == gc.layout_shapes(f_shape, x_shape, a)[0]
        back = gc.convert_layout(converted, f_shape, x_shape, source=a, target="tensor")
        assert np.array_equal(back, tensor)
        for b in ("numerator", "denominator"):
            there = gc.convert_layout(converted, f_shape, x_shape, source=a, target=b)
            again = gc.convert_layout(there, f_shape, x_shape, source=b, target=a)
            assert np.array_equal(again, converted)


@given(tensors())
def test_denominator_is_the_transpose_of_numerator(drawn):
    f_shape, x_shape, tensor = drawn
    num = gc.convert_layout(tensor, f_shape, x_shape, source="tensor", target="numerator")
    den = gc.convert_layout(tensor, f_shape, x_shape, source="tensor", target="denominator")
    assert np.array_equal(den, np.transpose(num))


@given(p=st.integers(1, 4), q=st.integers(1, 4), r=st.integers(1, 4), s=st.integers(1, 4))
def test_vec_layout_uses_column_major_vec(p, q, r, s):
    # Entry [a, b] of the numerator layout is d vec(F)_a / d vec(X)_b, vec stacking columns.
    tensor = np.arange(p * q * r * s, dtype=float).reshape(p, q, r, s)
    num = gc.convert_layout(tensor, (p, q), (r, s), source="tensor", target="numerator")
    for i, j, k, m in np.ndindex(p, q, r, s):
        assert num[i + p * j, k + r * m] == tensor[i, j, k, m]


def test_table_shapes():
    ls = gc.layout_shapes
    assert ls((), (), "numerator")[0] == ()
    assert ls((), (3,), "numerator") == ((3,), (1, 3))
    assert ls((), (3,), "denominator") == ((3,), (3, 1))
    assert ls((), (2, 3), "numerator") == ((3, 2),)
    assert ls((), (2, 3), "denominator") == ((2, 3),)
    assert ls((4,), (), "numerator") == ((4,), (4, 1))
    assert ls((4,), (), "denominator") == ((4,), (1, 4))
    assert ls((4,), (3,), "numerator") == ((4, 3),)
    assert ls((4,), (3,), "denominator") == ((3, 4),)
    assert ls((2, 5), (), "numerator") == ((2, 5),)
    assert ls((2, 5), (), "denominator") == ((5, 2),)
    assert ls((4,), (2, 3), "numerator") == ((4, 6),)
    assert ls((2, 5), (3,), "denominator") == ((3, 10),)
    assert ls((2, 5), (2, 3), "tensor") == ((2, 5, 2, 3),)


def test_scalar_by_matrix_numerator_is_the_transposed_gradient():
    g = np.arange(6.0).reshape(2, 3)
    num = gc.convert_layout(g, (), (2, 3), source="denominator", target="numerator")
    assert np.array_equal(num, g.T)


def test_row_and_column_orientations_are_accepted_in_their_layout_only():
    g = np.arange(3.0)
    row, col = g[None, :], g[:, None]
    assert np.array_equal(
        gc.convert_layout(row, (), (3,), source="numerator", target="denominator"), g
    )
    assert np.array_equal(
        gc.convert_layout(col, (), (3,), source="denominator", target="numerator"), g
    )
    with pytest.raises(gc.ShapeMismatchError, match=r"\(3,\) or \(1, 3\)"):
        gc.convert_layout(col, (), (3,), source="numerator", target="tensor")


def test_unknown_layout_suggests_the_close_name():
    with pytest.raises(gc.InvalidArgumentError, match="Did you mean 'numerator'"):
        gc.layout_shapes((), (3,), "num")
    with pytest.raises(ValueError):  # also a ValueError
        gc.convert_layout(np.ones(3), (), (3,), source="row", target="tensor")
