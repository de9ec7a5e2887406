"""The typed expression language: parsing, static shapes, budgets, evaluation and batches."""

import ast
import json
import math
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg
from hypothesis import assume, given
from hypothesis import strategies as st

from gradcheck import check
from gradcheck import strategies as gst
from gradcheck.errors import InvalidArgumentError
from gradcheck.expressions import (
    FUNCTIONS,
    SPELLINGS,
    BinaryOp,
    Call,
    Constant,
    ExpressionError,
    Index,
    Limits,
    Power,
    Slice,
    Transpose,
    UnaryOp,
    Variable,
    analyse,
    compile_expression,
    evaluate,
    infer_shape,
    parse_expression,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gradcheck" / "expressions"


def shapes_of(arrays):
    return {name: np.shape(value) for name, value in arrays.items()}


# ---------------------------------------------------------------------------------------------
# the reference: numpy itself evaluating the formula's text (Python's eval over numpy's and
# scipy's functions under the names the formula language uses), independent of gradcheck

NUMPY_NAMES = (
    "sin cos tan arcsin arccos arctan sinh cosh tanh exp expm1 log log1p log2 log10 sqrt "
    "abs sign square maximum minimum where sum prod mean cumsum diff dot vdot inner outer "
    "matmul einsum trace diag diagonal triu tril zeros_like ones_like "
    "transpose swapaxes kron logaddexp clip full_like stack concatenate block reshape"
).split()
LINALG_NAMES = (
    "inv det slogdet solve pinv norm eigh eigvalsh eigvals svd cholesky qr matrix_power"
).split()


def _softmax(z, axis=-1):  # exp(z - max z), normalised: max z subtracted for range
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


EXTRA = {
    "sym": lambda X: (X + np.swapaxes(X, -1, -2)) / 2,
    "softmax": _softmax,
    "logsumexp": lambda z, axis=-1: (
        np.squeeze(z.max(axis=axis, keepdims=True), axis)
        + np.log(np.exp(z - z.max(axis=axis, keepdims=True)).sum(axis=axis))
    ),
    "sigmoid": lambda x: np.exp(-np.logaddexp(0.0, -x)),
    "logdet": lambda X: np.linalg.slogdet(X)[1],
    "expm": scipy.linalg.expm,
    "logm": scipy.linalg.logm,
    "sqrtm": scipy.linalg.sqrtm,
    "mpow": np.linalg.matrix_power,
    "pi": np.pi,
    "e": np.e,
    "inf": np.inf,
    "newaxis": None,
}


def _eye_like_reference(a, fit="square"):
    """The identity fitting `a`: added to it, or multiplying it from the left or the right."""
    rows, cols = np.shape(a)[-2:] if np.ndim(a) >= 2 else (len(a), len(a))
    return np.eye({"square": cols, "left": rows, "right": cols}[fit])


def _vec_reference(a):
    """The columns of `a` stacked one under the other."""
    a = np.asarray(a)
    return a if a.ndim == 1 else np.concatenate([a[:, j] for j in range(a.shape[1])])


NAMESPACE = {
    "eye_like": _eye_like_reference,
    "vec": _vec_reference,
    **{name: getattr(np, name) for name in NUMPY_NAMES},
    **{name: getattr(np.linalg, name) for name in LINALG_NAMES},
    **EXTRA,
    "np": np,
    "numpy": np,
}


def numpy_value(source, arrays):
    """The formula `source` evaluated by numpy at `arrays`."""
    return eval(source, {"__builtins__": {}}, {**NAMESPACE, **arrays})


def random_arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal(shape) for name, shape in shapes.items()}


# ---------------------------------------------------------------------------------------------
# hostile formulas: refused with ExpressionError, fast, before anything big is allocated

HOSTILE = [
    ("sum(x) * ((((9**64)**64)**64)**64)**64", {"x": (100,)}),
    ("sum(x) * 9**64**64", {"x": (100,)}),
    ("sum(x[[0] * 10**9])", {"x": (100,)}),
    ("reshape(x, (1,) * 10**9)", {"x": (100,)}),
    ("sum(kron(kron(kron(A,A),kron(A,A)),A))", {"A": (8, 8)}),
    ("sum(outer(outer(x, x), outer(x, x)))", {"x": (100,)}),
    ("sum(outer(outer(outer(x, x), x), x))", {"x": (100,)}),
    ("einsum('i,j,k,l->ijkl', x, x, x, x)", {"x": (100,)}),
    ("einsum('i,j,k,l,m->', x, x, x, x, x)", {"x": (100,)}),
    ("sum(einsum('ij,kl->ijkl', outer(x, x), outer(x, x)))", {"x": (100,)}),
    ("sum(x[:, None] * x[None, :] * x[:, None, None] * x)", {"x": (300,)}),
    ("diag(x, 10**15)", {"x": (100,)}),
    ("diff(x, 10**15)", {"x": (100,)}),
    ("mpow(A, 10**6)", {"A": (8, 8)}),
    ("x ** 10 ** 10", {"x": (100,)}),
    ("A[None, None, None, None, None, None, None]", {"A": (8, 8)}),
    ("-" * 1000 + "x", {"x": (3,)}),
    ("+".join(["x"] * 1000), {"x": (3,)}),
    ("sin(" * 1000 + "x" + ")" * 1000, {"x": (3,)}),
    ("x" + ".T" * 999, {"x": (3,)}),
    ("sum(x)", {"x": (8,) * 10}),
]


def test_hostile_formulas_are_refused_in_a_subprocess():
    """Each case raises ExpressionError in a child process with 3 GiB of address space; the
    timeout only keeps a regression from hanging the suite."""
    script = textwrap.dedent(
        """
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, resource.RLIM_INFINITY))
        from gradcheck.expressions import ExpressionError, compile_expression
        out = []
        for source, shapes in json.loads(sys.stdin.read()):
            shapes = {k: tuple(v) for k, v in shapes.items()}
            try:
                compile_expression(source, list(shapes), shapes=shapes)
                out.append([source, "accepted"])
            except ExpressionError as exc:
                out.append([source, "refused: " + str(exc)])
            except BaseException as exc:
                out.append([source, type(exc).__name__])
        print(json.dumps(out))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(HOSTILE),
        capture_output=True,
        text=True,
        timeout=20,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outcomes = json.loads(done.stdout)
    assert len(outcomes) == len(HOSTILE)
    for source, outcome in outcomes:
        assert outcome.startswith("refused: expression"), (source[:60], outcome)


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("sum(x) * ((((9**64)**64)**64)**64)**64", "overflows float64"),
        ("sum(x) * 9**64**64", "Limits.max_exponent"),
        ("sum(x[[0] * 10**9])", "arithmetic on a list"),
        ("reshape(x, (1,) * 10**9)", "arithmetic on a list"),
        ("x[" + ", ".join(["0"] * 65) + "]", "too many indices"),
        ("x[[" + ", ".join(["0"] * 65) + "]]", "Limits.max_list"),
        ("stack([" + ", ".join(["x"] * 65) + "])", "Limits.max_list"),
        ("reshape(x, (1, 1, 1, 1, 1, 1, 1, 1, 1))", "Limits.max_ndim"),
        ("-" * 1000 + "x", "Limits.max_depth"),
        ("+".join(["x"] * 1000), "Limits.max_depth"),
        ("sin(" * 1000 + "x" + ")" * 1000, "Limits.max_length"),
        ("sin(" * 300 + "x" + ")" * 300, "nested parentheses"),
        ("x" * 2001, "Limits.max_length"),
    ],
)
def test_static_refusals_name_the_budget(source, fragment):
    with pytest.raises(ExpressionError, match=fragment.replace(".", r"\.")):
        compile_expression(source, ["x"], shapes={"x": (3,)})


def test_deep_input_never_raises_recursion_error():
    long = Limits(max_length=10**6)
    for source in (
        "+".join(["x"] * 20000),
        "-" * 50000 + "x",
        "x" + "[0]" * 20000,
        "x" + ".T" * 50000,
        "(" * 5000 + "x" + ")" * 5000,
    ):
        with pytest.raises(ExpressionError, match="expression"):
            parse_expression(source, ["x"], limits=long)
    assert parse_expression("-" * 199 + "x", ["x"]).root is not None
    with pytest.raises(ExpressionError, match="200 levels"):
        parse_expression("-" * 200 + "x", ["x"])


def test_hand_built_trees_are_depth_checked_without_recursion():
    node = Variable("x")
    for _ in range(5000):
        node = UnaryOp("-", node)
    with pytest.raises(ExpressionError, match=r"Limits\.max_depth"):
        infer_shape(node, {"x": (2,)})


def test_budgets_of_work_and_elements_at_the_shapes():
    e = parse_expression("inv(A) @ A", ["A"])
    assert analyse(e, {"A": (100, 100)}).work > 10**6
    with pytest.raises(ExpressionError, match=r"Limits\.max_work"):
        analyse(e, {"A": (100, 100)}, limits=Limits(max_work=10**6))
    with pytest.raises(ExpressionError, match=r"Limits\.max_elements"):
        analyse(e, {"A": (100, 100)}, limits=Limits(max_elements=9999))
    with pytest.raises(ExpressionError, match="`x` has 9 dimensions"):
        analyse(parse_expression("x", ["x"]), {"x": (1,) * 9})


def test_limits_are_validated():
    with pytest.raises(ExpressionError, match="max_depth"):
        Limits(max_depth=0)
    with pytest.raises(ExpressionError, match="at most 400"):
        Limits(max_depth=1000)
    with pytest.raises(ExpressionError, match="max_work"):
        Limits(max_work=1.5)
    assert issubclass(ExpressionError, InvalidArgumentError)


# the CLI's own list of hostile input (tests/test_cli.py) is refused as well
CLI_HOSTILE = [
    "__import__('os').system('echo hi')",
    "x.__class__",
    "x.__class__.__bases__[0].__subclasses__()",
    "(lambda: 1)()",
    "[y for y in x]",
    "x ** 10 ** 10",
    "2 ** 1000",
    "open('/etc/passwd')",
    "getattr(x, 'T')",
    "np.load('file')",
    "np.linalg.__dict__",
    "x.reshape",
    "{'a': 1}",
    "x if x else x",
    "np.sin(*x)",
    "np.sum(x, out=x)",
    "'a' * 10",
    "globals()",
    "np.ones(10 ** 9)",
    "np.eye(100000)",
]


@pytest.mark.parametrize("source", CLI_HOSTILE)
def test_the_cli_hostile_list_is_refused(source):
    assert source in (ROOT / "tests" / "test_cli.py").read_text()
    with pytest.raises(ExpressionError, match=r"^expression"):
        compile_expression(source, ["x"])


# ---------------------------------------------------------------------------------------------
# messages name the construct and its column


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x + y.foo", "column 5: attribute access `y.foo` is not allowed"),
        ("sum(x, out=x)", "column 12: `sum` has no parameter `out`"),
        ("x + sums(x)", "column 5: `sums` is not an allowed function; did you mean `sum`?"),
        ("np.inv(x)", "did you mean `np.linalg.inv`?"),
        ("x ** y", "column 1: exponents must be constant numbers"),
        ("x[y > 0]", "column 3: indices must be constant"),
        ("1 + eigh(x)", "column 5: `eigh` returns 2 arrays (eigenvalues, eigenvectors)"),
        ("sum(x", "column 4: not valid Python syntax: '(' was never closed"),
        ("0 < x < 1", "column 1: chained comparisons"),
        ("z * 2", "column 1: unknown name `z`; the variables are: x, y"),
        ("(x +\n y.T.foo)", "line 2, column 2: attribute access `y.T.foo`"),
        ("ones(3)", "`ones` is not available"),
        ("x(2)", "`x` is a variable, not a function"),
        ("1 / 0 + x", "column 1: the constant `1 / 0` fails: division by zero"),
        ("(-8) ** 0.5 * x", "is a complex number"),
    ],
)
def test_syntax_errors_name_the_column(source, message):
    with pytest.raises(ExpressionError) as info:
        parse_expression(source, ["x", "y"])
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("source", "shapes", "message"),
    [
        ("x @ A", {"x": (5,), "A": (3, 4)}, "column 1: `x @ A`: matmul of (5,) and (3, 4)"),
        ("A @ x", {"x": (5,), "A": (3, 4)}, "matmul of (3, 4) and (5,): the inner dimensions"),
        ("1 + A @ x", {"x": (5,), "A": (3, 4)}, "column 5: `A @ x`"),
        ("x + A", {"x": (5,), "A": (3, 4)}, "shapes (5,) and (3, 4) cannot be broadcast"),
        ("inv(A)", {"A": (3, 4)}, "inv needs square matrices; got shape (3, 4)"),
        ("solve(A, x)", {"x": (5,), "A": (4, 4)}, "solve of (4, 4) and (5,)"),
        ("sum(x, axis=1)", {"x": (5,)}, "axis 1 is out of range for a 1-D array"),
        ("x[5]", {"x": (5,)}, "index 5 is out of range for axis 0 of length 5"),
        ("reshape(x, (2, 3))", {"x": (5,)}, "cannot take shape (2, 3)"),
        ("einsum('ij,j', A, x)", {"x": (5,), "A": (3, 4)}, "index 'j' has lengths 4 and 5"),
        ("trace(x)", {"x": (5,)}, "trace needs at least 2 dimensions"),
        ("stack([x, A])", {"x": (5,), "A": (3, 4)}, "all arrays must have the same shape"),
        ("norm(x, 'fro')", {"x": (5,)}, "norm order 'fro' is for matrices"),
        ("x.mT", {"x": (5,)}, "`.mT` needs at least 2 dimensions"),
        ("y + 1", {"x": (5,)}, "no shape is given for the variable `y`"),
    ],
)
def test_shape_errors_name_the_operation_shapes_and_column(source, shapes, message):
    e = parse_expression(source, ["x", "y", "A"])
    with pytest.raises(ExpressionError) as info:
        infer_shape(e, shapes)
    assert message in str(info.value)


# ---------------------------------------------------------------------------------------------
# the typed tree


def test_parsing_builds_typed_nodes_independent_of_python_syntax():
    source = "-(x.T @ A[0, 1:]) ** 2 + sum(x, axis=-1)"
    root = parse_expression(source, ["x", "A"]).root
    expected = BinaryOp(
        "+",
        UnaryOp(
            "-",
            Power(
                BinaryOp(
                    "@",
                    Transpose(Variable("x")),
                    Index(Variable("A"), (0, Slice(1, None, None))),
                ),
                2,
            ),
        ),
        Call("sum", (Variable("x"),), (("axis", -1), ("keepdims", False))),
    )
    assert root == expected
    assert root.span == (0, len(source)) and root.right.span == (source.index("sum"), len(source))
    assert parse_expression("np.linalg.slogdet(X)[1]", ["X"]).root == Call(
        "slogdet", (Variable("X"),), (), output=1
    )
    assert parse_expression("2 * 3 + x", ["x"]).root == BinaryOp("+", Constant(6), Variable("x"))
    assert parse_expression("x.mT", ["x"]).root == Transpose(Variable("x"), last_two=True)
    assert parse_expression("pi * x", ["x"]).root.left == Constant(math.pi)
    assert parse_expression("e", ["e"]).root == Variable("e")  # a variable shadows a constant


def test_hand_built_trees_are_checked_and_evaluated():
    tree = BinaryOp("@", Variable("A"), Call("sin", (Variable("x"),)))
    assert infer_shape(tree, {"A": (2, 3), "x": (3,)}) == (2,)
    A, x = np.arange(6.0).reshape(2, 3), np.array([0.1, 0.2, 0.3])
    np.testing.assert_array_equal(evaluate(tree, {"A": A, "x": x}), A @ np.sin(x))
    with pytest.raises(ExpressionError, match="not in the function table"):
        infer_shape(Call("ones", (Variable("x"),)), {"x": (3,)})
    with pytest.raises(ExpressionError, match="has no option `out`"):
        infer_shape(Call("sum", (Variable("x"),), (("out", 1),)), {"x": (3,)})
    with pytest.raises(ExpressionError, match="set `output`"):
        infer_shape(Call("eigh", (Variable("A"),)), {"A": (3, 3)})
    with pytest.raises(ExpressionError, match=r"Limits\.max_exponent"):
        infer_shape(Power(Variable("x"), 65), {"x": (3,)})
    with pytest.raises(ExpressionError, match="operator"):
        BinaryOp("&", Variable("x"), Variable("x"))


def test_the_package_imports_only_the_errors_of_gradcheck():
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                assert node.module == "errors", (path.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert node.module.split(".")[0] not in ("gradcheck", "identities"), path.name
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] != "gradcheck", path.name


# ---------------------------------------------------------------------------------------------
# the function table keeps every spelling of the old whitelist (the CLI's formulas before the
# typed language): its numpy names, np.linalg names and extras, bare or prefixed

OLD_EXTRA = [name for name in EXTRA if name != "logdet"]  # logdet is new
OLD_SPELLINGS = (
    [*NUMPY_NAMES, *LINALG_NAMES, *OLD_EXTRA]
    + [f"{p}.{n}" for p in ("np", "numpy") for n in [*NUMPY_NAMES, *OLD_EXTRA]]
    + [f"{p}.linalg.{n}" for p in ("np", "numpy") for n in LINALG_NAMES]
)


def test_every_old_spelling_is_accepted():
    constants = {"pi", "e", "inf"}
    for spelling in OLD_SPELLINGS:
        name = spelling.split(".")[-1]
        if name == "newaxis":
            source = f"x[:, {spelling}]"
        elif name in constants:
            source = f"{spelling} * x"
        else:
            assert spelling in SPELLINGS, spelling
            continue
        parse_expression(source, ["x"])
    assert SPELLINGS["tr"] is FUNCTIONS["trace"]
    assert SPELLINGS["np.mpow"] is FUNCTIONS["matrix_power"]


# One example per table entry: (source, variable shapes). Each is checked three ways: the
# inferred shape is numpy's, the value is numpy's bit for bit, and a stack of points gives the
# stack of the results.
EXAMPLES = {
    "sin": ("sin(x)", {"x": (3,)}),
    "cos": ("cos(A)", {"A": (2, 3)}),
    "tan": ("tan(x)", {"x": (3,)}),
    "arcsin": ("arcsin(x / 4)", {"x": (3,)}),
    "arccos": ("arccos(x / 4)", {"x": (3,)}),
    "arctan": ("arctan(A)", {"A": (2, 3)}),
    "sinh": ("sinh(x)", {"x": (3,)}),
    "cosh": ("cosh(x)", {"x": (3,)}),
    "tanh": ("tanh(x)", {"x": (3,)}),
    "exp": ("exp(A)", {"A": (2, 3)}),
    "expm1": ("expm1(x)", {"x": (3,)}),
    "log": ("log(abs(x))", {"x": (3,)}),
    "log1p": ("log1p(x ** 2)", {"x": (3,)}),
    "log2": ("log2(abs(A))", {"A": (2, 3)}),
    "log10": ("log10(abs(x))", {"x": (3,)}),
    "sqrt": ("sqrt(abs(x))", {"x": (3,)}),
    "abs": ("abs(x)", {"x": (3,)}),
    "conj": ("np.conj(A) + np.conjugate(A)", {"A": (2, 3)}),
    "real": ("np.real(A)", {"A": (2, 3)}),
    "imag": ("np.imag(A) + A", {"A": (2, 3)}),
    "sign": ("sign(A)", {"A": (2, 3)}),
    "square": ("square(x)", {"x": (3,)}),
    "sigmoid": ("sigmoid(A)", {"A": (2, 3)}),
    "zeros_like": ("zeros_like(A) + x", {"A": (2, 3), "x": (3,)}),
    "ones_like": ("ones_like(x) * c", {"x": (3,), "c": ()}),
    "maximum": ("maximum(A, x)", {"A": (2, 3), "x": (3,)}),
    "minimum": ("minimum(x, 0)", {"x": (3,)}),
    "logaddexp": ("logaddexp(x, A)", {"A": (2, 3), "x": (3,)}),
    "where": ("where(A > 0, x, c)", {"A": (2, 3), "x": (3,), "c": ()}),
    "clip": ("clip(A, -0.5, x)", {"A": (2, 3), "x": (3,)}),
    "full_like": ("full_like(A, x)", {"A": (2, 3), "x": (3,)}),
    "sum": ("sum(T, axis=(0, 2), keepdims=True)", {"T": (2, 3, 4)}),
    "prod": ("prod(A, 0)", {"A": (2, 3)}),
    "mean": ("mean(T, axis=-1)", {"T": (2, 3, 4)}),
    "cumsum": ("cumsum(A) + cumsum(A, axis=1)[0, 0]", {"A": (2, 3)}),
    "diff": ("diff(T, 2, axis=1)", {"T": (2, 4, 3)}),
    "softmax": ("softmax(A, axis=0)", {"A": (2, 3)}),
    "logsumexp": ("logsumexp(T, (0, 2))", {"T": (2, 3, 4)}),
    "matmul": ("matmul(T, x) + matmul(x, B)", {"T": (2, 3, 3), "x": (3,), "B": (3, 3)}),
    "dot": ("dot(T, B)", {"T": (2, 3, 4), "B": (5, 4, 2)}),
    "vdot": ("vdot(A, B)", {"A": (2, 3), "B": (3, 2)}),
    "inner": ("inner(T, A)", {"T": (2, 3, 4), "A": (5, 4)}),
    "outer": ("outer(A, x)", {"A": (2, 3), "x": (4,)}),
    "kron": ("kron(A, T)", {"A": (2, 3), "T": (2, 1, 2)}),
    "einsum": ("einsum('ij,jk,k->i', A, B, x)", {"A": (2, 3), "B": (3, 4), "x": (4,)}),
    "trace": ("trace(T, 1, 0, 2)", {"T": (3, 2, 4)}),
    "diagonal": ("diagonal(T, -1, 2, 0)", {"T": (3, 2, 4)}),
    "diag": ("diag(x, -1)[1:, :-1] + diag(diag(x))", {"x": (3,)}),
    "triu": ("triu(x, 1) + triu(A)[0]", {"x": (3,), "A": (2, 3)}),
    "tril": ("tril(T, -1)", {"T": (2, 3, 4)}),
    "transpose": ("transpose(T, (1, 2, 0)) + transpose(x)", {"T": (2, 3, 4), "x": (2,)}),
    "swapaxes": ("swapaxes(T, 0, -1)", {"T": (2, 3, 4)}),
    "reshape": ("reshape(A, (3, -1)) + reshape(A, 6, 'F')[0]", {"A": (2, 3)}),
    "stack": ("stack([x, y, x], axis=-1)", {"x": (2, 3), "y": (2, 3)}),
    "concatenate": (
        "concatenate((A, B), 0) + concatenate([A, B], None)[0]",
        {"A": (2, 3), "B": (1, 3)},
    ),
    "block": (
        "block([[A, x[:, None]], [B, c * ones_like(B[:, :1])]])",
        {"A": (2, 3), "x": (2,), "B": (1, 3), "c": ()},
    ),
    "sym": ("sym(T)", {"T": (2, 3, 3)}),
    "inv": ("inv(T)", {"T": (2, 3, 3)}),
    "det": ("det(A)", {"A": (3, 3)}),
    "slogdet": ("slogdet(T)[1] + slogdet(T)[0]", {"T": (2, 3, 3)}),
    "logdet": ("logdet(A)", {"A": (3, 3)}),
    "solve": (
        "solve(T, x) + solve(A, B)[:, 0]",
        {"T": (2, 3, 3), "x": (3,), "A": (3, 3), "B": (3, 2)},
    ),
    "pinv": ("pinv(T)", {"T": (2, 3, 4)}),
    "norm": (
        "norm(A) + norm(A, 2) + norm(T, 1, axis=1)[0, 0] + norm(T, 'nuc', (0, 2))",
        {"A": (3, 2), "T": (2, 3, 4)},
    ),
    "eigh": ("eigh(sym(A))[0] + abs(eigh(sym(A))[1][0])", {"A": (3, 3)}),
    "eigvalsh": ("eigvalsh(sym(T), 'U')", {"T": (2, 3, 3)}),
    "eigvals": ("sum(eigvals(A)) + trace(A)", {"A": (3, 3)}),
    "svd": ("svd(A)[1] + svd(A, False)[0][0, 0] + svd(A, compute_uv=False)", {"A": (4, 3)}),
    "cholesky": ("cholesky(A @ A.T + 4 * diag(ones_like(A[0])))", {"A": (3, 3)}),
    "qr": ("abs(qr(A)[0]) + qr(A, 'r')[0, 0] + abs(qr(A, 'complete')[1][0, 0])", {"A": (4, 3)}),
    "matrix_power": ("matrix_power(T, 3) + np.linalg.matrix_power(T, -1)", {"T": (2, 3, 3)}),
    "expm": ("expm(T / 4)", {"T": (2, 3, 3)}),
    "logm": ("logm(A @ A.T + diag(ones_like(A[0])))", {"A": (3, 3)}),
    "sqrtm": ("sqrtm(A @ A.T + diag(ones_like(A[0])))", {"A": (3, 3)}),
    "vec": ("vec(A) + vec(A.T) + vec(A[0])[0]", {"A": (3, 3)}),
    "eye_like": (
        "eye_like(A) @ A[0] + eye_like(T[0], fit='left')[0] + eye_like(B, fit='right')[1]",
        {"A": (3, 3), "T": (2, 3, 3), "B": (2, 3)},
    ),
}


def test_every_table_entry_has_an_example():
    assert set(EXAMPLES) == set(FUNCTIONS)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_table_entries_infer_numpys_shape_and_batch(name):
    source, shapes = EXAMPLES[name]
    arrays = random_arrays(shapes, seed=len(name))
    e = parse_expression(source, shapes)
    value = evaluate(e, arrays)
    assert infer_shape(e, shapes) == value.shape
    assert name in {n.function for n in analyse(e, shapes).nodes if isinstance(n, Call)}
    np.testing.assert_array_equal(value, numpy_value(source, arrays))
    assert_batches_like_points(source, shapes, arrays, seed=len(name))


def assert_batches_like_points(source, shapes, arrays, *, seed, batch=(2, 3)):
    """Every variable stacked along `batch` (one of them without batch axes) gives the stack
    of the results at each point, within the rounding that gradcheck's own vectorization probe
    allows (1e-9 of the largest value)."""
    rng = np.random.default_rng(seed)
    names = sorted(shapes)
    fixed = names[rng.integers(len(names))] if len(names) > 1 else None
    stacked = {
        n: arrays[n] if n == fixed else arrays[n] + 0.1 * rng.standard_normal(batch + shapes[n])
        for n in names
    }
    f = compile_expression(source, names, shapes=shapes)
    got = f(**stacked)
    singles = np.empty(batch + f.shape, dtype=got.dtype)
    for i in np.ndindex(*batch):
        point = {n: v if n == fixed else v[i] for n, v in stacked.items()}
        singles[i] = evaluate(f.expression, point)
    assert got.shape == singles.shape
    scale = np.max(np.abs(singles), initial=0.0)
    np.testing.assert_allclose(got, singles, rtol=0, atol=1e-9 * scale + 1e-300)


# ---------------------------------------------------------------------------------------------
# property: for random formulas at random small shapes, the inferred shape is numpy's


LEAVES = ["x", "y", "A", "B", "s"]
# constants only inside arithmetic: Python's eval (the reference) takes a bare literal as a
# Python float (no `.T`, no indexing), the formula language as numpy does
UNARY = [
    "({} * 2.0)", "(0.5 - {})", "({} / 2)", "sin({})", "abs({})", "-({})", "({}) ** 2",
    "({}).T", "sum({})", "sum({}, axis=0)",
    "sum({}, -1, keepdims=True)", "mean({}, axis=-1)", "cumsum({})", "diff({})", "trace({})",
    "diag({})", "diag({}, 1)", "diagonal({}, -1)", "triu({})", "tril({}, -1)", "transpose({})",
    "swapaxes({}, 0, -1)", "reshape({}, -1)", "reshape({}, (1, -1))", "inv({})", "det({})",
    "slogdet({})[1]", "norm({})", "norm({}, 1)", "norm({}, 'fro')", "norm({}, axis=0)",
    "eigvalsh(sym({}))", "svd({}, False, False)", "qr({})[1]", "expm({})", "softmax({})",
    "logsumexp({})", "zeros_like({})", "full_like({}, 2.0)", "({})[0]", "({})[:, 1:]",
    "({})[[0, 0]]", "({})[None]", "({})[::-1]", "({})[0, [0, 0]]", "({})[[0], :, [0]]",
    "einsum('ij->ji', {})", "einsum('ii', {})", "stack([{0}, {0}])",
    "concatenate([{0}, {0}], axis=-1)", "block([{0}, {0}])", "kron({0}, {0})",
    "np.linalg.matrix_power({}, 2)", "clip({}, -1, 1)", "where({0} > 0, {0}, 0)",
]  # fmt: skip
BINARY = [
    "({} + {})", "({} * {})", "({} - {})", "({} @ {})", "dot({}, {})", "inner({}, {})",
    "outer({}, {})", "kron({}, {})", "matmul({}, {})", "solve({}, {})", "maximum({}, {})",
    "where({0} > {1}, {0}, {1})", "stack([{}, {}])", "concatenate([{}, {}])",
    "einsum('ij,j->i', {}, {})", "einsum('i,i', {}, {})", "einsum('...i,...i', {}, {})",
    "full_like({}, {})", "vdot({}, {})", "block([[{0}, {1}]])", "block([[{0}], [{1}]])",
]  # fmt: skip


def _formulas(children):
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), children).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(BINARY), children, children).map(
            lambda t: t[0].format(t[1], t[2])
        ),
    )


formulas = st.recursive(st.sampled_from(LEAVES), _formulas, max_leaves=5)


@st.composite
def formula_points(draw):
    n, m = draw(gst.dims(1, 4)), draw(gst.dims(1, 4))
    shapes = {"x": (n,), "y": (m,), "A": (n, n), "B": (n, m), "s": ()}
    arrays = {v: draw(gst.arrays(shape, name=v)) for v, shape in shapes.items()}
    return draw(formulas), shapes, arrays


def _outcome(call):
    try:
        return call(), None
    except (ValueError, TypeError, IndexError, np.linalg.LinAlgError) as exc:
        return None, exc


@given(formula_points())
def test_inferred_shapes_are_numpys_for_random_formulas(case):
    """Inference accepts a formula exactly when numpy evaluates it (at generic values) and
    then names numpy's shape; a refusal is a shape error, never a budget at these sizes."""
    source, shapes, arrays = case
    reference, numpy_error = _outcome(lambda: numpy_value(source, arrays))
    inferred, refusal = _outcome(lambda: infer_shape(parse_expression(source, shapes), shapes))
    if refusal is not None:
        assert isinstance(refusal, ExpressionError) and "Limits." not in str(refusal)
        assert numpy_error is not None, (source, str(refusal))
        return
    if isinstance(numpy_error, np.linalg.LinAlgError):  # a singular matrix, say: values
        with pytest.raises(np.linalg.LinAlgError):
            evaluate(parse_expression(source, shapes), arrays)
        return
    assert numpy_error is None, (source, repr(numpy_error))
    assert np.shape(reference) == inferred, source
    np.testing.assert_array_equal(evaluate(parse_expression(source, shapes), arrays), reference)


@given(formula_points(), st.integers(0, 2**16))
def test_batches_evaluate_like_points_for_random_formulas(case, seed):
    source, shapes, arrays = case
    try:
        infer_shape(parse_expression(source, shapes), shapes)
        evaluate(parse_expression(source, shapes), arrays)
        refused = False
    except (ExpressionError, np.linalg.LinAlgError):
        refused = True
    assume(not refused)  # refused, or singular at these values: the property above covers it
    with np.errstate(all="ignore"):
        assert_batches_like_points(source, shapes, arrays, seed=seed, batch=(3,))


# ---------------------------------------------------------------------------------------------
# numpy's values for the CLI's and the README's formulas


def _readme_formulas():
    out = []
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith("$ gradcheck formula "):
            words = shlex.split(line[2:])
            options = dict(zip(words[3::2], words[4::2], strict=False))
            out.append((words[2], options["--claim"], options["--shapes"]))
    return out


CLI_FORMULAS = [
    ("x @ A @ x", "(A + A.T) @ x", "x=n A=n,n"),
    ("x @ A @ x", "2 * A @ x", "x=n A=n,n"),
    ("np.log(np.linalg.det(X))", "np.linalg.inv(X).T", "X=n,n"),
    ("c * x @ x", "x @ x", "c= x=n"),
    ("np.trace(W.T @ A @ W) + sum(softmax(W[:, 0])) - A[0, 0] ** 2", "W", "W=n,n A=n,n"),
]


def test_the_readme_has_formula_examples():
    assert _readme_formulas()


@pytest.mark.parametrize("n", [1, 2, 5])
@pytest.mark.parametrize(("expr", "claim", "spec"), CLI_FORMULAS + _readme_formulas())
def test_cli_and_readme_formulas_evaluate_as_numpy(expr, claim, spec, n):
    cli = (ROOT / "tests" / "test_cli.py").read_text()
    assert expr in cli or expr in (ROOT / "README.md").read_text()
    shapes = {}
    for part in spec.split():
        name, dims = part.split("=")
        shapes[name] = tuple(n for d in dims.split(",") if d)
    arrays = random_arrays(shapes, seed=n)
    arrays = {k: v @ v.T + n * np.eye(n) if v.ndim == 2 else v for k, v in arrays.items()}
    for source in (expr, claim):
        expected = numpy_value(source, arrays)
        got = compile_expression(source, shapes)(**arrays)
        np.testing.assert_array_equal(got, expected)
        assert infer_shape(parse_expression(source, shapes), shapes) == np.shape(expected)
        assert_batches_like_points(source, shapes, arrays, seed=n)


# ---------------------------------------------------------------------------------------------
# evaluation, batches and the compiled callable


def test_compile_expression_keeps_the_old_call_shape():
    f = compile_expression("x @ A @ x", {"x": "n", "A": "n n"})  # the CLI passes its specs
    x, A = np.array([1.0, 2.0]), np.array([[1.0, 2.0], [3.0, 4.0]])
    assert float(f(x=x, A=A, unused=np.zeros(7))) == x @ A @ x
    assert f.shape is None
    with pytest.raises(ExpressionError, match="no value for the variable `A`"):
        f(x=x)
    g = f.with_shapes({"x": (2,), "A": (2, 2)})
    assert g.shape == () and g.analysis.work > 0
    np.testing.assert_array_equal(g(x=np.stack([x, 2 * x]), A=A), [x @ A @ x, 4 * x @ A @ x])
    with pytest.raises(ExpressionError, match="expected \\(2,\\), or a stack"):
        g(x=np.ones(3), A=A)


def test_shapes_without_batches_evaluate_at_one_point_and_budgets_apply_per_call():
    f = compile_expression("sum(outer(x, x))", ["x"])
    assert float(f(x=np.ones(10))) == 100.0
    with pytest.raises(ExpressionError, match=r"Limits\.max_elements"):
        f(x=np.ones(4000))  # 1.6e7 elements: refused before numpy allocates them


def test_batches_broadcast_between_variables_and_reach_unused_ones():
    f = compile_expression("A @ x", ["A", "x", "w"], shapes={"A": (2, 2), "x": (2,), "w": ()})
    A = np.arange(12.0).reshape(3, 1, 2, 2)
    x = np.arange(8.0).reshape(4, 2)
    got = f(A=A, x=x)
    assert got.shape == (3, 4, 2)
    for i in range(3):
        for j in range(4):
            np.testing.assert_array_equal(got[i, j], A[i, 0] @ x[j])
    constant = f(A=A[0, 0], x=x[0], w=np.ones(5))  # w is not used, its batch still counts
    np.testing.assert_array_equal(constant, np.broadcast_to(A[0, 0] @ x[0], (5, 2)))
    with pytest.raises(ExpressionError, match="do not broadcast"):
        f(A=np.ones((3, 2, 2)), x=np.ones((4, 2)))


def test_large_batches_are_evaluated_in_chunks_within_the_budget():
    small = Limits(max_elements=50)
    shapes = {"x": (5,), "c": ()}
    f = compile_expression("outer(x, x) @ x + c", shapes, shapes=shapes, limits=small)
    assert f.analysis.max_elements == 25
    rng = np.random.default_rng(1)
    xs, cs = rng.standard_normal((7, 1, 5)), rng.standard_normal((1, 3))
    got = f(x=xs, c=cs)  # 21 points, two per chunk, the batch broadcast between x and c
    assert got.shape == (7, 3, 5)
    for i in range(7):
        for j in range(3):
            expected = np.outer(xs[i, 0], xs[i, 0]) @ xs[i, 0] + cs[0, j]
            np.testing.assert_allclose(got[i, j], expected, rtol=1e-14)


def test_inputs_are_neither_modified_nor_required_writable():
    x = np.arange(3.0)
    x.flags.writeable = False
    f = compile_expression("diag(x) + triu(x)", ["x"], shapes={"x": (3,)})
    stacked = np.stack([x, x + 1])
    stacked.flags.writeable = False
    before = stacked.copy()
    np.testing.assert_array_equal(f(x=stacked)[1], np.diag(x + 1) + np.triu(x + 1))
    np.testing.assert_array_equal(stacked, before)
    assert f(x=x).flags.writeable


def test_evaluation_errors_of_numpy_propagate():
    with pytest.raises(np.linalg.LinAlgError):
        compile_expression("inv(A)", ["A"])(A=np.zeros((2, 2)))


def test_a_compiled_formula_is_vectorized_for_the_engine():
    x, A = np.array([0.3, -1.2, 0.7]), np.random.default_rng(2).standard_normal((3, 3))
    shapes = {"x": (3,), "A": (3, 3)}
    f = compile_expression("x @ A @ x", shapes, shapes=shapes)
    claim = compile_expression("(A + A.T) @ x", shapes, shapes=shapes)
    result = check(f, claim, {"x": x, "A": A}, wrt="x", vectorized=True)
    assert result.passed
    wrong = compile_expression("2 * A @ x", shapes, shapes=shapes)
    assert not check(f, wrong, {"x": x, "A": A}, wrt="x", vectorized=True).passed


def test_indexing_beyond_the_old_whitelist_follows_numpy():
    T = np.arange(24.0).reshape(2, 3, 4)
    shapes = {"T": (2, 3, 4)}
    for source, expected in [
        ("T[..., 0]", T[..., 0]),
        ("T[:, np.newaxis, 1]", T[:, None, 1]),
        ("T[0, ..., newaxis]", T[0, ..., None]),
        ("T[[1, 0], :, [3, -1]]", T[[1, 0], :, [3, -1]]),
        ("T[1, :, [0, 2]]", T[1, :, [0, 2]]),
        ("T[-1:, ::2, 1:3]", T[-1:, ::2, 1:3]),
    ]:
        np.testing.assert_array_equal(
            evaluate(parse_expression(source, shapes), {"T": T}), expected
        )
        assert infer_shape(parse_expression(source, shapes), shapes) == expected.shape
        assert_batches_like_points(source, shapes, {"T": T}, seed=3)


def test_the_public_names_are_documented_and_typed():
    import inspect

    import gradcheck.expressions as package

    for name in package.__all__:
        obj = getattr(package, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), name
        if inspect.isfunction(obj):
            signature = inspect.signature(obj)
            assert signature.return_annotation is not inspect.Signature.empty, name
            for param in signature.parameters.values():
                assert param.annotation is not inspect.Parameter.empty, (name, param.name)
