"""The function table: every function a formula may call, defined once.

Each :class:`Function` entry holds, side by side, the spellings the parser accepts, the
parameters (array arguments and static options), the numpy implementation, the static shape
rule, a cost estimate and (where numpy's own function does not take a stack of points) a
batched implementation. The operators (``+``, ``@``, ``**``, ``.T``, indexing) have entries of
the same kind in :data:`OPERATORS`, so inference and evaluation treat every node alike.

Adding a function is adding one entry to ``_ENTRIES``. ``vec`` (column-major flattening of
a matrix) would be::

    Function(
        name="vec",
        names=("vec",),
        params=(Param("X", "array"),),
        implement=lambda X: np.reshape(np.swapaxes(X, -1, -2), -1),
        shape=lambda shapes, **_: (math.prod(matrix(shapes[0], "vec")),),
        cost=elementwise_cost,
    )

(``batched=None``: evaluated point by point in a batch until a batched version is written).
A constant-sized ``eye(n)`` takes an ``"int"`` option. An identity sized from its context
(``A + I``) needs a node whose shape the parent's rule supplies; the rules here only map the
argument shapes to the result's.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from ._rules import (
    RuleError,
    Shape,
    axes_indices,
    axis_index,
    broadcast,
    cubic_cost,
    diagonal_length,
    elementwise,
    elementwise_cost,
    expand,
    lift,
    loop,
    matrix,
    reduced,
    shifted,
    size,
    square,
)

__all__ = ["FUNCTIONS", "OPERATORS", "REQUIRED", "SPELLINGS", "Function", "Param"]

ParamKind = Literal[
    "array", "bound", "operands", "arrays", "blocks", "axis", "axes", "int", "exponent",
    "shape", "str", "bool", "ord", "number", "index",
]  # fmt: skip


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Default of a parameter that must be given.
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Param:
    """One parameter of a :class:`Function`.

    Attributes
    ----------
    name : str
        numpy's name of the parameter (usable as a keyword).
    kind : str
        ``"array"`` an expression; ``"bound"`` an expression or None (None means `default`,
        ``clip``'s open bounds); ``"operands"`` all remaining positional expressions;
        ``"arrays"`` a list or tuple of expressions; ``"blocks"`` a list of expressions or of
        lists of expressions (``block``; its option is the row lengths, None for a flat
        list); the static kinds ``"axis"`` (int or None), ``"axes"`` (int, tuple of ints or
        None, kept as a tuple), ``"int"``, ``"exponent"`` (an int within
        ``Limits.max_exponent``), ``"shape"`` (int or tuple of ints, kept as a tuple),
        ``"str"`` (one of `choices`, any string if none), ``"bool"``, ``"ord"`` (a norm order),
        ``"number"`` and ``"index"`` (the items of an index).
    default : object
        The value when the argument is omitted (:data:`REQUIRED` if it must be given).
    choices : tuple
        The allowed strings of a ``"str"`` parameter.
    """

    name: str
    kind: ParamKind
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()

    @property
    def is_array(self) -> bool:
        """Whether the argument is an expression (evaluated) rather than a static option."""
        return self.kind in ("array", "bound", "operands", "arrays", "blocks")


def _single_output(**_: Any) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True, kw_only=True)
class Function:
    """One entry of the function table.

    Attributes
    ----------
    name : str
        Canonical name, used in :class:`~gradcheck.expressions.Call` nodes.
    names : tuple of str
        Every spelling the parser accepts (``"sum"``, ``"np.sum"``, ``"numpy.sum"``).
    params : tuple of Param
        The parameters, array arguments and static options, in numpy's order.
    implement : callable
        ``implement(*arrays, **options)``: the numpy computation at one point.
    shape : callable
        ``shape(shapes, **options)``: the result's shape (a tuple of shapes for a function with
        several outputs) from the argument shapes; raises ``RuleError`` on a mismatch.
    cost : callable
        ``cost(shapes, out, **options)``: estimated floating-point operations.
    batched : callable or None
        ``batched(arrays, cores, out, **options)`` on arrays with one leading batch axis (see
        ``_rules``), returning the results with that axis in front; None to evaluate a batch
        point by point with `implement`.
    outputs : callable
        ``outputs(**options)``: names of the outputs when the function returns several arrays
        (``eigh``: eigenvalues, eigenvectors), else ``()``.
    """

    name: str
    names: tuple[str, ...]
    params: tuple[Param, ...]
    implement: Callable[..., Any]
    shape: Callable[..., Any]
    cost: Callable[..., int]
    batched: Callable[..., Any] | None = None
    outputs: Callable[..., tuple[str, ...]] = _single_output


def _np(name: str) -> tuple[str, ...]:
    return (name, f"np.{name}", f"numpy.{name}")


def _linalg(name: str) -> tuple[str, ...]:
    return (name, f"np.linalg.{name}", f"numpy.linalg.{name}")


_X = Param("x", "array")
_Y = Param("y", "array")


def _stacked(implement: Callable[..., Any]) -> Callable[..., Any]:
    """Batched version of a function that already maps stacks to stacks (numpy's linalg)."""

    def batched(arrays: Sequence[np.ndarray], cores: Sequence[Shape], out: Any, **options):
        return implement(*arrays, **options)

    return batched


def _same_shape(shapes: Sequence[Shape], **_: Any) -> Shape:
    return shapes[0]


def _broadcast_shape(shapes: Sequence[Shape], **_: Any) -> Shape:
    return broadcast(*shapes)


# ---------------------------------------------------------------------------------------------
# elementwise


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


def _unary(name: str, implement: Callable[..., Any], names: tuple[str, ...] = ()) -> Function:
    return Function(
        name=name,
        names=names or _np(name),
        params=(_X,),
        implement=implement,
        shape=_same_shape,
        cost=elementwise_cost,
        batched=_stacked(implement),
    )


def _nary(name: str, implement: Callable[..., Any], params: tuple[Param, ...]) -> Function:
    return Function(
        name=name,
        names=_np(name),
        params=params,
        implement=implement,
        shape=_broadcast_shape,
        cost=elementwise_cost,
        batched=elementwise(implement),
    )


def _fill_core(a: Shape, fill: Shape) -> Shape:
    """The fill value's shape as numpy assigns it: leading axes of length 1 dropped."""
    while len(fill) > len(a) and fill[0] == 1:
        fill = fill[1:]
    return fill


def _full_like_shape(shapes: Sequence[Shape], **_: Any) -> Shape:
    a, fill = shapes
    if broadcast(a, _fill_core(a, fill)) != a:
        raise RuleError(f"full_like: a fill value of shape {fill} does not fit shape {a}")
    return a


def _full_like_batched(arrays, cores, out, **_):
    a, fill = arrays
    core = _fill_core(cores[0], cores[1])
    result = np.empty((max(a.shape[0], fill.shape[0]), *out), dtype=a.dtype)
    np.copyto(result, lift(fill.reshape(fill.shape[:1] + core), core, len(out)), casting="unsafe")
    return result


_ELEMENTWISE = (
    _unary("sin", np.sin),
    _unary("cos", np.cos),
    _unary("tan", np.tan),
    _unary("arcsin", np.arcsin),
    _unary("arccos", np.arccos),
    _unary("arctan", np.arctan),
    _unary("sinh", np.sinh),
    _unary("cosh", np.cosh),
    _unary("tanh", np.tanh),
    _unary("exp", np.exp),
    _unary("expm1", np.expm1),
    _unary("log", np.log),
    _unary("log1p", np.log1p),
    _unary("log2", np.log2),
    _unary("log10", np.log10),
    _unary("sqrt", np.sqrt),
    _unary("abs", np.abs),
    _unary("conj", np.conj, names=(*_np("conj"), *_np("conjugate"))),
    _unary("real", np.real),
    _unary("imag", np.imag),
    _unary("sign", np.sign),
    _unary("square", np.square),
    _unary("sigmoid", _sigmoid),
    _unary("zeros_like", np.zeros_like),
    _unary("ones_like", np.ones_like),
    _nary("maximum", np.maximum, (_X, _Y)),
    _nary("minimum", np.minimum, (_X, _Y)),
    _nary("logaddexp", np.logaddexp, (_X, _Y)),
    _nary("where", np.where, (Param("condition", "array"), _X, _Y)),
    _nary(
        "clip",
        np.clip,
        (
            Param("a", "array"),
            Param("a_min", "bound", -math.inf),
            Param("a_max", "bound", math.inf),
        ),
    ),
    Function(
        name="full_like",
        names=_np("full_like"),
        params=(Param("a", "array"), Param("fill_value", "array")),
        implement=np.full_like,
        shape=_full_like_shape,
        cost=elementwise_cost,
        batched=_full_like_batched,
    ),
)


# ---------------------------------------------------------------------------------------------
# reductions and scans


def _reduction(name: str, implement: Callable[..., Any], *, scalar_axis: bool) -> Function:
    def shape(shapes, *, axis, keepdims):
        a = shapes[0]
        return reduced(a, axes_indices(axis, len(a), scalar_axis=scalar_axis), keepdims)

    def batched(arrays, cores, out, *, axis, keepdims):
        axes = shifted(axis, len(cores[0]), scalar_axis=scalar_axis)
        return implement(arrays[0], axis=axes, keepdims=keepdims)

    return Function(
        name=name,
        names=_np(name),
        params=(Param("a", "array"), Param("axis", "axes", None), Param("keepdims", "bool", False)),
        implement=implement,
        shape=shape,
        cost=elementwise_cost,
        batched=batched,
    )


def _cumsum_shape(shapes, *, axis):
    a = shapes[0]
    if axis is None or (not a and axis in (0, -1)):  # numpy takes a 0-d array as 1-d
        return (size(a),)
    axis_index(axis, len(a))
    return a


def _cumsum_batched(arrays, cores, out, *, axis):
    a, core = arrays[0], cores[0]
    if axis is None or not core:
        return np.cumsum(a.reshape(a.shape[0], size(core)), axis=1)
    return np.cumsum(a, axis=1 + axis_index(axis, len(core)))


def _diff_shape(shapes, *, n, axis):
    a = shapes[0]
    if axis is None:
        raise RuleError("diff needs an integer `axis`; got None")
    if not a:
        raise RuleError("diff needs an array of at least 1 dimension; got a scalar")
    if n < 0:
        raise RuleError(f"diff: the order `n` must be non-negative; got {n}")
    k = axis_index(axis, len(a))
    return (*a[:k], max(0, a[k] - n), *a[k + 1 :])


def _diff_batched(arrays, cores, out, *, n, axis):
    return np.diff(arrays[0], n=n, axis=1 + axis_index(axis, len(cores[0])))


def _softmax_shape(shapes, *, axis):
    axes_indices(axis, len(shapes[0]), scalar_axis=True)
    return shapes[0]


def _softmax_batched(arrays, cores, out, *, axis):
    return _softmax(arrays[0], axis=shifted(axis, len(cores[0]), scalar_axis=True))


def _logsumexp_shape(shapes, *, axis):
    a = shapes[0]
    return reduced(a, axes_indices(axis, len(a), scalar_axis=True), False)


def _logsumexp_batched(arrays, cores, out, *, axis):
    return _logsumexp(arrays[0], axis=shifted(axis, len(cores[0]), scalar_axis=True))


_REDUCTIONS = (
    _reduction("sum", np.sum, scalar_axis=True),
    _reduction("prod", np.prod, scalar_axis=True),
    _reduction("mean", np.mean, scalar_axis=False),
    Function(
        name="cumsum",
        names=_np("cumsum"),
        params=(Param("a", "array"), Param("axis", "axis", None)),
        implement=np.cumsum,
        shape=_cumsum_shape,
        cost=elementwise_cost,
        batched=_cumsum_batched,
    ),
    Function(
        name="diff",
        names=_np("diff"),
        params=(Param("a", "array"), Param("n", "int", 1), Param("axis", "axis", -1)),
        implement=np.diff,
        shape=_diff_shape,
        cost=lambda shapes, out, *, n, axis: max(1, n) * max(1, size(shapes[0])),
        batched=_diff_batched,
    ),
    Function(
        name="softmax",
        names=_np("softmax"),
        params=(Param("z", "array"), Param("axis", "axis", -1)),
        implement=_softmax,
        shape=_softmax_shape,
        cost=lambda shapes, out, **_: 5 * size(shapes[0]),
        batched=_softmax_batched,
    ),
    Function(
        name="logsumexp",
        names=_np("logsumexp"),
        params=(Param("z", "array"), Param("axis", "axes", -1)),
        implement=_logsumexp,
        shape=_logsumexp_shape,
        cost=lambda shapes, out, **_: 5 * size(shapes[0]),
        batched=_logsumexp_batched,
    ),
)


# ---------------------------------------------------------------------------------------------
# products


def _matmul_shape(shapes: Sequence[Shape], **_: Any) -> Shape:
    a, b = shapes
    if not a or not b:
        raise RuleError(f"matmul of {a} and {b}: both operands need at least 1 dimension (use *)")
    a2 = (1, *a) if len(a) == 1 else a
    b2 = (*b, 1) if len(b) == 1 else b
    if a2[-1] != b2[-2]:
        raise RuleError(f"matmul of {a} and {b}: the inner dimensions {a2[-1]} and {b2[-2]} differ")
    try:
        stack = broadcast(a2[:-2], b2[:-2])
    except RuleError:
        raise RuleError(f"matmul of {a} and {b}: the stacks do not broadcast") from None
    return stack + a2[-2:-1] * (len(a) > 1) + b2[-1:] * (len(b) > 1)


def _matmul_cost(shapes, out, **_):
    a = shapes[0]
    k = a[-1] if a else 1
    return 2 * size(out) * max(k, 1)


def _matmul_batched(arrays, cores, out, **_):
    (a, b), (ca, cb) = arrays, cores
    if len(ca) == 1:
        a, ca = a[:, None, :], (1, *ca)
    if len(cb) == 1:
        b, cb = b[..., None], (*cb, 1)
    rank = max(len(ca), len(cb))
    result = np.matmul(lift(a, ca, rank), lift(b, cb, rank))
    return result.reshape(result.shape[:1] + out)


def _dot_shape(shapes, **_):
    a, b = shapes
    if not a or not b:
        return broadcast(a, b)
    k = 0 if len(b) == 1 else -2
    if a[-1] != b[k]:
        raise RuleError(f"dot of {a} and {b}: dimensions {a[-1]} and {b[k]} differ")
    return a[:-1] + b[:-2] + b[-1:] * (len(b) > 1)


def _contract_last(a, sa: Shape, b, sb: Shape, k: int):
    """Batched sum over the last axis of `a` (unbatched shape ``sa + (k,)``) and the last axis
    of `b` (shape ``sb + (k,)``): the result has unbatched shape ``sa + sb``."""
    left = a.reshape(a.shape[0], size(sa), k)
    right = b.reshape(b.shape[0], size(sb), k)
    result = np.matmul(left, np.swapaxes(right, -1, -2))
    return result.reshape(result.shape[:1] + sa + sb)


def _dot_batched(arrays, cores, out, **_):
    (a, b), (ca, cb) = arrays, cores
    if not ca or not cb:
        return elementwise(np.multiply)(arrays, cores, out)
    if len(cb) == 1:
        return _contract_last(a, ca[:-1], b, (), cb[0])
    moved = np.moveaxis(b, -2, -1)  # (..., k, m) -> (..., m, k)
    return _contract_last(a, ca[:-1], moved, cb[:-2] + cb[-1:], cb[-2])


def _inner_shape(shapes, **_):
    a, b = shapes
    if not a or not b:
        return broadcast(a, b)
    if a[-1] != b[-1]:
        raise RuleError(f"inner of {a} and {b}: the last dimensions {a[-1]} and {b[-1]} differ")
    return a[:-1] + b[:-1]


def _inner_batched(arrays, cores, out, **_):
    (a, b), (ca, cb) = arrays, cores
    if not ca or not cb:
        return elementwise(np.multiply)(arrays, cores, out)
    return _contract_last(a, ca[:-1], b, cb[:-1], ca[-1])


def _outer_batched(arrays, cores, out, **_):
    (a, b), (ca, cb) = arrays, cores
    return a.reshape(a.shape[0], size(ca), 1) * b.reshape(b.shape[0], 1, size(cb))


def _vdot_shape(shapes, **_):
    a, b = shapes
    if size(a) != size(b):
        raise RuleError(f"vdot of {a} and {b}: the sizes {size(a)} and {size(b)} differ")
    return ()


def _vdot_batched(arrays, cores, out, **_):
    (a, b), (ca, cb) = arrays, cores
    left = np.conj(a).reshape(a.shape[0], 1, size(ca))
    right = b.reshape(b.shape[0], size(cb), 1)
    return np.matmul(left, right).reshape(-1)


def _kron_shape(shapes, **_):
    a, b = shapes
    ndim = max(len(a), len(b))
    a, b = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
    return tuple(p * q for p, q in zip(a, b, strict=True))


def _kron_batched(arrays, cores, out, **_):
    (a, b), (ca, cb) = arrays, cores
    ndim = len(out)
    a, b = lift(a, ca, ndim), lift(b, cb, ndim)
    left = a.reshape(a.shape[:1] + tuple(d for n in a.shape[1:] for d in (n, 1)))
    right = b.reshape(b.shape[:1] + tuple(d for n in b.shape[1:] for d in (1, n)))
    result = left * right
    return result.reshape(result.shape[:1] + out)


_PRODUCTS = (
    Function(
        name="matmul",
        names=_np("matmul"),
        params=(Param("x1", "array"), Param("x2", "array")),
        implement=np.matmul,
        shape=_matmul_shape,
        cost=_matmul_cost,
        batched=_matmul_batched,
    ),
    Function(
        name="dot",
        names=_np("dot"),
        params=(Param("a", "array"), Param("b", "array")),
        implement=np.dot,
        shape=_dot_shape,
        cost=lambda shapes, out, **_: 2 * size(out) * max(1, shapes[0][-1] if shapes[0] else 1),
        batched=_dot_batched,
    ),
    Function(
        name="vdot",
        names=_np("vdot"),
        params=(Param("a", "array"), Param("b", "array")),
        implement=np.vdot,
        shape=_vdot_shape,
        cost=elementwise_cost,
        batched=_vdot_batched,
    ),
    Function(
        name="inner",
        names=_np("inner"),
        params=(Param("a", "array"), Param("b", "array")),
        implement=np.inner,
        shape=_inner_shape,
        cost=lambda shapes, out, **_: 2 * size(out) * max(1, shapes[0][-1] if shapes[0] else 1),
        batched=_inner_batched,
    ),
    Function(
        name="outer",
        names=_np("outer"),
        params=(Param("a", "array"), Param("b", "array")),
        implement=np.outer,
        shape=lambda shapes, **_: (size(shapes[0]), size(shapes[1])),
        cost=elementwise_cost,
        batched=_outer_batched,
    ),
    Function(
        name="kron",
        names=_np("kron"),
        params=(Param("a", "array"), Param("b", "array")),
        implement=np.kron,
        shape=_kron_shape,
        cost=elementwise_cost,
        batched=_kron_batched,
    ),
)


# ---------------------------------------------------------------------------------------------
# einsum


@dataclass(frozen=True)
class _Einsum:
    """Parsed subscripts: the labels of each operand, of the output, and whether each uses
    ``...``."""

    terms: tuple[str, ...]
    ellipses: tuple[bool, ...]
    output: str
    output_ellipsis: bool
    sizes: Mapping[str, int]
    ellipsis_shape: Shape


def _einsum_term(text: str, subscripts: str) -> tuple[str, bool]:
    labels = text.replace("...", "", 1)
    if not all(c.isascii() and c.isalpha() for c in labels):
        raise RuleError(
            f"einsum subscripts {subscripts!r}: {text!r} must be letters with at most one '...'"
        )
    return labels, "..." in text


def _einsum_labels(terms, ellipses, shapes, subscripts) -> tuple[dict[str, int], Shape]:
    sizes: dict[str, int] = {}
    rests = []
    for i, (labels, ellipsis, shape) in enumerate(zip(terms, ellipses, shapes, strict=True)):
        extra = len(shape) - len(labels)
        if extra < 0 or (extra > 0 and not ellipsis):
            raise RuleError(
                f"einsum subscripts {subscripts!r}: term {labels or '(empty)'!r} does not fit "
                f"operand {i} of shape {shape}"
            )
        rests.append(shape[:extra])
        own: dict[str, int] = {}
        for label, d in zip(labels, shape[extra:], strict=True):
            if own.setdefault(label, d) != d:
                raise RuleError(
                    f"einsum subscripts {subscripts!r}: index {label!r} is repeated in operand "
                    f"{i} with different lengths ({own[label]} and {d})"
                )
        for label, d in own.items():
            seen = sizes.get(label, 1)
            if seen != d and 1 not in (seen, d):
                raise RuleError(
                    f"einsum subscripts {subscripts!r}: index {label!r} has lengths {seen} and "
                    f"{d} in different operands"
                )
            sizes[label] = d if seen == 1 else seen
    try:
        ellipsis_shape = broadcast(*rests)
    except RuleError:
        raise RuleError(
            f"einsum subscripts {subscripts!r}: the '...' parts {rests} do not broadcast"
        ) from None
    return sizes, ellipsis_shape


def _einsum_parse(subscripts: str, shapes: Sequence[Shape]) -> _Einsum:
    if len(subscripts) > 64:
        raise RuleError(f"einsum subscripts are limited to 64 characters; got {len(subscripts)}")
    if subscripts.count("->") > 1:
        raise RuleError(f"einsum subscripts {subscripts!r} have more than one '->'")
    lhs, arrow, rhs = subscripts.partition("->")
    parsed = [_einsum_term(t, subscripts) for t in lhs.split(",")]
    if len(parsed) != len(shapes):
        raise RuleError(
            f"einsum subscripts {subscripts!r} name {len(parsed)} operands; got {len(shapes)}"
        )
    terms = tuple(p[0] for p in parsed)
    ellipses = tuple(p[1] for p in parsed)
    sizes, ellipsis_shape = _einsum_labels(terms, ellipses, shapes, subscripts)
    if arrow:
        output, output_ellipsis = _einsum_term(rhs, subscripts)
        for label in output:
            if label not in sizes:
                raise RuleError(
                    f"einsum subscripts {subscripts!r}: output index {label!r} is unused"
                )
            if output.count(label) > 1:
                raise RuleError(f"einsum subscripts {subscripts!r}: output index {label!r} repeats")
        if ellipsis_shape and not output_ellipsis:
            raise RuleError(
                f"einsum subscripts {subscripts!r}: the '...' dimensions {ellipsis_shape} must "
                f"appear in the output"
            )
    else:
        counts = "".join(terms)
        output = "".join(sorted(c for c in set(counts) if counts.count(c) == 1))
        output_ellipsis = any(ellipses)
    return _Einsum(terms, ellipses, output, output_ellipsis, sizes, ellipsis_shape)


def _einsum_shape(shapes, *, subscripts):
    e = _einsum_parse(subscripts, shapes)
    return e.ellipsis_shape * e.output_ellipsis + tuple(e.sizes[c] for c in e.output)


def _einsum_cost(shapes, out, *, subscripts):
    e = _einsum_parse(subscripts, shapes)
    return max(1, len(shapes)) * size(e.ellipsis_shape) * math.prod(e.sizes.values())


def _einsum_batched(arrays, cores, out, *, subscripts):
    e = _einsum_parse(subscripts, cores)
    if any(e.ellipses):
        return loop(_einsum_call, arrays, subscripts=subscripts)
    batched = ",".join("..." + t for t in e.terms) + "->..." + e.output
    return np.einsum(batched, *arrays)


def _einsum_call(*operands, subscripts):
    return np.einsum(subscripts, *operands)


_EINSUM = Function(
    name="einsum",
    names=_np("einsum"),
    params=(Param("subscripts", "str"), Param("operands", "operands")),
    implement=_einsum_call,
    shape=_einsum_shape,
    cost=_einsum_cost,
    batched=_einsum_batched,
)


# ---------------------------------------------------------------------------------------------
# diagonals, triangles, axes and assembling arrays


def _two_axes(a: Shape, axis1: int, axis2: int, what: str) -> tuple[int, int]:
    if len(a) < 2:
        raise RuleError(f"{what} needs at least 2 dimensions; got shape {a}")
    i, j = axis_index(axis1, len(a), "axis1"), axis_index(axis2, len(a), "axis2")
    if i == j:
        raise RuleError(f"{what}: axis1 and axis2 must differ; both are axis {i}")
    return i, j


def _without(a: Shape, *axes: int) -> Shape:
    return tuple(d for k, d in enumerate(a) if k not in axes)


def _trace_shape(shapes, *, offset, axis1, axis2):
    a = shapes[0]
    i, j = _two_axes(a, axis1, axis2, "trace")
    return _without(a, i, j)


def _trace_batched(arrays, cores, out, *, offset, axis1, axis2):
    i, j = _two_axes(cores[0], axis1, axis2, "trace")
    return np.trace(arrays[0], offset, 1 + i, 1 + j)


def _diagonal_shape(shapes, *, offset, axis1, axis2):
    a = shapes[0]
    i, j = _two_axes(a, axis1, axis2, "diagonal")
    return (*_without(a, i, j), diagonal_length(a[i], a[j], offset))


def _diagonal_batched(arrays, cores, out, *, offset, axis1, axis2):
    i, j = _two_axes(cores[0], axis1, axis2, "diagonal")
    return np.diagonal(arrays[0], offset, 1 + i, 1 + j)


def _diag_shape(shapes, *, k):
    v = shapes[0]
    if len(v) == 1:
        return (v[0] + abs(k),) * 2
    if len(v) == 2:
        return (diagonal_length(v[0], v[1], k),)
    raise RuleError(f"diag needs a 1-D or a 2-D array; got shape {v}")


def _diag_batched(arrays, cores, out, *, k):
    v = arrays[0]
    if len(cores[0]) == 2:
        return np.diagonal(v, k, 1, 2)
    result = np.zeros((v.shape[0], *out), dtype=v.dtype)
    index = np.arange(cores[0][0])
    result[:, index + max(-k, 0), index + max(k, 0)] = v
    return result


def _triangle_shape(shapes, *, k):
    m = shapes[0]
    if not m:
        raise RuleError("triu and tril need at least 1 dimension; got a scalar")
    return (m[0], m[0]) if len(m) == 1 else m


def _triangle(implement):
    def batched(arrays, cores, out, *, k):
        m = arrays[0]
        if len(cores[0]) == 1:
            m = np.broadcast_to(m[:, None, :], (m.shape[0], *out))
        return implement(m, k)

    return batched


def _permutation(axes, ndim: int) -> tuple[int, ...]:
    if axes is None:
        return tuple(range(ndim - 1, -1, -1))
    perm = tuple(axis_index(a, ndim) for a in ((axes,) if isinstance(axes, int) else axes))
    if sorted(perm) != list(range(ndim)):
        raise RuleError(f"transpose: axes {tuple(axes)} are not a permutation of {ndim} axes")
    return perm


def _transpose_batched(arrays, cores, out, *, axes):
    perm = _permutation(axes, len(cores[0]))
    return np.transpose(arrays[0], (0, *(1 + p for p in perm)))


def _swapaxes_shape(shapes, *, axis1, axis2):
    a = list(shapes[0])
    i, j = axis_index(axis1, len(a), "axis1"), axis_index(axis2, len(a), "axis2")
    a[i], a[j] = a[j], a[i]
    return tuple(a)


def _swapaxes_batched(arrays, cores, out, *, axis1, axis2):
    ndim = len(cores[0])
    i, j = axis_index(axis1, ndim, "axis1"), axis_index(axis2, ndim, "axis2")
    return np.swapaxes(arrays[0], 1 + i, 1 + j)


def _reshape_shape(shapes, *, shape, order):
    a = shapes[0]
    if shape.count(-1) > 1 or any(d < -1 for d in shape):
        raise RuleError(f"reshape: {shape} must be lengths >= 0 with at most one -1")
    known = math.prod(d for d in shape if d != -1)
    if -1 in shape:
        if known == 0 or size(a) % known:
            raise RuleError(f"reshape: an array of shape {a} cannot take shape {shape}")
        return tuple(size(a) // known if d == -1 else d for d in shape)
    if known != size(a):
        raise RuleError(
            f"reshape: an array of shape {a} ({size(a)} elements) cannot take shape {shape}"
        )
    return shape


def _reshape_batched(arrays, cores, out, *, shape, order):
    a = arrays[0]
    if order == "C":
        return a.reshape((a.shape[0], *out))
    last = np.moveaxis(a, 0, -1).reshape((*out, a.shape[0]), order="F")
    return np.moveaxis(last, -1, 0)


def _equal_shapes(shapes, what: str) -> Shape:
    if not shapes:
        raise RuleError(f"{what} needs at least one array")
    for s in shapes[1:]:
        if s != shapes[0]:
            raise RuleError(f"{what}: all arrays must have the same shape; got {shapes[0]} and {s}")
    return shapes[0]


def _stack_shape(shapes, *, axis):
    a = _equal_shapes(shapes, "stack")
    k = axis_index(axis, len(a) + 1)
    return (*a[:k], len(shapes), *a[k:])


def _stack_batched(arrays, cores, out, *, axis):
    return np.stack(expand(arrays), axis=1 + axis_index(axis, len(cores[0]) + 1))


def _concatenate_along(shapes: Sequence[Shape], axis: int, what: str) -> Shape:
    """The shape of `shapes` concatenated along `axis` (all of the same number of dims)."""
    first = shapes[0]
    if not first:
        raise RuleError(f"{what}: a scalar cannot be concatenated; use stack")
    k = axis_index(axis, len(first))
    for s in shapes[1:]:
        if len(s) != len(first) or _without(s, k) != _without(first, k):
            raise RuleError(f"{what}: shapes {first} and {s} differ outside axis {k}")
    return (*first[:k], sum(s[k] for s in shapes), *first[k + 1 :])


def _concatenate_shape(shapes, *, axis):
    if not shapes:
        raise RuleError("concatenate needs at least one array")
    if axis is None:
        return (sum(size(s) for s in shapes),)
    return _concatenate_along(shapes, axis, "concatenate")


def _concatenate_batched(arrays, cores, out, *, axis):
    arrays = expand(arrays)
    if axis is None:
        flat = [a.reshape(a.shape[0], size(c)) for a, c in zip(arrays, cores, strict=True)]
        return np.concatenate(flat, axis=1)
    return np.concatenate(arrays, axis=1 + axis_index(axis, len(cores[0])))


def _block_rows(items: Sequence[Any], rows: tuple[int, ...] | None) -> list[Any]:
    """The flat `items` nested as the list (``rows`` None) or list of lists given."""
    if rows is None:
        return list(items)
    nested, start = [], 0
    for length in rows:
        nested.append(list(items[start : start + length]))
        start += length
    return nested


def _block_shape(shapes, *, rows):
    nested = _block_rows(shapes, rows)
    depth = 1 if rows is None else 2
    groups = [nested] if rows is None else nested
    if not shapes or any(not g for g in groups):
        raise RuleError("block needs at least one array in every list")
    ndim = max(depth, *(len(s) for s in shapes))
    promoted = [[(1,) * (ndim - len(s)) + s for s in g] for g in groups]
    lines = [_concatenate_along(g, -1, "block") for g in promoted]
    return lines[0] if rows is None else _concatenate_along(lines, -2, "block")


def _block_implement(*arrays, rows):
    return np.block(_block_rows(arrays, rows))


def _block_batched(arrays, cores, out, *, rows):
    lifted = expand([lift(a, c, len(out)) for a, c in zip(arrays, cores, strict=True)])
    groups = [lifted] if rows is None else _block_rows(lifted, rows)
    lines = [np.concatenate(g, axis=-1) for g in groups]
    return lines[0] if rows is None else np.concatenate(lines, axis=-2)


def _sym_shape(shapes, **_):
    a = shapes[0]
    matrix(a, "sym")
    return broadcast(a, (*a[:-2], a[-1], a[-2]))


_ARRANGING = (
    Function(
        name="trace",
        names=(*_np("trace"), "tr"),
        params=(
            Param("a", "array"),
            Param("offset", "int", 0),
            Param("axis1", "int", 0),
            Param("axis2", "int", 1),
        ),
        implement=np.trace,
        shape=_trace_shape,
        cost=elementwise_cost,
        batched=_trace_batched,
    ),
    Function(
        name="diagonal",
        names=_np("diagonal"),
        params=(
            Param("a", "array"),
            Param("offset", "int", 0),
            Param("axis1", "int", 0),
            Param("axis2", "int", 1),
        ),
        implement=np.diagonal,
        shape=_diagonal_shape,
        cost=elementwise_cost,
        batched=_diagonal_batched,
    ),
    Function(
        name="diag",
        names=_np("diag"),
        params=(Param("v", "array"), Param("k", "int", 0)),
        implement=np.diag,
        shape=_diag_shape,
        cost=elementwise_cost,
        batched=_diag_batched,
    ),
    Function(
        name="triu",
        names=_np("triu"),
        params=(Param("m", "array"), Param("k", "int", 0)),
        implement=np.triu,
        shape=_triangle_shape,
        cost=elementwise_cost,
        batched=_triangle(np.triu),
    ),
    Function(
        name="tril",
        names=_np("tril"),
        params=(Param("m", "array"), Param("k", "int", 0)),
        implement=np.tril,
        shape=_triangle_shape,
        cost=elementwise_cost,
        batched=_triangle(np.tril),
    ),
    Function(
        name="transpose",
        names=_np("transpose"),
        params=(Param("a", "array"), Param("axes", "axes", None)),
        implement=np.transpose,
        shape=lambda shapes, *, axes: tuple(
            shapes[0][p] for p in _permutation(axes, len(shapes[0]))
        ),
        cost=elementwise_cost,
        batched=_transpose_batched,
    ),
    Function(
        name="swapaxes",
        names=_np("swapaxes"),
        params=(Param("a", "array"), Param("axis1", "int"), Param("axis2", "int")),
        implement=np.swapaxes,
        shape=_swapaxes_shape,
        cost=elementwise_cost,
        batched=_swapaxes_batched,
    ),
    Function(
        name="reshape",
        names=_np("reshape"),
        params=(
            Param("a", "array"),
            Param("shape", "shape"),
            Param("order", "str", "C", ("C", "F")),
        ),
        implement=lambda a, shape, order: np.reshape(a, shape, order=order),
        shape=_reshape_shape,
        cost=elementwise_cost,
        batched=_reshape_batched,
    ),
    Function(
        name="stack",
        names=_np("stack"),
        params=(Param("arrays", "arrays"), Param("axis", "int", 0)),
        implement=lambda *arrays, axis: np.stack(arrays, axis=axis),
        shape=_stack_shape,
        cost=elementwise_cost,
        batched=_stack_batched,
    ),
    Function(
        name="concatenate",
        names=_np("concatenate"),
        params=(Param("arrays", "arrays"), Param("axis", "axis", 0)),
        implement=lambda *arrays, axis: np.concatenate(arrays, axis=axis),
        shape=_concatenate_shape,
        cost=elementwise_cost,
        batched=_concatenate_batched,
    ),
    Function(
        name="block",
        names=_np("block"),
        params=(Param("rows", "blocks"),),
        implement=_block_implement,
        shape=_block_shape,
        cost=elementwise_cost,
        batched=_block_batched,
    ),
    Function(
        name="sym",
        names=_np("sym"),
        params=(Param("X", "array"),),
        implement=_sym,
        shape=_sym_shape,
        cost=elementwise_cost,
        batched=_stacked(_sym),
    ),
)


# ---------------------------------------------------------------------------------------------
# linear algebra


def _square_shape(what: str, *, exactly_2d: bool = False) -> Callable[..., Shape]:
    def rule(shapes, **_):
        square(shapes[0], what, exactly_2d=exactly_2d)
        return shapes[0]

    return rule


def _scipy_square_shape(what: str, *, exactly_2d: bool = False) -> Callable[..., Shape]:
    """scipy's matrix functions: square matrices, and a single number (0-d or 1-element 1-D,
    which scipy takes as a 1 x 1 matrix)."""

    def rule(shapes, **_):
        a = shapes[0]
        if len(a) < 2 and size(a) == 1:
            return (1, 1)
        square(a, what, exactly_2d=exactly_2d)
        return a

    return rule


def _scipy_linalg(name: str) -> Callable[..., Any]:
    """``scipy.linalg.<name>``, imported at its first call: importing scipy.linalg costs about
    0.15 s, which ``gradcheck --help`` and ``gradcheck list`` need not pay."""

    def call(*args: Any, **options: Any) -> Any:
        import scipy.linalg

        return getattr(scipy.linalg, name)(*args, **options)

    call.__name__ = call.__qualname__ = name
    return call


def _expm_batched(arrays, cores, out, **_):
    A = arrays[0]
    if len(cores[0]) < 2:
        A = A.reshape(A.shape[0], 1, 1)
    return _scipy_linalg("expm")(A)


def _solve_shape(shapes, **_):
    a, b = shapes
    n = square(a, "solve")
    if len(b) == 1:
        if b[0] != n:
            raise RuleError(f"solve of {a} and {b}: the right-hand side needs length {n}")
        return a[:-1]
    if len(b) < 1 or b[-2] != n:
        raise RuleError(f"solve of {a} and {b}: the right-hand side needs {n} rows")
    try:
        return (*broadcast(a[:-2], b[:-2]), n, b[-1])
    except RuleError:
        raise RuleError(f"solve of {a} and {b}: the stacks do not broadcast") from None


def _solve_batched(arrays, cores, out, **_):
    (a, b), (ca, cb) = arrays, cores
    if len(cb) == 1:
        b = b.reshape(b.shape[:1] + (1,) * (len(ca) - 2) + cb + (1,))
        return np.linalg.solve(a, b)[..., 0]
    rank = max(len(ca), len(cb))
    return np.linalg.solve(lift(a, ca, rank), lift(b, cb, rank))


_MATRIX_ORDS = (None, "fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def _norm_axes(a: Shape, ord, axis) -> tuple[int, ...]:
    if axis is None:
        if len(a) not in (1, 2):
            raise RuleError(f"norm with an `ord` needs a 1-D or 2-D array; got shape {a}")
        axes = tuple(range(len(a)))
    else:
        axes = axes_indices(axis, len(a))
        if len(axes) not in (1, 2):
            raise RuleError("norm: `axis` must name one axis (vectors) or two (matrices)")
    if len(axes) == 1 and isinstance(ord, str):
        raise RuleError(f"norm order {ord!r} is for matrices; a vector norm takes a number")
    if len(axes) == 2 and ord not in _MATRIX_ORDS:
        raise RuleError(
            f"norm order {ord!r} is not a matrix norm; use None, 'fro', 'nuc', inf, -inf, "
            f"1, -1, 2 or -2"
        )
    return axes


def _norm_shape(shapes, *, ord, axis, keepdims):
    a = shapes[0]
    if axis is None and ord is None:
        return (1,) * len(a) if keepdims else ()
    return reduced(a, _norm_axes(a, ord, axis), keepdims)


def _norm_batched(arrays, cores, out, *, ord, axis, keepdims):
    x, core = arrays[0], cores[0]
    if axis is None and ord is None:
        flat = np.linalg.norm(x.reshape(x.shape[0], size(core)), axis=1)
        return flat.reshape(flat.shape[:1] + out)
    axes = tuple(1 + k for k in _norm_axes(core, ord, axis))
    return np.linalg.norm(x, ord, axes, keepdims)


def _norm_cost(shapes, out, *, ord, axis, keepdims):
    a = shapes[0]
    if ord in (2, -2, "nuc") and (len(a) == 2 or (axis is not None and len(axis) == 2)):
        return 10 * size(a) * max(1, min(a[-2:]))
    return 2 * size(a)


def _svd_shape(shapes, *, full_matrices, compute_uv):
    a = shapes[0]
    m, n = matrix(a, "svd")
    k, stack = min(m, n), a[:-2]
    s = (*stack, k)
    if not compute_uv:
        return s
    if full_matrices:
        return (*stack, m, m), s, (*stack, n, n)
    return (*stack, m, k), s, (*stack, k, n)


def _qr_shape(shapes, *, mode):
    a = shapes[0]
    m, n = matrix(a, "qr")
    k, stack = min(m, n), a[:-2]
    if mode == "r":
        return (*stack, k, n)
    if mode == "complete":
        return (*stack, m, m), (*stack, m, n)
    return (*stack, m, k), (*stack, k, n)


def _eigh_shape(shapes, **_):
    a = shapes[0]
    square(a, "eigh")
    return a[:-1], a


def _square_reduce(what: str, drop: int) -> Callable[..., Shape]:
    def rule(shapes, **_):
        square(shapes[0], what)
        return shapes[0][:-drop]

    return rule


def _logdet(X):
    return np.linalg.slogdet(X)[1]


_UPLO = Param("UPLO", "str", "L", ("L", "U"))
_A = Param("a", "array")

_LINALG = (
    Function(
        name="inv",
        names=_linalg("inv"),
        params=(_A,),
        implement=np.linalg.inv,
        shape=_square_shape("inv"),
        cost=cubic_cost(1),
        batched=_stacked(np.linalg.inv),
    ),
    Function(
        name="det",
        names=_linalg("det"),
        params=(_A,),
        implement=np.linalg.det,
        shape=_square_reduce("det", 2),
        cost=cubic_cost(1),
        batched=_stacked(np.linalg.det),
    ),
    Function(
        name="slogdet",
        names=_linalg("slogdet"),
        params=(_A,),
        implement=np.linalg.slogdet,
        shape=lambda shapes, **_: (_square_reduce("slogdet", 2)(shapes),) * 2,
        cost=cubic_cost(1),
        batched=_stacked(np.linalg.slogdet),
        outputs=lambda **_: ("sign", "logabsdet"),
    ),
    Function(
        name="logdet",
        names=("logdet",),
        params=(Param("X", "array"),),
        implement=_logdet,
        shape=_square_reduce("logdet", 2),
        cost=cubic_cost(1),
        batched=_stacked(_logdet),
    ),
    Function(
        name="solve",
        names=_linalg("solve"),
        params=(_A, Param("b", "array")),
        implement=np.linalg.solve,
        shape=_solve_shape,
        cost=lambda shapes, out, **_: cubic_cost(1)(shapes, out) + 2 * size(out) * shapes[0][-1],
        batched=_solve_batched,
    ),
    Function(
        name="pinv",
        names=_linalg("pinv"),
        params=(_A,),
        implement=np.linalg.pinv,
        shape=lambda shapes, **_: (*shapes[0][:-2], *matrix(shapes[0], "pinv")[::-1]),
        cost=cubic_cost(10),
        batched=_stacked(np.linalg.pinv),
    ),
    Function(
        name="norm",
        names=_linalg("norm"),
        params=(
            _X,
            Param("ord", "ord", None),
            Param("axis", "axes", None),
            Param("keepdims", "bool", False),
        ),
        implement=lambda x, ord, axis, keepdims: np.linalg.norm(x, ord, axis, keepdims),
        shape=_norm_shape,
        cost=_norm_cost,
        batched=_norm_batched,
    ),
    Function(
        name="eigh",
        names=_linalg("eigh"),
        params=(_A, _UPLO),
        implement=np.linalg.eigh,
        shape=_eigh_shape,
        cost=cubic_cost(10),
        batched=_stacked(np.linalg.eigh),
        outputs=lambda **_: ("eigenvalues", "eigenvectors"),
    ),
    Function(
        name="eigvalsh",
        names=_linalg("eigvalsh"),
        params=(_A, _UPLO),
        implement=np.linalg.eigvalsh,
        shape=_square_reduce("eigvalsh", 1),
        cost=cubic_cost(4),
        batched=_stacked(np.linalg.eigvalsh),
    ),
    Function(
        name="eigvals",
        names=_linalg("eigvals"),
        params=(_A,),
        implement=np.linalg.eigvals,
        shape=_square_reduce("eigvals", 1),
        cost=cubic_cost(10),
        batched=_stacked(np.linalg.eigvals),
    ),
    Function(
        name="svd",
        names=_linalg("svd"),
        params=(_A, Param("full_matrices", "bool", True), Param("compute_uv", "bool", True)),
        implement=np.linalg.svd,
        shape=_svd_shape,
        cost=cubic_cost(10),
        batched=_stacked(np.linalg.svd),
        outputs=lambda *, compute_uv, **_: ("U", "S", "Vh") if compute_uv else (),
    ),
    Function(
        name="cholesky",
        names=_linalg("cholesky"),
        params=(_A,),
        implement=np.linalg.cholesky,
        shape=_square_shape("cholesky"),
        cost=cubic_cost(1),
        batched=_stacked(np.linalg.cholesky),
    ),
    Function(
        name="qr",
        names=_linalg("qr"),
        params=(_A, Param("mode", "str", "reduced", ("reduced", "complete", "r"))),
        implement=np.linalg.qr,
        shape=_qr_shape,
        cost=cubic_cost(4),
        batched=_stacked(np.linalg.qr),
        outputs=lambda *, mode: () if mode == "r" else ("Q", "R"),
    ),
    Function(
        name="matrix_power",
        names=(*_linalg("matrix_power"), *_np("mpow")),
        params=(_A, Param("n", "exponent")),
        implement=np.linalg.matrix_power,
        shape=_square_shape("matrix_power"),
        cost=lambda shapes, out, *, n: cubic_cost(2)(shapes, out) * max(1, abs(n).bit_length()),
        batched=_stacked(np.linalg.matrix_power),
    ),
    Function(
        name="expm",
        names=_np("expm"),
        params=(Param("A", "array"),),
        implement=_scipy_linalg("expm"),
        shape=_scipy_square_shape("expm"),
        cost=cubic_cost(30),
        batched=_expm_batched,
    ),
    Function(
        name="logm",
        names=_np("logm"),
        params=(Param("A", "array"),),
        implement=_scipy_linalg("logm"),
        shape=_square_shape("logm", exactly_2d=True),
        cost=cubic_cost(30),
    ),
    Function(
        name="sqrtm",
        names=_np("sqrtm"),
        params=(Param("A", "array"),),
        implement=_scipy_linalg("sqrtm"),
        shape=_scipy_square_shape("sqrtm", exactly_2d=True),
        cost=cubic_cost(30),
    ),
)


# ---------------------------------------------------------------------------------------------
# operators


def _binary(name: str, implement: Callable[..., Any]) -> Function:
    return Function(
        name=name,
        names=(),
        params=(_X, _Y),
        implement=implement,
        shape=_broadcast_shape,
        cost=elementwise_cost,
        batched=elementwise(implement),
    )


def _numpy_index(items) -> tuple[Any, ...]:
    from ._nodes import Slice

    return tuple(
        slice(i.start, i.stop, i.step)
        if isinstance(i, Slice)
        else list(i)
        if isinstance(i, tuple)
        else i
        for i in items
    )


def _expanded_index(a: Shape, items) -> list[Any]:
    """The items with ``...`` replaced by full slices and trailing full slices added."""
    from ._nodes import Slice

    if sum(i is Ellipsis for i in items) > 1:
        raise RuleError("an index can have only one '...'")
    consuming = sum(i is not None and i is not Ellipsis for i in items)
    if consuming > len(a):
        raise RuleError(f"too many indices ({consuming}) for an array of shape {a}")
    fill = [Slice()] * (len(a) - consuming)
    if Ellipsis in items:
        k = items.index(Ellipsis)
        return [*items[:k], *fill, *items[k + 1 :]]
    return [*items, *fill]


def _advanced_layout(a: Shape, items) -> tuple[Shape, list[int], list[Any]]:
    """Broadcast shape of the integer lists and ints (when there is a list), their positions
    in the expanded index, and the expanded index; checks every integer against its axis."""
    expanded = _expanded_index(a, items)
    lists = [i for i in expanded if isinstance(i, tuple)]
    axis = 0
    for item in expanded:
        if item is None:
            continue
        values = item if isinstance(item, tuple) else (item,) if type(item) is int else ()
        for v in values:
            if not -a[axis] <= v < a[axis]:
                raise RuleError(f"index {v} is out of range for axis {axis} of length {a[axis]}")
        axis += 1
    if not lists:
        return (), [], expanded
    try:
        shape = broadcast(*((len(t),) for t in lists))
    except RuleError:
        raise RuleError(
            f"index lists of lengths {[len(t) for t in lists]} do not broadcast"
        ) from None
    positions = [k for k, i in enumerate(expanded) if isinstance(i, tuple) or type(i) is int]
    return shape, positions, expanded


def _index_shape(shapes, *, items):
    a = shapes[0]
    adv_shape, positions, expanded = _advanced_layout(a, items)
    dims: list[Any] = []
    axis = 0
    for k, item in enumerate(expanded):
        if item is None:
            dims.append(1)
            continue
        if k in positions:
            dims.append("adv")
        elif not isinstance(item, int):
            dims.append(len(range(*slice(item.start, item.stop, item.step).indices(a[axis]))))
        axis += 1
    if not positions:
        return tuple(d for d in dims if d != "adv")
    contiguous = positions == list(range(positions[0], positions[-1] + 1))
    rest = [d for d in dims if d != "adv"]
    if not contiguous:
        return (*adv_shape, *rest)
    first = dims.index("adv")
    before = [d for d in dims[:first] if d != "adv"]
    return (*before, *adv_shape, *rest[len(before) :])


def _index_batched(arrays, cores, out, *, items):
    a, core = arrays[0], cores[0]
    adv_shape, positions, _ = _advanced_layout(core, items)
    result = a[(slice(None), *_numpy_index(items))]
    contiguous = positions == list(range(positions[0], positions[-1] + 1)) if positions else True
    if not contiguous:  # numpy put the list axes first, before the batch axis
        result = np.moveaxis(result, len(adv_shape), 0)
    return result


def _matrix_transpose_shape(shapes, **_):
    a = shapes[0]
    if len(a) < 2:
        raise RuleError(f"`.mT` needs at least 2 dimensions; got shape {a}")
    return (*a[:-2], a[-1], a[-2])


def _matrix_transpose(x):
    return np.swapaxes(x, -1, -2)


_OPERATOR_ENTRIES = {
    "+": _binary("add", operator.add),
    "-": _binary("subtract", operator.sub),
    "*": _binary("multiply", operator.mul),
    "/": _binary("divide", operator.truediv),
    "//": _binary("floor_divide", operator.floordiv),
    "%": _binary("remainder", operator.mod),
    "<": _binary("less", operator.lt),
    "<=": _binary("less_equal", operator.le),
    ">": _binary("greater", operator.gt),
    ">=": _binary("greater_equal", operator.ge),
    "==": _binary("equal", operator.eq),
    "!=": _binary("not_equal", operator.ne),
    "@": Function(
        name="matmul",
        names=(),
        params=(Param("x1", "array"), Param("x2", "array")),
        implement=operator.matmul,
        shape=_matmul_shape,
        cost=_matmul_cost,
        batched=_matmul_batched,
    ),
    "neg": _unary("negative", operator.neg, names=()),
    "pos": _unary("positive", operator.pos, names=()),
    "**": Function(
        name="power",
        names=(),
        params=(_X, Param("exponent", "exponent")),
        implement=lambda x, exponent: x**exponent,
        shape=_same_shape,
        cost=elementwise_cost,
        batched=lambda arrays, cores, out, *, exponent: arrays[0] ** exponent,
    ),
    ".T": Function(
        name="T",
        names=(),
        params=(_X,),
        implement=np.transpose,
        shape=lambda shapes, **_: shapes[0][::-1],
        cost=elementwise_cost,
        batched=lambda arrays, cores, out: np.transpose(
            arrays[0], (0, *range(len(cores[0]), 0, -1))
        ),
    ),
    ".H": Function(
        name="H",
        names=(),
        params=(_X,),
        implement=lambda x: np.conj(np.transpose(x)),
        shape=lambda shapes, **_: shapes[0][::-1],
        cost=elementwise_cost,
        batched=lambda arrays, cores, out: np.conj(
            np.transpose(arrays[0], (0, *range(len(cores[0]), 0, -1)))
        ),
    ),
    ".mT": Function(
        name="mT",
        names=(),
        params=(_X,),
        implement=_matrix_transpose,
        shape=_matrix_transpose_shape,
        cost=elementwise_cost,
        batched=_stacked(_matrix_transpose),
    ),
    "[]": Function(
        name="index",
        names=(),
        params=(_X, Param("items", "index")),
        implement=lambda x, items: np.asarray(x)[_numpy_index(items)],
        shape=_index_shape,
        cost=elementwise_cost,
        batched=_index_batched,
    ),
}

#: The operators' entries, keyed by operator (``"+"``, ``"@"``, ``"neg"``, ``"**"``, ``".T"``,
#: ``".H"`` (the conjugate transpose), ``".mT"``, ``"[]"``).
OPERATORS: Mapping[str, Function] = MappingProxyType(_OPERATOR_ENTRIES)


def _identity_size(shape: Shape, fit: str) -> int:
    """The size ``k`` of the ``k x k`` identity that fits an operand of shape `shape`: added
    to it (``"square"``), or multiplying it from the left (``I @ a``) or the right."""
    if fit == "left" and len(shape) >= 1:
        return shape[0] if len(shape) == 1 else shape[-2]
    if fit == "right" and len(shape) >= 1:
        return shape[-1]
    if fit == "square" and len(shape) >= 2 and shape[-1] == shape[-2]:
        return shape[-1]
    wanted = {"square": "a square matrix", "left": "an array", "right": "an array"}[fit]
    raise RuleError(f"eye_like needs {wanted}; got shape {shape}")


def _eye_like(a: np.ndarray, fit: str = "square") -> np.ndarray:
    return np.eye(_identity_size(np.shape(a), fit))


def _eye_like_batched(arrays, cores, out, *, fit):
    return np.broadcast_to(np.eye(out[0]), (arrays[0].shape[0], *out)).copy()


def _vec_shape(shapes: Sequence[Shape], **_: Any) -> Shape:
    a = shapes[0]
    if len(a) not in (1, 2):
        raise RuleError(f"vec needs a vector or a matrix; got shape {a}")
    return (size(a),)


def _vec(a: np.ndarray) -> np.ndarray:
    return np.reshape(a, -1, order="F")


def _vec_batched(arrays, cores, out, **_):
    a = arrays[0]
    return np.swapaxes(a, -1, -2).reshape(a.shape[0], -1) if a.ndim == 3 else a


#: vec(X): the columns of X stacked (column-major, as in The Matrix Cookbook).
_VEC = Function(
    name="vec",
    names=("vec",),
    params=(Param("a", "array"),),
    implement=_vec,
    shape=_vec_shape,
    cost=elementwise_cost,
    batched=_vec_batched,
)


#: The identity matrix sized from an operand; the parser also makes it of ``I`` in ``A + I``,
#: ``I @ x`` and ``x @ I`` (a formula cannot make an array of a size given by a number).
_EYE_LIKE = Function(
    name="eye_like",
    names=("eye_like",),
    params=(Param("a", "array"), Param("fit", "str", "square", ("square", "left", "right"))),
    implement=_eye_like,
    shape=lambda shapes, *, fit: (_identity_size(shapes[0], fit),) * 2,
    cost=elementwise_cost,
    batched=_eye_like_batched,
)


_ENTRIES = (
    *_ELEMENTWISE,
    *_REDUCTIONS,
    *_PRODUCTS,
    _EINSUM,
    *_ARRANGING,
    *_LINALG,
    _EYE_LIKE,
    _VEC,
)

#: The function table: canonical name -> entry.
FUNCTIONS: Mapping[str, Function] = MappingProxyType({f.name: f for f in _ENTRIES})

#: Every accepted spelling (``"sum"``, ``"np.sum"``, ``"np.linalg.inv"``, ``"tr"``) -> entry.
SPELLINGS: Mapping[str, Function] = MappingProxyType(
    {spelling: f for f in _ENTRIES for spelling in f.names}
)
