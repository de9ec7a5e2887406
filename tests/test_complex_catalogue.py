"""The complex family of the catalogue: every identity holds in its convention (checked against
an oracle written here, not gradcheck's engine), every pitfall fails with its labelled
diagnosis, the registry's convention rules, and the numpy samplers of the complex constraints.

The oracle: central differences along the real and the imaginary direction of every entry of
the variable give ∂f/∂x and ∂f/∂y; the Wirtinger pair is ∂f/∂z = (∂f/∂x - i ∂f/∂y)/2 and
∂f/∂z̄ = (∂f/∂x + i ∂f/∂y)/2 (Matrix Cookbook (229)-(230)); each convention's value is written
out below from its definition (for real f: complex gradient 2 ∂f/∂z̄; PyTorch ∂f/∂z̄ +
conj(∂f/∂z); JAX ∂f/∂z + conj(∂f/∂z̄); holomorphic ∂f/∂z with ∂f/∂z̄ = 0).
"""

import numpy as np
import pytest
from gradcheck_identities import builtin_catalogue
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from gradcheck.catalogue import (
    COMPLEX_CONSTRAINTS,
    complex_identity,
    complex_pitfall,
    get_constraint,
    identity_card,
    sample,
)
from gradcheck.verdict import COMPLEX_KINDS
from tests.complex_checks import COMPLEX_GUARANTEES, COMPLEX_SQUARE, check_complex_guarantee

CATALOGUE = builtin_catalogue()
FAMILY = CATALOGUE.select(families="complex")
IDENTITIES = [e for e in FAMILY if not e.is_pitfall]
PITFALLS = [e for e in FAMILY if e.is_pitfall]

#: Relative agreement of a correct claim with the oracle: central differences at step 1e-6
#: are good to about 1e-9 of the largest entry here; wrong claims are off by O(1).
ORACLE_RTOL = 1e-6


def wirtinger_pair(f, point, wrt, h=1e-6):
    """(∂f/∂z, ∂f/∂z̄) of every output entry, tensor layout f.shape + z.shape, by central
    differences along the real and the imaginary part of each entry of point[wrt]."""
    z = np.asarray(point[wrt], dtype=complex)
    f0 = np.asarray(f(**point))
    dx = np.empty(f0.shape + z.shape, dtype=complex)
    dy = np.empty_like(dx)
    for j in np.ndindex(*z.shape):
        for step, out in ((h, dx), (1j * h, dy)):
            plus, minus = z.copy(), z.copy()
            plus[j] += step
            minus[j] -= step
            fp = np.asarray(f(**{**point, wrt: plus}))
            fm = np.asarray(f(**{**point, wrt: minus}))
            out[(..., *j)] = (fp - fm) / (2 * h)
    return (dx - 1j * dy) / 2, (dx + 1j * dy) / 2


def in_convention(name, dz, dzbar):
    """The value of each convention, from its definition (module docstring)."""
    return {
        "wirtinger": dz,
        "cookbook": dz,
        "holomorphic": dz,
        "conjugate_wirtinger": dzbar,
        "complex_gradient": 2 * dzbar,
        "pytorch": dzbar + np.conj(dz),
        "tensorflow": dzbar + np.conj(dz),
        "jax": dz + np.conj(dzbar),
    }[name]


def claimed_tensor(entry, point):
    """The claim in tensor layout (f.shape + z.shape): the entries here state a scalar f in the
    denominator layout (the variable's shape: already the tensor layout), the tensor layout,
    or a vector f of a vector z in the numerator layout (the tensor layout) or the denominator
    layout (its transpose)."""
    claim = np.asarray(entry.derivative(**point), dtype=complex)
    f_shape = np.shape(entry.f(**point))
    z_shape = np.shape(point[entry.wrt])
    if entry.layout == "denominator" and f_shape != ():
        assert len(f_shape) == len(z_shape) == 1, entry.name
        claim = claim.T
    assert claim.shape == f_shape + z_shape, (entry.name, claim.shape)
    return claim


def oracle_value(entry, point):
    """The oracle's derivative of `entry`'s function in its convention, and (∂f/∂z, ∂f/∂z̄)."""
    dz, dzbar = wirtinger_pair(entry.f, point, entry.wrt)
    return in_convention(entry.convention, dz, dzbar), dz, dzbar


def oracle_agrees(entry, point):
    expected, dz, dzbar = oracle_value(entry, point)
    claim = claimed_tensor(entry, point)
    scale = max(np.abs(dz).max(initial=0), np.abs(dzbar).max(initial=0), 1.0)
    close = np.abs(claim - expected).max(initial=0) <= ORACLE_RTOL * scale
    if entry.convention == "holomorphic":
        close = close and np.abs(dzbar).max(initial=0) <= ORACLE_RTOL * scale
    return close


def test_the_family_has_its_counts_conventions_and_sources():
    assert len(IDENTITIES) >= 30 and len(PITFALLS) >= 10
    conventions = {e.convention for e in FAMILY}
    assert conventions <= set(gc.CONVENTIONS)
    assert {"wirtinger", "conjugate_wirtinger", "complex_gradient", "holomorphic"} <= conventions
    assert {"pytorch", "jax"} <= conventions
    for entry in FAMILY:
        assert entry.source and entry.text, entry.name
        assert get_constraint(entry.constraints[entry.wrt]).complex_valued, entry.name
    # every pitfall is labelled with a complex diagnosis kind, and each kind is used
    assert {e.mistake for e in PITFALLS} == set(COMPLEX_KINDS)
    # the Cookbook equations the family cites were read in §4 (229)-(252)
    cited = " ".join(e.source for e in FAMILY)
    for eq in ("(242)", "(246)", "(247)", "(248)", "(249)", "(250)", "(251)"):
        assert eq in cited


def test_no_other_family_gained_a_convention():
    assert all(e.convention is None for e in CATALOGUE if e.family != "complex")


@pytest.mark.parametrize("entry", IDENTITIES, ids=lambda e: e.name)
@settings(max_examples=4)
@given(data=st.data())
def test_every_identity_agrees_with_the_oracle_and_passes_in_its_convention(entry, data):
    point = data.draw(gst.points(entry, max_value=4), label="point")
    assert oracle_agrees(entry, point), entry.name
    result = entry.check(point)
    assert result.status == "passed", str(result)
    assert result.convention == entry.convention


@pytest.mark.parametrize("entry", PITFALLS, ids=lambda e: e.name)
@settings(max_examples=4)
@given(data=st.data())
def test_every_pitfall_is_wrong_for_the_oracle_and_fails_with_its_label(entry, data):
    point = data.draw(gst.points(entry, max_value=4), label="point")
    # a shrunk point can make the mistake vanish: a zero derivative (a Hermitian A drawn as 0)
    # is unchanged by a factor 2 or a conjugation; the catalogue's numpy draws never are
    derivative = oracle_value(entry, point)[0]
    assume(np.abs(derivative).max(initial=0) > 1e-3)
    assert not oracle_agrees(entry, point), entry.name
    result = entry.check(point)
    assert result.status == "failed", str(result)
    assert result.diagnosis is not None and result.diagnosis.kind == entry.mistake, str(result)


def test_pitfalls_correct_identities_of_the_family_in_the_same_or_a_stated_convention():
    for entry in PITFALLS:
        corrected = CATALOGUE[entry.corrects]
        assert corrected.family == "complex" and not corrected.is_pitfall
        if entry.mistake == "not_holomorphic":
            assert entry.convention == "holomorphic" != corrected.convention
        else:
            assert entry.convention == corrected.convention


def test_the_catalogue_runs_the_family_in_both_layouts_with_the_labels():
    report = gc.run_catalogue(families="complex", trials=2, seed=3)
    assert report.ok, str(report)
    assert {r.layout for r in report.records} == {"numerator", "denominator"}
    for record in report.records:
        if record.expected == "fail":
            assert record.diagnosis.kind == record.mistake, record
        assert record.result.convention == FAMILY[record.identity].convention
        assert record.result.layout == record.layout


def test_the_catalogue_converts_layouts_by_transposing_never_conjugating():
    # d tr(A X)/dX = A^T in the denominator layout; the numerator layout's claim is exactly A
    # (the transpose), not A^H, at the trial's own draw
    entry = FAMILY["cx_dtrAX_dX"]
    report = gc.run_catalogue(select=[entry.name], trials=3, seed=1)
    assert report.ok and len(report.records) == 6
    for record in report.records:
        _, point = entry.draw(entry.seed_sequence(1, record.trial))
        stated = point["A"].T if record.layout == "denominator" else point["A"]
        np.testing.assert_array_equal(record.result.claimed, stated)
    assert np.abs(point["A"].imag).max() > 0  # so that a conjugation would show


def test_a_real_identity_on_a_complex_variable_is_refused_for_want_of_a_convention():
    with pytest.raises(gc.InvalidArgumentError, match="needs its `convention`"):
        gc.identity("c", f="sum(z)", derivative="z", variables={"z": ("n", "complex")}, wrt="z")


def _normsq(z):
    return np.sum(np.abs(z) ** 2, axis=-1)


@pytest.mark.parametrize(
    ("variable", "convention", "match"),
    [
        (("n", "complex"), "wirtingr", "Did you mean 'wirtinger'"),  # unknown, with a hint
        ("n", "wirtinger", "is real"),  # a convention for a real variable
        (("n", "complex"), "auto", "not 'auto'"),  # an identity states one convention
    ],
)
def test_a_complex_identity_refuses_a_convention_it_cannot_state(variable, convention, match):
    decorate = complex_identity(
        derivative=lambda z: z, variables={"z": variable}, wrt="z", convention=convention
    )
    with pytest.raises(gc.InvalidArgumentError, match=match):
        decorate(_normsq)


def test_a_pitfall_keeps_the_convention_of_what_it_corrects_unless_it_states_one():
    base = FAMILY["cx_dnormsq_dz"]
    wrong = gc.pitfall("w", corrects=base, mistake="conjugate", derivative=lambda z: z)
    assert wrong.convention == "wirtinger"
    holo = complex_pitfall(
        "h", corrects=base, mistake="not_holomorphic", derivative=lambda z: z,
        convention="holomorphic",
    )  # fmt: skip
    assert holo.convention == "holomorphic" and holo.expected == "fail"
    with pytest.raises(gc.InvalidArgumentError, match="unknown `convention`"):
        complex_pitfall("b", corrects=base, mistake="conjugate", derivative=lambda z: z,
                        convention="torch")  # fmt: skip


@pytest.mark.parametrize("entry", IDENTITIES, ids=lambda e: e.name)
def test_every_function_of_the_family_is_batch_polymorphic(entry):
    # a stack of points (the variable with two leading axes) gives the stack of the values at
    # each point, as the engine assumes of vectorized entries
    assert entry.vectorized is True
    _, point = entry.draw(np.random.default_rng(2))
    z = point[entry.wrt]
    rng = np.random.default_rng(3)
    shift = 1e-3 * (
        rng.standard_normal((2, 3, *z.shape)) + 1j * rng.standard_normal((2, 3, *z.shape))
    )
    stack = z + shift
    values = np.asarray(entry.f(**{**point, entry.wrt: stack}))
    for i in np.ndindex(2, 3):
        single = np.asarray(entry.f(**{**point, entry.wrt: stack[i]}))
        np.testing.assert_allclose(
            values[i], single, rtol=1e-12, atol=1e-12 * (1 + abs(single).max())
        )


# The numpy samplers of the complex constraints: every draw over many seeds meets the guarantee
# written out in tests/complex_checks.py (the hypothesis side: tests/test_strategies.py).
@pytest.mark.parametrize("name", sorted(COMPLEX_GUARANTEES))
def test_every_numpy_complex_draw_meets_the_guarantee(name):
    assert set(COMPLEX_GUARANTEES) == set(COMPLEX_CONSTRAINTS)
    for seed in range(200):
        n, m = 1 + seed % 7, 1 + (seed // 7) % 5
        shape = (n, n) if name in COMPLEX_SQUARE else [(n,), (n, m), (m, 2, n), ()][seed % 4]
        check_complex_guarantee(name, sample(name, np.random.default_rng(seed), shape), shape)


def test_unitary_samples_are_unitary_to_1e12_and_haar_like():
    # Haar: E|U_11|^2 = 1/n; the mean over 400 draws of a 4 x 4 is within 0.05 of 0.25
    # (the standard deviation of |U_11|^2 is about 0.19, of the mean about 0.01)
    draws = [sample("unitary", np.random.default_rng(s), (4, 4)) for s in range(400)]
    for U in draws:
        assert np.abs(U.conj().T @ U - np.eye(4)).max() <= 1e-12
    assert abs(np.mean([abs(U[0, 0]) ** 2 for U in draws]) - 0.25) < 0.05


def test_hermitian_and_hpd_samples_are_not_real():
    # the complex samplers do make complex matrices (a real symmetric draw would pass the
    # Hermitian guarantee too)
    rng = np.random.default_rng(5)
    for name in ("hermitian", "hpd", "unitary", "complex_invertible", "hpd_nonherm"):
        X = sample(name, rng, (3, 3))
        assert np.abs(X.imag).max() > 1e-3, name


def test_a_complex_card_shows_the_convention_and_that_layouts_never_conjugate():
    card = identity_card(FAMILY["cx_dtrAX_dX"], CATALOGUE)
    assert card.convention.startswith("holomorphic: ")
    assert "never conjugate" in card.layout
    assert ("convention", card.convention) in card.lines()
    assert card.formula_cell.endswith("[holomorphic]")
    real = identity_card(CATALOGUE["dtrXA_dX"], CATALOGUE)
    assert real.convention == "" and "conjugate" not in real.layout
