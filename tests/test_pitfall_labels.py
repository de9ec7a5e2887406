"""Every pitfall is labelled with a diagnosis kind, and the diagnosis of the pitfall, run
through the catalogue's verdict path, names that label."""

import pytest
from gradcheck_identities import builtin_catalogue

import gradcheck as gc
from gradcheck.verdict import KINDS

CATALOGUE = builtin_catalogue()
# first derivatives; the second_order and vjp families' labels: tests/test_families.py
PITFALLS = [e for e in CATALOGUE if e.is_pitfall and e.form == "jacobian"]

#: Pitfalls whose diagnosis names another kind than their label, and why. The list may only
#: shrink: a pitfall leaves it when the diagnosis learns to name its mistake.
NOT_NAMED = {
    # a factor 2 missing on one of two terms: no constant multiple of the derivative; the
    # difference (lam w) is a term of its own
    "w_ridge_reg_factor": "missing_term",
    # the transpose of one term of a sum, not of the claim: the difference is that term
    "w_cookbook_93_as_printed": "missing_term",
    # the missing normalisation 1/||x - a|| is a scalar, so at one point the claim is a
    # constant multiple of the derivative
    "w_norm_missing_normalisation": "scale",
    # the diagonal of Phi not halved: only diagonal contributions differ, by a term
    "w_cholesky_no_half_diag": "missing_term",
}


def test_labels_are_diagnosis_kinds():
    # the complex family's counts: tests/test_complex_catalogue.py
    assert len([e for e in PITFALLS if e.family != "complex"]) == 55
    for entry in PITFALLS:
        assert entry.mistake in gc.MISTAKES, entry.name
    assert set(gc.MISTAKES) <= set(KINDS)
    assert "unknown" not in gc.MISTAKES and "unreliable" not in gc.MISTAKES
    assert set(gc.REFERENCE_MISTAKES.values()) <= set(gc.MISTAKES)


@pytest.mark.parametrize("entry", PITFALLS, ids=lambda e: e.name)
def test_the_diagnosis_names_the_label(entry):
    report = gc.run_catalogue(
        catalogue=gc.Catalogue([entry]), trials=3, layouts=(entry.layout,), seed=0
    )
    kinds = [r.diagnosis.kind if r.diagnosis else None for r in report.records]
    assert len(kinds) == 3 and all(r.status == "failed" for r in report.records)
    expected = NOT_NAMED.get(entry.name, entry.mistake)
    assert kinds == [expected] * 3, (entry.mistake, kinds)
    if entry.name in NOT_NAMED:
        assert expected != entry.mistake  # named now: remove it from NOT_NAMED
