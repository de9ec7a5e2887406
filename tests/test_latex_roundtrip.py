"""Every catalogue identity written in the expression language, rendered to LaTeX by the
project (``render_latex``) and read back by the LaTeX front-end, is the same function (equal
values at the project's random points) with the same verdict."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcheck.catalogue import installed_catalogue
from gradcheck.expressions import CompiledExpression, render_latex
from gradcheck.latex import LatexError, read_rendered, read_rendered_expression
from gradcheck.strategies import points
from gradcheck.verdict import check

# first derivatives: the LaTeX front-end reads first-order statements (Hessians and VJPs are
# other forms)
ENTRIES = [e for e in installed_catalogue() if e.formula is not None and e.form == "jacobian"]
#: Indexing (``x_{[..., None]}``, ``slogdet(X)_{[1]}``) is rendered but not read back.
INDEXED = {
    e.name
    for e in ENTRIES
    if "_{[" in render_latex(e.formula, {k: (2,) * len(v.split()) for k, v in e.shapes.items()})
}
READ = [e for e in ENTRIES if e.name not in INDEXED]
SETTINGS = settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))


def _shapes(point):
    return {name: np.shape(value) for name, value in point.items()}


def test_most_entries_are_read_back():
    assert len(ENTRIES) > 150
    assert len(INDEXED) <= 12  # the known gap: indexing is not read
    assert len(WHOLE) > 150


@pytest.mark.parametrize("entry", READ, ids=[e.name for e in READ])
@SETTINGS
@given(data=st.data())
def test_the_function_read_back_is_the_same_with_the_same_verdict(entry, data):
    point = data.draw(points(entry, min_value=2, max_value=5))
    text = render_latex(entry.formula, _shapes(point))
    f = CompiledExpression(read_rendered_expression(text, _shapes(point)))
    reference = np.asarray(entry.f(**point))
    value = np.asarray(f(**point))
    assert value.shape == reference.shape
    np.testing.assert_allclose(
        value, reference, rtol=1e-10, atol=1e-12 * (1 + np.abs(reference).max())
    )
    mine = check(f, entry.derivative, dict(point), wrt=entry.wrt, layout=entry.layout)
    assert mine.status == entry.check(point).status


WHOLE = [e for e in READ if e.latex and "_{[" not in e.latex]


@pytest.mark.parametrize("entry", WHOLE, ids=[e.name for e in WHOLE])
@SETTINGS
@given(data=st.data())
def test_the_whole_identity_read_back_gets_the_same_verdict(entry, data):
    point = data.draw(points(entry, min_value=2, max_value=5))
    f, g, wrt = read_rendered(entry.latex, _shapes(point))
    assert wrt == entry.wrt
    claim = CompiledExpression(g)
    mine = check(CompiledExpression(f), claim, dict(point), wrt=wrt, layout=entry.layout)
    assert mine.status == entry.check(point).status


def test_an_index_is_refused_with_a_reason():
    entry = next(e for e in ENTRIES if e.name in INDEXED)
    shapes = {k: (3,) * len(v.split()) for k, v in entry.shapes.items()}
    with pytest.raises(LatexError):
        read_rendered_expression(render_latex(entry.formula, shapes), shapes)
