"""False alarms on functions that round their input to a coarser internal grid.

``log det(I + X)``, ``log(1 + x)``, ``inv(I + X)``, ``tr expm(I + X)`` at ``|X|`` drawn in
1e-13..1e-5 compute ``1 + x`` and see every step rounded to the spacing of 1. Correct claims
(closed forms) are checked at seeded draws; the table counts the verdicts, and a claim wrong
by 1e-6 of its largest entry is checked at the same draws. Run: ``python
benchmarks/quantised_input.py [--draws N]``; a correct claim must never be `failed`.
"""

from __future__ import annotations

import argparse
import collections

import numpy as np
import scipy.linalg as sl
from tabulate import tabulate

import gradcheck as gc


def _inverse_jacobian(X: np.ndarray) -> np.ndarray:
    M = np.linalg.inv(np.eye(len(X)) + X)
    return -np.einsum("ik,lj->ijkl", M, M)  # d inv(I+X)[i,j] / dX[k,l]


PROBLEMS = {
    "log det(I+X)": (
        lambda X: np.linalg.slogdet(np.eye(len(X)) + X)[1],
        lambda X: np.linalg.inv(np.eye(len(X)) + X).T,
        "matrix",
    ),
    "log(1+x)": (lambda x: np.log(1 + x), lambda x: np.diag(1 / (1 + x)), "vector"),
    "inv(I+X)": (lambda X: np.linalg.inv(np.eye(len(X)) + X), _inverse_jacobian, "matrix"),
    "tr expm(I+X)": (
        lambda X: np.trace(sl.expm(np.eye(len(X)) + X)),
        lambda X: sl.expm(np.eye(len(X)) + X).T,
        "matrix",
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=60)
    draws = parser.parse_args().draws
    rows = []
    for name, (f, derivative, kind) in PROBLEMS.items():
        rng = np.random.default_rng(0)
        right, wrong = collections.Counter(), collections.Counter()
        for _ in range(draws):
            n = int(rng.integers(1, 5))
            x = 10 ** rng.uniform(-13, -5) * rng.standard_normal((n, n) if kind == "matrix" else n)
            claim = derivative(x)
            layout = "tensor" if claim.ndim == 4 else "auto"
            right[gc.check(f, claim, x, layout=layout).status] += 1
            bad = claim.copy()
            bad[tuple(rng.integers(0, n, size=claim.ndim))] += 1e-6 * np.max(np.abs(claim))
            wrong[gc.check(f, bad, x, layout=layout).status] += 1
        rows.append(
            [
                name,
                draws,
                right["passed"],
                right["failed"],
                right["inconclusive"],
                wrong["failed"],
                wrong["passed"],
                wrong["inconclusive"],
            ]
        )
    print(
        tabulate(
            rows,
            headers=[
                "problem",
                "draws",
                "right: passed",
                "false alarms",
                "inconclusive",
                "wrong 1e-6: failed",
                "passed",
                "inconclusive",
            ],
        )
    )


if __name__ == "__main__":
    main()
