"""The built-in catalogue: every identity passes, every pitfall fails, mutations are caught."""

import functools
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from gradcheck_identities import builtin_catalogue
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

import gradcheck as gc
from gradcheck import strategies as gst
from tests.helpers import seeds

CATALOGUE = builtin_catalogue()
# first derivatives (form "jacobian"); the Hessians, mixed blocks and VJPs of the second_order
# and vjp families are tested in tests/test_families.py
FIRST_ORDER = [e for e in CATALOGUE if e.form == "jacobian"]
IDENTITIES = [e.name for e in FIRST_ORDER if not e.is_pitfall]
PITFALLS = [e.name for e in FIRST_ORDER if e.is_pitfall]
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "identities.md"


def test_catalogue_size_and_families():
    assert len(IDENTITIES) >= 250
    # the complex family's counts: tests/test_complex_catalogue.py
    assert len([n for n in PITFALLS if CATALOGUE[n].family != "complex"]) == 55
    assert {"linear", "quadratic", "trace", "determinant", "ml_loss", "structured"} <= set(
        CATALOGUE.families
    )
    for entry in CATALOGUE:
        assert entry.source and entry.text
        if entry.is_pitfall and entry.form == "jacobian":
            assert entry.corrects in CATALOGUE and entry.mistake in gc.MISTAKES
            assert not CATALOGUE[entry.corrects].is_pitfall


@pytest.mark.parametrize("name", IDENTITIES)
@settings(max_examples=3)
@given(seed=seeds)
def test_every_identity_passes_in_both_layouts(name, seed):
    report = gc.run_catalogue(catalogue=CATALOGUE.select(name), trials=1, seed=seed)
    assert report.ok, str(report)
    assert {r.layout for r in report.records} == {"numerator", "denominator"}


# Draws that failed once, pinned here rather than on the test above (whose examples would run
# for every name).
@settings(max_examples=30)
@given(name=st.sampled_from(IDENTITIES), seed=seeds)
# one entry 1.13e-9 against a tolerance of 1.05e-9 on another CPU (its BLAS rounds differently)
@example(name="d_sqrtm_sylvester_dt", seed=83141)
# fail on this machine (OpenBLAS 0.3.31, scipy 1.17.1); the claims agree with Daleckii-Krein and
# Richardson-extrapolated differences to 1e-11: 4.3e-7 at t = -4.9e-4, 1.6e-8 at t = -3.6e-3
@example(name="d_sqrtm_sylvester_dt", seed=1950254443)
@example(name="d_logm_frechet_dt", seed=4234415280)
def test_identities_pass_at_draws_that_failed_before(name, seed):
    report = gc.run_catalogue(catalogue=CATALOGUE.select(name), trials=1, seed=seed)
    assert report.ok, str(report)


@pytest.mark.parametrize("name", PITFALLS)
@settings(max_examples=3)
@given(seed=seeds)
def test_every_pitfall_fails(name, seed):
    report = gc.run_catalogue(catalogue=CATALOGUE.select(name), trials=1, seed=seed)
    assert report.ok, str(report)
    assert all(r.status == "failed" for r in report.records)


MUTATIONS = ["transpose", "double", "negate", "one_entry_1e-6"]


def _mutate(kind, D, data):
    if kind == "transpose":
        if D.ndim != 2 or D.shape[0] != D.shape[1]:
            return None
        if np.max(np.abs(D - D.T)) <= 1e-3 * np.max(np.abs(D)):
            return None  # symmetric: transposing changes nothing
        return D.T.copy()
    if kind == "double":
        return 2 * D
    if kind == "negate":
        return -D
    wrong = D.copy()
    # an entry where f varies (not zero up to rounding): where f is flat along a coordinate
    # (relu < 0, a non-top eigenvalue), no difference tells a small claim from cancellation
    # inside f, and the check answers inconclusive, saying so
    big = np.abs(D) > 1e-8 * np.max(np.abs(D))
    varying = [tuple(int(i) for i in j) for j in np.argwhere(big)]
    index = data.draw(st.sampled_from(varying), label="index")
    sign = data.draw(st.sampled_from([1.0, -1.0]), label="sign")
    wrong[index] += sign * 1e-6 * np.max(np.abs(D))
    return wrong


def _square_derivative(name):
    """Whether the identity's derivative is a square matrix (its shape is the same at every
    draw: shapes are symbolic), so that a transpose can change it."""
    entry = CATALOGUE[name]
    _, point = entry.draw(np.random.default_rng(0))
    shape = np.shape(entry.derivative(**point))
    return len(shape) == 2 and shape[0] == shape[1] > 1


_MUTABLE = {kind: IDENTITIES for kind in MUTATIONS}
_MUTABLE["transpose"] = [name for name in IDENTITIES if _square_derivative(name)]


@pytest.mark.parametrize("kind", MUTATIONS)
@settings(max_examples=120)
@given(data=st.data())
def test_mutations_of_correct_identities_are_caught(kind, data):
    name = data.draw(st.sampled_from(_MUTABLE[kind]), label="name")
    entry = CATALOGUE[name]
    point = data.draw(gst.points(entry, max_value=4), label="point")
    D = np.asarray(entry.derivative(**point), dtype=complex if entry.convention else float)
    assume(np.max(np.abs(D)) > 0)  # a zero derivative has no scale to mutate
    wrong = _mutate(kind, D, data)
    assume(wrong is not None)  # a transpose that changes nothing
    options = dict(wrt=entry.wrt, layout=entry.layout, vectorized=entry.vectorized)
    options["convention"] = entry.convention  # None for a real variable
    result = gc.check(entry.f, wrong, point, **options)
    if result.status == "inconclusive":
        # a point where the differences cannot judge even the right claim (shrunk draws reach
        # such points, e.g. t = 1e-226 in inv(A + tB)) tests the engine's reach, not detection
        assert gc.check(entry.f, D, point, **options).status == "inconclusive", str(result)
    else:
        assert result.status == "failed", f"{entry.name}: {result}"


def test_runs_are_reproducible_and_independent_of_selection():
    a = gc.run_catalogue(select=["dtr*"], trials=2, seed=5)
    b = gc.run_catalogue(select=["dtrX2_dX"], trials=2, seed=5)
    again = gc.run_catalogue(select=["dtr*"], trials=2, seed=5)
    by_name = {(r.identity, r.layout, r.trial): r for r in a.records}
    for r in b.records:
        twin = by_name[(r.identity, r.layout, r.trial)]
        assert twin.shapes == r.shapes and twin.max_rel_error == r.max_rel_error
    assert [r.max_rel_error for r in a.records] == [r.max_rel_error for r in again.records]


def test_report_table_has_one_row_per_identity_and_a_totals_line():
    report = gc.run_catalogue(families=["linear"], trials=2, seed=1)
    rows = report.summary_rows()
    assert len(rows) == len(CATALOGUE.select(families="linear"))
    assert all(row["checks"] == 4 and row["ok"] == 4 for row in rows)
    text = str(report)
    assert "dAx_dx" in text and "identities passed" in text.splitlines()[-1]
    assert len(report.records) == 4 * len(rows)


def test_selection_by_family_and_glob():
    report = gc.run_catalogue(select="w_*transpose*", trials=1)
    assert report.records and all(r.expected == "fail" for r in report.records)
    with pytest.raises(gc.UnknownNameError, match="dxTAx_dx"):
        gc.run_catalogue(select="dxTAx_d", trials=1)
    with pytest.raises(gc.UnknownNameError, match="Did you mean 'trace'"):
        gc.run_catalogue(families="trce", trials=1)


def test_a_pitfall_that_passes_is_reported_as_a_problem():
    right = CATALOGUE["dxTAx_dx"]
    fake = gc.pitfall("fake_pitfall", corrects=right, mistake="scale", derivative=right.derivative)
    report = gc.run_catalogue(catalogue=gc.Catalogue([fake]), trials=2)
    assert not report.ok and all(r.status == "passed" and not r.ok for r in report.records)
    assert "0/1 pitfalls caught" in report.totals()


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference not beside the repository")
def test_every_reference_row_is_in_the_catalogue_with_its_mistake_class():
    text = REFERENCE.read_text()
    verified = text.split("## Verified identities")[1].split("## Wrong-but-plausible")[0]
    wrong = text.split("## Wrong-but-plausible")[1]
    ids = re.findall(r"^\| (\w+) \| (\w+) \|", verified, flags=re.M)
    ids = [(name, family) for name, family in ids if name != "id"]
    assert len(ids) == 291
    for name, family in ids:
        assert name in CATALOGUE, name
        assert CATALOGUE[name].family == family
    rows = re.findall(r"^\| (w_\w+) \| (\w+) \| (\w+) \|", wrong, flags=re.M)
    assert len(rows) == 55
    for name, corrects, mistake in rows:
        entry = CATALOGUE[name]
        assert entry.corrects == corrects and entry.mistake == gc.REFERENCE_MISTAKES[mistake]


def test_builtin_identities_are_batch_polymorphic():
    from gradcheck.engine.estimate import _base_steps, validate_method
    from gradcheck.engine.evaluate import probe_batching, probe_size
    from gradcheck.engine.target import make_target

    for entry in CATALOGUE:
        if entry.is_pitfall or entry.convention is not None:  # complex: test_complex_catalogue
            continue
        assert entry.vectorized is True, entry.name
        _, point = entry.draw(np.random.default_rng(1))
        target = make_target(entry.f, point, entry.wrt)
        h = _base_steps(target.x, validate_method("central"), None)
        f_shape = np.shape(entry.f(**point))
        size = probe_size(target, f_shape)
        batch = np.stack([target.x + c * h for c in range(1, size + 1)])
        singles = np.stack([np.asarray(entry.f(**{**point, entry.wrt: p})) for p in batch])
        probe = probe_batching(target, batch, singles, allow_complex=False)
        assert probe.vectorized and probe.evaluations == size, entry.name


def test_user_identities_need_not_be_batch_polymorphic():
    naive = gc.identity(
        "naive_quadratic",
        wrt="x",
        variables={"x": "n", "A": "n n"},
        derivative=lambda x, A: (A + A.T) @ x,
        source="test",
    )(lambda x, A: x @ A @ x)
    assert naive.vectorized is None
    report = gc.run_catalogue(catalogue=gc.Catalogue([naive]), trials=3)
    assert report.ok


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_is_single_threaded_during_a_run_and_restored_after():
    right = CATALOGUE["dxTAx_dx"]
    seen = []

    @functools.wraps(right.f)
    def f(*args, **kwargs):
        seen.extend(_blas_threads())
        return right.f(*args, **kwargs)

    # more than one thread before the run (the suite runs with one: tests/conftest.py)
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        report = gc.run_catalogue(catalogue=gc.Catalogue([replace(right, f=f)]), trials=2)
        after = _blas_threads()
    assert before and set(before) == {2}
    assert report.ok and seen and set(seen) == {1}
    assert after == before
