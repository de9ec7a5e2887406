"""Every public function and result record of gradcheck documents itself with an example."""

import inspect

import pytest

import gradcheck

#: Public names whose examples are still to be written (this list may only shrink).
PENDING = {"JacobianEstimate"}


def _public():
    for name in gradcheck.__all__:
        obj = getattr(gradcheck, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            continue  # exceptions are documented by the functions that raise them
        if inspect.isfunction(obj) or inspect.isclass(obj):
            yield name, obj


@pytest.mark.parametrize(("name", "obj"), list(_public()), ids=[n for n, _ in _public()])
def test_public_names_have_a_numpydoc_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    if name in PENDING:
        assert ">>>" not in doc, f"{name} has an example now: remove it from PENDING"
        return
    assert "Examples\n--------" in doc and ">>>" in doc, f"{name} has no runnable example"
