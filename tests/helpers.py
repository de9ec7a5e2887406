"""Shared test helpers: reproducible well-conditioned random inputs and hypothesis strategies."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


def orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def with_condition(rng: np.random.Generator, p: int, q: int, cond: float) -> np.ndarray:
    """A p x q matrix with singular values log-spaced in [1, cond]."""
    k = min(p, q)
    s = np.geomspace(1.0, cond, k) if k > 1 else np.ones(1)
    return orthogonal(rng, p)[:, :k] @ np.diag(s) @ orthogonal(rng, q)[:, :k].T


seeds = st.integers(min_value=0, max_value=2**32 - 1)
dims = st.integers(min_value=1, max_value=6)
shapes = st.lists(st.integers(min_value=1, max_value=4), min_size=0, max_size=3).map(tuple)
