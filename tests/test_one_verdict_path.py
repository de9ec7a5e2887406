"""One verdict path: the catalogue runner, `Identity.check` (behind `gradcheck show`, the
`catalogue_tests` items and the pytest fixture's catalogue use) and `gradcheck.check` give one
identity at one point the identical verdict, tolerance and diagnosis."""

import numpy as np
import pytest

import gradcheck as gc
from gradcheck.catalogue.runner import _check_draw
from gradcheck.testing import _verdict_in

CATALOGUE = gc.installed_catalogue()
# identities of several families, and pitfalls of every kind of mistake the diagnosis names
NAMES = [
    "dxTAx_dx",
    "dtr_logmX_dX",
    "d_sqrtm_sylvester_dt",
    "w_least_squares_no_2",
    "w_quadform_sym_only",
    "w_trXA_no_transpose",
    "w_least_squares_sign",
    "w_dAx_numerator",
    "w_dAx_numerator_nonsquare",
    "w_quadform_missing_term",
    "w_trAXB_wrong_order",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_catalogue_identity_check_and_check_agree(name, method):
    entry = CATALOGUE[name]
    seed, trial = 3, 1
    (record,) = _check_draw(
        entry, trial, gc.RunOptions(seed=seed, layouts=(entry.layout,), method=method)
    )
    _, point = entry.draw(entry.seed_sequence(seed, trial))
    via_identity = entry.check(point, method=method)
    via_check = gc.check(
        entry.f,
        entry.derivative,
        point,
        wrt=entry.wrt,
        layout=entry.layout,
        method=method,
        vectorized=entry.vectorized,
    )
    for result in (via_identity, via_check):
        assert record.status == result.status
        assert record.max_rel_error == result.max_rel_error
        assert record.detection_threshold == result.detection_threshold
        assert record.evaluations == result.evaluations
        assert record.diagnosis == result.diagnosis
        mismatch = [n for n in result.notes if n.startswith("layout mismatch")]
        if mismatch:
            assert record.message == mismatch[0]
    assert np.array_equal(via_identity.tolerance, via_check.tolerance)
    assert record.ok == (record.status == ("passed" if entry.expected == "pass" else "failed"))


@pytest.mark.parametrize("name", ["dxTAx_dx", "w_trXA_no_transpose", "w_dAx_numerator"])
def test_the_other_layout_is_the_claim_converted_and_checked_by_check(name):
    entry = CATALOGUE[name]
    other = "numerator" if entry.layout == "denominator" else "denominator"
    _, point = entry.draw(entry.seed_sequence(0, 0))
    records = _check_draw(entry, 0, gc.RunOptions(layouts=(entry.layout, other)))
    claimed = np.asarray(entry.derivative(**point))
    f_shape = np.shape(entry.f(**point))
    x_shape = np.shape(point[entry.wrt])
    stated_fits = claimed.shape in gc.layout_shapes(f_shape, x_shape, entry.layout)
    converted = (
        gc.convert_layout(claimed, f_shape, x_shape, source=entry.layout, target=other)
        if stated_fits
        else claimed
    )
    layout = other if stated_fits else entry.layout
    result = gc.check(entry.f, converted, point, wrt=entry.wrt, layout=layout)
    assert records[1].status == result.status
    assert records[1].detection_threshold == result.detection_threshold
    # catalogue_tests' item of each layout reaches the runner's verdict in it
    for record, name in zip(records, (entry.layout, other), strict=True):
        item = _verdict_in(entry, name, point, "central")
        assert record.layout == name and item.status == record.status
        assert item.max_rel_error == record.max_rel_error
        assert item.detection_threshold == record.detection_threshold
    assert _verdict_in(entry, other, point, "central").layout == result.layout
