"""Directional mode at 10^6 and 10^7 parameters (issue 15): directions streamed from the
seeded generator, an empty variable refused like the other checks that perturb entries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest

import gradcheck as gc
from gradcheck.engine import directions
from gradcheck.verdict import directional


def sin_sum(x):
    return np.sum(np.sin(x), axis=-1)


@pytest.mark.parametrize("point", [np.zeros(0), {"W": np.zeros((0, 3))}])
def test_an_empty_variable_is_refused_like_check_vjp(point):
    # main: check_directional said "passed", having perturbed nothing
    x = point["W"] if isinstance(point, dict) else point
    with pytest.raises(gc.InvalidArgumentError) as caught:
        gc.check_directional(lambda W: np.sum(W), np.zeros(x.shape), point)
    message = str(caught.value)
    assert "check_directional" in message and "is empty" in message, message
    assert "nothing to check" in message, message


#: Large enough that 8 directions (19.2 MB) are not all held: each is drawn from its seed.
STREAMED_N = 300_000


def test_streamed_directions_give_the_held_result_bit_for_bit(monkeypatch):
    rng = np.random.default_rng(4)
    x, a = rng.standard_normal(2000), rng.standard_normal(2000)

    def f(x):
        return np.sum(a * np.sin(x), axis=-1)

    held = gc.check_directional(f, a * np.cos(x), x)
    monkeypatch.setattr(directions, "HELD_BYTES", 0)  # every direction drawn again
    streamed = gc.check_directional(f, a * np.cos(x), x)
    assert held.passed and streamed.passed
    assert held.numerical.tobytes() == streamed.numerical.tobytes()
    assert held.claimed.tobytes() == streamed.claimed.tobytes()
    assert held.detection_threshold == streamed.detection_threshold
    assert held.evaluations == streamed.evaluations


def test_at_large_n_each_direction_is_drawn_once_and_costs_its_stencil(monkeypatch):
    draws = []
    original = directions.DirectionStream._draw

    def counting(self, r):
        draws.append(r)
        return original(self, r)

    monkeypatch.setattr(directions.DirectionStream, "_draw", counting)
    x = np.linspace(-1.0, 1.0, STREAMED_N)
    r = gc.check_directional(sin_sum, np.cos(x), x)
    assert r.status == "passed" and r.directions == 8, str(r)
    # each direction drawn once: for the stencil, the claim's projection and the threshold
    assert sorted(draws) == list(range(8)), draws
    # f at the point twice, then 4 stencil points per direction: no vectorization probe (a
    # 1 MiB chunk holds no 2 points of 2.4 MB) and no step search (main: 200 evaluations)
    assert r.evaluations == 2 + 8 * 4, str(r)


def test_streamed_directions_give_the_same_result_on_an_executor():
    x = np.linspace(-1.0, 1.0, STREAMED_N)
    serial = gc.check_directional(sin_sum, np.cos(x), x)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = gc.check_directional(sin_sum, np.cos(x), x, executor=pool)
    assert serial.numerical.tobytes() == pooled.numerical.tobytes()
    assert serial.detection_threshold == pooled.detection_threshold
    assert serial.evaluations == pooled.evaluations


@pytest.mark.parametrize("where", [0, 12_345, 150_000, 299_999])
def test_the_reported_threshold_is_honest_at_large_n(where):
    x = np.linspace(-1.0, 1.0, STREAMED_N)
    good = gc.check_directional(sin_sum, np.cos(x), x)
    assert good.passed and np.isfinite(good.detection_threshold)
    wrong = np.cos(x)
    # three times the threshold: below it an entry escapes at <1% of the entries; at 3x the
    # best of 8 Gaussian weights would have to be below a third of its 1st percentile
    wrong[where] += 3 * good.detection_threshold * np.max(np.abs(wrong))
    assert gc.check_directional(sin_sum, wrong, x).status == "failed"


def _first_steps(psi_values, h: float, error: float):
    """A stand-in for psi after its first stencil (central: +-h, +-2h) and the estimate."""
    t = np.array([h, -h, 2 * h, -2 * h])
    psi = SimpleNamespace(last=(t, np.array([[psi_values(s)] for s in t])))
    first = SimpleNamespace(step=np.array(h), error=np.array([error]))
    return psi, first


def test_no_search_where_the_first_estimate_is_near_its_best_step():
    h = 2.0**-4
    # psi''' = 6: truncation (D(h) - D(2h)) / 3 = h^2 exactly; rounding 4 h^2 on top. A step
    # 8 times larger multiplies the truncation by 64, 8 times smaller the rounding by 8.
    psi, first = _first_steps(lambda t: t**3, h, error=5 * h**2)
    method = gc.engine.validate_method("central")
    assert directional._search_gain(method, psi, np.zeros(1), first) < directional.SEARCH_GAIN


def test_search_where_only_rounding_limits_the_first_estimate():
    h = 2.0**-4
    # psi linear and exact: no truncation at all, so a larger step only cuts the rounding
    psi, first = _first_steps(lambda t: 3 * t, h, error=1e-9)
    method = gc.engine.validate_method("central")
    assert directional._search_gain(method, psi, np.zeros(1), first) >= directional.SEARCH_GAIN


def test_a_function_that_keeps_its_inputs_sees_them_unchanged():
    # the points' buffer is written again for the next point only when f kept no view of it
    kept = []

    def keeping(x):
        kept.append((x, x.copy()))
        return np.sum(np.sin(x), axis=-1)

    x = np.linspace(-1.0, 1.0, STREAMED_N)
    r = gc.check_directional(keeping, np.cos(x), x)
    assert r.passed and len(kept) == r.evaluations
    assert all(np.array_equal(view, copy) for view, copy in kept)
    assert not np.array_equal(kept[2][0], kept[3][0])  # two different stencil points
