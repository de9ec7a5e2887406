"""Side-by-side timings of gradcheck's engine against SciPy's finite differences.

Run with ``python benchmarks/engine.py``; not part of the test suite. For each problem it
prints the median wall time over repeated, interleaved runs, the number of points at which the
function was evaluated, and the
largest per-entry relative error against the exact gradient,
``max_i |g_i - exact_i| / max(|exact_i|, 1e-3 max|exact|)`` (the floor keeps entries that are
nearly zero from dominating), then the ratios the targets are stated in. ``jacobian`` evaluates
only the points its value needs; ``estimate_jacobian`` adds those of the error estimate and
adapts steps where the estimate is poor.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
from benchmark_output import header, saved_output
from scipy.differentiate import jacobian as scipy_jacobian
from scipy.optimize import approx_fprime
from tabulate import tabulate

import gradcheck


def quadratic(n: int, rng: np.random.Generator):
    A = rng.standard_normal((n, n)) / np.sqrt(n)
    x = rng.standard_normal(n)
    return {
        "name": f"x^T A x, n={n}",
        "x": x,
        "batched": lambda x: np.sum((x @ A.T) * x, axis=-1),  # leading batch axes
        "trailing": lambda x: np.sum(x * (A @ x.reshape(n, -1)).reshape(x.shape), axis=0),
        "exact": (A + A.T) @ x,
    }


def trace_wtaw(rng: np.random.Generator):
    n, k = 30, 20
    A = rng.standard_normal((n, n)) / np.sqrt(n)
    W = rng.standard_normal((n, k))

    def trailing(w):  # w: (n*k, ...) -> (...)
        Wb = w.reshape(n, k, -1)
        return np.einsum("ikb,ij,jkb->b", Wb, A, Wb).reshape(w.shape[1:])

    return {
        "name": "tr(W^T A W), W 30x20",
        "x": W,
        "batched": lambda W: np.einsum("...ik,ij,...jk->...", W, A, W, optimize=True),
        "trailing": trailing,
        "exact": (A + A.T) @ W,
    }


def log_abs_det(rng: np.random.Generator):
    n = 40
    X = rng.standard_normal((n, n)) + n**0.5 * np.eye(n)

    def trailing(x):
        Xb = np.moveaxis(x.reshape(n, n, -1), -1, 0)
        return np.linalg.slogdet(Xb)[1].reshape(x.shape[1:])

    return {
        "name": "log|det X|, X 40x40",
        "x": X,
        "batched": lambda X: np.linalg.slogdet(X)[1],
        "trailing": trailing,
        "exact": np.linalg.inv(X).T,
    }


def least_squares(rng: np.random.Generator):
    n, m = 200, 50
    X = rng.standard_normal((n, m))
    y = rng.standard_normal(n)
    w = rng.standard_normal(m)

    def trailing(w):
        r = X @ w.reshape(m, -1) - y[:, None]
        return np.sum(r**2, axis=0).reshape(w.shape[1:])

    return {
        "name": "||Xw - y||^2, X 200x50",
        "x": w,
        "batched": lambda w: np.sum((w @ X.T - y) ** 2, axis=-1),
        "trailing": trailing,
        "exact": 2 * X.T @ (X @ w - y),
    }


def log_sum_exp(rng: np.random.Generator):
    n = 1000
    x = rng.standard_normal(n)

    def lse(z, axis):
        zmax = np.max(z, axis=axis, keepdims=True)
        return np.squeeze(zmax, axis) + np.log(np.sum(np.exp(z - zmax), axis=axis))

    s = np.exp(x - x.max())
    return {
        "name": "log-sum-exp, n=1000",
        "x": x,
        "batched": lambda x: lse(x, -1),
        "trailing": lambda x: lse(x, 0),
        "exact": s / s.sum(),
    }


def _relative_error(g: np.ndarray, exact: np.ndarray) -> float:
    floor = 1e-3 * np.max(np.abs(exact))
    return float(np.max(np.abs(g - exact) / np.maximum(np.abs(exact), floor)))


def _timed_round_robin(runs: dict[str, Callable[[], tuple]], repeats: int) -> dict:
    """Median seconds and last result of each run, interleaving the runs so that drifts in the
    machine's speed affect all of them alike."""
    times: dict[str, list[float]] = {label: [] for label in runs}
    results: dict[str, tuple] = {}
    for _ in range(repeats):
        for label, run in runs.items():
            start = time.perf_counter()
            results[label] = run()
            times[label].append(time.perf_counter() - start)
    return {label: (statistics.median(times[label]), results[label]) for label in runs}


def contenders(problem):
    x, exact = problem["x"], problem["exact"]
    batched, trailing = problem["batched"], problem["trailing"]

    def ours(method, *, with_error=False):
        count = [0]

        def counted(v):
            count[0] += v.size // x.size
            return batched(v)

        def run():
            count[0] = 0
            if with_error:
                est = gradcheck.estimate_jacobian(counted, x, method=method, vectorized=True)
                return est.value, count[0]
            return gradcheck.jacobian(counted, x, method=method, vectorized=True), count[0]

        return run

    def fprime():
        count = [0]

        def f(v):
            count[0] += 1
            return batched(v.reshape(x.shape))

        g = approx_fprime(x.ravel(), f, np.sqrt(np.finfo(float).eps))
        return g.reshape(x.shape), count[0]

    def differentiate():
        res = scipy_jacobian(trailing, x.ravel())
        return res.df.reshape(x.shape), int(np.sum(res.nfev))

    return {
        "jacobian central": ours("central"),
        "jacobian richardson": ours("richardson"),
        "estimate_jacobian central": ours("central", with_error=True),
        "estimate_jacobian richardson": ours("richardson", with_error=True),
        "scipy approx_fprime": fprime,
        "scipy.differentiate.jacobian": differentiate,
    }, exact


def main() -> int:
    with saved_output("engine"):
        return run()


def run() -> int:
    rng = np.random.default_rng(0)
    problems = [quadratic(10, rng), quadratic(100, rng), quadratic(1000, rng)]
    problems += [trace_wtaw(rng), log_abs_det(rng), least_squares(rng), log_sum_exp(rng)]
    rows, by_key = [], {}
    for problem in problems:
        runs, exact = contenders(problem)
        timed = _timed_round_robin(runs, repeats=9)
        for label, (seconds, (g, evaluations)) in timed.items():
            error = _relative_error(g, exact)
            by_key[(problem["name"], label)] = (seconds, evaluations, error)
            rows.append(
                [problem["name"], label, f"{seconds * 1e3:.1f}", evaluations, f"{error:.1e}"]
            )
    print(header())
    print(tabulate(rows, headers=["problem", "method", "median ms", "f evals", "max rel. error"]))
    big = "x^T A x, n=1000"
    c, f_, r, d = (
        by_key[(big, k)]
        for k in (
            "jacobian central",
            "scipy approx_fprime",
            "jacobian richardson",
            "scipy.differentiate.jacobian",
        )
    )
    print()
    print(
        f"n=1000: central / approx_fprime time ratio {c[0] / f_[0]:.2f} (target <= 1), "
        f"accuracy gain {f_[2] / c[2]:.0f}x (target >= 1000)"
    )
    print(
        f"n=1000: scipy.differentiate / richardson time ratio {d[0] / r[0]:.1f} (target >= 2), "
        f"errors {r[2]:.1e} vs {d[2]:.1e}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
