"""Where a check's evaluations go (issue 15): a slightly wrong claim is searched and confirmed
before it fails, and estimate_jacobian reports its spending."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp, softmax

import gradcheck as gc


def lse(x):
    return logsumexp(x, axis=-1)


@pytest.mark.parametrize("relative", [1e-5, 1e-4])
def test_a_slightly_wrong_claim_is_still_searched_and_fails(relative):
    n = 100
    x = np.random.default_rng(3).standard_normal(n)
    claim = softmax(x)
    claim[7] *= 1 + relative * np.max(claim) / claim[7]  # one entry off by `relative` of max
    r = gc.check(lse, claim, x)
    assert r.status == "failed"
    assert r.worst_index == (7,)
    assert not r.spending.settled and r.spending.searched > 0


def test_estimate_jacobian_reports_where_its_evaluations_went():
    n = 30
    x = np.linspace(-2.0, 2.0, n)
    est = gc.estimate_jacobian(lse, x)
    s = est.spending
    assert s is not None and s.total == est.evaluations and s.coordinates == n
    # 2 at the point, 4 per coordinate (central), 3 again for the vectorization test
    assert s.first == 2 + 4 * n + 3
    assert str(est.evaluations) in str(s)
