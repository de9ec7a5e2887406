"""The catalogue's second_order and vjp families and their entry kinds (catalogue/forms.py).

The formulas are checked twice: by the catalogue run (gradcheck's own verdict path) and here
against independent numpy references (dense central differences written in this file), so a
wrong formula cannot pass by a fault shared with the engine.
"""

import json
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck.catalogue import identity_card, render_listing, render_markdown
from gradcheck.catalogue.runner import _check_draw
from gradcheck.cli import main
from gradcheck.report import record_from_result, report_to_json, validate_report
from gradcheck.strategies import identities, points

CATALOGUE = gc.installed_catalogue()
FAMILIES = ("second_order", "vjp")
ENTRIES = [e for e in CATALOGUE if e.family in FAMILIES]
HESSIANS = [e for e in ENTRIES if e.form == "hessian"]
MIXED = [e for e in ENTRIES if e.form == "mixed"]
VJPS = [e for e in ENTRIES if e.form == "vjp"]
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_the_families_have_the_promised_sizes_and_every_entry_a_source():
    second = [e for e in ENTRIES if e.family == "second_order"]
    vjp = [e for e in ENTRIES if e.family == "vjp"]
    assert len([e for e in second if not e.is_pitfall]) >= 40
    assert len([e for e in second if e.is_pitfall]) >= 10
    assert len([e for e in vjp if not e.is_pitfall]) >= 15
    assert len([e for e in vjp if e.is_pitfall]) >= 3
    assert all(e.source for e in ENTRIES)
    assert {e.form for e in second} == {"hessian", "mixed"}
    assert {e.form for e in vjp} == {"vjp"}
    for e in ENTRIES:
        if e.is_pitfall:
            assert CATALOGUE[e.corrects].family == e.family
            assert CATALOGUE[e.corrects].form == e.form


# -- independent numpy references ------------------------------------------------------------


def _central(fn, x, h):
    """Dense central differences of fn (any output shape) by every entry of x: shape
    x.shape + fn(x).shape."""
    x = np.asarray(x, dtype=float)
    columns = []
    for j in range(x.size):
        step = np.zeros(x.size)
        step[j] = h * max(1.0, abs(x.flat[j]))
        up = fn(x + step.reshape(x.shape))
        down = fn(x - step.reshape(x.shape))
        columns.append((np.asarray(up) - np.asarray(down)) / (2 * step[j]))
    return np.stack(columns).reshape(x.shape + np.shape(fn(x)))


def _vec_hessian(entry, point):
    """The claimed Hessian as the vec-layout matrix."""
    claimed = np.asarray(entry.derivative(**point), dtype=float)
    x_shape = point[entry.wrt].shape
    if entry.layout == "tensor":
        return gc.convert_layout(claimed, x_shape, x_shape, source="tensor", target="numerator")
    return claimed.reshape(point[entry.wrt].size, -1)


def _central_vec(fn, x0, h):
    """d vec(fn) / d vec(x)^T by central differences, column-major vec on both sides."""
    x0 = np.asarray(x0, dtype=float)
    flat0 = x0.reshape(-1, order="F")
    columns = []
    for j in range(flat0.size):
        step = np.zeros(flat0.size)
        step[j] = h * max(1.0, abs(flat0[j]))
        up = np.asarray(fn((flat0 + step).reshape(x0.shape, order="F")))
        down = np.asarray(fn((flat0 - step).reshape(x0.shape, order="F")))
        columns.append((up - down).reshape(-1, order="F") / (2 * step[j]))
    return np.stack(columns, axis=1)


def _reference_hessian(entry, point):
    """Column-major-vec Hessian by central differences of central differences of f (h = 1e-4
    relative): independent of the entry's gradient and of gradcheck's engine."""
    x0 = np.asarray(point[entry.wrt], dtype=float)

    def f_at(flat):
        x = flat.reshape(x0.shape, order="F")
        return float(entry.f(**{**point, entry.wrt: x}))

    flat0 = x0.reshape(-1, order="F")
    n, h = flat0.size, 1e-4
    H = np.empty((n, n))
    scale = np.maximum(1.0, np.abs(flat0)) * h
    for i in range(n):
        for j in range(n):
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = scale[i], scale[j]
            H[i, j] = (
                f_at(flat0 + ei + ej)
                - f_at(flat0 + ei - ej)
                - f_at(flat0 - ei + ej)
                + f_at(flat0 - ei - ej)
            ) / (4 * scale[i] * scale[j])
    return H


def _relative_gap(a, b):
    return float(np.max(np.abs(a - b), initial=0.0) / max(np.max(np.abs(b), initial=0.0), 1.0))


@SETTINGS
@given(data=st.data())
def test_every_hessian_matches_second_differences_of_f_written_here(data):
    entry = data.draw(st.sampled_from([e for e in HESSIANS if not e.is_pitfall]), label="entry")
    point = data.draw(points(entry, max_value=3), label="point")
    reference = _reference_hessian(entry, point)
    assert _relative_gap(_vec_hessian(entry, point), reference) < 1e-4
    if entry.gradient is not None:
        x = point[entry.wrt]
        grad = np.asarray(entry.gradient(**point))
        numerical = _central(lambda v: entry.f(**{**point, entry.wrt: v}), x, 1e-6)
        assert _relative_gap(grad, numerical) < 1e-6


@SETTINGS
@given(data=st.data())
def test_every_mixed_block_matches_differences_of_its_gradient_and_of_f(data):
    entry = data.draw(st.sampled_from([e for e in MIXED if not e.is_pitfall]), label="entry")
    point = data.draw(points(entry, max_value=3), label="point")
    x, y = point[entry.wrt], point[entry.by]
    grad = np.asarray(entry.gradient(**point))
    numerical = _central(lambda v: entry.f(**{**point, entry.wrt: v}), x, 1e-6)
    assert _relative_gap(grad, numerical) < 1e-6
    block = _central_vec(lambda v: entry.gradient(**{**point, entry.by: v}), y, 1e-6)
    claimed = np.asarray(entry.derivative(**point)).reshape(block.shape)
    assert _relative_gap(claimed, block) < 1e-6


def _dense_vjp(entry, point, u, name):
    """J^T u by variable `name`, from the dense central-difference Jacobian of f."""
    x = point[name]
    jac = _central(lambda v: entry.f(**{**point, name: v}), x, 1e-6)
    axes = tuple(range(x.ndim, jac.ndim))
    return np.tensordot(jac, u, axes=(axes, tuple(range(u.ndim))))


@SETTINGS
@given(data=st.data())
def test_every_vjp_matches_the_dense_jacobian_transposed_times_the_cotangent(data):
    entry = data.draw(st.sampled_from([e for e in VJPS if not e.is_pitfall]), label="entry")
    point = data.draw(points(entry, max_value=3), label="point")
    f_shape = np.shape(entry.f(**point))
    u = data.draw(gc.strategies.arrays(f_shape), label="u")
    claimed = entry.derivative(u, **point)
    claimed = claimed if isinstance(claimed, tuple) else (claimed,)
    assert len(claimed) == len(entry.returns)
    for name, grad in zip(entry.returns, claimed, strict=True):
        assert np.shape(grad) == np.shape(point[name]), name
        assert _relative_gap(np.asarray(grad), _dense_vjp(entry, point, u, name)) < 1e-6


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.is_pitfall], ids=lambda e: e.name)
def test_every_pitfall_is_wrong_by_the_references_written_here(entry):
    _, point = entry.draw(entry.seed_sequence(0, 0))
    if entry.form == "hessian":
        gap = _relative_gap(_vec_hessian(entry, point), _reference_hessian(entry, point))
    elif entry.form == "mixed":
        right = CATALOGUE[entry.corrects]
        gap = _relative_gap(
            np.asarray(entry.derivative(**point)), np.asarray(right.derivative(**point))
        )
    else:
        f_shape = np.shape(entry.f(**point))
        u = np.random.default_rng(1).standard_normal(f_shape)
        claimed = entry.derivative(u, **point)
        claimed = claimed if isinstance(claimed, tuple) else (claimed,)
        gap = max(
            _relative_gap(np.asarray(g), _dense_vjp(entry, point, u, name))
            for name, g in zip(entry.returns, claimed, strict=True)
        )
    assert gap > 1e-2


# -- through the runner, the CLI and the one verdict path ------------------------------------


@pytest.fixture(scope="module")
def runs():
    return [gc.run_catalogue(families=list(FAMILIES), trials=2, seed=seed) for seed in (0, 7, 23)]


def test_every_identity_passes_and_every_pitfall_fails_at_several_seeds(runs):
    for report in runs:
        problems = [(r.identity, r.trial, r.status, r.message) for r in report.problems]
        assert not problems, f"seed {report.seed}: {problems}"
        names = {r.identity for r in report.records}
        assert names == {e.name for e in ENTRIES}


def test_pitfalls_are_diagnosed_with_their_label(runs):
    pitfalls = [e for e in ENTRIES if e.is_pitfall]
    kinds: dict[str, Counter] = {e.name: Counter() for e in pitfalls}
    for report in runs:
        for r in report.records:
            if r.expected == "fail":
                kinds[r.identity][r.diagnosis.kind if r.diagnosis else None] += 1
    right = [e.name for e in pitfalls if kinds[e.name].most_common(1)[0][0] == e.mistake]
    wrong = {e.name: dict(kinds[e.name]) for e in pitfalls if e.name not in right}
    assert len(right) >= 0.9 * len(pitfalls), wrong


def test_records_carry_the_form_and_a_schema_valid_layout(runs):
    report = runs[0]
    forms = {r.identity: r.form for r in report.records}
    assert forms["h_logdet"] == "hessian" and forms["vjp_linear"] == "vjp"
    assert forms["h_bilinear_mixed"] == "mixed"
    layouts = {(r.identity, r.layout) for r in report.records}
    assert ("h_logdet", "numerator") in layouts and ("h_logdet_tensor", "tensor") in layouts
    assert ("vjp_linear", "tensor") in layouts
    assert {("h_bilinear_mixed", "numerator"), ("h_bilinear_mixed", "denominator")} <= layouts
    data = report_to_json(report)
    validate_report(data)
    json.dumps(data)


def test_gradcheck_catalogue_runs_the_families_and_exits_0(capsys):
    argv = ["catalogue", "--family", "second_order", "--family", "vjp", "--trials", "1"]
    status = main(argv)
    text = capsys.readouterr().out
    assert status == 0, text[-2000:]
    assert " vec " in text and " vjp " in text and "num/den" in text
    assert "h_tr_AXBX" in text and "vjpw_solve_sign" in text


@pytest.mark.parametrize(
    "name", ["h_logdet", "hw_logdet_no_commutation", "vjp_solve", "vjpw_solve_sign", "h_ridge"]
)
def test_gradcheck_show_gives_the_form_and_the_expected_verdict(name, capsys):
    assert main(["show", name]) == 0
    text = capsys.readouterr().out
    entry = CATALOGUE[name]
    assert f"{'kind:':<12} {entry.form} " in text
    assert ("FAILED" if entry.is_pitfall else "PASSED") in text


ONE_PATH = [
    "h_quadratic_form",
    "hw_quadratic_2A",
    "h_logdet_tensor",
    "h_logdet_from_f",
    "hw_tanh_gauss_newton",
    "vjp_linear",
    "vjp_softmax",
    "vjpw_solve_sign",
]


@pytest.mark.parametrize("name", ONE_PATH)
def test_runner_identity_check_and_the_public_check_agree(name):
    entry = CATALOGUE[name]
    (record,) = _check_draw(entry, 1, gc.RunOptions(seed=3))
    _, point = entry.draw(entry.seed_sequence(3, 1))
    via_identity = entry.check(point)
    if entry.form == "hessian":
        via_public = gc.check_hessian(
            entry.f,
            entry.derivative,
            point,
            wrt=entry.wrt,
            gradient=entry.gradient,
            layout=entry.layout,
            vectorized=entry.vectorized,
        )
    else:
        wrt = entry.returns if len(entry.returns) > 1 else entry.wrt
        several = gc.check_vjp(entry.f, entry.derivative, point, wrt=wrt, vectorized=True)
        via_public = several.results[via_identity.wrt] if len(entry.returns) > 1 else several
        assert several.status == via_identity.status
    for result in (via_identity, via_public):
        assert record.status == result.status
        assert record.max_rel_error == result.max_rel_error
        assert record.detection_threshold == result.detection_threshold
        assert record.evaluations == result.evaluations
        assert record.diagnosis == result.diagnosis


@pytest.mark.parametrize("name", ["h_bilinear_mixed", "hw_bilinear_transposed"])
def test_a_mixed_block_is_checked_as_the_jacobian_of_the_gradient(name):
    entry = CATALOGUE[name]
    records = _check_draw(entry, 0, gc.RunOptions(seed=5))
    _, point = entry.draw(entry.seed_sequence(5, 0))
    direct = gc.check(
        entry.gradient, entry.derivative, point, wrt=entry.by, layout=entry.layout, vectorized=True
    )
    assert records[0].status == direct.status == entry.check(point).status
    assert records[0].max_rel_error == direct.max_rel_error


def test_a_mixed_block_of_a_wrong_gradient_fails_with_gradient_mismatch():
    block = gc.hessian_identity(
        "bad_gradient_block",
        f="x @ A @ y",
        gradient="2 * A @ y",
        derivative="2 * A",
        variables={"x": "n", "A": "n m", "y": "m"},
        wrt=("x", "y"),
    )
    catalogue = gc.Catalogue([block])
    report = gc.run_catalogue(catalogue=catalogue, trials=2)
    assert {r.status for r in report.records} == {"failed"}
    assert {r.diagnosis.kind for r in report.records} == {"gradient_mismatch"}
    _, point = block.draw(block.seed_sequence(0, 0))
    result = block.check(point)
    assert result.status == "failed" and result.diagnosis.kind == "gradient_mismatch"


@pytest.mark.parametrize("name", ["h_logdet", "h_bilinear_mixed", "vjp_linear", "vjpw_mse_no_mean"])
def test_the_pytest_records_of_catalogue_tests_accept_every_form(name):
    entry = CATALOGUE[name]
    _, point = entry.draw(entry.seed_sequence(0, 0))
    result = entry.check(point)
    record = record_from_result(result, name=entry.name, pitfall=entry.is_pitfall)
    assert record["ok"] is True
    assert record["status"] == ("failed" if entry.is_pitfall else "passed")


# -- the entry kinds ---------------------------------------------------------------------


def test_cards_listing_and_markdown_show_the_form():
    card = identity_card(CATALOGUE["h_logdet"])
    assert card.kind == "hessian identity"
    assert "vec layout" in card.layout and card.other_formula == ""
    card = identity_card(CATALOGUE["hw_tr_AXBX_no_commutation"])
    assert card.kind == "hessian pitfall (not_symmetric) of h_tr_AXBX"
    card = identity_card(CATALOGUE["vjp_layer_norm"])
    assert card.kind == "vjp identity" and "a VJP" in card.layout
    card = identity_card(CATALOGUE["h_gauss_mixed_mu_x"])
    assert card.kind == "mixed identity" and "numerator layout" in card.layout
    families = CATALOGUE.select(families=list(FAMILIES))
    listing = render_listing(families)
    assert "h_tr_inv_A" in listing and "vjp_cholesky" in listing
    markdown = render_markdown(families)
    assert "## second_order" in markdown and "## vjp" in markdown


def test_a_pitfall_of_a_new_form_keeps_its_form_family_and_draw_size():
    wrong = CATALOGUE["vjpw_logdet_no_transpose"]
    assert isinstance(wrong, gc.VjpIdentity) and wrong.returns == ("X",)
    assert wrong.largest == CATALOGUE["vjp_logdet"].largest < 8
    wrong = CATALOGUE["hw_tanh_gauss_newton"]
    assert isinstance(wrong, gc.HessianIdentity)
    assert wrong.gradient is not None and wrong.mistake == "missing_term"


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"wrt": ("x", "x")}, "two different variables"),
        ({"wrt": ("x", "A"), "gradient": None}, "needs `gradient`"),
        ({"layout": "numerator"}, "layout"),
        ({"wrt": "z"}, "`wrt`"),
    ],
)
def test_hessian_identity_refuses_bad_declarations(kwargs, words):
    arguments = {
        "f": "x @ A @ x",
        "gradient": "(A + A.T) @ x",
        "derivative": "A + A.T",
        "variables": {"x": "n", "A": "n n"},
        "wrt": "x",
        **kwargs,
    }
    with pytest.raises(gc.InvalidArgumentError, match=words.replace("(", r"\(")):
        gc.hessian_identity("bad", **arguments)


def test_vjp_identity_and_its_pitfalls_refuse_bad_declarations():
    def f(W, x):
        return W @ x

    with pytest.raises(gc.InvalidArgumentError, match="not variables"):
        gc.vjp_identity(vjp=lambda u, V: V.T @ u, variables={"W": "m n", "x": "n"}, wrt="x")(f)
    with pytest.raises(gc.InvalidArgumentError, match="`wrt`='y' has no shape"):
        gc.vjp_identity(vjp=lambda u, W: W.T @ u, variables={"W": "m n", "x": "n"}, wrt="y")(f)
    with pytest.raises(gc.InvalidArgumentError, match="distinct variables"):
        gc.vjp_identity(vjp=lambda u: u, variables={"W": "m n", "x": "n"}, wrt=("x", "x"))(f)
    with pytest.raises(gc.InvalidArgumentError, match="cotangent first"):
        gc.vjp_identity(vjp=lambda: 0, variables={"W": "m n", "x": "n"}, wrt="x")(f)
    with pytest.raises(gc.InvalidArgumentError, match="unknown mistake class 'oops'"):
        gc.pitfall(
            "w", corrects=CATALOGUE["vjp_logdet"], mistake="oops", derivative=lambda u, X: u * X
        )
    with pytest.raises(gc.InvalidArgumentError, match="not variables"):
        gc.pitfall(
            "w", corrects=CATALOGUE["vjp_logdet"], mistake="transpose", derivative=lambda u, Y: Y
        )
    # the second-order kinds are labels only for the new forms
    with pytest.raises(gc.InvalidArgumentError, match="unknown mistake class 'not_symmetric'"):
        gc.pitfall(
            "w", corrects=CATALOGUE["dxTAx_dx"], mistake="not_symmetric", derivative="2 * A @ x"
        )


def test_the_new_mistake_vocabularies_extend_the_diagnosis_kinds():
    from gradcheck.catalogue import HESSIAN_MISTAKES, VJP_MISTAKES

    assert set(gc.MISTAKES) < set(HESSIAN_MISTAKES) and set(gc.MISTAKES) < set(VJP_MISTAKES)
    assert set(HESSIAN_MISTAKES) - set(gc.MISTAKES) == set(gc.SECOND_ORDER_KINDS)
    assert set(VJP_MISTAKES) - set(gc.MISTAKES) == set(gc.PRODUCT_KINDS)
    for e in ENTRIES:
        if e.is_pitfall:
            assert e.mistake in (VJP_MISTAKES if e.form == "vjp" else HESSIAN_MISTAKES)


def test_strategies_draw_the_new_families():
    @settings(max_examples=10, deadline=None, database=None)
    @given(entry=identities("vjp", pitfalls=True))
    def drawn(entry):
        assert entry.family == "vjp" and entry.form == "vjp"

    drawn()
