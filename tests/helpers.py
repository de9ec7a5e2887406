"""Shared test helpers: hypothesis strategies for the test problems and the matrices they use.

The problems of ``tests/cases.py`` and ``tests/check_cases.py`` are built from one drawn
:class:`Problem`: dimensions ``n`` and ``m`` and a few arrays of size ``N = n + m + 1`` whose
leading blocks each case takes (``K[:n, :m]``, ``u[:n]``, ...). The
draw does not depend on the case, so a pinned ``@example`` reaches every case of a
parametrized test, and a shrunk counterexample is a handful of small arrays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
from hypothesis import strategies as st

from gradcheck import strategies as gst

# Still drawn by tests that give a seed to an API taking one (run_catalogue, check's directions).
seeds = st.integers(min_value=0, max_value=2**32 - 1)
dims = gst.dims(1, 6)
shapes = st.lists(st.integers(min_value=1, max_value=4), min_size=0, max_size=3).map(tuple)


def orthogonal(G: np.ndarray) -> np.ndarray:
    """The orthogonal factor of the QR decomposition of the square `G` (any `G`: QR's Q is
    orthogonal even when `G` is singular), with signs fixed by R's diagonal."""
    q, r = np.linalg.qr(G)
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def conditioned(G: np.ndarray, H: np.ndarray, p: int, q: int, cond: float) -> np.ndarray:
    """A p x q matrix ``U diag(s) V^T`` with singular values log-spaced in [1, cond], U and V
    the orthogonal factors of the leading blocks ``G[:p, :p]`` and ``H[:q, :q]``."""
    k = min(p, q)
    s = np.geomspace(1.0, cond, k) if k > 1 else np.ones(1)
    return orthogonal(G[:p, :p])[:, :k] @ np.diag(s) @ orthogonal(H[:q, :q])[:, :k].T


@dataclass(frozen=True)
class Problem:
    """One drawn problem: dimensions `n`, `m` and one array `M` of shape (N, 3N + 2),
    ``N = n + m + 1``, whose columns are the matrices `G`, `H`, `K` (N x N each) and the
    vectors `u`, `v`, as the properties below slice them; a scalar `t`; and, for the verdict
    targets, a `scale`, condition number `cond` and `offset` of the point."""

    n: int
    m: int
    M: np.ndarray
    t: float = 0.0
    scale: float = 1.0
    cond: float = 1.0
    offset: float = 0.0

    def _block(self, i: int) -> np.ndarray:
        N = self.n + self.m + 1
        return self.M[:, i * N : (i + 1) * N]

    G = property(lambda self: self._block(0))
    H = property(lambda self: self._block(1))
    K = property(lambda self: self._block(2))
    u = property(lambda self: self.M[:, -2])
    v = property(lambda self: self.M[:, -1])


@functools.cache
def _matrices(N: int) -> st.SearchStrategy[np.ndarray]:
    """The strategy of `M` for ``N = n + m + 1``, built once per `N`: a strategy is immutable,
    and building and validating a new one at every draw took a third of the draw's time."""
    return gst.arrays((N, 3 * N + 2), name="M")


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Problems with ``n``, ``m`` in 1..6, ``M`` a gradcheck.strategies generic array (entries
    in [-3, 3] plus a small generic part) and ``t`` in [-1, 1]; one array rather than five,
    since each array drawn costs hypothesis a few milliseconds."""
    n, m = draw(dims, label="n"), draw(dims, label="m")
    M = draw(_matrices(n + m + 1), label="M")
    return Problem(n=n, m=m, M=M, t=draw(st.floats(-1.0, 1.0), label="t"))


def embedded(n: int, m: int, **fields: object) -> Problem:
    """A problem whose blocks (`G`, `H`, `K`, `u`, `v`, given as arrays) start with the given
    values, zeros elsewhere, and with the other `fields` given: for pinning, in an
    ``@example``, an input that an older version of a test drew."""
    N = n + m + 1
    problem = Problem(n=n, m=m, M=np.zeros((N, 3 * N + 2)))
    for name in ("G", "H", "K", "u", "v"):
        if name in fields:
            block = np.asarray(fields.pop(name), dtype=float)
            getattr(problem, name)[tuple(slice(0, s) for s in block.shape)] = block
    return replace(problem, **fields)


@st.composite
def identity_points(draw: st.DrawFn, entries: list) -> tuple:
    """(identity, point): one of `entries` (gradcheck.Identity) and a complete named point for
    it, drawn by gradcheck.strategies.points."""
    entry = draw(st.sampled_from(entries), label="identity")
    return entry, draw(gst.points(entry), label="point")
