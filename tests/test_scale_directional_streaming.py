"""Directional mode at 10^6 and 10^7 parameters (issue 15): directions streamed from the
seeded generator, an empty variable refused like the other checks that perturb entries."""

from __future__ import annotations

import numpy as np
import pytest

import gradcheck as gc


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
