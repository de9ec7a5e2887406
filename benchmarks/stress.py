"""Hunt for false alarms: correct derivatives that gradcheck does not pass.

Run with ``python benchmarks/stress.py [--quick] [--json FILE] [--part all|catalogue|matrix]
[--t-scales T,T,...]``;
not part of the test suite.
gradcheck's promise is that ``failed`` means the formula is wrong. This script checks many
exactly known derivatives and counts the verdicts that break the promise:

1. **The built-in catalogue**, every identity and pitfall on 200 random draws in both layouts
   (:func:`gradcheck.run_catalogue`). A correct identity that fails is a false alarm; one that is
   inconclusive is counted as such; a pitfall that does not fail is a miss.
2. **Matrix functions along a line**, ``f(t) = F(A + tB)`` for F in sqrtm, logm, expm,
   funm(exp), funm(cos), cosm, sinm, inv, solve, a Cholesky log-determinant, sums of
   eigenvalues (plain, of ``exp``, of squares) and the sum of singular values, with ``|t|`` from
   1e-8 to 1e4 (random sign) and condition numbers 1 to 1e6, several sizes and seeds, each
   checked with ``gradcheck.check(f, claim, {"t": t}, wrt="t", layout="numerator")`` by the
   default method and by ``method="richardson"``.
3. **The same problems with one entry of the claim wrong** by 1e-6 and by 1e-8 of its largest
   entry: caught (``failed``) or missed.

Construction of the matrix problems
-----------------------------------
``Y = A + tB``, the matrix at which the derivative is taken, is built with prescribed spectrum
and the line through it has a fixed natural scale, so that the condition number in each row is
the one of the matrix actually differentiated and every F is smooth on the whole line segment
the checker may reasonably probe:

* general F (expm, cosm, sinm, funm, inv, solve, svd): ``Y = U diag(s) V^T`` with ``U, V``
  random orthogonal and singular values ``s`` log-spaced from 1 to ``1/cond``;
* sqrtm, logm: ``Y = Q (diag(s) + N) Q^T`` with eigenvalues ``s`` as above (well inside the
  principal branch) and a small strictly upper triangular nonnormal part ``N``;
* Cholesky log-determinant: ``Y = Q diag(s) Q^T`` (SPD of that condition), ``B`` symmetric;
* eigenvalue sums: ``Y = Q diag(+-s) Q^T`` (symmetric, indefinite), ``B`` symmetric;
* ``B`` random with ``||B||_2 = sigma_min(Y) / 8``, so ``Y + dt B`` keeps its singular values
  (eigenvalues) within 1/8 of ``sigma_min`` for ``|dt| <= 1`` and F varies on a t-scale of
  about 8 whatever the condition; ``A = Y - tB``. Small ``|t|`` therefore means steps far below
  that scale (cancellation), large ``|t|`` steps far above it (truncation, and for the
  Cholesky, sqrtm and logm problems points outside the function's domain).

The claims are exact formulas computed independently of the function under test and of finite
differences: the upper right block of ``F([[Y, B], [0, Y]])`` for the matrix functions (for
funm the block is evaluated with expm or cosm: ``scipy.linalg.funm`` of the block matrix, whose
eigenvalues are all double, is wrong in the first digit), ``-Y^{-1} B Y^{-1}`` for inv,
``-Y^{-1} B X`` for solve, ``tr(Y^{-1} B)`` for the log-determinant, trace formulas for the
eigenvalue sums and ``sum u_i^T B v_i`` for the singular values. Each problem also computes a
second, independent formula (``expm_frechet``, a Sylvester equation, the inverse of the
Frechet derivative of exp, the block system solved by QR, eigenvector sums, the polar factor by
Newton's iteration). A draw is counted as "claim unreliable", not as a verdict of the checker,
when the two formulas differ by more than 1e-8 of the largest entry, when the function value
differs from an independent evaluation by as much (funm against expm and cosm), or when the
derivative of the function *as computed*, estimated by a sixth-order difference quotient at the
line's natural scale (steps 0.5, 0.25, 0.125, independent of gradcheck's steps), differs from the
claim by more than 1e-8 plus four times that quotient's own error bound.

Columns
-------
draws: checks of a correct claim (catalogue: identity checks, one per draw and layout; matrix:
one per case and method). passed / false alarms (status failed) / inconclusive / errors (f or
the checker raised, e.g. f evaluated outside its domain). claim unrel.: draws excluded because
the claim itself is in doubt (see above); the rates are over the remaining draws. claim diff:
the largest disagreement of the two claim formulas. thr. median / max: the detection threshold
of the passed checks (``result.detection_threshold``, "n/a" while the field does not exist).
wrong 1e-6 / 1e-8 caught: wrong claims that failed, out of those checked (only on draws with a
reliable claim). pitfalls caught: catalogue pitfalls that failed. The "by |t|" and "by cond"
rows pool all F.

Reproducing a case
------------------
``--json FILE`` writes every correct claim that did not pass (false alarms, inconclusive,
errors, claim unreliable; catalogue records whose verdict was not the expected one) and every
missed wrong claim, each with problem, F, t, t_scale, cond, n, seed, method, status,
max_rel_error, headline and (except for missed wrong claims) the check's report.
``python benchmarks/stress.py --case sqrtm,5,1e6,1e-8,2`` (problem, n, cond, t_scale, seed)
rebuilds a case and prints the report of both methods; a catalogue record is rerun with the
``reproduce`` call stored with it.
"""

from __future__ import annotations

import os

if __name__ == "__main__":
    # Small matrices: one BLAS thread. (NumPy's and SciPy's bundled OpenBLAS copies, each with
    # its own thread pool, slow 3x3 solves down to milliseconds on this 2-core machine.) Must
    # be set before NumPy is imported; not done when the module is imported (tests).
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import argparse
import json
import math
import statistics
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import scipy.linalg as sl
from tabulate import tabulate

import gradcheck
from gradcheck.report import environment

T_SCALES = (1e-8, 1e-6, 1e-4, 1e-2, 1.0, 1e2, 1e4)
CONDS = (1.0, 1e2, 1e4, 1e6)
METHODS = ("central", "richardson")
WRONG = (1e-6, 1e-8)
#: Two claim formulas further apart than this (relative to the largest entry): claim unreliable.
CLAIM_AGREEMENT = 1e-8
#: ||B||_2 as a fraction of sigma_min(Y).
B_FRACTION = 1 / 8
INCONCLUSIVE_TARGET = 0.005
TIME_TARGET = 600.0


@dataclass(frozen=True, kw_only=True)
class Config:
    """How much to run."""

    catalogue_trials: int
    sizes: tuple[int, ...]
    seeds: int
    t_scales: tuple[float, ...] = T_SCALES
    conds: tuple[float, ...] = CONDS
    methods: tuple[str, ...] = METHODS
    wrong: tuple[float, ...] = WRONG
    problems: tuple[str, ...] | None = None  # None: all


FULL = Config(catalogue_trials=200, sizes=(3, 5, 8), seeds=3)
QUICK = Config(catalogue_trials=4, sizes=(3, 5), seeds=1)


def detection_threshold(result: gradcheck.CheckResult) -> float:
    """The smallest relative entry error the check would catch."""
    return result.detection_threshold


# --------------------------------------------------------------------------------------------
# Matrices


def _orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _spectrum(n: int, cond: float) -> np.ndarray:
    return np.logspace(0.0, -math.log10(cond), n)


def _symmetrize(m: np.ndarray) -> np.ndarray:
    return (m + m.T) / 2


def _general(rng, n, cond):
    return _orthogonal(rng, n) @ np.diag(_spectrum(n, cond)) @ _orthogonal(rng, n).T


def _branch(rng, n, cond):
    s = _spectrum(n, cond)
    nonnormal = np.triu(rng.standard_normal((n, n)), 1) * (0.1 * s[-1] / np.sqrt(n))
    q = _orthogonal(rng, n)
    return q @ (np.diag(s) + nonnormal) @ q.T


def _spd(rng, n, cond):
    q = _orthogonal(rng, n)
    return _symmetrize(q @ np.diag(_spectrum(n, cond)) @ q.T)


def _symmetric(rng, n, cond):
    q = _orthogonal(rng, n)
    signs = rng.choice([-1.0, 1.0], n)
    return _symmetrize(q @ np.diag(signs * _spectrum(n, cond)) @ q.T)


_KINDS = {"general": _general, "branch": _branch, "spd": _spd, "symmetric": _symmetric}


# --------------------------------------------------------------------------------------------
# Claims (all exact formulas, none uses finite differences)


def _block(y: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.block([[y, b], [np.zeros_like(y), y]])


def _block_form(fun: Callable[[np.ndarray], np.ndarray]):
    """L_F(Y, B) as the upper right block of F([[Y, B], [0, Y]])."""

    def frechet(y, b, c):
        n = y.shape[0]
        return np.real_if_close(fun(_block(y, b))[:n, n:])

    return frechet


def _exp_frechet(y, b, c):
    return sl.expm_frechet(y, b, compute_expm=False)


def _exp_frechet_rotated(y, b, sign):
    return sl.expm_frechet(sign * 1j * y, sign * 1j * b, compute_expm=False)


def _cos_frechet(y, b, c):
    return ((_exp_frechet_rotated(y, b, 1) + _exp_frechet_rotated(y, b, -1)) / 2).real


def _sin_frechet(y, b, c):
    return ((_exp_frechet_rotated(y, b, 1) - _exp_frechet_rotated(y, b, -1)) / 2j).real


def _sqrt_sylvester(y, b, c):
    s = np.real_if_close(sl.sqrtm(y))
    return sl.solve_sylvester(s, s, b)  # S L + L S = B


def _log_inverse_exp(y, b, c):
    """L_log(Y, B) = Z with L_exp(log Y, Z) = B, solved through the n^2 x n^2 matrix of L_exp."""
    n = y.shape[0]
    x = np.real_if_close(sl.logm(y))
    basis = np.eye(n * n).reshape(n * n, n, n)
    k = np.stack([sl.expm_frechet(x, e, compute_expm=False).ravel() for e in basis], axis=1)
    return np.linalg.solve(k, b.ravel()).reshape(n, n)


def _inv_closed(y, b, c):
    lu = sl.lu_factor(y)
    return -sl.lu_solve(lu, b @ sl.lu_solve(lu, np.eye(len(y))))


def _inv_block(y, b, c):
    n = y.shape[0]
    return sl.solve(_block(y, b), np.eye(2 * n))[:n, n:]


def _solve_closed(y, b, c):
    lu = sl.lu_factor(y)
    return -sl.lu_solve(lu, b @ sl.lu_solve(lu, c))


def _solve_block(y, b, c):
    """[[Y, B], [0, Y]] [Z; W] = [0; C] gives W = X, Z = dX/dt; solved by QR."""
    n = y.shape[0]
    q, r = np.linalg.qr(_block(y, b))
    rhs = np.vstack([np.zeros_like(c), c])
    return sl.solve_triangular(r, q.T @ rhs)[:n]


def _logdet_closed(y, b, c):
    return np.trace(sl.cho_solve(sl.cho_factor(y), b))


def _eig_weighted(g_prime: Callable[[np.ndarray], np.ndarray]):
    """sum_i g'(lambda_i) v_i^T B v_i with scipy's eigh (not numpy's eigvalsh under test)."""

    def claim(y, b, c):
        lam, v = sl.eigh(y, driver="evr")
        return np.sum(g_prime(lam) * np.einsum("ji,jk,ki->i", v, b, v))

    return claim


def _svd_vectors(y, b, c):
    u, _, vt = sl.svd(y, lapack_driver="gesvd")
    return np.sum(u * (b @ vt.T))  # sum_i u_i^T B v_i


def _svd_polar(y, b, c):
    """<P, B> with P the orthogonal polar factor of Y, by Newton's iteration with scaling."""
    x = y.copy()
    for _ in range(60):
        xi = np.linalg.inv(x)
        zeta = math.sqrt(np.linalg.norm(xi) / np.linalg.norm(x))
        new = (zeta * x + xi.T / zeta) / 2
        done = np.linalg.norm(new - x) <= 1e-15 * np.linalg.norm(new)
        x = new
        if done:
            break
    return np.sum(x * b)


def _real_valued(m: np.ndarray) -> np.ndarray:
    """The real part of a matrix function's value; ValueError if it is not real (a point
    outside the function's domain, e.g. an eigenvalue crossed the branch cut)."""
    m = np.asarray(m)
    if np.iscomplexobj(m):
        if np.max(np.abs(m.imag), initial=0.0) > 1e-8 * np.max(np.abs(m), initial=0.0):
            raise ValueError("complex value: the matrix left the function's real domain")
        m = m.real
    return m


def _funm(fun):
    def f(y, c):
        return _real_valued(sl.funm(y, fun, disp=False)[0])

    return f


@dataclass(frozen=True)
class Problem:
    """One F: the function under test, its kind of matrix, and two claim formulas.

    Attributes
    ----------
    name : str
        Short name (used in the table, the JSON file and ``--case``).
    formula : str
        What ``f(t)`` computes.
    kind : {"general", "branch", "spd", "symmetric"}
        How ``Y`` and ``B`` are built.
    value : callable
        ``value(Y, C)``: the function under test (``C`` is the right-hand side of solve).
    claim, second : callable
        ``claim(Y, B, C)``: the derivative given to the check, and an independent formula
        for it.
    reference : callable or None
        ``reference(Y, C)``: an independent evaluation of F, when the function under test is
        known to be inaccurate (funm).
    """

    name: str
    formula: str
    kind: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    claim: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    second: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    reference: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None


def _real(fun):
    return lambda y, c: _real_valued(fun(y))


PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in [
        Problem("sqrtm", "sqrtm(Y)", "branch", _real(sl.sqrtm), _block_form(sl.sqrtm),
                _sqrt_sylvester),
        Problem("logm", "logm(Y)", "branch", _real(sl.logm), _block_form(sl.logm),
                _log_inverse_exp),
        Problem("expm", "expm(Y)", "general", _real(sl.expm), _block_form(sl.expm),
                _exp_frechet),
        Problem("funm_exp", "funm(Y, np.exp)", "general", _funm(np.exp), _block_form(sl.expm),
                _exp_frechet, reference=lambda y, c: sl.expm(y)),
        Problem("funm_cos", "funm(Y, np.cos)", "general", _funm(np.cos), _block_form(sl.cosm),
                _cos_frechet, reference=lambda y, c: sl.cosm(y)),
        Problem("cosm", "cosm(Y)", "general", _real(sl.cosm), _block_form(sl.cosm),
                _cos_frechet),
        Problem("sinm", "sinm(Y)", "general", _real(sl.sinm), _block_form(sl.sinm),
                _sin_frechet),
        Problem("inv", "inv(Y)", "general", lambda y, c: np.linalg.inv(y), _inv_closed,
                _inv_block),
        Problem("solve", "solve(Y, C), C n x 2", "general", np.linalg.solve, _solve_closed,
                _solve_block),
        Problem("chol_logdet", "2 sum log diag cholesky(Y)", "spd",
                lambda y, c: 2 * np.sum(np.log(np.diag(np.linalg.cholesky(y)))),
                _logdet_closed, _eig_weighted(lambda lam: 1 / lam)),
        Problem("eig_sum", "sum eigvalsh(Y)", "symmetric",
                lambda y, c: np.sum(np.linalg.eigvalsh(y)), lambda y, b, c: np.trace(b),
                _eig_weighted(np.ones_like)),
        Problem("eig_sum_exp", "sum exp(eigvalsh(Y))", "symmetric",
                lambda y, c: np.sum(np.exp(np.linalg.eigvalsh(y))),
                lambda y, b, c: np.sum(sl.expm(y) * b), _eig_weighted(np.exp)),
        Problem("eig_sum_sq", "sum eigvalsh(Y)^2", "symmetric",
                lambda y, c: np.sum(np.linalg.eigvalsh(y) ** 2),
                lambda y, b, c: 2 * np.sum(y * b), _eig_weighted(lambda lam: 2 * lam)),
        Problem("svd_sum", "sum svd(Y) singular values", "general",
                lambda y, c: np.sum(np.linalg.svd(y, compute_uv=False)), _svd_vectors,
                _svd_polar),
    ]
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Cases


def _case_seed(name: str, n: int, cond: float, t_scale: float, seed: int) -> list[int]:
    exponent = round(math.log10(t_scale))
    # (|t| down to 1e-20 as it always was; below that, from 1000 up: seeds are non-negative)
    t_entry = exponent + 20 if exponent >= -20 else 1000 - exponent
    return [zlib.crc32(name.encode()), n, round(math.log10(cond)), t_entry, seed]


@dataclass(frozen=True, kw_only=True)
class Case:
    """One draw of one problem: the line ``t -> F(A + tB)``, the point t and the claims."""

    problem: str
    n: int
    cond: float
    t_scale: float
    seed: int
    t: float
    f: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    claim: np.ndarray = field(repr=False)
    claim_disagreement: float
    natural_difference: float
    unreliable_reason: str = ""
    wrong_index: tuple[int, ...] = ()
    wrong_sign: float = 1.0

    def wrong_claim(self, relative: float) -> np.ndarray:
        """The claim with one entry off by `relative` times its largest entry."""
        claim = self.claim.copy()
        scale = float(np.max(np.abs(claim)))
        claim[self.wrong_index] += self.wrong_sign * relative * scale
        return claim


def _relative(a: np.ndarray, b: np.ndarray) -> float:
    scale = float(np.max(np.abs(b)))
    if scale == 0.0:
        return 0.0 if np.all(a == b) else float("inf")
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) / scale


#: Step of the reference difference quotient: 1/16 of the line's natural scale (8).
NATURAL_STEP = 0.5


def _natural_derivative(f: Callable, t: float) -> tuple[np.ndarray, float]:
    """df/dt of the function under test by a sixth-order central Richardson table at steps
    ``h = NATURAL_STEP, h/2, h/4`` (the line's natural scale, not |t|), and a bound on its
    error: the difference of its two fourth-order columns plus the effect of rounding of 16 ulps
    of max|f| in every value (the combination ``(64 D(h/4) - 20 D(h/2) + D(h)) / 45`` of central
    quotients ``D`` amplifies a rounding error ``delta`` of f to at most ``6.6 delta / h``)."""

    def quotient(h):
        return (f(t + h) - f(t - h)) / (2 * h)

    d1, d2, d3 = (quotient(NATURAL_STEP / k) for k in (1, 2, 4))
    r1, r2 = (4 * d2 - d1) / 3, (4 * d3 - d2) / 3
    rounding = 6.6 * 16 * np.finfo(float).eps * float(np.max(np.abs(f(t)))) / NATURAL_STEP
    return (16 * r2 - r1) / 15, float(np.max(np.abs(r2 - r1))) + rounding


def build_case(problem: Problem | str, n: int, cond: float, t_scale: float, seed: int) -> Case:
    """The reproducible case (problem, n, cond, t_scale, seed); see the module docstring."""
    if isinstance(problem, str):
        problem = PROBLEMS[problem]
    rng = np.random.default_rng(_case_seed(problem.name, n, cond, t_scale, seed))
    y = _KINDS[problem.kind](rng, n, cond)
    b = rng.standard_normal((n, n))
    if problem.kind in ("spd", "symmetric"):
        b = _symmetrize(b)
    sigma_min = float(np.linalg.svd(y, compute_uv=False)[-1])
    b *= B_FRACTION * sigma_min / np.linalg.norm(b, 2)
    c = rng.standard_normal((n, 2))
    t = float(t_scale * rng.choice([-1.0, 1.0]))
    a = y - t * b
    yt = a + t * b  # exactly what f sees at t

    cache: dict[float, np.ndarray] = {}  # the checks of one case share f's values

    def f(t):
        key = float(np.asarray(t))
        if key not in cache:
            cache[key] = np.asarray(problem.value(a + key * b, c), dtype=np.float64)
        return cache[key].copy()

    claim = np.asarray(problem.claim(yt, b, c), dtype=np.float64)
    expected = gradcheck.layout_shapes(np.shape(f(t)), (), "numerator")[0]
    if claim.shape != expected:
        raise AssertionError(f"{problem.name}: claim shape {claim.shape}, expected {expected}")
    disagreement = _relative(np.asarray(problem.second(yt, b, c)), claim)
    reason = ""
    if not disagreement <= CLAIM_AGREEMENT:
        reason = f"claim formulas differ by {disagreement:.1e}"
    if problem.reference is not None:
        off = _relative(f(t), np.real_if_close(problem.reference(yt, c)))
        if not off <= CLAIM_AGREEMENT:
            reason = (reason + "; " if reason else "") + f"{problem.formula} off by {off:.1e}"
    # Is the claim the derivative of the function as computed? A difference quotient at the
    # line's natural scale, independent of gradcheck's steps, must agree within its own error.
    natural, natural_error = _natural_derivative(f, t)
    natural_difference = _relative(natural, claim)
    scale = float(np.max(np.abs(claim)))
    allowed = CLAIM_AGREEMENT + (4 * natural_error / scale if scale else np.inf)
    if not natural_difference <= allowed:
        reason = (reason + "; " if reason else "") + (
            f"df/dt at step {NATURAL_STEP} differs by {natural_difference:.1e}"
        )
    index = tuple(int(i) for i in np.unravel_index(rng.integers(claim.size), claim.shape))
    return Case(
        problem=problem.name,
        n=n,
        cond=cond,
        t_scale=t_scale,
        seed=seed,
        t=t,
        f=f,
        claim=claim,
        claim_disagreement=disagreement,
        natural_difference=natural_difference,
        unreliable_reason=reason,
        wrong_index=index,
        wrong_sign=float(rng.choice([-1.0, 1.0])),
    )


# --------------------------------------------------------------------------------------------
# Checking and counting


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """The verdict on one claim of one case by one method."""

    problem: str
    n: int
    cond: float
    t_scale: float
    seed: int
    t: float
    method: str
    wrong_by: float  # 0: the exact claim
    status: str  # passed, failed, inconclusive, error
    max_rel_error: float
    detection_threshold: float
    headline: str
    report: str = field(repr=False)
    claim_disagreement: float
    natural_difference: float
    unreliable_reason: str

    @property
    def category(self) -> str:
        """passed, false alarm, inconclusive, error or claim unreliable (exact claims);
        caught or missed (wrong claims)."""
        if self.wrong_by:
            return "caught" if self.status == "failed" else "missed"
        if self.unreliable_reason:
            return "claim unreliable"
        return {"failed": "false alarm"}.get(self.status, self.status)


def check_claim(case: Case, claim: np.ndarray, method: str, wrong_by: float = 0.0) -> Outcome:
    """Run ``gradcheck.check`` on one claim of `case`."""
    common = {
        "problem": case.problem,
        "n": case.n,
        "cond": case.cond,
        "t_scale": case.t_scale,
        "seed": case.seed,
        "t": case.t,
        "method": method,
        "wrong_by": wrong_by,
        "claim_disagreement": case.claim_disagreement,
        "natural_difference": case.natural_difference,
        "unreliable_reason": case.unreliable_reason,
    }
    try:
        result = gradcheck.check(
            case.f,
            claim,
            {"t": case.t},
            wrt="t",
            layout="numerator",
            method=method,
            vectorized=False,
        )
    except Exception as exc:  # f outside its domain, or a bug in the checker: both reported
        text = f"{type(exc).__name__}: {exc}"
        return Outcome(
            **common,
            status="error",
            max_rel_error=float("nan"),
            detection_threshold=float("nan"),
            headline=text.splitlines()[0][:300],
            report=text,
        )
    return Outcome(
        **common,
        status=result.status,
        max_rel_error=result.max_rel_error,
        detection_threshold=detection_threshold(result),
        headline=result.headline,
        report=str(result),
    )


def run_case(
    case: Case, methods: Sequence[str] = METHODS, wrong: Sequence[float] = WRONG
) -> list[Outcome]:
    """The exact claim by every method, and (when the claim is reliable) the wrong claims."""
    outcomes = []
    for method in methods:
        outcomes.append(check_claim(case, case.claim, method))
        if not case.unreliable_reason:
            for relative in wrong:
                outcomes.append(check_claim(case, case.wrong_claim(relative), method, relative))
    return outcomes


def matrix_cases(config: Config) -> Iterable[Case]:
    names = config.problems if config.problems is not None else tuple(PROBLEMS)
    for name in names:
        for n in config.sizes:
            for cond in config.conds:
                for t_scale in config.t_scales:
                    for seed in range(config.seeds):
                        yield build_case(name, n, cond, t_scale, seed)


@dataclass
class Tally:
    """Counts of one group of outcomes."""

    counts: Counter = field(default_factory=Counter)
    thresholds: list[float] = field(default_factory=list)
    wrong: dict[float, Counter] = field(default_factory=lambda: defaultdict(Counter))
    #: Largest disagreement of the two claim formulas over the draws.
    claim_disagreement: float = 0.0

    def add(self, outcome: Outcome) -> None:
        if outcome.wrong_by:
            self.wrong[outcome.wrong_by][outcome.category] += 1
            return
        self.counts[outcome.category] += 1
        self.counts["draws"] += 1
        self.claim_disagreement = max(self.claim_disagreement, outcome.claim_disagreement)
        if outcome.category == "passed":
            self.thresholds.append(outcome.detection_threshold)

    @property
    def judged(self) -> int:
        """Draws whose claim is reliable (the base of the rates)."""
        return self.counts["draws"] - self.counts["claim unreliable"]

    def inconclusive_rate(self) -> float:
        return self.counts["inconclusive"] / self.judged if self.judged else 0.0

    def caught(self, relative: float) -> str:
        c = self.wrong.get(relative, Counter())
        total = c["caught"] + c["missed"]
        return f"{c['caught']}/{total}" if total else "-"

    def threshold_stats(self) -> tuple[str, str]:
        values = [v for v in self.thresholds if not math.isnan(v)]
        if not values:
            return "n/a", "n/a"
        return f"{statistics.median(values):.1e}", f"{max(values):.1e}"


def tally(outcomes: Iterable[Outcome], key: Callable[[Outcome], object]) -> dict[object, Tally]:
    """Group outcomes by `key` and count them."""
    groups: dict[object, Tally] = defaultdict(Tally)
    for outcome in outcomes:
        groups[key(outcome)].add(outcome)
    return dict(groups)


def catalogue_tally(report: gradcheck.CatalogueReport) -> dict[str, Counter]:
    """Per family: identity draws, passed, false alarms, inconclusive, errors, pitfalls."""
    families: dict[str, Counter] = defaultdict(Counter)
    for r in report.records:
        row = families[r.family]
        if r.expected == "pass":
            row["draws"] += 1
            row[{"failed": "false alarm"}.get(r.status, r.status)] += 1
        else:
            row["pitfall draws"] += 1
            row["pitfalls caught"] += int(r.status == "failed")
    return dict(families)


def catalogue_failures(report: gradcheck.CatalogueReport) -> list[dict]:
    """Every record whose verdict is not the expected one, with what reproduces it."""
    out = []
    for r in report.problems:
        out.append(
            {
                "part": "catalogue",
                "problem": r.identity,
                "family": r.family,
                "expected": r.expected,
                "layout": r.layout,
                "trial": r.trial,
                "seed": report.seed,
                "method": report.method,
                "shapes": {k: list(v) for k, v in r.shapes.items()},
                "status": r.status,
                "max_rel_error": r.max_rel_error,
                "headline": r.message,
                "diagnosis": None if r.diagnosis is None else str(r.diagnosis),
                "reproduce": (
                    f"gradcheck.run_catalogue(select=[{r.identity!r}], trials={r.trial + 1}, "
                    f"seed={report.seed})"
                ),
            }
        )
    return out


def outcome_record(outcome: Outcome) -> dict:
    """An outcome as a JSON-ready dict (``F`` is the formula of the function under test).

    Includes the check's full (bounded) report, except for missed wrong claims, which are
    many and whose headline says enough."""
    record = {"part": "matrix", **asdict(outcome), "F": PROBLEMS[outcome.problem].formula}
    record["category"] = outcome.category
    if outcome.category == "missed":
        del record["report"]
    return record


# --------------------------------------------------------------------------------------------
# Output


def cpu_name() -> str:
    """The CPU's model name (never empty): that of the reports' environment block."""
    return environment()["cpu"]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _pct(part: int, whole: int) -> str:
    return f"{part} ({100 * part / whole:.1f}%)" if whole else "0"


HEADERS = [
    "part",
    "problem",
    "method",
    "draws",
    "passed",
    "false alarms",
    "inconclusive",
    "errors",
    "claim unrel.",
    "claim diff",
    "thr. median",
    "thr. max",
    "wrong 1e-6 caught",
    "wrong 1e-8 caught",
    "pitfalls caught",
]


def catalogue_rows(families: dict[str, Counter], method: str) -> list[list]:
    rows = []
    total: Counter = Counter()
    for family, c in sorted(families.items()):
        total.update(c)
        rows.append(_catalogue_row(family, c, method))
    rows.append(_catalogue_row("TOTAL", total, method, targets=True))
    return rows


def _catalogue_row(name: str, c: Counter, method: str, *, targets: bool = False) -> list:
    fa = str(c["false alarm"]) + (" (target 0)" if targets else "")
    inc = _pct(c["inconclusive"], c["draws"]) + (" (target <=0.5%)" if targets else "")
    pits = f"{c['pitfalls caught']}/{c['pitfall draws']}" if c["pitfall draws"] else "-"
    return ["catalogue", name, method, c["draws"], c["passed"], fa, inc, c["error"], "-", "-",
            "-", "-", "-", "-", pits]  # fmt: skip


def _grouped_rows(
    outcomes: list[Outcome],
    config: Config,
    key: str,
    values: Sequence,
    part: str,
    label: Callable[[object], str],
) -> list[list]:
    """One table row per (value of the outcome attribute `key`, method) in `outcomes`."""
    groups = tally(outcomes, lambda o: (getattr(o, key), o.method))
    return [
        _matrix_row(part, label(value), method, groups[(value, method)])
        for value in values
        for method in config.methods
        if (value, method) in groups
    ]


def matrix_rows(outcomes: list[Outcome], config: Config) -> list[list]:
    names = config.problems if config.problems is not None else tuple(PROBLEMS)
    rows = _grouped_rows(outcomes, config, "problem", names, "matrix", str)
    rows += _grouped_rows(
        outcomes, config, "t_scale", config.t_scales, "by |t|", lambda v: f"all F, |t|={_fmt(v)}"
    )
    rows += _grouped_rows(
        outcomes, config, "cond", config.conds, "by cond", lambda v: f"all F, cond={_fmt(v)}"
    )
    by_method = tally(outcomes, lambda o: o.method)
    for method in config.methods:
        if method in by_method:
            rows.append(_matrix_row("matrix", "TOTAL", method, by_method[method], targets=True))
    return rows


def _matrix_row(part: str, name: str, method: str, t: Tally, *, targets: bool = False) -> list:
    c = t.counts
    fa = str(c["false alarm"]) + (" (target 0)" if targets else "")
    inc = _pct(c["inconclusive"], t.judged) + (" (target <=0.5%)" if targets else "")
    median, worst = t.threshold_stats()
    return [part, name, method, c["draws"], c["passed"], fa, inc, c["error"],
            c["claim unreliable"], f"{t.claim_disagreement:.0e}", median, worst,
            t.caught(1e-6), t.caught(1e-8), "-"]  # fmt: skip


def summary(
    families: dict[str, Counter], outcomes: list[Outcome], config: Config, seconds: float
) -> str:
    cat: Counter = Counter()
    for c in families.values():
        cat.update(c)
    by_method = tally(outcomes, lambda o: o.method)
    exact = tally(outcomes, lambda o: None).get(None, Tally())
    alarms = ", ".join(f"{m} {by_method[m].counts['false alarm']}" for m in by_method)
    inconclusive = ", ".join(
        f"{m} {100 * by_method[m].inconclusive_rate():.1f}%" for m in by_method
    )
    caught = "; ".join(f"wrong by {_fmt(r)}: caught {exact.caught(r)}" for r in config.wrong)
    cat_inc = 100 * cat["inconclusive"] / cat["draws"] if cat["draws"] else 0.0
    return (
        f"false alarms: catalogue {cat['false alarm']}, matrix {alarms} (target 0); "
        f"inconclusive: catalogue {cat_inc:.2f}%, matrix {inconclusive} (target <= 0.5%); "
        f"{caught}; pitfalls caught {cat['pitfalls caught']}/{cat['pitfall draws']}; "
        f"claim unreliable {exact.counts['claim unreliable']}, errors "
        f"{cat['error'] + exact.counts['error']}; {seconds:.0f} s (target <= {TIME_TARGET:.0f} s)"
    )


def run(config: Config, json_path: str | None = None, part: str = "all") -> int:
    """Run the parts `part` ("all", "catalogue" or "matrix") of the benchmark."""
    start = time.perf_counter()
    report = None
    families: dict[str, Counter] = {}
    if part in ("all", "catalogue"):
        report = gradcheck.run_catalogue(trials=config.catalogue_trials, seed=0)
        families = catalogue_tally(report)
    outcomes: list[Outcome] = []
    if part in ("all", "matrix"):
        for case in matrix_cases(config):
            outcomes.extend(run_case(case, config.methods, config.wrong))
    seconds = time.perf_counter() - start
    from benchmark_output import header  # beside this script (tests import it by path)

    print(header())
    rows = catalogue_rows(families, report.method) if report is not None else []
    rows += matrix_rows(outcomes, config)
    print(tabulate(rows, headers=HEADERS, disable_numparse=True))
    print()
    print(summary(families, outcomes, config, seconds))
    if json_path is not None:
        dump = catalogue_failures(report) if report is not None else []
        dump += [outcome_record(o) for o in outcomes if o.category not in ("passed", "caught")]
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(dump, fh, indent=1, default=float)
    alarms = sum(c["false alarm"] for c in families.values()) + sum(
        o.category == "false alarm" for o in outcomes
    )
    return 0 if alarms == 0 else 1


def show_case(spec: str) -> int:
    """Print the full reports of one case (``problem,n,cond,t_scale,seed``)."""
    name, n, cond, t_scale, seed = spec.split(",")
    case = build_case(name, int(n), float(cond), float(t_scale), int(seed))
    print(f"{PROBLEMS[name].formula} at t = {case.t!r}, {case}")
    for method in METHODS:
        print(f"--- {method}")
        print(check_claim(case, case.claim, method).report)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="write every correct claim that did not pass, and every missed wrong claim, to FILE",
    )
    parser.add_argument("--case", metavar="PROBLEM,N,COND,T_SCALE,SEED", help="rerun one case")
    parser.add_argument(
        "--part",
        choices=("all", "catalogue", "matrix"),
        default="all",
        help="run only the catalogue part or only the matrix part (with the wrong claims)",
    )
    parser.add_argument(
        "--t-scales",
        metavar="T,T,...",
        help="the |t| of the matrix part, comma-separated, instead of 1e-8,1e-6,...,1e4 "
        "(e.g. 1e-12,1e-20,1e-100,1e-300 for variables far below the line's length scale)",
    )
    args = parser.parse_args(argv)
    if args.case:
        return show_case(args.case)
    from benchmark_output import saved_output

    config = QUICK if args.quick else FULL
    if args.t_scales:
        try:
            t_scales = tuple(float(v) for v in args.t_scales.split(","))
        except ValueError:
            parser.error(f"--t-scales takes comma-separated numbers; got {args.t_scales!r}")
        config = replace(config, t_scales=t_scales)
    # the run benchmarks/README.md shows: the full configuration, every part
    full = not args.quick and args.part == "all" and not args.t_scales
    with saved_output("stress" if full else None):
        return run(config, args.json, args.part)


if __name__ == "__main__":
    raise SystemExit(main())
