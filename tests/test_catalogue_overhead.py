"""The catalogue's fixed cost per check: what a draw shares between its layouts, and the BLAS
limit reaching every BLAS the run loads."""

import os
import subprocess
import sys

import numpy as np

import gradcheck as gc
from gradcheck.catalogue import complex_identity


def _counted_complex(calls: list[int]) -> gc.Catalogue:
    """One complex identity (a vector by a vector, so that the layouts differ) whose f counts
    the points it is evaluated at."""

    @complex_identity(
        derivative=lambda A: A.T,
        variables={"A": "n n", "z": ("n", "complex")},
        wrt="z",
        convention="wirtinger",
    )
    def cx_Az_counted(A, z):
        """d(A z)/dz (wirtinger) = A^T"""
        z = np.asarray(z)
        calls.append(int(np.prod(z.shape[:-1], dtype=int)))
        return np.einsum("ij,...j->...i", A, z)

    return gc.Catalogue([cx_Az_counted])


def _points(layouts: tuple[str, ...]) -> tuple[int, gc.CatalogueReport]:
    calls: list[int] = []
    report = gc.run_catalogue(catalogue=_counted_complex(calls), trials=3, layouts=layouts)
    return sum(calls), report


def test_complex_layouts_share_one_estimate():
    one, alone = _points(("denominator",))
    both, report = _points(("denominator", "numerator"))
    assert report.ok and alone.ok
    # the second layout evaluates f only at the point (for its claim's shape), never on the
    # stencil: at most 3 more points per draw, where a fresh estimate doubles the count
    assert one < both <= one + 3 * 3
    by_layout = {}
    for record in report.records:
        by_layout.setdefault(record.layout, []).append(record)
    for den, num in zip(by_layout["denominator"], by_layout["numerator"], strict=True):
        assert den.max_rel_error == num.max_rel_error
        assert den.evaluations == num.evaluations


_PROBE = """
import numpy as np
from threadpoolctl import threadpool_info
import gradcheck as gc
from gradcheck.catalogue import complex_identity

seen = []

@gc.identity(derivative=lambda x: 2 * x, variables={"x": "n"}, wrt="x")
def dxTx_threads(x):
    '''d(x^T x)/dx = 2 x'''
    import scipy.linalg  # a BLAS of its own, loaded at the first call of a matrix function
    seen.extend(lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas")
    return np.sum(x * x, axis=-1)

report = gc.run_catalogue(catalogue=gc.Catalogue([dxTx_threads]), trials=1, jobs=1)
print(report.ok, len(seen) > 0, max(seen))
"""


def test_blas_loaded_by_a_matrix_function_is_limited_too():
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "2"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "1"]
