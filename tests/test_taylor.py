"""The Taylor test's verdict against its error model (see the Notes of ``gradcheck.taylor_test``).

``f(x) = scale * (offset + sum(sin(x) + slope * x))``, computed in float64 or float32, with the
exact gradient ``scale * (cos(x) + slope)`` or one wrong by 1e-3 (relative, every entry). The
remainder is ``A h + B h^2 + O(h^3)`` plus f's rounding noise, about ``eps |f|``: a constant
offset only raises the noise, the scale changes nothing.
"""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from tests.helpers import dims

exponents = st.integers(min_value=-8, max_value=8)


def _f(offset, scale, slope, single):
    def f(x):
        if single:  # every operation in float32, the value handed back as float64
            x32 = x.astype(np.float32)
            inner = np.float32(offset) + np.sum(np.sin(x32) + np.float32(slope) * x32)
            return scale * np.float64(inner)
        return scale * (offset + np.sum(np.sin(x) + slope * x))

    return f


def _gradient(x, scale, slope):
    return scale * (np.cos(x) + slope)


@given(
    data=st.data(),
    n=dims,
    offset_exponent=st.one_of(st.none(), st.integers(0, 12)),
    scale_exponent=exponents,
    slope=st.sampled_from([0.0, 2.0]),
    single=st.booleans(),
)
@example(  # taylor_float32_false_failed.py: failed at all of its 20 points
    data=None,
    n=4,
    offset_exponent=None,
    scale_exponent=0,
    slope=0.0,
    single=True,
).via("the adversarial review")
def test_a_right_claim_never_fails(data, n, offset_exponent, scale_exponent, slope, single):
    """Offsets 0..1e12, scales 1e-8..1e8, float32 internals: "passed" or "inconclusive"."""
    if data is None:
        x = np.random.default_rng(1).standard_normal(4)
    else:
        x = data.draw(gst.arrays((n,), name="x"), label="x")
    offset = 0.0 if offset_exponent is None else 10.0**offset_exponent
    scale = 10.0**scale_exponent
    f = _f(offset, scale, slope, single)
    result = gc.taylor_test(f, _gradient(x, scale, slope), x)
    assert result.status in ("passed", "inconclusive"), str(result)


@given(
    x=gst.arrays((3,), name="x"),
    d=gst.arrays((3,), name="d"),
    offset_exponent=st.integers(0, 4),
    scale_exponent=exponents,
)
def test_a_right_claim_passes_where_f_is_resolved(x, d, offset_exponent, scale_exponent):
    """float64, offset up to 1e4 of the scale, slope 2 (every gradient entry >= 1) and a
    direction of positive entries: |J u| >= max u, so the remainder ``B h^2`` (|B| <= 3/2)
    stays far above f's rounding level (about 1e-12 of the scale) down to h ~ 1e-5, where a
    1e-4 error would show, and the verdict cannot be "inconclusive"."""
    u = np.abs(d) + 0.5
    u /= np.max(u)
    scale = 10.0**scale_exponent
    f = _f(10.0**offset_exponent, scale, 2.0, False)
    result = gc.taylor_test(f, _gradient(x, scale, 2.0), x, direction=u)
    assert result.passed, str(result)
    assert result.observed_order >= 1.8


@given(
    x=gst.arrays((3,), name="x"),
    d=gst.arrays((3,), name="d"),
    offset_exponent=st.integers(0, 4),
    scale_exponent=exponents,
)
@example(  # taylor_offset_passes_wrong.py at c = 1e4: this point (its 15th) passed
    x=np.random.default_rng(14).standard_normal(3), d=None, offset_exponent=4, scale_exponent=0
).via("the adversarial review")
def test_a_claim_wrong_by_1e_3_fails_where_the_order_1_regime_is_resolved(
    x, d, offset_exponent, scale_exponent
):
    """Not a knife edge: with slope 2 and a direction of positive entries at most 1 (at
    least one equal to 1), the error term is ``|A| = 1e-3 |J u| >= 1e-3 max u = 1e-3`` of the
    scale and the curvature ``|B| <= sum(u^2) / 2``, so below ``h = |A| / |B| >= 2e-3`` the error
    term dominates (order <= 1.08 below h = 2.5e-4), while f's rounding level, at most
    ``eps (1e4 + 45)`` ~ 2e-12 of the scale, leaves ``A h`` a thousand times above it there.
    The @example, from the review, uses slope 0 and the default direction."""
    scale = 10.0**scale_exponent
    if d is None:
        slope, u = 0.0, None
    else:
        slope, u = 2.0, np.abs(d) + 0.5
        u /= np.max(u)
    f = _f(10.0**offset_exponent, scale, slope, False)
    wrong = (1 + 1e-3) * _gradient(x, scale, slope)
    result = gc.taylor_test(f, wrong, x, direction=u)
    assert result.status == "failed", str(result)
    if d is not None:  # the smallest steps read are far above the rounding level
        assert abs(result.observed_order - 1) < 0.2, str(result)


@pytest.mark.parametrize("point", range(20))
def test_the_reviews_offset_1e8_case_is_never_passed(point):
    """taylor_offset_passes_wrong.py at c = 1e8: 17 of its 20 points passed. The error term
    (about 5e-4 h) crosses the curvature term only a few halvings above f's rounding level
    (eps 1e8 ~ 2e-8): "failed" or "inconclusive", never "passed"."""
    x = np.random.default_rng(point).standard_normal(3)
    f = _f(1e8, 1.0, 0.0, False)
    result = gc.taylor_test(f, 1.001 * np.cos(x), x)
    assert result.status in ("failed", "inconclusive"), str(result)


def test_the_rounding_level_is_measured_from_f_not_assumed():
    """f = (1e8 + sum(sin x)) - 1e8 has values near 1 but the noise of 1e8: eps |f| (2e-16)
    would be a thousandfold too low; the third differences see the noise (~1e-8)."""
    x = np.array([0.3, -1.2, 0.8])

    def f(x):
        return (1e8 + np.sum(np.sin(x))) - 1e8

    result = gc.taylor_test(f, np.cos(x), x)
    spacing = np.spacing(1e8)  # the noise of one value: half of it, at most, either way
    assert spacing / 8 < result.rounding_floor < 8 * spacing, result.rounding_floor
    assert result.status != "failed", str(result)


def test_a_float32_f_has_the_float32_rounding_level():
    x = np.array([0.3, -1.2, 0.8, 2.0])
    f = _f(0.0, 1.0, 0.0, True)
    result = gc.taylor_test(f, np.cos(x), x)
    level = np.finfo(np.float32).eps * np.max(np.abs(f(x)))
    assert level / 4 < result.rounding_floor < 16 * level, (result.rounding_floor, level)


def test_too_few_steps_above_the_rounding_level_is_inconclusive():
    """Offset 1e12: rounding level ~2e-4, remainders at most ~1e-3 at h = 0.1."""
    x = np.array([0.3, -1.2, 0.8])
    result = gc.taylor_test(_f(1e12, 1.0, 0.0, False), np.cos(x), x)
    assert result.status == "inconclusive", str(result)
    wrong = gc.taylor_test(_f(1e12, 1.0, 0.0, False), 1.001 * np.cos(x), x)
    assert wrong.status == "inconclusive", str(wrong)


def test_a_constant_f_with_a_zero_claim_passes_exactly():
    x = np.array([0.3, -1.2])
    result = gc.taylor_test(lambda x: 5.0 + 0 * np.sum(x), np.zeros(2), x)
    assert result.passed and result.detection_threshold == 0.0
