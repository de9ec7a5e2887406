"""Diagnosis: each kind on real wrong formulas, the pitfall and mutation targets, and that a
diagnosis never changes a verdict."""

import re

import numpy as np
import pytest
from gradcheck_identities import builtin_catalogue
from hypothesis import given, settings
from hypothesis import strategies as st

import gradcheck as gc
from gradcheck import strategies as gst
from gradcheck.verdict import full_check
from tests.helpers import identity_points

# first derivatives; the second_order and vjp families' diagnoses: tests/test_families.py
# first derivatives by real variables (complex ones: tests/test_complex_catalogue.py)
CATALOGUE = gc.Catalogue(
    e for e in builtin_catalogue() if e.form == "jacobian" and e.convention is None
)
RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 4))
x = RNG.standard_normal(4)
X = RNG.standard_normal((4, 4)) + 4 * np.eye(4)

# The mistake classes each diagnosis kind names.


def quad(x, A):
    return x @ A @ x


def kind(f, claim, point, **kw):
    result = gc.check(f, claim, point, **kw)
    assert result.status != "passed"
    return result.diagnosis


def test_layout_shape_and_values():
    d = kind(lambda x: x @ x, (2 * x)[None, :], x)
    assert d.kind == "layout" and d.layout == "numerator"
    B = RNG.standard_normal((4, 4))
    d = kind(lambda x: np.tanh(B @ x), (1 - np.tanh(B @ x) ** 2)[:, None] * B, x)
    assert d.kind == "layout" and d.layout == "numerator"


def test_transpose():
    d = kind(lambda X: np.trace(X @ A), A, X)
    assert d.kind == "transpose"
    d = kind(lambda X: np.log(abs(np.linalg.det(X))), np.linalg.inv(X), X)
    assert d.kind == "transpose"


def test_transposed_variable_inside_the_formula():
    a, b = RNG.standard_normal(4), RNG.standard_normal(4)

    def f(X):
        return a @ np.linalg.inv(X) @ b

    def wrong(X):
        return -np.linalg.inv(X) @ np.outer(a, b) @ np.linalg.inv(X)

    d = kind(f, wrong, X)
    assert d.kind == "transpose" and d.variables == ("x",)


@pytest.mark.parametrize(
    ("factor", "text"), [(2.0, "2 times"), (0.5, "1/2 times"), (3.0, "3 times")]
)
def test_scale(factor, text):
    d = kind(quad, lambda x, A: factor * (A + A.T) @ x, {"x": x, "A": A}, wrt="x")
    assert d.kind == "scale" and np.isclose(d.factor, factor) and text in d.message


def test_sign():
    d = kind(quad, lambda x, A: -(A + A.T) @ x, {"x": x, "A": A}, wrt="x")
    assert d.kind == "sign" and d.factor == -1


def test_symmetric_only_names_the_variable():
    d = kind(quad, lambda x, A: 2 * A @ x, {"x": x, "A": A}, wrt="x")
    assert d.kind == "symmetric_only" and d.variables == ("A",)
    W = RNG.standard_normal((4, 3))
    d = kind(lambda W, A: np.trace(W.T @ A @ W), lambda W, A: 2 * A @ W, {"W": W, "A": A}, wrt="W")
    assert d.kind == "symmetric_only" and d.variables == ("A",)


def test_entries_lists_the_wrong_ones():
    g = (A + A.T) @ x
    wrong = g.copy()
    wrong[2] += 0.1
    d = kind(quad, lambda x, A: wrong, {"x": x, "A": A}, wrt="x")
    assert d.kind == "entries" and d.entries[0][0] == (2,)


def test_wrong_order():
    B = RNG.standard_normal((4, 4))

    def f(A, B, t):
        Y = A + t * B
        return Y @ Y

    d = kind(
        f,
        lambda A, B, t: 2 * (A + t * B) @ B,
        {"A": A, "B": B, "t": np.array(0.01)},
        wrt="t",
        layout="numerator",
    )
    assert d.kind == "wrong_order"


def test_structured_convention():
    S = A @ A.T + 4 * np.eye(4)

    def f(S):
        return np.log(np.linalg.det((S + S.T) / 2))

    G = np.linalg.inv(S)
    assert kind(f, 2 * G - G * np.eye(4), S).kind == "structured_convention"


def test_missing_term_and_unknown():
    B = RNG.standard_normal((4, 4))

    def f(x):
        return (A @ x) @ np.tanh(B @ x)

    d = kind(f, lambda x: A.T @ np.tanh(B @ x), x)
    assert d.kind == "missing_term" and "missing" in d.message
    d = kind(lambda x: x @ x, np.full(4, 1e9), x)
    assert d.kind == "unknown"


def test_unreliable_says_why():
    d = kind(lambda x: np.sum(np.abs(x)), np.array([1.0, 1.0]), np.array([0.0, 1.0]))
    assert d.kind == "unreliable" and "kink" in d.message


def test_correct_derivatives_get_no_diagnosis():
    assert gc.check(quad, lambda x, A: (A + A.T) @ x, {"x": x, "A": A}, wrt="x").diagnosis is None


def test_diagnosis_shows_in_reports():
    result = gc.check(quad, lambda x, A: 2 * A @ x, {"x": x, "A": A}, wrt="x")
    assert "diagnosis: symmetric_only" in str(result)
    with pytest.raises(gc.GradientAssertionError, match="symmetric_only"):
        gc.assert_gradient(quad, lambda x, A: 2 * A @ x, {"x": x, "A": A}, wrt="x")
    report = gc.run_catalogue(select="w_trWTAW_sym_only", trials=1)
    assert report.records[0].diagnosis.kind == "symmetric_only"
    assert "symmetric_only" in report.table()


@settings(max_examples=40)
@given(drawn=identity_points([e for e in CATALOGUE if e.is_pitfall]))
def test_diagnosis_never_changes_the_verdict(drawn):
    entry, point = drawn
    kwargs = {"wrt": entry.wrt, "layout": entry.layout, "vectorized": entry.vectorized}
    plain, _, _ = full_check(
        entry.f,
        entry.derivative,
        point,
        wrt=entry.wrt,
        layout=entry.layout,
        options=gc.CheckOptions(vectorized=entry.vectorized),
    )
    diagnosed = gc.check(entry.f, entry.derivative, point, **kwargs)
    assert diagnosed.status == plain.status
    assert diagnosed.max_abs_error == plain.max_abs_error


def test_pitfalls_are_named_by_their_mistake_class_at_least_90_percent():
    pitfalls = gc.Catalogue([e for e in CATALOGUE if e.is_pitfall])
    report = gc.run_catalogue(catalogue=pitfalls, trials=3, layouts=("denominator",), seed=11)
    named = [r.diagnosis is not None and r.mistake == r.diagnosis.kind for r in report.records]
    assert len(named) == 3 * 55
    assert sum(named) / len(named) >= 0.90, sum(named) / len(named)


MUTATIONS = ("transpose", "double", "half", "negate", "one_entry")
EXPECTED = {
    "transpose": {"transpose", "layout"},
    "double": {"scale"},
    "half": {"scale"},
    "negate": {"sign"},
    "one_entry": {"entries"},
}


def _mutate(kind_, D, rng):
    if kind_ == "transpose":
        if D.ndim != 2 or D.shape[0] != D.shape[1] or np.allclose(D, D.T, rtol=1e-3):
            return None
        return D.T.copy()
    if kind_ in ("double", "half", "negate"):
        return {"double": 2.0, "half": 0.5, "negate": -1.0}[kind_] * D
    if D.size < 4:
        return None
    wrong = D.copy()
    index = tuple(int(rng.integers(0, s)) for s in D.shape)
    wrong[index] += 0.1 * np.max(np.abs(D)) * rng.choice([-1.0, 1.0])
    return wrong


def test_mutations_are_named_at_least_95_percent():
    rng = np.random.default_rng(5)
    identities = [e for e in CATALOGUE if not e.is_pitfall]
    hits = total = 0
    for i in range(160):
        entry = identities[int(rng.integers(len(identities)))]
        _, point = entry.draw(rng)
        D = np.asarray(entry.derivative(**point), dtype=float)
        if np.max(np.abs(D)) == 0:
            continue
        mutation = MUTATIONS[i % len(MUTATIONS)]
        wrong = _mutate(mutation, D, rng)
        if wrong is None:
            continue
        result = gc.check(
            entry.f, wrong, point, wrt=entry.wrt, layout=entry.layout, vectorized=entry.vectorized
        )
        total += 1
        hits += result.diagnosis is not None and result.diagnosis.kind in EXPECTED[mutation]
    assert total >= 100
    assert hits / total >= 0.95, hits / total


# -- a diagnosis names only what the evidence shows -------------------------------------------

PAIR = re.compile(r"claimed (\S+) vs ([^\s,]+)")


def _printed_pairs(message):
    return PAIR.findall(message)


def _sym_of_sum(X):
    return np.sum(np.sin(X + X.T))


def test_a_symmetric_derivative_is_never_called_transposed():
    # The derivative of a function of X + X^T is symmetric, and the same at X^T. A claim off by
    # 1.5 tolerances everywhere fails, is within twice the tolerance of "the derivative at X^T"
    # and is no transpose of anything.
    Y = RNG.standard_normal((4, 4))
    base = gc.check(_sym_of_sum, 2 * np.cos(Y + Y.T), Y)
    assert base.passed
    signs = np.where(np.random.default_rng(3).random((4, 4)) < 0.5, -1.0, 1.0)
    claim = base.numerical + 1.5 * base.tolerance * signs
    d = kind(_sym_of_sum, claim, Y)
    assert d.kind == "entries" and "significant digits" in d.message


def test_a_symmetric_gradient_transposed_is_no_transpose():
    # A scalar by a matrix whose numerical gradient is symmetric within its tolerance: the
    # claim N^T fails against N, but "the transpose" cannot tell them apart.
    from gradcheck.verdict.diagnosis import Evidence, diagnose

    S = RNG.standard_normal((4, 4))
    S = S + S.T + 8 * np.eye(4)
    t = 1e-9 * np.max(np.abs(S))
    skew = np.triu(np.full((4, 4), 0.35 * t), 1)
    N = S + skew - skew.T  # |N - N^T| = 1.4 t <= t + t, yet N^T is 1.4 t from N
    tol = np.full((4, 4), t)
    ev = Evidence(
        claimed=N.T.copy(),
        numerical=N,
        tolerance=tol,
        status="failed",
        layout="denominator",
        f_shape=(),
        x_shape=(4, 4),
        tensor=N,
    )
    d = diagnose(ev)
    assert d.kind != "transpose"
    assert d.kind == "entries" and "significant digits" in d.message


@pytest.mark.parametrize(
    "claim",
    [
        lambda J: J.astype(np.float32),
        lambda J: J * (1 + 1e-7 * np.random.default_rng(1).standard_normal(J.shape)),
    ],
    ids=["float32", "relative-noise-1e-7"],
)
def test_a_claim_accurate_to_float32_is_imprecise_not_a_scale(claim):
    B = RNG.standard_normal((5, 5))
    y = RNG.standard_normal(5)
    result = gc.check(lambda y: B @ y, claim(B.T), y)
    d = result.diagnosis
    assert result.status == "failed" and d.kind == "entries" and d.factor is None
    digits = int(re.search(r"about (\d+) significant digits", d.message).group(1))
    assert 6 <= digits <= 8
    failing = int(np.sum(np.abs(result.claimed - result.numerical) > result.tolerance))
    assert f"{failing} of 25 entries differ" in d.message
    assert all(c != n for c, n in _printed_pairs(d.message))


def test_a_negative_factor_that_prints_as_minus_one_is_a_sign_error():
    d = kind(quad, lambda x, A: -(1 + 3e-6) * (A + A.T) @ x, {"x": x, "A": A}, wrt="x")
    assert d.kind == "sign" and np.isclose(d.factor, -1 - 3e-6, rtol=1e-7)
    assert "significant digits" in d.message
    assert "1 times" not in d.message


def test_a_scale_never_prints_as_one():
    d = kind(np.sin, np.float32(np.cos(0.7)), np.array(0.7))
    assert d.kind == "entries" and d.factor is None and "times" not in d.message
    Y = RNG.standard_normal((4, 4))
    d = kind(_sym_of_sum, 2 * np.cos(Y + Y.T) * (1 + 5e-9), Y)
    assert d.kind == "entries" and "times" not in d.message


@pytest.mark.parametrize(
    ("declared", "right"), [("numerator", "denominator"), ("denominator", "numerator")]
)
def test_matrix_by_scalar_in_the_other_layout_is_a_layout_mistake(declared, right):
    B = RNG.standard_normal((4, 4))  # d(tB)/dt: B in the numerator layout, B^T in the other
    claim = B.T if declared == "numerator" else B
    d = kind(lambda t: t * B, claim, np.array(0.3), layout=declared)
    assert d.kind == "layout" and d.layout == right and f"the {right} layout" in d.message


def test_entries_print_digits_that_differ():
    B = RNG.standard_normal((5, 5))
    y = RNG.standard_normal(5)
    wrong = B.T.copy()
    wrong[1, 2] *= 1 + 1e-6
    result = gc.check(lambda y: B @ y, wrong, y)
    d = result.diagnosis
    assert d.kind == "entries" and d.entries[0][0] == (1, 2)
    (c, n), *_ = _printed_pairs(d.message)
    assert c != n and min(len(c.strip("-0.").replace(".", "")), 17) >= 4
    row = next(line for line in str(result).splitlines() if line.startswith("[1, 2]"))
    assert row.split()[2] != row.split()[3]  # the table's claimed and numerical columns


@given(
    a=st.floats(allow_nan=False, allow_infinity=False),
    b=st.floats(allow_nan=False, allow_infinity=False),
    minimum=st.integers(1, 8),
)
def test_fmt_pair_uses_the_fewest_digits_that_differ(a, b, minimum):
    from gradcheck.verdict.text import _fmt_pair

    c, n = _fmt_pair(a, b, minimum)
    if a != b:
        assert c != n
        for fewer in range(minimum, 17):
            if f"{a:.{fewer}g}" != f"{b:.{fewer}g}":
                assert (c, n) == (f"{a:.{fewer}g}", f"{b:.{fewer}g}")
                break
    else:
        assert (c, n) == (f"{a:.{minimum}g}", f"{b:.{minimum}g}")


def test_a_zero_claim_is_not_zero_times_the_derivative():
    d = kind(lambda x: x @ x, np.zeros(4), x)
    assert d.kind == "unknown" and "zero" in d.message and d.factor is None


def test_structured_conventions_only_for_a_gradient_by_a_square_matrix():
    B = RNG.standard_normal((4, 4))
    J = B.T  # denominator-layout Jacobian of y -> B y: a square matrix, but no gradient by one
    d = kind(lambda y: B @ y, 2 * J - J * np.eye(4), x)
    assert d.kind != "structured_convention"


def test_a_shape_from_another_layout_with_wrong_values_is_not_called_right_there():
    d = kind(lambda x: x @ x, (4 * x)[None, :], x)  # numerator shape, and twice the gradient
    assert d.kind == "scale" and np.isclose(d.factor, 2.0)
    assert "numerator layout" in d.message and "wrong too" in d.message
    d = kind(lambda x: x @ x, (2 * x)[None, :], x)  # numerator shape, right values
    assert d.kind == "layout" and "wrong" not in d.message


def test_directional_projections_are_not_called_entries():
    v = np.random.default_rng(4).standard_normal(2100)  # above the full-check fallback size
    wrong = 2 * v
    wrong[5] += 1.0
    for claim in (wrong, lambda v: wrong):
        d = gc.check_directional(lambda v: v @ v, claim, v, seed=1).diagnosis
        assert d.kind == "unknown" and d.entries == ()
        assert "direction" in d.message and "gradcheck.check compares every entry" in d.message
        assert "callable" not in d.message
    d = gc.check_directional(lambda v: v @ v, 6 * v, v, seed=1).diagnosis
    assert d.kind == "scale" and "3 times" in d.message


def test_the_callable_hint_only_where_a_recheck_could_run():
    d = kind(lambda x: x @ x, np.full(4, 1e9), x)  # no square-matrix input to re-check
    assert d.kind == "unknown" and "callable" not in d.message
    d = kind(quad, np.full(4, 1e9), {"x": x, "A": A}, wrt="x")
    assert "callable" in d.message


def test_wrong_order_is_confirmed_where_the_matrices_commute():
    # sum(B * B) equals the derivative sum(B @ B) of f for diagonal B, but not for B that
    # merely commutes with A: the mistake is an entrywise product, not an order of factors.
    B = RNG.standard_normal((4, 4))

    def f(A, B, t):
        return np.sum((A + t * B) @ B)

    point = {"A": A, "B": B, "t": np.array(0.1)}
    d = kind(f, lambda A, B, t: np.sum(B * B), point, wrt="t")
    assert d.kind == "unknown" and "diagonal" in d.message


def test_shape_diagnosis_does_not_assert_a_structure():
    from gradcheck.verdict.diagnosis import shape_diagnosis

    d = shape_diagnosis((3, 3), (), (5,))  # 2n - 1: the parameters of a Toeplitz matrix?
    assert d.kind == "structured_convention" and "if they are the parameters" in d.message
    d = shape_diagnosis((3, 3), (), (3,))  # n: a diagonal matrix's, or a Hessian by mistake
    assert d.kind == "unknown" and "Hessian" in d.message


NEAR_MISSES = {
    "transpose": lambda D: D.T if D.ndim == 2 else np.flip(D, axis=0) if D.ndim else D,
    "float32": lambda D: D.astype(np.float32),
    "one_plus_1e-7": lambda D: D * (1 + 1e-7),
    "one_entry_1e-6": lambda D: (
        D + 1e-6 * np.max(np.abs(D)) * (np.arange(D.size) == 0).reshape(D.shape)
    ),
    "double": lambda D: 2 * D,
    "negate": lambda D: -D,
    "negate_imprecise": lambda D: -D * (1 + 3e-6),
}


def _confirmed(result):
    """Re-check what the diagnosis of `result` names, from the result's own arrays."""
    d, C, N, tol = result.diagnosis, result.claimed, result.numerical, result.tolerance
    for c, n in _printed_pairs(d.message):
        assert c != n, d.message
    assert not re.search(r"(?<![\d.])1 times", d.message), d.message
    if d.kind == "transpose" and not d.variables:
        assert C.ndim == 2 and np.any(np.abs(N - N.T) > tol + tol.T), d.message
        assert np.all(np.abs(C - N.T) <= tol.T), d.message
    if d.kind == "layout" and "shape" not in d.message:

        def there(a):
            moved = gc.convert_layout(
                a, result.f_shape, result.x_shape, source=result.layout, target=d.layout
            )
            return moved.reshape(C.shape)

        assert np.all(np.abs(C - there(N)) <= there(tol)), d.message
        assert np.any(np.abs(there(N) - N) > tol + there(tol)), d.message
    if d.kind in ("scale", "sign"):
        assert d.kind == "sign" or f"{abs(d.factor):.6g}" != "1", d.message
        candidate = d.factor * N
        assert np.all(np.abs(C - candidate) <= tol * max(1.0, abs(d.factor))), d.message
        assert np.any(np.abs(candidate - N) > tol), d.message


@settings(max_examples=40, deadline=None)
@given(
    entry=gst.identities(catalogue=CATALOGUE),
    data=st.data(),
    mutation=st.sampled_from(sorted(NEAR_MISSES)),
)
def test_every_diagnosis_is_confirmed_by_the_evidence(entry, data, mutation):
    point = data.draw(gst.points(entry, max_value=4))
    D = np.asarray(entry.derivative(**point), dtype=float)
    claim = np.asarray(NEAR_MISSES[mutation](D), dtype=float)
    result = gc.check(
        entry.f, claim, point, wrt=entry.wrt, layout=entry.layout, vectorized=entry.vectorized
    )
    if result.diagnosis is not None:
        _confirmed(result)


@pytest.mark.parametrize("cond", [1e10, 1e12])
def test_a_right_formula_through_an_ill_conditioned_solve_is_explained_and_rtol_settles_it(cond):
    # f(b) = c^T X^-1 b and its gradient X^-T c, each solved by LAPACK at condition number
    # `cond`: the two computations differ by up to cond * 1e-16 relative (measured: 2e-7 at
    # 1e10, 2e-5 at 1e12), which the detection threshold (~1e-9) reports as failed.
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    V, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    X = U @ np.diag(np.geomspace(1.0, 1.0 / cond, 5)) @ V.T
    b, c = rng.standard_normal(5), rng.standard_normal(5)

    def f(b):
        return np.linalg.solve(X, b[..., None])[..., 0] @ c

    gradient = np.linalg.solve(X.T, c)
    result = gc.check(f, gradient, b)
    assert result.status == "failed"
    assert result.diagnosis.kind == "entries"
    assert "ill-conditioned" in result.diagnosis.message and "rtol" in result.diagnosis.message
    # the advice: rtol of cond * 1e-16 passes the right formula and still fails a wrong one
    assert gc.check(f, gradient, b, rtol=cond * 1e-16).status == "passed"
    wrong = gradient.copy()
    wrong[2] += 1e-3 * np.max(np.abs(gradient))
    assert gc.check(f, wrong, b, rtol=cond * 1e-16).status == "failed"
