"""Python-syntax formulas -> the typed syntax tree.

Python's ``ast`` serves only as tokenizer and parser; every construct is converted to a node of
``_nodes`` or refused with an :class:`ExpressionError` naming it and its column. Constant
subexpressions are folded here, in exact integer or float64 arithmetic that cannot grow large
(integers beyond int64 become floats, exponents are bounded), so ``9**64**64`` is refused at
once instead of computed.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
from collections.abc import Callable, Iterable
from typing import Any

from ._functions import REQUIRED, SPELLINGS, Function, Param
from ._limits import DEFAULT_LIMITS, Limits
from ._nodes import (
    BinaryOp,
    Call,
    Constant,
    Expression,
    ExpressionError,
    Index,
    Node,
    Power,
    Slice,
    Transpose,
    UnaryOp,
    Variable,
    error_at,
)
from ._notation import PRODUCT_HINT, juxtaposed, to_python

__all__ = ["CONSTANTS", "parse_expression"]

#: Named constants (bare and ``np.``/``numpy.``-prefixed).
CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf}
_NEWAXIS = ("newaxis", "np.newaxis", "numpy.newaxis")
_INT64_MAX = 2**63 - 1
_LITERAL_MAX = 1e300

_BINARY = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.Pow: "**",
}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_FOLD: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": operator.pow,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_CONSTRUCTS = {
    ast.Lambda: "a lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.IfExp: "a conditional expression (use where(condition, a, b))",
    ast.BoolOp: "`and`/`or` (use where(...) or multiply comparisons)",
    ast.NamedExpr: "an assignment expression `:=`",
    ast.JoinedStr: "an f-string",
    ast.Starred: "argument unpacking `*`",
    ast.Await: "`await`",
    ast.Yield: "`yield`",
    ast.YieldFrom: "`yield from`",
}
_ALLOCATING = {"ones", "zeros", "empty", "full", "eye", "identity", "arange", "linspace", "tile"}


def parse_expression(
    source: str, variables: Iterable[str], *, limits: Limits = DEFAULT_LIMITS
) -> Expression:
    """Parse a Python-syntax numpy formula into the typed syntax tree.

    Parameters
    ----------
    source : str
        The formula, e.g. ``"x @ A @ x"`` or ``"np.log(np.linalg.det(X))"``.
    variables : iterable of str
        The names of the input arrays (a mapping's keys are taken).
    limits : Limits
        Budgets on length, depth, exponents and list lengths (see :class:`Limits`).

    Returns
    -------
    Expression
        The tree, the declared variables and the source.

    Raises
    ------
    ExpressionError
        For anything not representable or over budget, naming the construct and its column.

    Examples
    --------
    >>> parse_expression("x.T @ A", ["x", "A"]).root
    BinaryOp(op='@', left=Transpose(operand=Variable(name='x'), last_two=False, conjugate=False), \
right=Variable(name='A'))
    """
    names = _check_variables(variables)
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError(f"an expression must be a non-empty string; got {source!r}.")
    text = source.strip()
    if len(text) > limits.max_length:
        raise ExpressionError(
            f"expression of {len(text)} characters; at most {limits.max_length} are allowed "
            f"(Limits.max_length)."
        )
    text = to_python(text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        column = exc.offset or 1
        span = (column - 1, column) if "\n" not in text else None
        message = f"not valid Python syntax: {exc.msg}"
        side_by_side = juxtaposed(text)
        if side_by_side is not None:
            span, message = (side_by_side, side_by_side + 1), f"{message}; {PRODUCT_HINT}"
        raise error_at(text, span, message) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise error_at(text, None, f"too complex to parse ({type(exc).__name__})") from None
    try:
        root = _Converter(text, names, limits).convert(tree.body, 1)
    except RecursionError:
        raise error_at(text, None, "nested too deeply to parse") from None
    return Expression(root=root, variables=names, source=text)


def _check_variables(variables: Iterable[str]) -> tuple[str, ...]:
    if isinstance(variables, str):
        raise ExpressionError(
            f"`variables` must be a collection of names, not the string {variables!r}; "
            f"write [{variables!r}]."
        )
    names = tuple(dict.fromkeys(variables))
    for name in names:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            raise ExpressionError(
                f"variable name {name!r} must be an identifier not starting with '__'."
            )
    return names


def _dotted(node: ast.AST) -> str | None:
    """``np.linalg.inv`` for nested attributes of a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


class _Converter:
    """Converts one parsed ``ast`` tree; `depth` counts nesting to keep recursion bounded."""

    def __init__(self, source: str, variables: tuple[str, ...], limits: Limits) -> None:
        self.source = source
        self.variables = set(variables)
        self.limits = limits
        self.line_starts = [0]
        for line in source.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))

    # -- locations and errors -----------------------------------------------------------------

    def _offset(self, lineno: int, col: int) -> int:
        start = self.line_starts[lineno - 1]
        line = self.source[start:]
        return start + len(line.encode()[:col].decode(errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int] | None:
        if not hasattr(node, "lineno"):
            return None
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        start = self._offset(node.lineno, node.col_offset)
        end = self._offset(end_line, end_col) if end_col is not None else start + 1
        return start, end

    def text(self, node: ast.AST) -> str:
        span = self.span(node)
        if span is None:
            return type(node).__name__
        text = self.source[span[0] : span[1]]
        return text if len(text) <= 60 else text[:57] + "..."

    def fail(self, node: ast.AST, message: str) -> ExpressionError:
        return error_at(self.source, self.span(node), message)

    # -- expressions ----------------------------------------------------------------------

    def convert(self, node: ast.AST, depth: int) -> Node:
        if depth > self.limits.max_depth:
            raise self.fail(
                node,
                f"the expression is nested more than {self.limits.max_depth} levels deep "
                f"(Limits.max_depth); simplify it or split it into parts",
            )
        method = _HANDLERS.get(type(node))
        if method is None:
            what = _CONSTRUCTS.get(type(node), f"`{type(node).__name__}`")
            raise self.fail(node, f"{what} is not allowed in a formula")
        return method(self, node, depth)

    def _constant_node(self, node: ast.Constant, depth: int) -> Node:
        value = node.value
        if type(value) in (int, float, bool):
            if type(value) is not bool and abs(value) > _LITERAL_MAX:
                raise self.fail(node, f"the number `{self.text(node)}` is out of range (> 1e300)")
            return Constant(_small(value), span=self.span(node))
        if isinstance(value, str):
            raise self.fail(
                node,
                f"the string `{self.text(node)}` is allowed only as a function option (einsum "
                f"subscripts, a norm order 'fro' or 'nuc', ...), not as an array",
            )
        if isinstance(value, complex):
            raise self.fail(node, f"complex numbers (`{self.text(node)}`) are not supported")
        if value is None:
            raise self.fail(node, "None is allowed only as an index (a new axis) or an option")
        raise self.fail(node, f"`{self.text(node)}` is not allowed here")

    def _name(self, node: ast.Name, depth: int) -> Node:
        name = node.id
        if name in self.variables:
            return Variable(name, span=self.span(node))
        return self._named(node, name)

    def _named(self, node: ast.AST, name: str) -> Node:
        short = name.removeprefix("np.").removeprefix("numpy.")
        if short in CONSTANTS:
            return Constant(CONSTANTS[short], span=self.span(node))
        if name in _NEWAXIS:
            raise self.fail(node, f"`{name}` is allowed only inside an index, e.g. x[:, {name}]")
        if name in SPELLINGS:
            raise self.fail(node, f"the function `{name}` must be called, e.g. `{name}(x)`")
        if name.split(".")[0] == "np" or name.startswith("numpy."):
            raise self.fail(node, f"`{name}` is not available; {self._suggest(name, False)}")
        if name.startswith("__"):
            raise self.fail(node, f"dunder names (`{name}`) are not allowed")
        if name == "I":
            raise self.fail(
                node,
                "`I`, the identity, takes its size from the other operand of +, -, * or @ "
                "(`A + I`, `I @ x`); elsewhere write eye_like(X) for the identity of X's size",
            )
        raise self.fail(node, f"unknown name `{name}`; {self._suggest(name, True)}")

    def _suggest(self, name: str, variables: bool) -> str:
        pool = [*SPELLINGS, *CONSTANTS]
        if variables:
            pool += sorted(self.variables)
        short = name.split(".")[-1]
        close = [p for p in SPELLINGS if p.split(".")[-1] == short and p.startswith("np.")][:2]
        close = close or difflib.get_close_matches(name, pool, n=3, cutoff=0.7)
        known = ", ".join(sorted(self.variables)) or "none"
        hint = f"did you mean {' or '.join(f'`{c}`' for c in close)}? " if close else ""
        return f"{hint}the variables are: {known}" if variables else hint + "see FUNCTIONS"

    def _attribute(self, node: ast.Attribute, depth: int) -> Node:
        if node.attr in ("T", "mT", "H") and _dotted(node.value) not in ("np", "numpy"):
            operand = self.convert(node.value, depth + 1)
            return Transpose(
                operand,
                last_two=node.attr == "mT",
                conjugate=node.attr == "H",
                span=self.span(node),
            )
        path = _dotted(node)
        root = path.split(".")[0] if path else None
        if path is not None and root in ("np", "numpy") and root not in self.variables:
            return self._named(node, path)
        raise self.fail(
            node,
            f"attribute access `{self.text(node)}` is not allowed; use a function instead "
            f"(e.g. `sum(x)` for `x.sum()`); the only attributes are `.T`, `.mT` and `.H`",
        )

    def _unary(self, node: ast.UnaryOp, depth: int) -> Node:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            symbol = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), "?")
            raise self.fail(node, f"the operator `{symbol}` is not allowed; only - and +")
        op = "-" if isinstance(node.op, ast.USub) else "+"
        operand = self.convert(node.operand, depth + 1)
        if isinstance(operand, Constant):
            value = -operand.value if op == "-" else +operand.value
            return Constant(_small(value), span=self.span(node))
        return UnaryOp(op, operand, span=self.span(node))

    def _binary(self, node: ast.BinOp, depth: int) -> Node:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise self.fail(node, f"the operator in `{self.text(node)}` is not allowed")
        for side in (node.left, node.right):
            if isinstance(side, (ast.List, ast.Tuple)):
                raise self.fail(
                    node,
                    f"arithmetic on a list or tuple (`{self.text(node)}`) is not allowed; write "
                    f"the entries out (at most {self.limits.max_list})",
                )
        if op in ("+", "-", "@") and (
            self._is_identity_term(node.left) or self._is_identity_term(node.right)
        ):
            return self._with_identity(node, op, depth)
        if op == "*" and (self._is_identity(node.left) or self._is_identity(node.right)):
            other = node.right if self._is_identity(node.left) else node.left
            if not isinstance(other, ast.Constant):
                return self._with_identity(node, op, depth)  # A * I: elementwise, A's size
        left = self.convert(node.left, depth + 1)
        right = self.convert(node.right, depth + 1)
        if op == "**":
            return self._power(node, left, right)
        if isinstance(left, Constant) and isinstance(right, Constant) and op != "@":
            return self._fold(node, op, left.value, right.value)
        return BinaryOp(op, left, right, span=self.span(node))

    def _is_identity(self, node: ast.AST) -> bool:
        """Is `node` the bare name ``I`` (the identity), not a variable of that name?"""
        return isinstance(node, ast.Name) and node.id == "I" and "I" not in self.variables

    def _identity_term(self, node: ast.AST) -> tuple[str, ast.AST | None] | None:
        """For an identity term -- ``I``, ``c * I``, ``I * c``, ``I / c``, ``-I`` -- how its
        scalar factor applies: ``("*", c)``, ``("/", c)``, ``("*", None)`` for ``I`` itself;
        None for anything else."""
        if self._is_identity(node):
            return "*", None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            if self._is_identity(node.operand):
                return "*", ast.copy_location(ast.Constant(-1), node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            if self._is_identity(node.right) and isinstance(node.op, ast.Mult):
                return "*", node.left
            if self._is_identity(node.left):
                return ("*" if isinstance(node.op, ast.Mult) else "/"), node.right
        return None

    def _is_identity_term(self, node: ast.AST) -> bool:
        return self._identity_term(node) is not None

    def _with_identity(self, node: ast.BinOp, op: str, depth: int) -> Node:
        """``A + I``, ``A - 2 * I``, ``I @ x``, ``x @ I``: the identity sized from the other
        operand (a scalar factor of it is kept)."""
        left_is_identity = self._is_identity_term(node.left)
        if left_is_identity and self._is_identity_term(node.right):
            raise self.fail(node, "`I` takes its size from the other operand; here both are `I`")
        term, other_node = (node.left, node.right) if left_is_identity else (node.right, node.left)
        other = self.convert(other_node, depth + 1)
        fit = "square" if op != "@" else ("left" if left_is_identity else "right")
        span = self.span(term)
        eye: Node = Call("eye_like", (other,), options=(("fit", fit),), span=span)
        how, factor = self._identity_term(term)  # type: ignore[misc]
        if factor is not None:
            scalar = self.convert(factor, depth + 2)
            eye = (
                BinaryOp("*", scalar, eye, span=span)
                if how == "*"
                else BinaryOp("/", eye, scalar, span=span)
            )
        left, right = (eye, other) if left_is_identity else (other, eye)
        return BinaryOp(op, left, right, span=self.span(node))

    def _power(self, node: ast.BinOp, base: Node, exponent: Node) -> Node:
        if not isinstance(exponent, Constant) or type(exponent.value) is bool:
            raise self.fail(
                node,
                f"exponents must be constant numbers (`{self.text(node)}`); write exp(y * "
                f"log(x)) for a variable exponent",
            )
        p = exponent.value
        if abs(p) > self.limits.max_exponent:
            raise self.fail(
                node,
                f"the exponent {p} in `{self.text(node)}` exceeds {self.limits.max_exponent} in "
                f"magnitude (Limits.max_exponent)",
            )
        if isinstance(base, Constant):
            return self._fold(node, "**", base.value, p)
        return Power(base, p, span=self.span(node))

    def _fold(self, node: ast.AST, op: str, a: Any, b: Any) -> Constant:
        try:
            value = _FOLD[op](a, b)
        except OverflowError:
            raise self.fail(node, f"the constant `{self.text(node)}` overflows float64") from None
        except (ArithmeticError, ValueError) as exc:
            raise self.fail(node, f"the constant `{self.text(node)}` fails: {exc}") from None
        if isinstance(value, complex):
            raise self.fail(node, f"the constant `{self.text(node)}` is a complex number")
        try:
            value = _small(value)
        except OverflowError:
            value = math.inf
        if isinstance(value, float) and not math.isfinite(value):
            if all(math.isfinite(v) for v in (a, b)):
                raise self.fail(node, f"the constant `{self.text(node)}` overflows float64")
        return Constant(value, span=self.span(node))

    def _compare(self, node: ast.Compare, depth: int) -> Node:
        if len(node.ops) != 1:
            raise self.fail(
                node,
                f"chained comparisons (`{self.text(node)}`) are not allowed; compare once, "
                f"e.g. where(a < x, where(x < b, ...))",
            )
        op = _COMPARE.get(type(node.ops[0]))
        if op is None:
            raise self.fail(node, f"only numeric comparisons are allowed (`{self.text(node)}`)")
        left = self.convert(node.left, depth + 1)
        right = self.convert(node.comparators[0], depth + 1)
        if isinstance(left, Constant) and isinstance(right, Constant):
            return self._fold(node, op, left.value, right.value)
        return BinaryOp(op, left, right, span=self.span(node))

    def _list(self, node: ast.AST, depth: int) -> Node:
        raise self.fail(
            node,
            f"a list or tuple (`{self.text(node)}`) is allowed only as an index or a function "
            f"argument, e.g. stack([a, b])",
        )

    # -- calls --------------------------------------------------------------------------------

    def _call(self, node: ast.Call, depth: int) -> Node:
        fn, args, options = self._bind(node, depth)
        outputs = fn.outputs(**dict(options))
        if outputs:
            listed = ", ".join(outputs)
            raise self.fail(
                node,
                f"`{self.text(node.func)}` returns {len(outputs)} arrays ({listed}); select one, "
                f"e.g. `{self.text(node)}[0]`",
            )
        return Call(fn.name, args, options, span=self.span(node))

    def _function(self, node: ast.Call) -> Function:
        path = _dotted(node.func)
        if path is None:
            raise self.fail(node, f"only named functions may be called (`{self.text(node)}`)")
        if path in self.variables:
            raise self.fail(node.func, f"`{path}` is a variable, not a function")
        fn = SPELLINGS.get(path)
        if fn is not None:
            return fn
        short = path.split(".")[-1]
        if short in _ALLOCATING:
            raise self.fail(
                node.func,
                f"`{path}` is not available: a formula cannot make arrays of a size given by a "
                f"number (that keeps its memory bounded); build them from the variables, e.g. "
                f"zeros_like(x), and the identity as `I` (`A + I`, `I @ x`) or eye_like(X)",
            )
        raise self.fail(
            node.func, f"`{path}` is not an allowed function; {self._suggest(path, False)}"
        )

    def _bind(self, node: ast.Call, depth: int):
        """The function, its array arguments and its options for a call node."""
        fn = self._function(node)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "argument unpacking `*` is not allowed")
        given: dict[str, ast.AST] = {}
        positional = list(node.args)
        for param in fn.params:
            if not positional:
                break
            if param.kind == "operands":
                given[param.name] = positional  # type: ignore[assignment]
                positional = []
            else:
                given[param.name] = positional.pop(0)
        if positional:
            count = len(fn.params)
            raise self.fail(
                positional[0],
                f"`{fn.name}` takes at most {count} argument{'s' * (count > 1)} "
                f"({', '.join(p.name for p in fn.params)})",
            )
        params = {p.name: p for p in fn.params}
        for kw in node.keywords:
            if kw.arg is None:
                raise self.fail(kw.value, "keyword unpacking `**` is not allowed")
            if kw.arg not in params or params[kw.arg].kind == "operands":
                names = ", ".join(p.name for p in fn.params)
                raise self.fail(
                    kw.value, f"`{fn.name}` has no parameter `{kw.arg}`; its parameters: {names}"
                )
            if kw.arg in given:
                raise self.fail(kw.value, f"`{fn.name}` got `{kw.arg}` twice")
            given[kw.arg] = kw.value
        args: list[Node] = []
        options: list[tuple[str, Any]] = []
        for param in fn.params:
            self._argument(node, fn, param, given.get(param.name), depth, args, options)
        return fn, tuple(args), tuple(options)

    def _argument(self, call, fn, param: Param, value, depth, args, options) -> None:
        if value is None:
            if param.kind == "operands":
                if not args:
                    raise self.fail(call, f"`{fn.name}` needs at least one operand")
                return
            if param.default is REQUIRED:
                raise self.fail(call, f"`{fn.name}` needs the argument `{param.name}`")
            if param.kind == "bound":
                args.append(Constant(param.default))
            elif not param.is_array:
                options.append((param.name, param.default))
            return
        if param.kind == "array":
            args.append(self.convert(value, depth + 1))
        elif param.kind == "bound":
            constant = isinstance(value, ast.Constant) and value.value is None
            args.append(Constant(param.default) if constant else self.convert(value, depth + 1))
        elif param.kind == "operands":
            if len(value) > self.limits.max_list:
                raise self.fail(call, self._too_many(fn, len(value)))
            args.extend(self.convert(v, depth + 1) for v in value)
        elif param.kind == "arrays":
            args.extend(self._array_list(call, fn, value, depth))
        elif param.kind == "blocks":
            rows, items = self._blocks(call, fn, value, depth)
            args.extend(items)
            options.append((param.name, rows))
        else:
            options.append((param.name, self._option(fn, param, value)))

    def _too_many(self, fn: Function, count: int) -> str:
        return (
            f"`{fn.name}` of {count} arrays; at most {self.limits.max_list} are allowed "
            f"(Limits.max_list)"
        )

    def _array_list(self, call, fn: Function, value: ast.AST, depth: int) -> list[Node]:
        if not isinstance(value, (ast.List, ast.Tuple)):
            raise self.fail(value, f"`{fn.name}` takes a list of arrays, e.g. {fn.name}([a, b])")
        if len(value.elts) > self.limits.max_list:
            raise self.fail(value, self._too_many(fn, len(value.elts)))
        return [self.convert(v, depth + 1) for v in value.elts]

    def _blocks(self, call, fn: Function, value: ast.AST, depth: int):
        items = self._array_list(call, fn, value, depth) if not _has_lists(value) else None
        if items is not None:
            return None, items
        rows, flat = [], []
        for row in value.elts:  # type: ignore[attr-defined]
            if not isinstance(row, (ast.List, ast.Tuple)) or _has_lists(row):
                raise self.fail(
                    row, "`block` takes a list of arrays or a list of lists of arrays (2 levels)"
                )
            flat.extend(self._array_list(call, fn, row, depth + 1))
            rows.append(len(row.elts))
        if len(flat) > self.limits.max_list:
            raise self.fail(value, self._too_many(fn, len(flat)))
        return tuple(rows), flat

    # -- static options -----------------------------------------------------------------------

    def _constant(self, node: ast.AST, what: str) -> Any:
        """The Python value of a constant option: numbers (folded), strings, None, booleans,
        and tuples or lists of them."""
        if isinstance(node, ast.Constant):
            if type(node.value) in (int, float) and abs(node.value) > _LITERAL_MAX:
                raise self.fail(node, f"the number `{self.text(node)}` is out of range (> 1e300)")
            return _small(node.value) if type(node.value) in (int, float) else node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            if len(node.elts) > self.limits.max_list:
                raise self.fail(
                    node,
                    f"{what}: a list of {len(node.elts)} entries; at most {self.limits.max_list} "
                    f"(Limits.max_list)",
                )
            return tuple(self._constant(e, what) for e in node.elts)
        folded = self.convert(node, 1)
        if isinstance(folded, Constant):
            return folded.value
        raise self.fail(node, f"{what} must be a constant; got `{self.text(node)}`")

    def _option(self, fn: Function, param: Param, node: ast.AST) -> Any:
        what = f"the `{param.name}` of `{fn.name}`"
        value = self._constant(node, what)
        kind = param.kind
        if kind == "axis" and value is None:
            return None
        if kind in ("axis", "int", "exponent"):
            if not _is_int(value):
                raise self.fail(node, f"{what} must be an integer; got `{self.text(node)}`")
            if kind == "exponent" and abs(value) > self.limits.max_exponent:
                raise self.fail(
                    node,
                    f"{what} is {value}; at most {self.limits.max_exponent} in magnitude "
                    f"(Limits.max_exponent)",
                )
            return value
        if kind == "axes" and _is_int(value):
            return value  # numpy treats an int axis and a 1-tuple differently for 0-d arrays
        if kind in ("axes", "shape"):
            return self._int_tuple(node, what, value, nullable=kind == "axes")
        if kind == "str":
            return self._string(node, what, param, value)
        if kind == "bool":
            if value in (0, 1) and type(value) in (bool, int):
                return bool(value)
            raise self.fail(node, f"{what} must be True or False; got `{self.text(node)}`")
        if kind == "ord":
            if value is None or value in ("fro", "nuc") or type(value) in (int, float):
                return value
            raise self.fail(node, f"{what} must be a number, inf, 'fro' or 'nuc'")
        if type(value) not in (int, float):
            raise self.fail(node, f"{what} must be a number; got `{self.text(node)}`")
        return value

    def _int_tuple(self, node: ast.AST, what: str, value: Any, *, nullable: bool) -> Any:
        if value is None and nullable:
            return None
        values = value if isinstance(value, tuple) else (value,)
        if not all(_is_int(v) for v in values):
            raise self.fail(node, f"{what} must be an integer or a tuple of integers")
        if len(values) > self.limits.max_ndim:
            raise self.fail(
                node,
                f"{what} has {len(values)} entries; arrays have at most {self.limits.max_ndim} "
                f"dimensions (Limits.max_ndim)",
            )
        return values

    def _string(self, node: ast.AST, what: str, param: Param, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(node, f"{what} must be a string; got `{self.text(node)}`")
        if param.choices and value not in param.choices:
            listed = ", ".join(repr(c) for c in param.choices)
            raise self.fail(node, f"{what} must be one of {listed}; got {value!r}")
        return value

    # -- indexing -----------------------------------------------------------------------------

    def _subscript(self, node: ast.Subscript, depth: int) -> Node:
        if isinstance(node.value, ast.Call):
            fn, args, options = self._bind(node.value, depth + 1)
            outputs = fn.outputs(**dict(options))
            if outputs:
                k = self._output(node, fn, outputs)
                return Call(fn.name, args, options, output=k, span=self.span(node))
        operand = self.convert(node.value, depth + 1)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        items = tuple(self._index_item(p) for p in parts)
        return Index(operand, items, span=self.span(node))

    def _output(self, node: ast.Subscript, fn: Function, outputs: tuple[str, ...]) -> int:
        value = None
        try:
            value = self._constant(node.slice, "an output")
        except ExpressionError:
            pass
        if not _is_int(value) or not -len(outputs) <= value < len(outputs):
            listed = ", ".join(f"[{k}] {name}" for k, name in enumerate(outputs))
            raise self.fail(
                node,
                f"`{fn.name}` returns {len(outputs)} arrays; select one of {listed} before "
                f"indexing further, e.g. `{fn.name}(...)[1][0]`",
            )
        return value % len(outputs)

    def _index_item(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Slice):
            parts = []
            for part in (node.lower, node.upper, node.step):
                value = None if part is None else self._constant(part, "a slice bound")
                if value is not None and not _is_int(value):
                    raise self.fail(node, f"slice bounds must be integers (`{self.text(node)}`)")
                parts.append(value)
            if parts[2] == 0:
                raise self.fail(node, "a slice step cannot be zero")
            return Slice(*parts)
        if isinstance(node, ast.Constant) and node.value is Ellipsis:
            return Ellipsis
        if _dotted(node) in _NEWAXIS:
            return None
        if isinstance(node, ast.List):
            return self._index_list(node)
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        item = self.convert(node, 1)  # unknown names, list arithmetic: their own messages
        if isinstance(item, Constant) and _is_int(item.value):
            return item.value
        raise self.fail(
            node,
            f"indices must be constant integers, slices, lists of integers, None or ...; got "
            f"`{self.text(node)}` (for a mask use where(condition, x, 0))",
        )

    def _index_list(self, node: ast.List) -> tuple[int, ...]:
        if len(node.elts) > self.limits.max_list:
            raise self.fail(
                node,
                f"an index list of {len(node.elts)} entries; at most {self.limits.max_list} "
                f"(Limits.max_list)",
            )
        values = tuple(self._constant(e, "an index list") for e in node.elts)
        if not all(_is_int(v) for v in values):
            raise self.fail(node, f"an index list must hold integers (`{self.text(node)}`)")
        return values


def _has_lists(node: ast.AST) -> bool:
    return isinstance(node, (ast.List, ast.Tuple)) and any(
        isinstance(e, (ast.List, ast.Tuple)) for e in node.elts
    )


def _is_int(value: Any) -> bool:
    return type(value) is int


def _small(value: Any) -> Any:
    """An int beyond int64 as a float (as numpy would take it); other values unchanged."""
    if type(value) is int and abs(value) > _INT64_MAX:
        return float(value)
    return value


_HANDLERS: dict[type, Callable[[_Converter, Any, int], Node]] = {
    ast.Constant: _Converter._constant_node,
    ast.Name: _Converter._name,
    ast.Attribute: _Converter._attribute,
    ast.UnaryOp: _Converter._unary,
    ast.BinOp: _Converter._binary,
    ast.Compare: _Converter._compare,
    ast.Call: _Converter._call,
    ast.Subscript: _Converter._subscript,
    ast.List: _Converter._list,
    ast.Tuple: _Converter._list,
}
