"""The step search on lines t -> F(A + tB) of LAPACK-backed functions (benchmarks/stress.py).

Each case was inconclusive (or failed) before the search learnt what these functions do:
rounding noise that one second difference under-reads, f that does not change at the default
step and then changes in a staircase, a default step far beyond f's length scale, a rounding
level measured as zero by luck. The claims are the stress benchmark's exact formulas (the 2x2
block form of the Frechet derivative, closed forms), cross-checked there by a second formula.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

import gradcheck as gc

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "stress.py"


def _load_stress():
    spec = importlib.util.spec_from_file_location("stress_benchmark", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


stress = _load_stress()

# (problem, n, cond(A), |t|, seed), method: what went wrong before
CASES = [
    # error bars of the small steps ~1.3x too tight: the search stopped at a step 1e-7 of the
    # line's length scale, and the second estimate then disagreed with it
    (("sqrtm", 5, 1.0, 1e-6, 0), "central"),
    # f unchanged at the first steps, then changing: the search gave up after four rounds
    (("sqrtm", 3, 1e6, 1e-6, 0), "central"),
    (("inv", 3, 1e6, 1e-8, 0), "central"),
    # noise that the second differences of one step read 15 times too low
    (("inv", 5, 1e6, 1e-4, 0), "central"),
    # truncation estimates that were noise: the search stopped at the default step
    (("logm", 3, 1e4, 1e-6, 0), "central"),
    # richardson's default step (25) far beyond the line's length scale (1)
    (("inv", 3, 1.0, 1e4, 0), "richardson"),
    (("sinm", 3, 1.0, 1e4, 0), "richardson"),
    # ... where the way down passes a level that only looks lucky, and a kink check upward
    (("svd_sum", 3, 1.0, 1e4, 0), "richardson"),
    (("inv", 3, 1.0, 1e4, 1), "richardson"),
]


def _check(spec, claim, method):
    case = stress.build_case(*spec)
    assert not case.unreliable_reason
    return gc.check(
        case.f,
        claim(case),
        {"t": case.t},
        wrt="t",
        layout="numerator",
        method=method,
        vectorized=False,
    )


@pytest.mark.parametrize(("spec", "method"), CASES)
def test_correct_derivative_passes_with_a_threshold_below_1e_5(spec, method):
    result = _check(spec, lambda case: case.claim, method)
    assert result.status == "passed", str(result)
    assert result.detection_threshold < 1e-5, str(result)


# inv at cond 1e6, |t| = 1e-4: rounding of f is ~cond * eps of its norm, and the best step the
# search finds resolves about 1e-6 of the largest entry (detection threshold 7.5e-7 with the 8x
# ladder, 1.0e-6 with the jumps, at steps a factor 2.7 apart on the same V): an entry wrong by
# 1e-6 sits on the knife edge there, one wrong by 1e-5 does not.
_KNIFE_EDGE = {("inv", 5, 1e6, 1e-4, 0)}


@pytest.mark.parametrize(("spec", "method"), CASES)
def test_an_entry_wrong_by_1e_6_fails(spec, method):
    wrong_by = 1e-5 if spec in _KNIFE_EDGE else 1e-6
    result = _check(spec, lambda case: case.wrong_claim(wrong_by), method)
    assert result.status == "failed", str(result)


def test_noise_whose_second_differences_shrink_like_a_kinks_is_not_a_kink():
    # LAPACK noise in solve: at the default step and at 1/8 of it, the second differences
    # shrank 6 times, as a kink's would; the verdict was inconclusive ("a kink")
    result = _check(("solve", 3, 1e4, 1e-6, 0), lambda case: case.claim, "central")
    assert result.status == "passed", str(result)


def test_a_rounding_level_measured_as_zero_by_luck_is_not_believed():
    # log det of a matrix with every eigenvalue 1 cancels to ~0, so the a priori rounding
    # level (relative to |f|) is ~0 too; at one smaller step the second differences happened
    # to vanish, and a step with a ~0 error bar was chosen: a false alarm (of an intermediate
    # version of the search that trusted a level measured at a smaller step).
    spec = ("chol_logdet", 3, 1.0, 1e-4, 0)
    result = _check(spec, lambda case: case.claim, "central")
    assert result.status == "passed", str(result)


@pytest.mark.parametrize(
    "spec", [("chol_logdet", 5, 1.0, 1e-6, 1), ("chol_logdet", 8, 1.0, 1e-8, 1)]
)
def test_a_function_that_cancels_to_nearly_zero_is_never_a_false_alarm(spec):
    # log det of a matrix with unit spectrum is ~0: the a priori rounding level (relative to
    # |f|) is ~0, while f rounds like its O(1) terms. Before: a default step whose differences
    # happened to agree exactly, confirmed by a second estimate that started next to it (the
    # first case), and a search that went down to steps at which f no longer changed (the
    # second): both "failed".
    result = _check(spec, lambda case: case.claim, "central")
    assert result.status == "passed", str(result)


# Inconclusive before the fresh estimates: the first (central) estimate was unreliable
# (rounding of an ill-conditioned f, or a small |t| whose steps move f in a staircase) and the
# second one, started from the first one's steps, had nothing independent to agree with. Two
# fresh estimates, each with its own step search, now confirm it: the first of them agrees with
# the merged estimate (the first five), or the two agree with each other where the merged one
# is too poor to say anything (the last one).
ESCALATED = [
    (("inv", 3, 1e4, 1e-2, 0), "central"),
    (("logm", 5, 1e6, 1e-4, 0), "central"),
    (("solve", 3, 1e4, 1e-4, 1), "central"),
    (("chol_logdet", 3, 1.0, 1e-8, 1), "central"),
    (("inv", 5, 1e4, 1e-6, 1), "central"),
    (("svd_sum", 5, 1e6, 1e4, 1), "richardson"),
]
# Escalated too until the step search jumped to the step its rounding level calls for (see
# `gradcheck.engine.estimate._rung_factors`): small |t| whose first steps left f unchanged or
# at its rounding level, climbing 8x per round, ran out of rounds short of a good step. The
# first estimate now reaches it.
JUMPED = [
    (("inv", 8, 1e6, 1e-8, 0), "central"),
    (("sqrtm", 5, 1e6, 1e-8, 0), "central"),
]


@pytest.mark.parametrize(("spec", "method"), ESCALATED)
def test_an_unreliable_first_estimate_is_escalated_to_fresh_ones(spec, method):
    result = _check(spec, lambda case: case.claim, method)
    assert result.status == "passed", str(result)
    assert result.detection_threshold < 1e-5, str(result)
    assert any("two fresh ones" in note for note in result.notes), str(result)


@pytest.mark.parametrize(("spec", "method"), JUMPED)
def test_a_small_t_reaches_a_good_step_without_escalation(spec, method):
    result = _check(spec, lambda case: case.claim, method)
    assert result.status == "passed", str(result)
    assert result.detection_threshold < 1e-5, str(result)
    assert not any("fresh" in note for note in result.notes), str(result)


@pytest.mark.parametrize(("spec", "method"), JUMPED)
def test_a_small_t_entry_wrong_by_1e_6_fails(spec, method):
    result = _check(spec, lambda case: case.wrong_claim(1e-6), method)
    assert result.status == "failed", str(result)


@pytest.mark.parametrize(("spec", "method"), [ESCALATED[i] for i in (0, 2, 3, 4)])
def test_an_escalated_entry_wrong_by_1e_6_fails(spec, method):
    result = _check(spec, lambda case: case.wrong_claim(1e-6), method)
    assert result.status == "failed", str(result)
