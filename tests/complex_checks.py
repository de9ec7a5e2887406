"""The guarantee of every complex constraint, written out independently of gradcheck's
definitions (numpy's own factorisations), shared by tests/test_strategies.py (hypothesis
draws) and tests/test_complex_catalogue.py (the numpy samplers over many seeds).

Bounds are the documented ones; ``ROUND`` only covers rounding in the checks' factorisations.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Slack for rounding in the checks' own factorisations (order-1 entries).
ROUND = 1e-12

#: Complex constraints that need a square matrix; the others take any shape.
COMPLEX_SQUARE = {"hermitian", "hpd", "unitary", "complex_invertible", "hpd_nonherm"}


def _in(x: np.ndarray, low: float, high: float) -> None:
    assert np.all((x >= low) & (x <= high)), f"values outside [{low}, {high}]: {x}"


def _hermitian(X: np.ndarray) -> None:
    np.testing.assert_array_equal(X, X.conj().T)


def _hpd(X: np.ndarray) -> None:
    assert np.allclose(X, X.conj().T, rtol=0, atol=ROUND), "not Hermitian"
    _in(np.linalg.eigvalsh(X), 0.5 - ROUND, 2 + ROUND)


def _unitary(U: np.ndarray) -> None:
    n = len(U)
    assert np.max(np.abs(U.conj().T @ U - np.eye(n)), initial=0) <= ROUND, "U^H U != I"
    assert np.max(np.abs(U @ U.conj().T - np.eye(n)), initial=0) <= ROUND, "U U^H != I"


def _complex_invertible(X: np.ndarray) -> None:
    _in(np.linalg.svd(X, compute_uv=False), 0.5 - ROUND, 2 + ROUND)


def _hpd_nonherm(X: np.ndarray) -> None:
    _in(np.linalg.eigvalsh((X + X.conj().T) / 2), 0.5 - ROUND, 2 + ROUND)
    assert np.all(np.linalg.eigvals(X).real >= 0.5 - 1e-9), "an eigenvalue left of 0.5"


def _slit(z: np.ndarray) -> None:
    _in(np.abs(z), 0.3 - ROUND, 2 + ROUND)
    _in(np.abs(np.angle(z)), 0.0, 2.5 + ROUND)


#: What every array of each complex constraint must meet (assertions).
COMPLEX_GUARANTEES: dict[str, Callable[[np.ndarray], None]] = {
    "complex": lambda z: None,  # finite complex128 of the shape: checked for every one
    "hermitian": _hermitian,
    "hpd": _hpd,
    "unitary": _unitary,
    "complex_invertible": _complex_invertible,
    "hpd_nonherm": _hpd_nonherm,
    "complex_nonzero": lambda z: _in(np.abs(z), 0.3 - ROUND, 2 + ROUND),
    "complex_slit": _slit,
}


def check_complex_guarantee(name: str, x: np.ndarray, shape: tuple[int, ...]) -> None:
    """Assert that `x` is a finite complex128 array of `shape` meeting constraint `name`."""
    assert isinstance(x, np.ndarray) and x.dtype == np.complex128, (type(x), x.dtype)
    assert x.shape == shape, (x.shape, shape)
    assert np.all(np.isfinite(x)), "non-finite entries"
    COMPLEX_GUARANTEES[name](x)


def complex_shape_specs(name: str) -> list[str]:
    """Symbolic shapes (for gradcheck.strategies.shapes) that constraint `name` accepts."""
    return ["n n"] if name in COMPLEX_SQUARE else ["n", "n m", "k n m"]
