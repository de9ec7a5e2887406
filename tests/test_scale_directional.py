"""Directional mode at large n (issue 15): the number of directions comes from the error
model, and the first step along a unit direction is scaled to the variable's size, so a
cheap smooth f costs the stencil of the first steps only where that settles the verdict."""

from __future__ import annotations

import numpy as np
import pytest

import gradcheck as gc
from gradcheck.verdict import directional


def sin_sum(x):
    return np.sum(np.sin(x), axis=-1)


def test_directions_wanted_follows_the_monte_carlo_threshold():
    # The model's gain from 8 to 64 directions against the threshold measured on random
    # directions with equal tolerances (200,000 entries: the percentile is sharp).
    rng = np.random.default_rng(5)
    n = 25_000
    measured = {}
    for r in (8, 64):
        u = rng.standard_normal((r, n))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        measured[r] = directional._directional_threshold(u, np.ones((r, 1)), np.ones(r), 1.0)
    ratio = measured[64] / measured[8]
    reach = directional.NormalDist().inv_cdf
    model = reach((1 + 0.01 ** (1 / 8)) / 2) / reach((1 + 0.01 ** (1 / 64)) / 2)
    assert ratio == pytest.approx(model, rel=0.2)
    # so a threshold 10x the target stays at 8 directions, 1.5x the target asks for more
    target = directional.DIRECTIONAL_TARGET
    assert directional._directions_wanted(10 * target, 8, 1) == 8
    assert 8 < directional._directions_wanted(1.5 * target, 8, 1) <= 64


def test_large_n_does_not_run_64_directions_that_cannot_reach_the_target():
    n = 100_000
    x = np.linspace(-1.0, 1.0, n)
    good = gc.check_directional(sin_sum, np.cos(x), x, vectorized=True)
    assert good.status == "passed"
    assert good.directions == 8, str(good)  # main: 64 directions
    wrong = np.cos(x)
    wrong[777] += 1e-4 * np.max(np.abs(wrong))  # well above the reported threshold
    assert good.detection_threshold < 1e-4
    assert gc.check_directional(sin_sum, wrong, x, vectorized=True).status == "failed"


def test_first_step_along_a_direction_settles_a_smooth_f():
    x = np.linspace(-1.0, 1.0, 1000)
    r = gc.check_directional(sin_sum, np.cos(x), x, vectorized=True, directions=8)
    assert r.status == "passed"
    # 8 directions x 4 stencil points (+-h, +-2h) and at most 8 probe evaluations: no step
    # search (main: 104 evaluations at n = 1000, the search climbing from the full check's step)
    assert r.evaluations <= 8 * 4 + 8, str(r)
    assert r.detection_threshold < 1e-5
