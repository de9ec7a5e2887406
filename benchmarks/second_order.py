"""Hessians by gradcheck, numdifftools and scipy.differentiate, side by side; and check_vjp
on a 10^6-parameter linear layer.

Run with ``python benchmarks/second_order.py`` (``--all`` adds numdifftools and scipy on log det
X and saves the output to ``benchmarks/results/second_order.txt``, shown in
``benchmarks/README.md``; ``--save`` saves without them); not part of the test suite. scipy is
run only where the array of points it asks for (:func:`scipy_points_gib`, estimated before
running) fits in :data:`SCIPY_MEMORY_LIMIT_GIB`; elsewhere its row prints the estimate.
numdifftools is an optional benchmark dependency (``pip install numdifftools``): without it
its rows say so.

For each problem: the median wall time over interleaved runs, the number of points at which f
(or the gradient) was evaluated, and the largest elementwise relative error against the exact
Hessian, ``max_ij |H_ij - exact_ij| / max(|exact_ij|, 1e-3 max|exact|)`` (the floor keeps
entries that are nearly zero from dominating). "error bound holds": whether the method's own
error estimate (gradcheck's ``error``, scipy's ``res.error``; numdifftools reports none by
default) is at least the actual error in every entry. "gradcheck from f" is
``gradcheck.engine.estimate_hessian`` (the second differences on a ladder of steps that
``check_hessian`` compares with); "gradcheck from gradient" is
``gradcheck.engine.estimate_hessian_from_gradient`` on the exact gradient (central differences
on the same ladder, what ``check_hessian(..., gradient=...)`` compares with first). From f
alone, n = 1000 is not run by any tool: it needs millions of evaluations of
an f of 1000 entries (numdifftools and scipy need as many or more).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from benchmark_output import header, saved_output
from scipy.differentiate import hessian as scipy_hessian
from tabulate import tabulate

import gradcheck
from gradcheck.engine import estimate_hessian, estimate_hessian_from_gradient, make_target

try:
    import numdifftools
except ImportError:  # optional
    numdifftools = None

REPEATS = 3  # runs of each row under 1 s (slower ones run once)
F_ALONE_MAX = 100  # largest n run from f alone
#: Rows not run without --all: numdifftools and scipy on log det X (400 variables) need
#: millions of evaluations (numdifftools took 27 s at n = 100 and grows as n^2).
SLOW = {
    ("log det X, X 20x20", "numdifftools.Hessian"),
    ("log det X, X 20x20", "scipy.differentiate.hessian"),
}
#: Largest array of points scipy.differentiate.hessian is asked to evaluate f at (GiB; the
#: machine has 23 GiB, shared): larger problems are not run, with the estimate printed.
SCIPY_MEMORY_LIMIT_GIB = 4.0


def scipy_points_gib(n: int) -> float:
    """The size of the array of points at which scipy.differentiate.hessian (defaults: order
    8) first evaluates an f of n variables, in GiB: the Jacobian of the Jacobian evaluates
    the inner one's 8 stencil points along each of the n coordinates at each of the outer
    one's 8 points along each of the n coordinates, every point n float64 (``64 n^3 * 8``
    bytes: 0.5 GiB at n = 100, the 30.5 GiB it asked for log det X at n = 400 and failed)."""
    return 8 * 8 * n**3 * 8 / 2**30


def quadratic(n: int, rng: np.random.Generator) -> dict:
    A = rng.standard_normal((n, n)) / np.sqrt(n)
    return {
        "name": f"x^T A x, n={n}",
        "x": rng.standard_normal(n),
        "f": lambda x: np.einsum("...i,ij,...j->...", x, A, x),
        "gradient": lambda x: (A + A.T) @ x,
        "exact": lambda x: A + A.T,
    }


def log_sum_exp(n: int, rng: np.random.Generator) -> dict:
    def f(x):
        top = np.max(x, axis=-1, keepdims=True)
        return np.log(np.sum(np.exp(x - top), axis=-1)) + top[..., 0]

    def softmax(x):
        e = np.exp(x - np.max(x))
        return e / np.sum(e)

    def exact(x):
        p = softmax(x)
        return np.diag(p) - np.outer(p, p)

    return {
        "name": f"log-sum-exp, n={n}",
        "x": rng.standard_normal(n),
        "f": f,
        "gradient": softmax,
        "exact": exact,
    }


def logistic(n: int, rng: np.random.Generator) -> dict:
    m = 2 * n
    X = rng.standard_normal((m, n)) / np.sqrt(n)
    y = rng.choice([-1.0, 1.0], m)

    def f(w):
        return np.sum(np.logaddexp(0.0, -y * (w @ X.T)), axis=-1)

    def sigma(t):
        return 0.5 * (1 + np.tanh(t / 2))

    def gradient(w):
        return -X.T @ (y * sigma(-y * (X @ w)))

    def exact(w):
        s = sigma(y * (X @ w))
        return X.T @ ((s * (1 - s))[:, None] * X)

    return {
        "name": f"logistic loss, n={n}",
        "x": rng.standard_normal(n),
        "f": f,
        "gradient": gradient,
        "exact": exact,
    }


def log_det(rng: np.random.Generator) -> dict:
    k = 20
    B = rng.standard_normal((k, k))
    X = B @ B.T / k + np.eye(k)

    def f(x):  # x: (..., k*k), C order
        return np.linalg.slogdet(x.reshape((*x.shape[:-1], k, k)))[1]

    def exact(x):
        Y = np.linalg.inv(x.reshape(k, k))
        return -np.einsum("jk,li->ijkl", Y, Y).reshape(k * k, k * k)

    return {
        "name": "log det X, X 20x20",
        "x": X.ravel(),
        "f": f,
        "gradient": lambda x: np.linalg.inv(x.reshape(k, k)).T.ravel(),
        "exact": exact,
    }


class Counted:
    """f with its evaluated points counted (leading batch axes, or scipy's trailing ones)."""

    def __init__(self, f: Callable, n: int, trailing: bool = False):
        self.f, self.n, self.trailing, self.points = f, n, trailing, 0

    def __call__(self, x):
        x = np.asarray(x)
        if self.trailing:  # scipy: x of shape (n, ...)
            self.points += int(np.prod(x.shape[1:]))
            return self.f(np.moveaxis(x, 0, -1))
        self.points += int(np.prod(x.shape[:-1])) if x.ndim > 1 else 1
        return self.f(x)


def _gradcheck_f(p):
    counted = Counted(p["f"], p["x"].size)
    est = estimate_hessian(make_target(counted, p["x"], None), vectorized=True)
    n = p["x"].size
    return est.value.reshape(n, n), counted.points, est.error.reshape(n, n)


def _gradcheck_gradient(p):
    counted = Counted(p["gradient"], p["x"].size)
    est = estimate_hessian_from_gradient(make_target(counted, p["x"], None), vectorized=False)
    n = p["x"].size
    return est.value.reshape(n, n), counted.points, est.error.reshape(n, n)


def _numdifftools(p):
    counted = Counted(p["f"], p["x"].size)
    return numdifftools.Hessian(counted)(p["x"]), counted.points, None


def _scipy(p):
    counted = Counted(p["f"], p["x"].size, trailing=True)
    res = scipy_hessian(counted, p["x"])
    return res.ddf, counted.points, res.error


METHODS = {
    "gradcheck from f": _gradcheck_f,
    "numdifftools.Hessian": _numdifftools,
    "scipy.differentiate.hessian": _scipy,
    "gradcheck from gradient": _gradcheck_gradient,
}


def _rel_error(H: np.ndarray, exact: np.ndarray) -> float:
    floor = 1e-3 * np.max(np.abs(exact))
    return float(np.max(np.abs(H - exact) / np.maximum(np.abs(exact), floor)))


def _bound_holds(H: np.ndarray, bound: np.ndarray, exact: np.ndarray) -> str:
    """Whether the method's own error estimate bounds every entry's actual error: "yes", or
    the number of entries where it does not and the largest ratio actual / estimate."""
    actual = np.abs(H - exact)
    short = actual > bound
    if not np.any(short):
        return "yes"
    ratio = float(np.max(actual[short] / np.maximum(bound[short], 1e-300)))
    return f"no: {int(np.sum(short))} entries, up to {ratio:.3g}x"


def run_hessians(everything: bool) -> tuple[list, dict]:
    rng = np.random.default_rng(0)
    problems = [
        make(n, rng) for make in (quadratic, log_sum_exp, logistic) for n in (10, 100, 1000)
    ]
    problems.append(log_det(rng))
    rows, times = [], {}
    for p in problems:
        exact = p["exact"](p["x"])
        n = p["x"].size
        for name, method in METHODS.items():
            if name != "gradcheck from gradient" and n > F_ALONE_MAX and "log det" not in p["name"]:
                rows.append([p["name"], name, "not run", "", "~3e6 f evaluations", ""])
                continue
            if (p["name"], name) in SLOW and not everything:
                rows.append([p["name"], name, "not run", "", "minutes; --all runs it", ""])
                continue
            if (
                name == "scipy.differentiate.hessian"
                and scipy_points_gib(n) > SCIPY_MEMORY_LIMIT_GIB
            ):
                need = f"needs ~{scipy_points_gib(n):.1f} GiB > {SCIPY_MEMORY_LIMIT_GIB:g} GiB"
                rows.append([p["name"], name, "not run", "", need, ""])
                continue
            if name == "numdifftools.Hessian" and numdifftools is None:
                rows.append([p["name"], name, "not installed", "", "pip install numdifftools", ""])
                continue
            elapsed = []
            while len(elapsed) < (REPEATS if not elapsed or max(elapsed) < 1 else 1):
                start = time.perf_counter()
                H, points, bound = method(p)
                elapsed.append(time.perf_counter() - start)
            seconds = statistics.median(elapsed)
            times[p["name"], name] = (seconds, _rel_error(H, exact))
            holds = "-" if bound is None else _bound_holds(H, bound, exact)
            error = f"{_rel_error(H, exact):.1e}"
            rows.append([p["name"], name, f"{1e3 * seconds:.1f}", points, error, holds])
            print(*rows[-1], sep=" | ", file=sys.stderr, flush=True)  # progress
    return rows, times


def run_linear_layer() -> list:
    """check_vjp on W (1000 x 1000) of f(W) = W x: right, and with one entry wrong by 1e-6 of
    the largest at three places."""
    rng = np.random.default_rng(0)
    W, x = rng.standard_normal((1000, 1000)), rng.standard_normal(1000)
    largest = float(np.max(np.abs(x)))

    def f(W):
        return W @ x

    def vjp(u, W, wrong=None):
        g = np.outer(u, x)
        if wrong is not None:
            g[wrong] += 1e-6 * largest * u[wrong[0]]
        return g

    rows = []
    for wrong in (None, (0, 0), (123, 456), (999, 999)):
        start, cpu = time.perf_counter(), time.process_time()
        result = gradcheck.check_vjp(f, lambda u, W, wrong=wrong: vjp(u, W, wrong), W)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        rows.append(
            [
                "right" if wrong is None else f"entry {wrong} wrong by 1e-6",
                result.status,
                f"{wall:.2f}",
                f"{cpu:.2f}",
                result.evaluations,
                result.product_calls,
                f"{result.detection_threshold:.1e}",
            ]
        )
    return rows


def main() -> None:
    full = "--all" in sys.argv[1:]
    with saved_output("second_order" if full or "--save" in sys.argv[1:] else None):
        _report(full)


def _report(full: bool) -> None:
    print(header())
    print(f"numdifftools {getattr(numdifftools, '__version__', 'not installed')}")
    print(
        tabulate(
            run_linear_layer(),
            [
                "check_vjp, W 1000x1000",
                "verdict",
                "wall s",
                "CPU s",
                "f evals",
                "vjp calls",
                "detection threshold",
            ],
        ),
        end="\n\n",
        flush=True,
    )
    rows, times = run_hessians(full)
    columns = ["problem", "method", "median ms", "evals", "max rel. error", "error bound holds"]
    print(tabulate(rows, columns))
    key = "x^T A x, n=100", "log-sum-exp, n=100", "logistic loss, n=100"
    for problem in key:
        ours = times.get((problem, "gradcheck from f"))
        for other in ("numdifftools.Hessian", "scipy.differentiate.hessian"):
            theirs = times.get((problem, other))
            if ours and theirs:
                print(
                    f"{problem}: gradcheck from f / {other}: time {ours[0] / theirs[0]:.2f}, "
                    f"errors {ours[1]:.1e} vs {theirs[1]:.1e}"
                )
    worst = max(err for (p, m), (_, err) in times.items() if m == "gradcheck from gradient")
    print(f"gradcheck from gradient: worst max rel. error {worst:.1e} (target <= 1e-8)")


if __name__ == "__main__":
    main()
