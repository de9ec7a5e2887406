"""A 0-d variable (``np.float64(1.5)``, ``np.array(1.5)``) works in the directional checks as
in `check`: a right derivative passes, a wrong one fails, and the point is left untouched."""

from __future__ import annotations

import numpy as np
import pytest

import gradcheck as gc

POINTS = [np.float64(1.5), np.array(1.5)]


def _directional(scale):
    return lambda x: gc.check_directional(np.sin, scale * np.cos(x), x)


def _jvp(scale):
    return lambda x: gc.check_jvp(np.sin, lambda d, x: scale * np.cos(x) * d, x)


def _vjp(scale):
    return lambda x: gc.check_vjp(np.sin, lambda u, x: scale * np.cos(x) * u, x)


CHECKS = {"check_directional": _directional, "check_jvp": _jvp, "check_vjp": _vjp}


@pytest.mark.parametrize("name", sorted(CHECKS))
@pytest.mark.parametrize("x", POINTS, ids=["float64", "0-d array"])
def test_zero_d_point_right_derivative_passes(name, x):
    before = np.array(x, copy=True)
    result = CHECKS[name](1.0)(x)
    assert result.status == "passed", str(result)
    assert np.array_equal(np.asarray(x), before)
    assert check_status(x) == result.status


@pytest.mark.parametrize("name", sorted(CHECKS))
@pytest.mark.parametrize("x", POINTS, ids=["float64", "0-d array"])
def test_zero_d_point_wrong_derivative_fails(name, x):
    # 10% off: far above any finite-difference error at x = 1.5
    result = CHECKS[name](1.1)(x)
    assert result.status == "failed", str(result)


def check_status(x) -> str:
    """The verdict of `check` on the same 0-d point, the reference behaviour."""
    return gc.check(np.sin, np.cos(x), x).status
