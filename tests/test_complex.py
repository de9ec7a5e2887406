"""Derivatives by complex variables: conventions, verdicts, diagnoses and bad input.

Worked examples are derived by hand below (not read off the code): with z = x + iy,
    ∂/∂z = (∂/∂x - i ∂/∂y)/2,   ∂/∂z̄ = (∂/∂x + i ∂/∂y)/2,
and each convention's value is the map in gradcheck.engine.conventions:
    wirtinger = cookbook = ∂f/∂z,   conjugate_wirtinger = ∂f/∂z̄,
    complex_gradient = 2 ∂f/∂z̄ (real f),
    pytorch = tensorflow = ∂f/∂z̄ + conj(∂f/∂z),   jax = ∂f/∂z + conj(∂f/∂z̄),
    holomorphic = ∂f/∂z when ∂f/∂z̄ = 0.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradcheck
from gradcheck import CONVENTIONS

Z = np.array([1.0 + 2.0j, -0.5 + 0.25j, 0.75 - 1.5j])
RNG_A = np.array(
    [
        [1.0 + 1.0j, 2.0 - 0.5j, 0.25j],
        [0.5j, 3.0 - 1.0j, -1.0 + 0.0j],
        [0.3 - 0.2j, 1.5 + 0.0j, -0.7 + 0.4j],
    ]
)


def _abs2(z):
    return np.real(np.vdot(z, z))


# |z|² = Σ z̄_j z_j (real). Treat z and z̄ as independent: ∂/∂z_j = z̄_j, ∂/∂z̄_j = z_j.
# Check with x, y: |z|² = Σ x² + y², ∂/∂x = 2x, ∂/∂y = 2y;
# ∂/∂z = (2x - 2iy)/2 = z̄ ✓, ∂/∂z̄ = (2x + 2iy)/2 = z ✓.
ABS2 = {
    "wirtinger": np.conj(Z),
    "cookbook": np.conj(Z),
    "conjugate_wirtinger": Z,
    "complex_gradient": 2 * Z,  # 2 ∂/∂z̄
    "pytorch": 2 * Z,  # z + conj(z̄) = 2z
    "tensorflow": 2 * Z,
    "jax": 2 * np.conj(Z),  # z̄ + conj(z) = 2 z̄
}


def _quad(z):
    return np.real(np.vdot(z, RNG_A @ z))


# q = z^H A z = Σ_jk z̄_j A_jk z_k, and f = Re q = (q + q̄)/2 with q̄ = z^T Ā z̄ = Σ z_j Ā_jk z̄_k.
# ∂q/∂z_k = (A^T z̄)_k, ∂q̄/∂z_k = (Ā z̄)_k  =>  ∂f/∂z = (A^T z̄ + Ā z̄)/2 = conj(A^H z + A z)/2.
# ∂f/∂z̄ = conj(∂f/∂z) (f real) = (A + A^H) z / 2.
_DZ_QUAD = np.conj((RNG_A.conj().T + RNG_A) @ Z) / 2
QUAD = {
    "wirtinger": _DZ_QUAD,
    "conjugate_wirtinger": np.conj(_DZ_QUAD),
    "complex_gradient": (RNG_A + RNG_A.conj().T) @ Z,
    "pytorch": (RNG_A + RNG_A.conj().T) @ Z,
    "jax": np.conj((RNG_A + RNG_A.conj().T) @ Z),
}


# exp(z) elementwise: holomorphic, ∂/∂z = exp(z), ∂/∂z̄ = 0 (tensor layout: diagonal).
# pytorch = 0 + conj(exp z) = exp(z̄); jax = exp(z) + 0; conjugate_wirtinger = 0.
EXP = {
    "wirtinger": np.diag(np.exp(Z)),
    "holomorphic": np.diag(np.exp(Z)),
    "conjugate_wirtinger": np.zeros((3, 3)),
    "pytorch": np.diag(np.exp(np.conj(Z))),
    "tensorflow": np.diag(np.exp(np.conj(Z))),
    "jax": np.diag(np.exp(Z)),
}


# z̄ z² elementwise: ∂/∂z = 2 z̄ z = 2|z|², ∂/∂z̄ = z²  (not holomorphic).
# pytorch = z² + conj(2|z|²) = z² + 2|z|²; jax = 2|z|² + z̄².
ZBZ2 = {
    "wirtinger": np.diag(2 * np.abs(Z) ** 2),
    "conjugate_wirtinger": np.diag(Z**2),
    "pytorch": np.diag(Z**2 + 2 * np.abs(Z) ** 2),
    "jax": np.diag(2 * np.abs(Z) ** 2 + np.conj(Z) ** 2),
}


CASES = [
    ("abs2", _abs2, ABS2),
    ("quadratic", _quad, QUAD),
    ("exp", np.exp, EXP),
    ("zbar_z2", lambda z: np.conj(z) * z**2, ZBZ2),
]


def _layout(values):
    return "tensor" if np.ndim(values) == 2 else "denominator"


@pytest.mark.parametrize(("name", "f", "table"), CASES, ids=[c[0] for c in CASES])
def test_worked_examples_pass_in_their_convention(name, f, table):
    for convention, claim in table.items():
        r = gradcheck.check(f, claim, Z, convention=convention, layout=_layout(claim))
        assert r.status == "passed", (convention, str(r))
        assert r.convention == convention


@pytest.mark.parametrize(("name", "f", "table"), CASES, ids=[c[0] for c in CASES])
def test_worked_examples_fail_where_the_values_differ(name, f, table):
    """A claim right in one convention fails in every convention whose hand-derived value is
    different from it."""
    for source, claim in table.items():
        for target, value in table.items():
            if np.allclose(claim, value, rtol=1e-6, atol=1e-6):
                continue
            r = gradcheck.check(f, claim, Z, convention=target, layout=_layout(claim))
            assert r.status == "failed", (source, target, str(r))
            assert r.diagnosis is not None


def test_jacobian_returns_each_conventions_value():
    for convention, expected in ABS2.items():
        got = gradcheck.jacobian(_abs2, Z, convention=convention)
        np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-8)
    est = gradcheck.estimate_jacobian(np.exp, Z, convention="holomorphic")
    np.testing.assert_allclose(est.value, EXP["holomorphic"], rtol=1e-8, atol=1e-8)
    assert np.all(est.error < 1e-6) and est.value.dtype == np.complex128
    assert est.x_shape == (3,) and est.f_value.dtype == np.complex128


def test_every_convention_is_in_the_table():
    assert set(CONVENTIONS) == {
        "wirtinger",
        "conjugate_wirtinger",
        "cookbook",
        "holomorphic",
        "complex_gradient",
        "pytorch",
        "tensorflow",
        "jax",
    }
