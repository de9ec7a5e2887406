"""Safe evaluation of numpy formulas typed by a person: a parsed-AST whitelist.

Only arithmetic (``+ - * / @ **``), comparisons, unary minus, calls of whitelisted functions
(bare, ``np.``-prefixed or ``np.linalg.``-prefixed), ``.T`` / ``.mT``, indexing and slicing with
constants, numbers and a few string constants are accepted. No builtins, no other attribute
access, no lambdas or comprehensions, no names except the variables and the whitelisted
functions. Exponents must be constant numbers of magnitude at most 64. Functions that allocate
arrays of a size given by a number (``ones``, ``zeros``, ``eye``) are not available, so an
expression cannot allocate more than a few times the memory of its variables.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import scipy.linalg

from .errors import InvalidArgumentError

__all__ = ["ExpressionError", "compile_expression"]


class ExpressionError(InvalidArgumentError):
    """An expression uses something the safe evaluator does not allow."""


def _sym(X):
    return (X + np.swapaxes(X, -1, -2)) / 2


def _softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _logsumexp(z, axis=-1):
    zmax = np.max(z, axis=axis, keepdims=True)
    return np.squeeze(zmax, axis) + np.log(np.sum(np.exp(z - zmax), axis=axis))


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


_NUMPY = {
    name: getattr(np, name)
    for name in (
        "sin cos tan arcsin arccos arctan sinh cosh tanh exp expm1 log log1p log2 log10 sqrt "
        "abs sign square maximum minimum where sum prod mean cumsum diff dot vdot inner outer "
        "matmul einsum trace diag diagonal triu tril zeros_like ones_like "
        "transpose swapaxes kron logaddexp clip full_like stack concatenate block reshape"
    ).split()
}
_LINALG = {
    name: getattr(np.linalg, name)
    for name in "inv det slogdet solve pinv norm eigh eigvalsh eigvals svd cholesky qr "
    "matrix_power".split()
}
_EXTRA = {
    "sym": _sym,
    "softmax": _softmax,
    "logsumexp": _logsumexp,
    "sigmoid": _sigmoid,
    "expm": scipy.linalg.expm,
    "logm": scipy.linalg.logm,
    "sqrtm": scipy.linalg.sqrtm,
    "mpow": np.linalg.matrix_power,
    "pi": np.pi,
    "e": np.e,
    "inf": np.inf,
    "newaxis": None,
}
#: Names usable without a prefix.
FUNCTIONS: dict[str, Any] = {**_NUMPY, **_LINALG, **_EXTRA}
_STRINGS = {"fro", "nuc"}
_MAX_EXPONENT = 64
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult, ast.Pow, ast.FloorDiv, ast.Mod)
_CMPOPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE, ast.Eq, ast.NotEq)


def _fail(node: ast.AST, source: str, why: str) -> ExpressionError:
    part = ast.get_source_segment(source, node) or type(node).__name__
    return ExpressionError(f"expression {source!r}: {why} (at {part!r}).")


class _Validator(ast.NodeVisitor):
    def __init__(self, source: str, variables: set[str]) -> None:
        self.source = source
        self.variables = variables

    def generic_visit(self, node: ast.AST) -> None:
        raise _fail(node, self.source, f"{type(node).__name__} is not allowed")

    def visit_Expression(self, node: ast.Expression) -> None:
        self.visit(node.body)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if not isinstance(node.op, _BINOPS):
            raise _fail(node, self.source, f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node.op, ast.Pow):
            exponent = node.right
            if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.op, ast.USub):
                exponent = exponent.operand
            if not (isinstance(exponent, ast.Constant) and type(exponent.value) in (int, float)):
                raise _fail(node, self.source, "exponents must be constant numbers")
            if abs(exponent.value) > _MAX_EXPONENT:
                raise _fail(node, self.source, f"exponents are limited to +-{_MAX_EXPONENT}")
        self.visit(node.left)
        self.visit(node.right)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> None:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _fail(node, self.source, "only unary minus and plus are allowed")
        self.visit(node.operand)

    def visit_Compare(self, node: ast.Compare) -> None:
        if not all(isinstance(op, _CMPOPS) for op in node.ops):
            raise _fail(node, self.source, "only numeric comparisons are allowed")
        self.visit(node.left)
        for c in node.comparators:
            self.visit(c)

    def visit_Constant(self, node: ast.Constant) -> None:
        value = node.value
        if isinstance(value, bool) or value is None:
            return
        if type(value) in (int, float):
            if abs(value) > 1e300:
                raise _fail(node, self.source, "number out of range")
            return
        raise _fail(
            node,
            self.source,
            "only numbers are allowed here (strings only as function arguments: 'fro', 'nuc', "
            "einsum subscripts)",
        )

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("__"):
            raise _fail(node, self.source, "dunder names are not allowed")
        if node.id not in self.variables and node.id not in FUNCTIONS:
            raise _fail(node, self.source, f"unknown name {node.id!r}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("_"):
            raise _fail(node, self.source, "private and dunder attributes are not allowed")
        if node.attr in ("T", "mT"):
            self.visit(node.value)
            return
        if _numpy_path(node) is None:
            raise _fail(node, self.source, f"attribute {node.attr!r} is not allowed")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            if func.id not in FUNCTIONS or not callable(FUNCTIONS[func.id]):
                raise _fail(node, self.source, f"{func.id!r} is not an allowed function")
        elif not (isinstance(func, ast.Attribute) and _numpy_path(func) is not None):
            raise _fail(node, self.source, "only whitelisted numpy functions may be called")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise _fail(arg, self.source, "argument unpacking is not allowed")
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if arg.value in _STRINGS or _is_einsum(arg.value):
                    continue
                raise _fail(arg, self.source, f"string argument {arg.value!r} is not allowed")
            self.visit(arg)
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in ("axis", "keepdims", "ord", "k", "offset"):
                raise _fail(node, self.source, f"keyword {kw.arg!r} is not allowed")
            self.visit(kw.value)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.visit(node.value)
        self.visit(node.slice)

    def visit_Slice(self, node: ast.Slice) -> None:
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                self.visit(part)

    def visit_Tuple(self, node: ast.Tuple) -> None:
        for elt in node.elts:
            self.visit(elt)

    def visit_List(self, node: ast.List) -> None:
        if len(node.elts) > 64:
            raise _fail(node, self.source, "list too long")
        for elt in node.elts:
            self.visit(elt)


def _is_einsum(text: str) -> bool:
    return 0 < len(text) <= 64 and all(c.isalpha() or c in ",.->" for c in text)


def _numpy_path(node: ast.Attribute) -> Any | None:
    """The function for ``np.name`` or ``np.linalg.name`` (None when not whitelisted)."""
    if isinstance(node.value, ast.Name) and node.value.id in ("np", "numpy"):
        return FUNCTIONS.get(node.attr) if node.attr in _NUMPY or node.attr in _EXTRA else None
    inner = node.value
    if (
        isinstance(inner, ast.Attribute)
        and inner.attr == "linalg"
        and isinstance(inner.value, ast.Name)
        and inner.value.id in ("np", "numpy")
    ):
        return _LINALG.get(node.attr)
    return None


class _Whitelist:
    def __init__(self, names: Mapping[str, Any], linalg: Mapping[str, Any] | None = None):
        self._names = dict(names)
        if linalg is not None:
            self.linalg = _Whitelist(linalg)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._names[name]
        except KeyError:
            raise AttributeError(name) from None


_NP = _Whitelist({**_NUMPY, **_EXTRA}, _LINALG)


def compile_expression(source: str, variables: set[str] | list[str]) -> Callable[..., Any]:
    """Validate `source` and return a function of the named `variables` evaluating it.

    Raises
    ------
    ExpressionError
        Naming the offending part, if the expression uses anything not whitelisted.

    Examples
    --------
    >>> import numpy as np
    >>> f = compile_expression("x @ A @ x", ["x", "A"])
    >>> float(f(x=np.array([1.0, 2.0]), A=np.eye(2)))
    5.0
    """
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("an expression must be a non-empty string.")
    if len(source) > 2000:
        raise ExpressionError("expression too long (at most 2000 characters).")
    variables = set(variables)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression {source!r} is not valid Python: {exc.msg}.") from exc
    _Validator(source.strip(), variables).visit(tree)
    code = compile(tree, "<expression>", "eval")

    def evaluate(**values: Any) -> Any:
        namespace = dict(FUNCTIONS)
        namespace.update({"np": _NP, "numpy": _NP})
        namespace.update(values)
        return eval(code, {"__builtins__": {}}, namespace)

    return evaluate
