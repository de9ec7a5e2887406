"""The guarantee of every constraint, written out independently of gradcheck's definitions, and
the shapes each constraint accepts; shared by tests/test_constraints.py (numpy samplers over many
seeds) and tests/test_strategies.py (hypothesis strategies).

Bounds are the documented ones; the slack (``ROUND``) only covers rounding in the factorisations
that check them (eigvalsh, svd, eigvals of matrices with entries of order 1-10).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Slack for rounding in the checks' own factorisations (a few hundred ulps of order-1 values).
ROUND = 1e-12

#: The shape rule of every constraint: the kinds of shape it accepts.
SQUARE = {
    "symmetric",
    "spd",
    "invertible",
    "pd_nonsym",
    "orthogonal",
    "diagonal",
    "distinct_eigs",
    "real_eigs",
}
MATRIX = {"distinct_sv"}
VECTOR = {"simplex", "unit"}


def _in(x: np.ndarray, low: float, high: float) -> None:
    assert np.all((x >= low) & (x <= high)), f"entries outside [{low}, {high}]: {x}"


def _symmetric(X: np.ndarray) -> None:
    assert np.allclose(X, X.T, rtol=0, atol=ROUND), "not symmetric"


def _spd(X: np.ndarray) -> None:
    _symmetric(X)
    _in(np.linalg.eigvalsh(X), 0.5 - ROUND, 2 + ROUND)


def _invertible(X: np.ndarray) -> None:
    _in(np.linalg.svd(X, compute_uv=False), 0.5 - ROUND, 2 + ROUND)


def _pd_nonsym(X: np.ndarray) -> None:
    _in(np.linalg.eigvalsh((X + X.T) / 2), 0.5 - ROUND, 2 + ROUND)


def _orthogonal(X: np.ndarray) -> None:
    assert np.allclose(X.T @ X, np.eye(len(X)), rtol=0, atol=ROUND), "Q^T Q != I"


def _simplex(p: np.ndarray) -> None:
    _in(p, 1 / (4 * p.shape[-1]) - ROUND, 1)
    assert np.allclose(p.sum(axis=-1), 1, rtol=0, atol=ROUND), "does not sum to 1"


def _subset(x: np.ndarray, values: set[float]) -> None:
    assert set(np.unique(x)) <= values, f"entries other than {values}: {x}"


def _onehot(h: np.ndarray) -> None:
    _subset(h, {0.0, 1.0})
    assert np.array_equal(h.sum(axis=-1), np.ones(h.shape[:-1])), "not one 1 per row"


def _unit(u: np.ndarray) -> None:
    assert np.allclose(np.linalg.norm(u, axis=-1), 1, rtol=0, atol=ROUND), "norm != 1"


def _diagonal(X: np.ndarray) -> None:
    assert np.array_equal(X, np.diag(np.diag(X))), "off-diagonal entries"
    _in(np.abs(np.diag(X)), 0.3, 2)


def _distinct_eigs(X: np.ndarray) -> None:
    _symmetric(X)
    assert np.all(np.diff(np.linalg.eigvalsh(X)) >= 0.5 - 1e-9), "eigenvalues closer than 0.5"


def _distinct_sv(X: np.ndarray) -> None:
    s = np.linalg.svd(X, compute_uv=False)
    assert s.min() >= 0.9 - 1e-9, f"singular value below 0.9: {s}"
    assert np.all(-np.diff(s) >= 0.4 - 1e-9), f"singular values closer than 0.4: {s}"


def _real_eigs(X: np.ndarray) -> None:
    # cond(P) <= 4 bounds the eigenvalues' sensitivity: their rounding errors stay ~1e-14
    w = np.linalg.eigvals(X)
    assert np.allclose(w.imag, 0, atol=1e-8), f"complex eigenvalues: {w}"
    assert np.all(np.diff(np.sort(w.real)) >= 0.5 - 1e-8), f"eigenvalues closer than 0.5: {w}"


#: What every array of each constraint must meet (assertions).
GUARANTEES: dict[str, Callable[[np.ndarray], None]] = {
    "any": lambda x: None,  # finite float64 of the shape: checked for every constraint
    "symmetric": lambda X: np.testing.assert_array_equal(X, X.T),
    "spd": _spd,
    "invertible": _invertible,
    "pd_nonsym": _pd_nonsym,
    "orthogonal": _orthogonal,
    "positive": lambda x: _in(x, 0.5, 2),
    "nonzero": lambda x: _in(np.abs(x), 0.3, 2),
    "small": lambda x: _in(x, -0.05, 0.05),
    "simplex": _simplex,
    "onehot": _onehot,
    "binary": lambda x: _subset(x, {0.0, 1.0}),
    "pm1": lambda x: _subset(x, {-1.0, 1.0}),
    "unit": _unit,
    "diagonal": _diagonal,
    "distinct_eigs": _distinct_eigs,
    "distinct_sv": _distinct_sv,
    "real_eigs": _real_eigs,
}


def check_guarantee(name: str, x: np.ndarray, shape: tuple[int, ...]) -> None:
    """Assert that `x` is a finite float64 array of `shape` meeting constraint `name`."""
    assert isinstance(x, np.ndarray) and x.dtype == np.float64, type(x)
    assert x.shape == shape, (x.shape, shape)
    assert np.all(np.isfinite(x)), "non-finite entries"
    GUARANTEES[name](x)


def shape_specs(name: str) -> list[str]:
    """Symbolic shapes (for gradcheck.strategies.shapes) that constraint `name` accepts."""
    if name in SQUARE:
        return ["n n"]
    if name in MATRIX:
        return ["n m"]
    return ["n", "n m", "k n m"]
