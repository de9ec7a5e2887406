"""What the listing commands leave undone: ``gradcheck list`` evaluates no identity's function,
and neither ``gradcheck --help`` nor loading the catalogue imports scipy.linalg."""

import subprocess
import sys

import numpy as np

import gradcheck as gc
from gradcheck.catalogue import render_listing


def _counting_catalogue() -> tuple[gc.Catalogue, list[str]]:
    """A catalogue of one Python-written identity whose f records every call."""
    calls: list[str] = []

    @gc.identity(derivative=lambda x: 2 * x, variables={"x": "n"}, wrt="x")
    def dxTx_counted(x):
        """d(x^T x)/dx = 2 x"""
        calls.append("f")
        return np.sum(x * x, axis=-1)

    return gc.Catalogue([dxTx_counted]), calls


def test_listing_evaluates_no_function():
    catalogue, calls = _counting_catalogue()
    text = render_listing(catalogue)
    assert "dxTx_counted" in text and "d(x^T x)/dx = 2 x" in text
    assert calls == []


def test_card_still_states_the_layout():
    # the card (gradcheck show) works the layout out from f's value, which listing skips
    catalogue, calls = _counting_catalogue()
    card = gc.catalogue.identity_card(catalogue["dxTx_counted"], catalogue)
    assert card.layout.startswith("stated in the denominator layout")
    assert calls  # evaluated here, where the layout is shown


def _imports_scipy_linalg(code: str) -> bool:
    probe = f"{code}\nimport sys\nprint('scipy.linalg' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip().splitlines()[-1] == "True"


def test_help_and_catalogue_load_do_not_import_scipy_linalg():
    assert not _imports_scipy_linalg("import gradcheck.cli")
    assert not _imports_scipy_linalg("import gradcheck; gradcheck.installed_catalogue()")
    # and the matrix functions still work once called
    assert _imports_scipy_linalg(
        "import numpy as np, gradcheck.expressions as ge\n"
        "v = ge.compile_expression('expm(A)', {'A': (2, 2)})(A=np.zeros((2, 2)))\n"
        "assert np.array_equal(v, np.eye(2))"
    )
