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

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gradcheck
import gradcheck.strategies as gs
from gradcheck import CONVENTIONS, convert_convention

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


# --- hypothesis: complex points from the project's own strategies -------------------------


@st.composite
def complex_arrays(draw, shape):
    """A complex array of `shape`: real and imaginary parts from gradcheck.strategies.arrays."""
    real = draw(gs.arrays(shape, name="re"))
    imag = draw(gs.arrays(shape, name="im"))
    return real + 1j * imag


@st.composite
def quadratic_problems(draw):
    """(A, z) for f(z) = Re(z^H A z) with a general complex A."""
    n = draw(gs.dims(1, 3))
    return draw(complex_arrays((n, n))), draw(complex_arrays((n,)))


def _quadratic_claims(A, z):
    # As for QUAD above: ∂f/∂z̄ = (A + A^H) z / 2, ∂f/∂z = its conjugate.
    g = (A + A.conj().T) @ z
    return {
        "wirtinger": np.conj(g) / 2,
        "conjugate_wirtinger": g / 2,
        "complex_gradient": g,
        "pytorch": g,
        "jax": np.conj(g),
    }


# For a real f, ∂f/∂z̄ = conj(∂f/∂z) =: conj(D), so each convention is a factor times D or
# times conj(D): wirtinger D, conjugate_wirtinger conj(D), complex_gradient = pytorch
# 2 conj(D), jax 2 D. A claim right in `source` checked in `target` is a pure conjugation
# when the sides differ and the factors agree, else off by the factor 2.
_REAL_F_FORM = {
    "wirtinger": (1, "D"),
    "conjugate_wirtinger": (1, "conj"),
    "complex_gradient": (2, "conj"),
    "pytorch": (2, "conj"),
    "jax": (2, "D"),
}


def _expected_kind(source, target):
    (fs, ss), (ft, st_) = _REAL_F_FORM[source], _REAL_F_FORM[target]
    return "conjugate" if fs == ft and ss != st_ else "wirtinger_factor"


@settings(max_examples=8, deadline=None)
@given(quadratic_problems())
def test_quadratic_claims_pass_in_their_convention_and_fail_in_the_others(problem):
    A, z = problem
    claims = _quadratic_claims(A, z)
    g = claims["complex_gradient"]
    # the conventions differ by a conjugation (needs Im g) and a factor 2 (needs g != 0)
    assume(np.max(np.abs(g.imag)) > 0.05 * np.max(np.abs(g)) > 0.05)

    def f(z):
        return np.real(np.vdot(z, A @ z))

    for source, claim in claims.items():
        assert gradcheck.check(f, claim, z, convention=source).status == "passed", source
        for target in claims:
            if np.allclose(claims[target], claim, rtol=0, atol=1e-3 * np.max(np.abs(g))):
                continue
            r = gradcheck.check(f, claim, z, convention=target)
            assert r.status == "failed", (source, target)
            assert r.diagnosis.kind == _expected_kind(source, target), (source, target)


@st.composite
def holomorphic_problems(draw):
    """(A, z) for f(z) = A z + z**2 (entrywise square), holomorphic with J = A + diag(2z)."""
    n = draw(gs.dims(2, 4))
    return draw(complex_arrays((n, n))), draw(complex_arrays((n,)))


@settings(max_examples=10, deadline=None)
@given(holomorphic_problems())
def test_transpose_and_conjugate_transpose_are_told_apart(problem):
    A, z = problem
    J = A + np.diag(2 * z)  # numerator layout: J[k, j] = ∂f_k/∂z_j = f'(z)
    assume(np.max(np.abs(J.imag)) > 0.05 * np.max(np.abs(J)))

    def f(z):
        return A @ z + z**2

    # pytorch / tensorflow, denominator layout: the conjugate transpose J^H;
    # jax / wirtinger / holomorphic, denominator layout: the transpose J^T.
    assert gradcheck.check(f, J.conj().T, z, convention="pytorch").passed
    assert gradcheck.check(f, J.T, z, convention="jax").passed
    r = gradcheck.check(f, J.T, z, convention="holomorphic")
    assert r.passed and r.cauchy_riemann == "passed"
    wrong = gradcheck.check(f, J.T, z, convention="pytorch")
    assert wrong.status == "failed" and wrong.diagnosis.kind == "conjugate_transpose"
    reverse = gradcheck.check(f, J.conj().T, z, convention="jax")
    assert reverse.status == "failed" and reverse.diagnosis.kind == "conjugate_transpose"


@settings(max_examples=15, deadline=None)
@given(quadratic_problems(), st.data())
def test_an_entry_wrong_by_1e6_of_the_largest_is_caught(problem, data):
    A, z = problem
    convention = data.draw(st.sampled_from(["wirtinger", "pytorch", "jax", "complex_gradient"]))
    claim = _quadratic_claims(A, z)[convention]
    scale = np.max(np.abs(claim))
    assume(scale > 0.1)
    index = data.draw(st.integers(0, claim.size - 1))
    direction = data.draw(st.sampled_from([1.0, 1j, -1.0, (1 - 1j) / np.sqrt(2)]))
    wrong = claim.copy()
    wrong[index] += 1e-6 * scale * direction

    def f(z):
        return np.real(np.vdot(z, A @ z))

    assert gradcheck.check(f, claim, z, convention=convention).passed
    r = gradcheck.check(f, wrong, z, convention=convention)
    assert r.status == "failed"
    assert r.worst_index == (index,)


_REAL_KIND = [c for c in CONVENTIONS if c != "holomorphic"]
_HOLOMORPHIC_KIND = [c for c in CONVENTIONS if c not in ("complex_gradient", "conjugate_wirtinger")]


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 5).flatmap(lambda n: complex_arrays((n,))),
    st.sampled_from(_REAL_KIND),
    st.sampled_from(_REAL_KIND),
)
def test_conversions_round_trip_exactly_for_real_f(value, source, target):
    there = convert_convention(value, source=source, target=target)
    back = convert_convention(there, source=target, target=source)
    np.testing.assert_array_equal(back, value)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 5).flatmap(lambda n: complex_arrays((n,))),
    st.sampled_from(_HOLOMORPHIC_KIND),
    st.sampled_from(_HOLOMORPHIC_KIND),
)
def test_conversions_round_trip_exactly_for_holomorphic_f(value, source, target):
    there = convert_convention(value, source=source, target=target, function="holomorphic")
    back = convert_convention(there, source=target, target=source, function="holomorphic")
    np.testing.assert_array_equal(back, value)


def test_conversions_give_the_hand_derived_values():
    for source in ABS2:
        for target in ABS2:
            np.testing.assert_array_equal(
                convert_convention(ABS2[source], source=source, target=target), ABS2[target]
            )
    exp_z = np.exp(Z)  # holomorphic: wirtinger f', pytorch conj(f'), jax f'
    got = convert_convention(exp_z, source="wirtinger", target="pytorch", function="holomorphic")
    np.testing.assert_array_equal(got, np.conj(exp_z))


# --- diagnoses ----------------------------------------------------------------------------


def test_a_holomorphic_claim_for_a_non_holomorphic_f_is_diagnosed():
    def f(z):
        return np.conj(z) * z**2

    # treating z̄ as a constant gives "f'(z)" = 2 z̄ z = 2|z|², which is ∂f/∂z, but f is not
    # holomorphic (∂f/∂z̄ = z² ≠ 0)
    r = gradcheck.check(
        f, np.diag(2 * np.abs(Z) ** 2), Z, convention="holomorphic", layout="tensor"
    )
    assert r.status == "failed" and r.cauchy_riemann == "failed"
    assert r.diagnosis.kind == "not_holomorphic"
    # in the pytorch convention, the holomorphic formula conj(2|z|²) misses ∂f/∂z̄ = z²
    r = gradcheck.check(f, np.diag(2 * np.abs(Z) ** 2), Z, convention="pytorch", layout="tensor")
    assert r.status == "failed" and r.diagnosis.kind == "not_holomorphic"
    # the Wirtinger pair passes
    assert gradcheck.check(f, ZBZ2["wirtinger"], Z, convention="wirtinger", layout="tensor")
    assert gradcheck.check(
        f, ZBZ2["conjugate_wirtinger"], Z, convention="conjugate_wirtinger", layout="tensor"
    )


def test_auto_reports_every_convention_the_claim_satisfies():
    r = gradcheck.check(_abs2, 2 * np.conj(Z), Z, convention="auto")
    assert r.passed and r.satisfied_conventions == ("jax",)
    assert "jax" in str(r)
    r = gradcheck.check(np.exp, EXP["holomorphic"], Z, convention="auto", layout="tensor")
    assert r.satisfied_conventions == ("wirtinger", "cookbook", "holomorphic", "jax")
    r = gradcheck.check(_abs2, 3 * Z, Z, convention="auto")
    assert r.status == "failed" and r.satisfied_conventions == ()


def test_the_json_record_names_the_convention():
    from gradcheck.report.recording import record_from_result

    r = gradcheck.check(_abs2, 2 * Z, Z, convention="auto")
    record = record_from_result(r, name="abs2")
    assert record["convention"] == "complex_gradient"
    assert record["satisfied_conventions"] == ["complex_gradient", "pytorch", "tensorflow"]
    index = record["worst_entry"]["index"][0]
    assert record["worst_entry"]["claimed_imag"] == (2 * Z)[index].imag
    real = record_from_result(
        gradcheck.check(lambda x: x @ x, 2 * np.ones(2), np.ones(2)), name="r"
    )
    assert "convention" not in real


def test_several_variables_with_a_complex_one():
    w = np.array([0.5 - 1.0j, 2.0 + 0.5j, -1.0j])

    def f(z, w):
        return np.real(np.vdot(w, z))  # Re(w^H z): ∂/∂z = w̄/2... pytorch: 2 ∂/∂z̄ = w

    r = gradcheck.check(f, lambda z, w: w, {"z": Z, "w": w}, wrt="z", convention="pytorch")
    assert r.passed and r.wrt == "z"


# --- bad input ----------------------------------------------------------------------------


def test_a_convention_for_a_real_variable_is_refused():
    with pytest.raises(gradcheck.ConventionError, match="applies to complex variables"):
        gradcheck.check(lambda x: x @ x, 2 * np.ones(2), np.ones(2), convention="pytorch")
    with pytest.raises(gradcheck.ConventionError, match="complex variables"):
        gradcheck.jacobian(lambda x: x @ x, np.ones(2), convention="jax")


def test_a_complex_point_needs_a_convention_and_the_names_are_listed():
    with pytest.raises(gradcheck.ConventionError, match="'pytorch'"):
        gradcheck.check(_abs2, 2 * Z, Z)
    with pytest.raises(gradcheck.ConventionError, match="Did you mean 'pytorch'"):
        gradcheck.check(_abs2, 2 * Z, Z, convention="pytroch")


def test_a_holomorphic_claim_for_a_real_f_is_refused():
    with pytest.raises(gradcheck.ConventionError, match="holomorphic only where it is constant"):
        gradcheck.check(_abs2, np.conj(Z), Z, convention="holomorphic")


def test_the_complex_gradient_of_a_complex_f_is_refused():
    with pytest.raises(gradcheck.ConventionError, match="real-valued f"):
        gradcheck.check(np.exp, EXP["wirtinger"], Z, convention="complex_gradient")


def test_a_complex_claim_for_a_real_f_at_a_real_point_is_refused():
    with pytest.raises(gradcheck.InvalidInputError, match="real number"):
        gradcheck.check(lambda x: x @ x, 2j * np.ones(2), np.ones(2))


def test_a_complex_valued_f_with_a_real_derivative_claimed_is_refused():
    with pytest.raises(gradcheck.OutputTypeError, match="complex values"):
        gradcheck.check(lambda x: np.exp(1j * x).sum(), np.ones(2), np.ones(2))


@pytest.mark.parametrize(
    "f",
    [
        lambda z: np.asarray(z, dtype=float) @ np.ones(3),  # discards Im z
        lambda z: math.sqrt(abs(z[0])) + math.cos(z[1]),  # refuses complex
    ],
    ids=["discards", "refuses"],
)
def test_complex_unsafe_functions_are_refused(f):
    with pytest.raises(gradcheck.ComplexUnsafeFunctionError, match="complex"):
        gradcheck.check(f, np.ones(3), Z, convention="wirtinger")


def test_an_output_type_that_depends_on_the_point_is_refused():
    def f(z):
        return np.real(z[0]) if np.all(z == Z) else z[0]

    with pytest.raises(gradcheck.OutputTypeError, match="must not depend on the point"):
        gradcheck.check(f, np.ones(3), Z, convention="wirtinger")


def test_the_complex_step_is_refused_for_a_complex_point():
    with pytest.raises(gradcheck.InvalidArgumentError, match="method='complex'"):
        gradcheck.check(_abs2, 2 * Z, Z, convention="pytorch", method="complex")


def test_conversions_that_are_not_determined_are_refused():
    with pytest.raises(gradcheck.ConventionError, match="zero for every holomorphic"):
        convert_convention(Z, source="conjugate_wirtinger", target="jax", function="holomorphic")
    with pytest.raises(gradcheck.ConventionError, match="holomorphic f"):
        convert_convention(Z, source="holomorphic", target="jax")
    with pytest.raises(gradcheck.ConventionError, match="real-valued f only"):
        convert_convention(Z, source="jax", target="complex_gradient", function="holomorphic")


# --- products -----------------------------------------------------------------------------


def test_vjps_in_each_convention():
    # f(z) = A z + z² (entrywise), holomorphic with J = A + diag(2z) (numerator layout).
    # pytorch: vjp(g) = Σ_k conj(g_k) ∂f_k/∂z̄ + g_k conj(∂f_k/∂z) = J^H g;
    # jax: vjp(g) = Σ_k g_k ∂f_k/∂z + conj(g_k) conj(∂f_k/∂z̄) = J^T g.
    A = RNG_A

    def f(z):
        return A @ z + z**2

    J = A + np.diag(2 * Z)
    assert gradcheck.check_vjp(f, lambda g, z: J.conj().T @ g, Z, convention="pytorch").passed
    assert gradcheck.check_vjp(f, lambda g, z: J.T @ g, Z, convention="jax").passed
    wrong = gradcheck.check_vjp(f, lambda g, z: J.T @ g, Z, convention="pytorch")
    assert wrong.status == "failed" and wrong.diagnosis.kind == "conjugate_transpose"
    assert wrong.form == "vjp"
    # a real loss: torch's vjp(1) is 2 ∂L/∂z̄ = (A + A^H) z, JAX's its conjugate
    g = (A + A.conj().T) @ Z
    assert gradcheck.check_vjp(_quad, lambda u, z: u * g, Z, convention="pytorch").passed
    off = gradcheck.check_vjp(_quad, lambda u, z: u * g / 2, Z, convention="pytorch")
    assert off.status == "failed" and off.diagnosis.kind == "wirtinger_factor"


def test_jvps_are_the_differential():
    # f = z̄ z²: df = 2|z|² dz + z² conj(dz), entrywise.
    def f(z):
        return np.conj(z) * z**2

    def jvp(t, z):
        return 2 * np.abs(z) ** 2 * t + z**2 * np.conj(t)

    assert gradcheck.check_jvp(f, jvp, Z).passed
    holomorphic_formula = gradcheck.check_jvp(f, lambda t, z: 2 * np.abs(z) ** 2 * t, Z)
    assert holomorphic_formula.status == "failed"
    assert holomorphic_formula.diagnosis.kind == "not_holomorphic"
    assert gradcheck.check_jvp(np.exp, lambda t, z: np.exp(z) * t, Z, convention="holomorphic")
    with pytest.raises(gradcheck.ConventionError, match="differential"):
        gradcheck.check_jvp(f, jvp, Z, convention="pytorch")
    with pytest.raises(gradcheck.ConventionError, match="complex variables"):
        gradcheck.check_jvp(np.sin, lambda t, x: np.cos(x) * t, np.ones(2), convention="jax")


# --- layouts x conventions ----------------------------------------------------------------


def test_layouts_combine_with_conventions_as_for_real_variables():
    # f(Z) = Re tr(A Z^H) = Re Σ_ij A_ij conj(Z_ij) for a 2x3 complex Z: ∂f/∂Z̄_ij = A_ij/2,
    # ∂f/∂Z_ij = conj(A_ij)/2, so complex_gradient = pytorch = A, jax = conj(A) in the
    # denominator layout (Z's shape); the numerator layout is the transpose (no conjugation).
    A = RNG_A[:2, :]
    Z2 = np.array([[1.0 + 0.5j, -2.0j, 0.3 + 0.0j], [0.25 - 1.0j, 1.5 + 1.5j, -0.7j]])

    def f(Z):
        return np.real(np.trace(A @ np.conj(Z).T))

    for layout, claim in (("denominator", A), ("numerator", A.T), ("tensor", A)):
        assert gradcheck.check(f, claim, Z2, convention="pytorch", layout=layout).passed
        assert gradcheck.check(f, np.conj(claim), Z2, convention="jax", layout=layout).passed
    r = gradcheck.check(f, A.T, Z2, convention="pytorch", layout="auto")
    assert r.passed and r.layout == "numerator"
    wrong = gradcheck.check(f, A.T, Z2, convention="pytorch", layout="denominator")
    assert wrong.status == "failed" and wrong.diagnosis.kind == "layout"


def test_a_holomorphic_jacobian_in_both_layouts():
    # f(z) = A z: J = A (numerator). pytorch: conj(J) entrywise, then the layout:
    # numerator conj(A), denominator A^H; jax / holomorphic: numerator A, denominator A^T.
    A = RNG_A

    def f(z):
        return A @ z

    cases = {
        ("pytorch", "numerator"): np.conj(A),
        ("pytorch", "denominator"): A.conj().T,
        ("jax", "numerator"): A,
        ("jax", "denominator"): A.T,
        ("holomorphic", "denominator"): A.T,
    }
    for (convention, layout), claim in cases.items():
        r = gradcheck.check(f, claim, Z, convention=convention, layout=layout)
        assert r.passed, (convention, layout)
    r = gradcheck.check(f, A.T, Z, convention="pytorch", layout="denominator")
    assert r.diagnosis.kind == "conjugate_transpose"
    est = gradcheck.estimate_jacobian(f, Z, convention="pytorch", layout="denominator")
    np.testing.assert_allclose(est.value, A.conj().T, atol=1e-8)


def test_checks_without_complex_support_name_the_ones_with_it():
    for check in (gradcheck.check_hessian, gradcheck.check_directional):
        with pytest.raises(gradcheck.InvalidInputError, match="check_vjp and check_jvp take"):
            check(_abs2, np.eye(3), Z)
