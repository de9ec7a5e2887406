"""No step search where the first estimate already settles a passed verdict with margin
(issue 15): a smooth, well-scaled f costs the stencil of the first steps only, and says why;
a wrong claim is still searched and confirmed before it fails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp, softmax

import gradcheck as gc


def lse(x):
    return logsumexp(x, axis=-1)


@pytest.mark.parametrize("n", [20, 100])
def test_log_sum_exp_is_not_searched_and_says_so(n):
    x = np.random.default_rng(n).standard_normal(n)
    r = gc.check(lse, softmax(x), x)
    assert r.status == "passed"
    s = r.spending
    assert s.settled and s.search == 0 and s.searched == 0 and s.confirmation == 0
    # 2 at the point, 4 per coordinate, 3 again as one batch for the vectorization test
    assert r.evaluations == s.first == 2 + 4 * n + 3
    assert "settles the verdict with margin" in str(r)
    # the verdict still resolves an entry wrong by a tenth of 1e-6 of the largest
    assert r.detection_threshold < 1e-7


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
