import numpy as np
import pytest
from gradcheck_identities import builtin_catalogue
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from tests.complex_checks import COMPLEX_GUARANTEES, check_complex_guarantee, complex_shape_specs
from tests.constraint_checks import GUARANTEES, check_guarantee, shape_specs

CATALOGUE = builtin_catalogue()


def shrunk(strategy, condition=lambda value: True):
    """hypothesis.find without its explain phase: explaining which parts of a failing example
    matter only annotates a failure report, and took most of each find's 1-2 s here."""
    return find(strategy, condition, settings=settings(phases=(Phase.generate, Phase.shrink)))


@given(gst.shapes("n k 2*n-1"))
def test_shapes_follow_the_spec(shape):
    n, k, t = shape
    assert 1 <= n <= 8 and 1 <= k <= 8 and t == 2 * n - 1


@pytest.mark.parametrize("name", sorted(GUARANTEES) + sorted(COMPLEX_GUARANTEES))
@given(data=st.data())
def test_every_strategy_draw_meets_the_guarantee(name, data):
    # the complex constraints' guarantees: tests/complex_checks.py
    real = name in GUARANTEES
    specs = shape_specs(name) if real else complex_shape_specs(name)
    spec = data.draw(st.sampled_from(specs), label="spec")
    shape = data.draw(gst.shapes(spec, max_value=6), label="shape")
    drawn = data.draw(gst.arrays(shape, name, name="x"))
    (check_guarantee if real else check_complex_guarantee)(name, drawn, shape)


@pytest.mark.parametrize(
    "name", ["spd", "invertible", "orthogonal", "diagonal", "hpd", "unitary", "complex_invertible"]
)
@given(data=st.data())
def test_strategy_draws_keep_the_condition_bound(name, data):
    n = data.draw(gst.dims(1, 6), label="n")
    X = data.draw(gst.arrays((n, n), name))
    assert np.linalg.cond(X) <= gc.catalogue.get_constraint(name).condition_bound * (1 + 1e-12)


# A shrunk example is the transform of shrunk primitive draws: Gaussian entries 0 (so every
# QR factor Q is the identity), uniform values the simplest number in their range (1.0 in
# [0.5, 2], [0.5, 1.5] and [0.4, 1]), signs +1, integers 0, through transforms that compose
# (QR, spectra, inverses, the zero-vector guard).
I3 = np.eye(3)
SHRUNK = {
    "spd": ((3, 3), I3),
    "distinct_eigs": ((3, 3), np.diag([-0.5, 0.5, 1.5])),  # cumsum(1, 1, 1) - 3/2
    "real_eigs": ((3, 3), np.diag([-0.5, 0.5, 1.5])),
    "distinct_sv": ((3, 2), np.array([[2.5, 0], [0, 1.5], [0, 0]])),  # 0.5 + (2, 1)
    "unit": ((2, 3), np.eye(3)[[0, 0]]),  # the zero vector becomes e_1
}


@pytest.mark.parametrize("name", sorted(SHRUNK))
def test_shrunk_arrays_are_simple(name):
    shape, expected = SHRUNK[name]
    np.testing.assert_array_equal(shrunk(gst.arrays(shape, name)), expected)


def test_shrunk_any_arrays_are_small_generic_and_differ_between_names():
    a, b = shrunk(st.tuples(gst.arrays((3,), name="a"), gst.arrays((3,), name="b")))
    assert np.all(a != 0) and np.abs(a).max() < 1 and not np.allclose(a, b)


def test_shrunk_shapes_are_smallest():
    assert shrunk(gst.shapes("n m")) == (1, 1)


@settings(max_examples=30)
@given(st.data())
def test_points_are_complete_and_satisfy_conditions(data):
    entry = data.draw(gst.identities())
    point = data.draw(gst.points(entry))
    assert set(point) == set(entry.shapes)
    # Identity.check: gradcheck.check in the stated layout for a first derivative, the check
    # of its form for a Hessian, a mixed block or a VJP
    assert entry.check(point).status == "passed", f"{entry.name}: {entry.check(point)}"


def test_identities_filter_families_and_pitfalls():
    entry = shrunk(gst.identities("trace", pitfalls=True), lambda e: e.is_pitfall)
    assert entry.family == "trace" and entry.is_pitfall


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gst.dims(0), "min_value"),
        (lambda: gst.dims(5, 2), "swap"),
        (lambda: gst.arrays((3, 2), "spd"), "square"),
        (lambda: gst.arrays((3,), "spdd"), "Did you mean 'spd'"),
        (lambda: gst.arrays(("a",), "any"), "shape"),
        (lambda: gst.points("dxTAx_dx"), "Identity"),
        (lambda: gst.identities("nope"), "no family"),
    ],
)
def test_arguments_are_validated(call, match):
    with pytest.raises(gc.GradcheckError, match=match):
        call()


def test_the_test_profile_is_derandomized_and_keeps_no_example_database():
    current = settings()  # the profile loaded by tests/conftest.py
    assert current.derandomize is True
    assert current.database is None


# Complex constraints (their guarantees are checked with the real ones above): exact
# properties, the shrunk examples, and the generic part of "complex".
@given(gst.dims(1, 7).flatmap(lambda n: gst.arrays((n, n), "hermitian")))
def test_hermitian_draws_are_exactly_hermitian_with_real_diagonal(X):
    np.testing.assert_array_equal(X, X.conj().T)
    np.testing.assert_array_equal(np.diag(X).imag, np.zeros(len(X)))


@given(gst.dims(1, 7).flatmap(lambda n: gst.arrays((n, n), "unitary")))
def test_unitary_draws_are_unitary_to_1e12(U):
    n = len(U)
    assert np.abs(U.conj().T @ U - np.eye(n)).max() <= 1e-12
    # |det U| = 1 and every singular value is 1: an independent view of the same property
    assert abs(abs(np.linalg.det(U)) - 1) <= 1e-12
    np.testing.assert_allclose(np.linalg.svd(U, compute_uv=False), 1, rtol=0, atol=1e-12)


@given(gst.dims(1, 7).flatmap(lambda n: gst.arrays((n, n), "hpd")))
def test_hpd_draws_have_positive_eigenvalues_and_a_cholesky_factor(X):
    assert np.linalg.eigvalsh(X).min() > 0.5 - 1e-12
    L = np.linalg.cholesky(X)  # raises LinAlgError unless X is Hermitian positive definite
    np.testing.assert_allclose(L @ L.conj().T, X, rtol=0, atol=1e-12)


# Shrunk complex examples: zero Gaussian parts make every unitary factor the identity,
# eigenvalues and singular values shrink to 1.0, moduli to 1.0 and angles to 0.
I3C = np.eye(3, dtype=complex)
COMPLEX_SHRUNK = {
    "unitary": ((3, 3), I3C),
    "hpd": ((3, 3), I3C),
    "complex_invertible": ((3, 3), I3C),
    "hpd_nonherm": ((3, 3), I3C),
    "hermitian": ((2, 2), np.zeros((2, 2), dtype=complex)),
    "complex_slit": ((2,), np.ones(2, dtype=complex)),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_SHRUNK))
def test_shrunk_complex_arrays_are_simple(name):
    shape, expected = COMPLEX_SHRUNK[name]
    found = shrunk(gst.arrays(shape, name))
    assert found.dtype == np.complex128
    np.testing.assert_array_equal(found, expected)


def test_shrunk_complex_arrays_have_both_parts_nonzero_and_differ_between_names():
    pair = st.tuples(gst.arrays((3,), "complex", name="z"), gst.arrays((3,), "complex", name="w"))
    z, w = shrunk(pair)
    assert np.all(z.real != 0) and np.all(z.imag != 0) and np.abs(z).max() < 1
    assert not np.allclose(z, w)


def test_a_complex_constraint_on_a_wrong_shape_names_the_rule():
    with pytest.raises(gc.GradcheckError, match="square"):
        gst.arrays((3, 2), "hpd")
    with pytest.raises(gc.GradcheckError, match="Did you mean 'unitary'"):
        gst.arrays((3, 3), "unitry")
