"""A typed expression language for numpy formulas, with static shapes and budgets.

A formula typed by a person (``"x @ A @ x"``, ``"np.log(np.linalg.det(X))"``) is parsed into a
typed syntax tree (:func:`parse_expression`), its shapes are inferred from the variables'
shapes without evaluating anything (:func:`infer_shape`, :func:`analyse`), and it is evaluated
with numpy (:func:`evaluate`, or :func:`compile_expression` for a callable) and rendered for
people as plain text or canonical LaTeX (:func:`render_text`, :func:`render_latex`).

The language
------------
Python syntax: numbers, the variables, ``+ - * / // % @``, comparisons, unary ``-``/``+``,
``x ** p`` with a constant exponent, ``.T``, ``.mT`` and the conjugate transpose ``.H``
(complex variables also take ``conj``, ``real``, ``imag`` and ``abs``), indexing and slicing
with constants (integers, slices, lists of integers, ``None``/``newaxis``, ``...``), and calls
of the functions
in :data:`FUNCTIONS` -- bare, ``np.``-prefixed or, for linear algebra, ``np.linalg.``-prefixed
-- with their static options (``axis``, ``k``, ``ord``, einsum subscripts, ...) as constants. A
function returning several arrays is indexed at once: ``slogdet(X)[1]``, ``eigh(X)[0]``.
Nothing else: no other attributes, names, builtins, lambdas, comprehensions, strings outside
options, or functions that make arrays of a size given by a number (``ones``, ``eye``).
The identity is ``I``, sized from the other operand of ``+``, ``-``, ``*`` or ``@``
(``A + I``, ``A - 2 * I``, ``I @ x``), or ``eye_like(X)`` for the identity of a square X.
Mathematical spellings are read too: ``x'``, ``x^T``, ``x^{T}``, ``x^\\top`` and ``xᵀ`` are
transposes, ``x^H`` and ``x^{H}`` conjugate transposes, ``x^2`` and ``x^{p}`` powers, ``⊙``
the elementwise product.

Budgets (:class:`Limits`, checked before numpy allocates anything)
-----------------------------------------------------------------
- ``max_length`` = 2,000 characters of source;
- ``max_depth`` = 200 levels of nesting (a deeper formula is an ExpressionError, never a
  RecursionError);
- ``max_exponent`` = 64: constant exponents only, ``|p| <= 64``, also in constant folding
  (which works in int64/float64 and refuses overflow: ``9**64**64`` fails at once) and in
  ``matrix_power``;
- ``max_list`` = 64 entries in an index list, arrays in ``stack``/``concatenate``/``block``,
  operands of ``einsum``; lists and tuples cannot be repeated or added (``[0] * 10**9``);
- ``max_ndim`` = 8 dimensions of any array, variables included;
- ``max_elements`` = 10**7 elements of any array at one point: variables, intermediates and
  result (numpy's temporaries inside one function are a small multiple of its operands and
  result);
- ``max_work`` = 10**9 estimated floating-point operations of one evaluation at one point;
- ``max_check_work`` = 10**9 estimated operations of a dense check by one variable of n entries
  (about n * (n + result size + work) for a derivative, n times that for a Hessian; see
  :func:`refuse_dense_check`): the ``formula`` and ``check`` commands refuse a larger one up
  front.

Batches
-------
gradcheck evaluates f at stacked points. The shapes given to :func:`analyse` or to
``compile_expression(..., shapes=...)`` are the unbatched shapes; evaluation then accepts
arrays with extra leading axes and returns the stack of the results, each point computed with
numpy's semantics at that point, in chunks that keep every intermediate within
``max_elements``. Without shapes, each call takes its arrays as one point (plain numpy
semantics, budgets checked at the arrays' own shapes).

Examples
--------
>>> import numpy as np
>>> from gradcheck.expressions import compile_expression, infer_shape, parse_expression
>>> e = parse_expression("trace(W.T @ A @ W)", ["W", "A"])
>>> infer_shape(e, {"W": (3, 2), "A": (3, 3)})
()
>>> f = compile_expression("(A + A.T) @ x", ["x", "A"])
>>> f(x=np.ones(2), A=np.eye(2))
array([2., 2.])
"""

from ._compile import CompiledExpression, compile_expression
from ._evaluate import evaluate
from ._functions import FUNCTIONS, OPERATORS, REQUIRED, SPELLINGS, Function, Param
from ._infer import Analysis, analyse, infer_shape
from ._limits import DEFAULT_LIMITS, Limits, dense_check_work, refuse_dense_check
from ._nodes import (
    BinaryOp,
    Call,
    Constant,
    Expression,
    ExpressionError,
    Index,
    IndexItem,
    Node,
    Power,
    Slice,
    Transpose,
    UnaryOp,
    Variable,
)
from ._parse import CONSTANTS, parse_expression
from ._render import render_latex, render_text
from ._rules import RuleError, Shape

__all__ = [
    "CONSTANTS",
    "DEFAULT_LIMITS",
    "FUNCTIONS",
    "OPERATORS",
    "REQUIRED",
    "SPELLINGS",
    "Analysis",
    "BinaryOp",
    "Call",
    "CompiledExpression",
    "Constant",
    "Expression",
    "ExpressionError",
    "Function",
    "Index",
    "IndexItem",
    "Limits",
    "Node",
    "Param",
    "Power",
    "RuleError",
    "Shape",
    "Slice",
    "Transpose",
    "UnaryOp",
    "Variable",
    "analyse",
    "compile_expression",
    "dense_check_work",
    "evaluate",
    "infer_shape",
    "parse_expression",
    "refuse_dense_check",
    "render_latex",
    "render_text",
]
