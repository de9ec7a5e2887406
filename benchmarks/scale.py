"""Scale: chunk sizes, evaluations of a check against its limit, memory, and an executor.

    python benchmarks/scale.py [--quick]

Prints, in one process (memory figures in fresh subprocesses, peak traced by
``tracemalloc``): (1) `jacobian` of log-sum-exp at n = 10^4 with chunk sizes from 64 KiB
to 256 MiB, CPU seconds (``time.process_time``, min of 3, interleaved: the machine is shared,
wall clock says little); (2) `check` on x^T A x and log-sum-exp at n = 100 and 1000: its
evaluations against its limit (the 4n stencil points of value and error estimate, plus 2 at
the point) and why (`CheckResult.spending`); (3) peak memory of a 5000 -> 5000 elementwise
`jacobian` and of `check_directional` at 10^6 and 10^7 parameters; (4) `check_directional` on
sum(sin x) from n = 10^3 to 10^7: wall seconds (min of several runs) against its limit (one
call of f per evaluation it made, timed alone on the same points), evaluations, directions, the
detection threshold, and whether an entry wrong by 1e-6 of the largest is caught; (5) a
function taking 0.2 s per call (``time.sleep``, standing for a simulator: CPU load of other
jobs does not change it) at n = 40, `jacobian` one point per call, serial against a 2-worker
ProcessPoolExecutor.
A full run saves its output to ``benchmarks/results/scale.txt``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from benchmark_output import header, saved_output
from scipy.special import logsumexp
from tabulate import tabulate

import gradcheck as gc

ROOT = Path(__file__).resolve().parent.parent


def lse(x):
    return logsumexp(x, axis=-1)


def slow_square_sum(x):
    time.sleep(0.2)
    return float(np.sum(x**2))


def chunk_table(n: int, repeats: int) -> list[list]:
    x = np.random.default_rng(0).standard_normal(n)
    sizes = [2**16, 2**18, 2**20, 2**22, 2**24, 2**26, 2**28]
    best = {s: np.inf for s in sizes}
    for _ in range(repeats):
        for s in sizes:
            t = time.process_time()
            gc.jacobian(lse, x, chunk_bytes=s)
            best[s] = min(best[s], time.process_time() - t)
    return [[f"{s // 1024} KiB", f"{best[s]:.3f}", f"{best[s] / best[2**20]:.2f}"] for s in sizes]


def check_rows(sizes: tuple[int, ...]) -> list[list]:
    rows = []
    rng = np.random.default_rng(1)
    for n in sizes:
        x = rng.standard_normal(n)
        A = rng.standard_normal((n, n))

        def quad(x, A=A):
            return np.einsum("...i,ij,...j->...", x, A, x)

        problems = [("x^T A x", quad, (A + A.T) @ x), ("log-sum-exp", lse, np.exp(x - lse(x)))]
        for name, f, claim in problems:
            r = gc.check(f, claim, x)
            limit = 4 * n + 2
            s = r.spending
            rows.append(
                [
                    f"{name}, n={n}",
                    r.status,
                    r.evaluations,
                    limit,
                    f"{r.evaluations / limit:.2f}",
                    s.searched,
                    f"{r.detection_threshold:.1e}",
                ]
            )
    return rows


_MEMORY = {
    "jacobian 5000 -> 5000 elementwise": (
        "import numpy as np, gradcheck as gc\n"
        "x = np.linspace(0.1, 2.0, 5000)\n"
        "J = gc.jacobian(np.sin, x, vectorized=True)\n"
        "print(J.nbytes)\n"
    ),
    "check_directional, n = 10^6": (
        "import numpy as np, gradcheck as gc\n"
        "x = np.linspace(-1.0, 1.0, 10**6)\n"
        "f = lambda x: np.sum(np.sin(x), axis=-1)\n"
        "r = gc.check_directional(f, np.cos(x), x)\n"
        "print(x.nbytes, r.status, r.evaluations)\n"
    ),
    "check_directional, n = 10^7": (
        "import numpy as np, gradcheck as gc\n"
        "x = np.linspace(-1.0, 1.0, 10**7)\n"
        "f = lambda x: np.sum(np.sin(x), axis=-1)\n"
        "r = gc.check_directional(f, np.cos(x), x)\n"
        "print(x.nbytes, r.status, r.evaluations)\n"
    ),
}


def memory_rows() -> list[list]:
    """Each run in a fresh interpreter, its peak traced by tracemalloc (NumPy reports its
    buffers to it) after the imports; ru_maxrss is no use here: a child process starts with
    its parent's high-water mark."""
    rows = []
    for name, code in _MEMORY.items():
        wrapper = (
            "import time, tracemalloc\nimport numpy, gradcheck\ntracemalloc.start()\n"
            "t = time.perf_counter()\n"
            + code
            + "print(time.perf_counter() - t)\nprint(tracemalloc.get_traced_memory()[1])\n"
        )
        env = {"PYTHONPATH": f"{ROOT}:{ROOT / 'identities'}"}
        out = subprocess.run(
            [sys.executable, "-c", wrapper], check=True, capture_output=True, text=True, env=env
        ).stdout.split()
        peak, seconds, result_bytes = int(out[-1]), float(out[-2]), int(out[0])
        rows.append(
            [
                name,
                f"{seconds:.2f}",
                f"{peak / 2**20:.0f}",
                f"{result_bytes / 2**20:.0f}",
                f"{peak / result_bytes:.1f}",
            ]
        )
    return rows


def sin_sum(x):
    return np.sum(np.sin(x), axis=-1)


def directional_rows(sizes: tuple[int, ...]) -> list[list]:
    """`check_directional` on sum(sin x) at each n: best wall time of a few runs (fewer at
    large n), and the limit: one call of f on a point like those it evaluates, times its
    evaluations (the time of f alone, with nothing of gradcheck around it)."""
    rows = []
    for n in sizes:
        x = np.linspace(-1.0, 1.0, n)
        claim = np.cos(x)
        repeats = 20 if n <= 10**4 else (3 if n <= 10**6 else 1)
        best = np.inf
        for _ in range(repeats):
            t = time.perf_counter()
            r = gc.check_directional(sin_sum, claim, x)
            best = min(best, time.perf_counter() - t)
        point = x + 1e-3 * np.random.default_rng(0).standard_normal(n)
        one = np.inf
        for _ in range(3):
            t = time.perf_counter()
            sin_sum(point)
            one = min(one, time.perf_counter() - t)
        wrong = claim.copy()
        wrong[n // 3] += 1e-6 * np.max(np.abs(claim))
        caught = gc.check_directional(sin_sum, wrong, x).status == "failed"
        rows.append(
            [
                f"10^{round(np.log10(n))}",
                f"{best * 1e3:.1f}",
                f"{one * r.evaluations * 1e3:.1f}",
                f"{best / (one * r.evaluations):.2f}",
                r.evaluations,
                r.directions,
                f"{r.detection_threshold:.1e}",
                caught,
            ]
        )
    return rows


def executor_row(n: int) -> list:
    x = np.linspace(-1.0, 1.0, n)
    t = time.perf_counter()
    serial = gc.jacobian(slow_square_sum, x, vectorized=False)
    t_serial = time.perf_counter() - t
    with ProcessPoolExecutor(max_workers=2) as pool:
        t = time.perf_counter()
        pooled = gc.jacobian(slow_square_sum, x, vectorized=False, executor=pool)
        t_pool = time.perf_counter() - t
    same = serial.tobytes() == pooled.tobytes()
    return [n, f"{t_serial:.1f}", f"{t_pool:.1f}", f"{t_serial / t_pool:.2f}", same]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller problems, not saved")
    args = parser.parse_args(argv)
    with saved_output(None if args.quick else "scale"):
        print(header())
        n = 2000 if args.quick else 10_000
        print(f"\njacobian of log-sum-exp, n={n}: CPU seconds by chunk size (min of 3)")
        print(
            tabulate(
                chunk_table(n, 1 if args.quick else 3), headers=["chunk_bytes", "CPU s", "vs 1 MiB"]
            )
        )
        print("\ncheck: evaluations against the limit (4n + 2)")
        print(
            tabulate(
                check_rows((100,) if args.quick else (100, 1000)),
                headers=["problem", "status", "evals", "limit", "ratio", "searched", "detects"],
            )
        )
        if not args.quick:
            print("\npeak memory traced by tracemalloc (fresh subprocess, after the imports)")
            print(
                tabulate(
                    memory_rows(),
                    headers=["run", "wall s", "peak MiB", "x or result MiB", "peak/that"],
                )
            )
        sizes = (10**3, 10**4) if args.quick else (10**3, 10**4, 10**5, 10**6, 10**7)
        print("\ncheck_directional on sum(sin x): wall ms (min of runs) against f alone")
        print(
            tabulate(
                directional_rows(sizes),
                headers=[
                    "n",
                    "wall ms",
                    "f alone ms",
                    "ratio",
                    "evals",
                    "directions",
                    "detects",
                    "1e-6 caught",
                ],
            )
        )
        print("\nf taking 0.2 s per call, jacobian one point per call, 2-worker process pool")
        print(
            tabulate(
                [executor_row(8 if args.quick else 40)],
                headers=["n", "serial s", "pool s", "speed-up", "bit-equal"],
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
