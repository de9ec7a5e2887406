"""Kinds and dimensions of the symbols of a formula, and its lowering to the expression AST.

Each symbol gets a kind -- scalar, vector (a column) or matrix -- from the document's
declarations or from its typography (bold lowercase: vector; uppercase: matrix; plain
lowercase: scalar or vector, both tried). Dimensions are then found by unification over the
products, sums and transposes (``x^T A x`` makes A square and x as long as A); a typing whose
unification fails is dropped, and a formula with no consistent typing is refused with the
conflict.

Index sums ``\\sum_{i,j}`` bind each index to a dimension (the entries x_i, A_{ij} unify with
it) and are lowered to the sum of an array with one axis per index. vec and Kronecker products
have composite dimensions (the product of two, major factor first), so
``\\operatorname{vec}(AXB)`` and ``B^T \\otimes A`` unify factor by factor.

Lowering writes vectors as columns, ``x[:, None]`` of a variable of shape (n,), so that the
written transposes keep their meaning (``x x^T`` is an outer product), and a 1 x 1 product
is read as the scalar it is (``x^T A x``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..expressions import (
    FUNCTIONS,
    REQUIRED,
    BinaryOp,
    Call,
    Constant,
    Index,
    Node,
    Power,
    Slice,
    Transpose,
    UnaryOp,
    Variable,
    infer_shape,
)
from ._syntax import (
    Deriv,
    Diff,
    Entry,
    Frac,
    FreeIndexed,
    Func,
    Hessian,
    Identity,
    IndexSum,
    Inner,
    Num,
    Ones,
    Post,
    Product,
    Sum,
    Sym,
    walk,
)
from ._tokens import LatexError

__all__ = ["Kind", "Typing", "lower", "typings"]

ONE = 0  # the dimension of length 1 (the second axis of a column)
#: The most indices of one sum (its terms are evaluated as an array with an axis per index).
MAX_INDICES = 3
#: The most typings tried for one formula (2 ** ambiguous symbols, capped).
MAX_TYPINGS = 16
_ELEMENTWISE = {
    "log": "log",
    "exp": "exp",
    "sin": "sin",
    "cos": "cos",
    "tanh": "tanh",
    "sqrt": "sqrt",
}


#: Functions of machine-learning notes, entry by entry whatever the argument (no matrix
#: function goes by these names), with how each is computed. (Not sign: d|x|/dx = sign(x)
#: holds for a scalar x only, and a plain x is read as a vector where it can be, |x| then
#: its norm: a true statement would fail.)
_ML_FUNCTIONS = {
    "sigmoid": lambda a: _call("sigmoid", a),
    "sigma": lambda a: _call("sigmoid", a),  # \sigma(x), the logistic sigmoid
    "softplus": lambda a: _call("logaddexp", Constant(0), a),
    "relu": lambda a: _call("maximum", a, Constant(0)),
    "step": lambda a: BinaryOp("/", BinaryOp("+", _call("sign", a), Constant(1)), Constant(2)),
}


#: The functions defined for positive entries only: arrays are drawn positive when the
#: formula applies one to an array (or to the entries x_i of a sum).
_POSITIVE = frozenset({"log", "sqrt"})

#: The largest size written as a number (the 3 of R^3) that is drawn at that size; a larger
#: one (R^{1000}) stands for "some size" and is drawn like a letter.
MAX_WRITTEN_SIZE = 12

_SIZES = (
    [3, 4, 5, 2, 6, 7, 8, 9],
    [5, 4, 3, 6, 2, 7, 8, 9],
    [4, 3, 2, 5, 6, 7, 8, 9],
    [6, 5, 4, 3, 2, 7, 8, 9],
)


@dataclass(frozen=True)
class Kind:
    """A symbol's kind ("scalar", "vector", "matrix") and the declared dimension names."""

    kind: str
    dims: tuple[str, ...] = ()


class WrittenSizesError(LatexError):
    """Two sizes written as numbers would have to be one: every reading fails for this
    reason, so it is the reason reported (not the first reading's own conflict)."""


class _Dims:
    """Union-find over dimension ids; id 0 is the length 1. A composite id stands for the
    product of two (``pq``, the length of vec of a p x q matrix, or a Kronecker product's side),
    major factor first: the entry (a, b) of it is at a * size(b) + b."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {ONE: ONE}
        self.rigid: set[int] = set()
        self.factors: dict[int, tuple[int, int]] = {}
        self.written: dict[int, int] = {}  # ids of sizes written as numbers (R^3) -> the number

    def named(self, names: dict[str, int], name: str) -> int:
        """The id of the dimension written `name` (a letter, or a number such as the 3 of
        R^3: one up to :data:`MAX_WRITTEN_SIZE` is drawn at that size, a larger one as a name).
        """
        if name == "1":
            return ONE
        if name.isdigit() and int(name) == 0:
            raise LatexError("a size written as 0: a dimension has at least one entry")
        if name not in names:
            names[name] = self.fresh()
            if name.isdigit() and int(name) <= MAX_WRITTEN_SIZE:
                self.written[names[name]] = int(name)
        return names[name]

    def written_sizes(self) -> dict[int, int]:
        """The sizes written as numbers, by root; two numbers that must be one size, or a
        number that must be a product of drawn sizes, is a LatexError."""
        out: dict[int, int] = {}
        for d, n in self.written.items():
            root = self.find(d)
            if out.setdefault(root, n) != n:
                raise WrittenSizesError(f"the sizes {out[root]} and {n} would have to be equal")
            if root in self.factors:
                raise LatexError(f"the size {n} would have to be a product of other sizes")
        return out

    def product(self, major: int, minor: int) -> int:
        """The id of the product of two dimensions (one of them when the other is 1)."""
        if self.find(major) == ONE:
            return minor
        if self.find(minor) == ONE:
            return major
        d = self.fresh(rigid=major in self.rigid or minor in self.rigid)
        self.factors[d] = (major, minor)
        return d

    def size(self, d: int, sizes: dict[int, int], depth: int = 0) -> int:
        """The length of `d` given the lengths of the plain roots."""
        root = self.find(d)
        if root not in self.factors:
            return sizes[root]
        if depth > 20:
            raise LatexError("the sizes refer to each other in a loop")
        a, b = self.factors[root]
        return self.size(a, sizes, depth + 1) * self.size(b, sizes, depth + 1)

    def _simplified(self, d: int) -> int:
        d = self.find(d)
        while d in self.factors:
            a, b = self.factors[d]
            if self.find(a) != ONE and self.find(b) != ONE:
                return d
            del self.factors[d]
            other = b if self.find(a) == ONE else a
            self.parent[d] = self.find(other)
            d = self.find(other)
        return d

    def _contains(self, composite: int, d: int, depth: int = 0) -> bool:
        if depth > 20:
            return True
        for f in self.factors.get(self.find(composite), ()):
            if self.find(f) == d or self._contains(f, d, depth + 1):
                return True
        return False

    def fresh(self, rigid: bool = True) -> int:
        d = len(self.parent)
        self.parent[d] = d
        if rigid:
            self.rigid.add(d)
        return d

    def find(self, d: int) -> int:
        while self.parent[d] != d:
            self.parent[d] = self.parent[self.parent[d]]
            d = self.parent[d]
        return d

    def unify(self, a: int, b: int, what: str) -> None:
        a, b = self._simplified(a), self._simplified(b)
        if a == b:
            return
        if a in self.factors or b in self.factors:
            self._unify_product(a, b, what)
            return
        if ONE in (a, b) and (a in self.rigid or b in self.rigid):
            raise LatexError(f"{what}: a dimension would have to be 1")
        if a == ONE:
            a, b = b, a
        self.parent[a] = b
        if a in self.rigid:
            self.rigid.add(b)

    def _unify_product(self, a: int, b: int, what: str) -> None:
        if a not in self.factors:
            a, b = b, a
        if b in self.factors:  # two products: factor by factor (the written order)
            (a1, a2), (b1, b2) = self.factors[a], self.factors[b]
            self.parent[b] = a
            del self.factors[b]
            self.unify(a1, b1, what)
            self.unify(a2, b2, what)
            return
        if b == ONE:
            raise LatexError(f"{what}: a product of sizes would have to be 1")
        if self._contains(a, b):
            raise LatexError(f"{what}: a size would be a product with itself")
        self.parent[b] = a
        if b in self.rigid:
            self.rigid.add(a)


@dataclass
class Typing:
    """One consistent reading: each symbol's kind and shape (dimension ids), the layout of the
    derivatives, and each node's symbolic shape."""

    kinds: dict[str, str]
    layout: str
    dims: _Dims
    shapes: dict[str, tuple[int, ...]]
    nodes: dict[int, tuple[int, ...] | None] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)
    functions: dict[str, str] = field(default_factory=dict)
    #: how bars around a matrix read: "written" (|X| det, \\|X\\| norm), "swapped", "det", "norm"
    bars: str = "written"
    #: the bars around a matrix met, each with how it was read (("|X|", "det"), ...)
    bar_readings: list[tuple[str, str]] = field(default_factory=list)
    named: dict[str, int] = field(default_factory=dict)  # declared dimension names -> ids
    sums: dict[int, tuple[int, ...]] = field(default_factory=dict)  # a sum's index dimensions
    read_as: dict[int, str] = field(default_factory=dict)  # bars node -> "det" or "norm"
    #: the matrices the document states are symmetric (drawn symmetric)
    symmetric: frozenset[str] = frozenset()

    def sizes(self, trial: int) -> dict[int, int]:
        """Distinct sizes (2..9) of the dimension classes, in another order for each trial
        (increasing, decreasing, ...: a formula defined only where one dimension is the
        larger, as (X^T X)^{-1}, is checked in the orders where it is)."""
        written = self.dims.written_sizes()
        roots = sorted({self.dims.find(d) for d in self.dims.parent} - {ONE})
        plain = [r for r in roots if r not in self.dims.factors and r not in written]
        # distinct from the written sizes too, so that a transposition stays visible
        sizes = [s for s in _SIZES[trial % len(_SIZES)] if s not in written.values()]
        size = {r: sizes[k % len(sizes)] for k, r in enumerate(plain)}
        size.update(written)
        size[ONE] = 1
        for r in roots:
            size.setdefault(r, self.dims.size(r, size))
        return size

    def concrete(self, trial: int) -> dict[str, tuple[int, ...]]:
        """The variables' shapes for the engine (a vector as a 1-D array)."""
        size = self.sizes(trial)
        return {
            n: tuple(self.dims.size(d, size) for d in s if d != ONE or self.kinds[n] == "matrix")
            for n, s in self.shapes.items()
        }

    def describe(self, trial: int = 0) -> str:
        shapes = self.concrete(trial)
        return " ".join(
            f"{n}={'x'.join(map(str, s)) if s else 'scalar'}" for n, s in sorted(shapes.items())
        )


def symbols(node: object, out: dict[str, Sym]) -> dict[str, Sym]:
    """The symbols under `node` by name (first occurrence)."""
    for n in walk(node):
        if isinstance(n, Sym):
            out.setdefault(n.name, n)
    return out


def _transposed(node: object, out: set[str]) -> set[str]:
    """The symbols written transposed (so not scalars)."""
    for n in walk(node):
        if isinstance(n, Post) and n.kind in ("T", "-T") and isinstance(n.base, Sym):
            out.add(n.base.name)
    return out


def constant(value: float) -> Constant:
    """A number of the formula as an int when it is integral."""
    return Constant(int(value) if float(value).is_integer() else value)


def _entry_ranks(node: object, out: dict[str, int]) -> dict[str, int]:
    """The number of indices of each symbol written as an entry (x_i: 1, A_{ij}: 2)."""
    for n in walk(node):
        if isinstance(n, Entry):
            out.setdefault(n.sym.name, len(n.indices))
    return out


def candidate_kinds(
    sym: Sym, declared: dict[str, Kind], transposed: set[str], ranks: dict[str, int]
) -> list[str]:
    if sym.name in declared:
        return [declared[sym.name].kind]
    if sym.name in ranks:
        return ["vector" if ranks[sym.name] == 1 else "matrix"]
    if sym.upper:
        return ["matrix"]
    if sym.bold or sym.name in transposed:
        return ["vector"]
    return ["vector", "scalar"]


def typings(
    sides: list, declared: dict[str, Kind], layouts: tuple[str, ...], bars: str = "written"
) -> list[Typing]:
    """The consistent typings of a relation's sides with the most arrays, for each layout in
    which the derivatives' shapes fit; LatexError with the first conflict when there is none.
    `bars` says how bars around a matrix read (see :class:`Typing`)."""
    syms: dict[str, Sym] = {}
    transposed: set[str] = set()
    ranks: dict[str, int] = {}
    for side in sides:
        symbols(side, syms)
        _transposed(side, transposed)
        _entry_ranks(side, ranks)
    _refuse_free_indices(syms, ranks)
    names = sorted(syms)
    options = [candidate_kinds(syms[n], declared, transposed, ranks) for n in names]
    combos = list(itertools.islice(itertools.product(*options), MAX_TYPINGS))
    found: list[tuple[int, Typing]] = []
    conflict = None
    for combo in combos:
        for layout in layouts:
            try:
                kinds = dict(zip(names, combo, strict=True))
                typing = _unify(kinds, declared, sides, layout, bars)
            except LatexError as exc:
                # the first conflict, unless one is between sizes the document itself wrote
                if conflict is None or _written_first(exc, conflict):
                    conflict = exc
                continue
            found.append((sum(k != "scalar" for k in combo), typing))
    if not found:
        raise LatexError(f"no consistent shapes: {conflict}")
    best = max(rank for rank, _ in found)
    return [t for rank, t in found if rank == best]


def _written_first(new: LatexError, old: LatexError) -> bool:
    """Whether `new` is a conflict of written sizes and `old` is not (the one to report)."""
    return isinstance(new, WrittenSizesError) and not isinstance(old, WrittenSizesError)


def _refuse_free_indices(syms: dict[str, Sym], ranks: dict[str, int]) -> None:
    """LatexError for ``x_j`` outside a sum when x_i is an entry inside one (a free index),
    and for ``x_1`` beside ``x`` or x_i (an entry by number)."""
    for name in syms:
        base, _, index = name.partition("_")
        if index and base in ranks and index.isalpha():
            raise LatexError(
                f"`{base}_{index}` is an entry of {base} with the free index {index}: a "
                "statement entry by entry is not read (write the vector or matrix form)"
            )
        if index.isdigit() and (base in ranks or base in syms):
            raise LatexError(
                f"`{base}_{index}` beside {base}: an entry written with a number is not read "
                f"(it would be a scalar of its own); write the sum as \\sum_i {base}_i"
            )


def _unify(
    kinds: dict[str, str], declared: dict[str, Kind], sides: list, layout: str, bars: str
) -> Typing:
    dims = _Dims()
    named: dict[str, int] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    for name, kind in kinds.items():
        given = declared[name].dims if name in declared else ()
        ids = [dims.named(named, g) for g in given]
        if kind == "scalar":
            shapes[name] = ()
        elif kind == "vector":
            shapes[name] = (ids[0] if ids else dims.fresh(), ONE)
        else:
            shapes[name] = tuple(ids) if len(ids) == 2 else (dims.fresh(), dims.fresh())
    typing = Typing(kinds, layout, dims, shapes, bars=bars, named=named)
    walker = _Walker(typing)
    first = walker.shape(sides[0])
    for side in sides[1:]:
        walker.same(first, walker.shape(side), "the two sides")
    walker.refuse_square_entrywise()
    dims.written_sizes()  # numbers written for sizes agree
    return typing


class _Walker:
    """Symbolic shapes: () for a scalar, (rows, cols) of dimension ids, None for a zero."""

    def __init__(self, typing: Typing) -> None:
        self.t = typing
        self.d = typing.dims
        self.index_dims: dict[str, int] = {}  # the indices of the enclosing sums
        self.entrywise: list[tuple[str, tuple[int, int]]] = []  # exp, log, ... of arrays

    def refuse_square_entrywise(self) -> None:
        """exp(X) of a square matrix is the matrix exponential in matrix-calculus notes and
        the entrywise one elsewhere: no verdict rests on one guessed reading."""
        for name, (rows, cols) in self.entrywise:
            if self.d.find(rows) == self.d.find(cols) != ONE:
                raise LatexError(
                    f"{name} of a square matrix is ambiguous "
                    "(the matrix function or entry by entry)"
                )

    def same(self, a, b, what: str) -> None:
        if a is None or b is None:
            return
        if self.scalar(a) and self.scalar(b):
            return
        if self.scalar(a) or self.scalar(b):
            raise LatexError(f"{what}: a scalar and an array")
        self.d.unify(a[0], b[0], what)
        self.d.unify(a[1], b[1], what)

    def scalar(self, s) -> bool:
        return s == () or (s is not None and all(self.d.find(x) == ONE for x in s))

    def square(self, s, what: str):
        if s is None or s == ():
            return s
        self.d.unify(s[0], s[1], f"{what} needs a square matrix")
        return s

    def shape(self, node: object):
        s = self._shape(node)
        if s is not None and s != () and self.scalar(s):
            s = ()
        self.t.nodes[id(node)] = s
        return s

    def _shape(self, node: object):
        if isinstance(node, Sym):
            return self.t.shapes[node.name]
        if isinstance(node, Num):
            return ()
        if isinstance(node, Identity):
            if node.value == 0:
                return None
            if node.size:
                k = self.d.named(self.t.named, node.size)
                return (k, k)
            k = self.d.fresh(rigid=False)
            return (k, k)
        if isinstance(node, Ones):
            if node.size:
                return (self.d.named(self.t.named, node.size), ONE)
            return (self.d.fresh(rigid=False), ONE)
        if isinstance(node, IndexSum):
            return self.index_sum(node)
        if isinstance(node, FreeIndexed):
            return self.free_indexed(node)
        if isinstance(node, Entry):
            return self.entry(node)
        if isinstance(node, Sum):
            shapes = [self.shape(t) for _, t in node.terms]
            known = [s for s in shapes if s is not None]
            for s in known[1:]:
                self.same(known[0], s, "a sum")
            return known[0] if known else None
        if isinstance(node, Product):
            return self.product(node)
        if isinstance(node, Frac):
            num, den = self.shape(node.num), self.shape(node.den)
            if not self.scalar(den):
                raise LatexError("a fraction's denominator must be a scalar")
            return num
        if isinstance(node, Post):
            return self.post(node)
        if isinstance(node, Func):
            return self.func(node)
        if isinstance(node, Inner):
            self.same(self.shape(node.left), self.shape(node.right), "an inner product")
            return ()
        if isinstance(node, Deriv):
            return self.derivative(node)
        if isinstance(node, Hessian):
            return self.hessian(node)
        if isinstance(node, Diff):
            return self.shape(node.arg)
        raise LatexError(f"{type(node).__name__} is not checked here")

    def product(self, node: Product):
        left, right = self.shape(node.left), self.shape(node.right)
        if left is None or right is None:
            return None
        if node.op == "odot":
            self.same(left, right, "an elementwise product")
            return left
        if node.op == "kron":
            left, right = self.array(left), self.array(right)
            return (self.d.product(left[0], right[0]), self.d.product(left[1], right[1]))
        if self.scalar(left):
            return right
        if self.scalar(right):
            return left
        if node.op == "cdot" and self.d.find(left[1]) == self.d.find(right[1]) == ONE:
            # a . x of two column vectors is their dot product (as the vectors, 1-D arrays,
            # are multiplied by @ when lowered)
            self.d.unify(left[0], right[0], "a dot product")
            return ()
        self.d.unify(left[1], right[0], "a product")
        return (left[0], right[1])

    def post(self, node: Post):
        base = self.shape(node.base)
        if base is None or base == ():
            return base
        if node.kind == "T":
            return (base[1], base[0])
        if node.kind in ("-1", "-T"):
            return self.square(base, "an inverse")
        if node.kind == "pow" and float(node.power).is_integer():
            return self.square(base, "a matrix power")
        if node.kind == "hadamard_pow":
            return base
        raise LatexError("a power of an array that is not an integer power")

    def array(self, s):
        """`s` as (rows, cols) (a scalar is 1 x 1)."""
        return (ONE, ONE) if s == () else s

    def func(self, node: Func):
        arg = self.shape(node.arg)
        if node.name in ("tr", "det"):
            self.square(arg, node.name)
            return ()
        if node.name == "vec":
            arg = self.array(arg)
            return (self.d.product(arg[1], arg[0]), ONE)
        if node.name in ("norm2", "normF"):
            return ()
        if node.name in ("norm", "abs"):
            if arg is not None and not self.scalar(arg) and self.d.find(arg[1]) != ONE:
                self.bar_reading(node, arg)
            return ()
        if node.name == "diag" and arg is not None and arg != ():
            if self.d.find(arg[1]) == ONE:
                return (arg[0], arg[0])
            self.square(arg, "diag")
            return (arg[0], ONE)
        if node.name in _ELEMENTWISE:
            if arg is not None and arg != ():
                self.entrywise.append((node.name, arg))
            return arg
        if node.name in _ML_FUNCTIONS:
            if node.name == "sigma":
                self.t.ambiguous.append("\\sigma(...) read as the logistic sigmoid")
            return arg
        raise LatexError(f"the function {node.name} is not checked")

    def bar_reading(self, node: Func, arg) -> None:
        """Record how bars around a matrix read (determinant or norm) under `self.t.bars`."""
        written = "det" if node.name == "abs" else "norm"
        reading = {
            "written": written,
            "swapped": "norm" if written == "det" else "det",
        }.get(self.t.bars, self.t.bars)
        bars = "|X|" if node.name == "abs" else "\\|X\\|"
        self.t.bar_readings.append((bars, reading))
        self.t.read_as[id(node)] = reading
        if reading == "det":
            self.square(arg, f"{bars} read as the determinant")
        self.t.ambiguous.append(
            f"{bars} read as {'det(X)' if reading == 'det' else 'the Frobenius norm'}"
        )

    def index_sum(self, node: IndexSum):
        dims = []
        for name, upper in node.indices:
            d = self.d.named(self.t.named, upper) if upper else self.d.fresh()
            self.index_dims[name] = d
            dims.append(d)
        try:
            body = self.shape(node.body)
        finally:
            for name, _ in node.indices:
                self.index_dims.pop(name)
        if body is None or not self.scalar(body):
            raise LatexError("the terms of a sum \\sum must be numbers (entries such as x_i)")
        self.t.sums[id(node)] = tuple(dims)
        return ()

    def free_indexed(self, node: FreeIndexed):
        """The shape of `node.variable` (the denominator layout of a scalar's derivative):
        one free index runs over a vector's entries, two over a matrix's rows and columns."""
        s = self.t.shapes[node.variable]
        if s == () or len(node.indices) != 2 - (self.d.find(s[1]) == ONE):
            raise LatexError(
                f"the indices {','.join(node.indices)} do not match the entries of "
                f"{node.variable} (one index for a vector, two for a matrix)"
            )
        dims = s[: len(node.indices)]
        self.index_dims.update(zip(node.indices, dims, strict=True))
        try:
            body = self.shape(node.body)
        finally:
            for name in node.indices:
                self.index_dims.pop(name)
        if body is None or not self.scalar(body):
            raise LatexError("a statement entry by entry must give a number per entry")
        self.t.sums[id(node)] = tuple(dims)
        return s

    def entry(self, node: Entry):
        s = self.t.shapes[node.sym.name]
        dims = [self.index_dims[i] for i in node.indices]
        if s == () or len(dims) > 2:
            raise LatexError(f"`{node.sym.name}` has entries but is not a vector or a matrix")
        if len(dims) == 1:
            self.d.unify(s[1], ONE, f"{node.sym.name}_i (a vector's entry)")
            self.d.unify(s[0], dims[0], f"the range of the index {node.indices[0]}")
        else:
            self.d.unify(s[0], dims[0], f"the range of the index {node.indices[0]}")
            self.d.unify(s[1], dims[1], f"the range of the index {node.indices[1]}")
        return ()

    def derivative(self, node: Deriv):
        f = self.shape(node.num)
        x = self.shape(node.wrt)
        if f is None:
            return None
        numerator = self.t.layout == "numerator"
        if node.transposed and not numerator:
            raise LatexError("a derivative by X^T is in the numerator layout")
        if node.vec:
            if f == ():
                raise LatexError("a scalar by vec X: write the derivative by X")
            x = (self.d.product(x[1], x[0]), ONE)
        if f == ():
            return x if x == () or not numerator else (x[1], x[0])
        if x == ():
            return f if numerator else (f[1], f[0])
        if self.d.find(x[1]) != ONE:
            raise LatexError(
                "a derivative by a matrix of an array: write it by vec, "
                "\\frac{\\partial \\operatorname{vec} F}{\\partial \\operatorname{vec} X}"
            )
        rows = f[0] if self.d.find(f[1]) == ONE else self.d.product(f[1], f[0])  # vec F
        return (rows, x[0]) if numerator else (x[0], rows)

    def hessian(self, node: Hessian):
        """The Hessian of a scalar by a scalar (a scalar) or by a vector x (``n x n``, the same
        in either layout); by a matrix it has no one written form (vec or the 4-index
        tensor), and is not read."""
        f = self.shape(node.num)
        x = self.shape(node.wrt)
        if f is None:
            return None
        if not self.scalar(f):
            f = self.array(f)
            self.d.unify(f[0], ONE, "a Hessian is of a scalar function")
            self.d.unify(f[1], ONE, "a Hessian is of a scalar function")
        if x == ():
            return ()
        if self.d.find(x[1]) != ONE:
            raise LatexError(
                f"a Hessian by the matrix {node.wrt.name} is not read (vec or 4-index form?): "
                "check it with gradcheck.check_hessian"
            )
        return (x[0], x[0])


def _is_transposed_symbol(node: object) -> bool:
    return isinstance(node, Post) and node.kind == "T" and isinstance(node.base, Sym)


def _call(name: str, *args: Node, **options: object) -> Call:
    """A call of a function-table entry with its options at their defaults unless given."""
    opts = tuple(
        (p.name, options.get(p.name, p.default))
        for p in FUNCTIONS[name].params
        if p.kind not in ("array", "operands", "arrays", "blocks", "bound")
        and (p.name in options or p.default is not REQUIRED)
    )
    return Call(name, tuple(args), opts)


def signed_sum(terms: list[tuple[str, Node]]) -> Node:
    """``t0 + t1 - t2 ...`` from (sign, node) pairs, grouping to the left."""
    out: Node | None = None
    for sign, low in terms:
        if out is None:
            out = low if sign == "+" else UnaryOp("-", low)
        else:
            out = BinaryOp(sign, out, low)
    return out


class Arithmetic:
    """What both readings of LaTeX lower alike: numbers, sums, products, fractions and
    superscripts, each to a method of the reading (``sum``, ``product``, ``post``)."""

    def arithmetic(self, node: object) -> Node | None:
        """The node lowered, or None when it is not arithmetic."""
        if isinstance(node, Num):
            return constant(node.value)
        if isinstance(node, Sum):
            return self.sum(node)
        if isinstance(node, Product):
            return self.product(node)
        if isinstance(node, Frac):
            return BinaryOp("/", self.lower(node.num), self.lower(node.den))
        if isinstance(node, Post):
            return self.post(node)
        return None


class Lowering(Arithmetic):
    """The expression tree of a formula under one typing, at one trial's sizes.

    `replace` maps a symbol's name to the node used for it (a differential's ``X + t dX``).
    """

    def __init__(self, typing: Typing, trial: int, replace: dict[str, Node] | None = None):
        self.t = typing
        self.size = typing.sizes(trial)
        self.shapes = typing.concrete(trial)
        self.replace = dict(replace or {})
        self.inverted: list[Node] = []  # the matrices inverted, for a conditioning check
        self.positive = False  # whether the formula takes a log or root of an array's entries
        for name, wrt in typing.functions.items():
            rows = self.shapes[name][0] if self.shapes[name] else 1
            cols = self.shapes[wrt][0] if self.shapes[wrt] else 1
            self.shapes["M_" + name] = (rows, cols)
            x = self.variable(wrt)
            product = BinaryOp("*" if not self.shapes[wrt] else "@", Variable("M_" + name), x)
            self.inner = getattr(self, "inner", {})
            self.inner[name] = product
            value: Node = _call("tanh", product)
            self.replace[name] = Index(value, (0, 0)) if not self.shapes[name] else value

    def jacobian(self, name: str) -> Node:
        """The numerator-layout Jacobian of the instantiated function `name`:
        (1 - tanh(M x)^2) * M, transposed in the denominator layout."""
        slope = BinaryOp("-", Constant(1), Power(_call("tanh", self.inner[name]), 2))
        jac: Node = BinaryOp("*", slope, Variable("M_" + name))
        return jac if self.t.layout == "numerator" else Transpose(jac)

    def column(self, node: object) -> bool:
        """Whether the typing made `node` (a LaTeX node) a column vector."""
        shape = self.t.nodes.get(id(node))
        dims = self.t.dims
        return (
            shape is not None
            and len(shape) == 2
            and dims.find(shape[1]) == ONE != dims.find(shape[0])
        )

    def shape_of(self, node: Node) -> tuple[int, ...]:
        return infer_shape(node, self.shapes)

    def variable(self, name: str, base: Node | None = None) -> Node:
        if name in self.replace and base is None:
            return self.replace[name]
        node: Node = Variable(name) if base is None else base
        kind = self.t.kinds.get(name.removeprefix("d_") if name not in self.t.kinds else name)
        if kind == "vector":
            node = Index(node, (Slice(), None))
        return node

    def ones(self, dim: int) -> Node:
        root = self.t.dims.find(dim)
        if root in self.t.dims.factors:
            major, minor = self.t.dims.factors[root]
            return _call("kron", self.ones(major), self.ones(minor))
        for name, dims in sorted(self.t.shapes.items()):
            for axis, d in enumerate(dims):
                if self.t.dims.find(d) != root:
                    continue
                if self.t.kinds[name] == "vector":
                    return _call("ones_like", Variable(name))
                item = (Slice(), 0) if axis == 0 else (0, Slice())
                return _call("ones_like", Index(Variable(name), item))
        raise LatexError("the size of I, 0 or 1 is not fixed by the formula")

    def lower(self, node: object) -> Node:
        out = self._lower(node)
        shape = self.shape_of(out)
        if shape == (1, 1):
            out = Index(out, (0, 0))
        return out

    def _lower(self, node: object) -> Node:
        if isinstance(node, Sym):
            return self.variable(node.name)
        if isinstance(node, Identity):
            return self.identity(node)
        if isinstance(node, IndexSum):
            return SumLowering(self, node).lower_sum()
        if isinstance(node, FreeIndexed):  # the array over the free indices, not summed
            return SumLowering(self, node).lower_terms()
        if isinstance(node, Ones):
            shape = self.t.nodes.get(id(node))
            if not shape or self.t.dims.find(shape[0]) == ONE:
                return Constant(1)
            return Index(self.ones(shape[0]), (Slice(), None))
        done = self.arithmetic(node)
        if done is not None:
            return done
        if isinstance(node, Func):
            return self.func(node)
        if isinstance(node, Inner):
            return _call("sum", BinaryOp("*", self.lower(node.left), self.lower(node.right)))
        if isinstance(node, Diff) and isinstance(node.arg, Sym):
            return self.variable("d_" + node.arg.name)
        if isinstance(node, Diff) and _is_transposed_symbol(node.arg):  # dX^T = (dX)^T
            return Transpose(self.variable("d_" + node.arg.base.name))
        if isinstance(node, Diff):
            raise LatexError("a differential of an expression on the right-hand side")
        if (
            isinstance(node, Deriv)
            and isinstance(node.num, Sym)
            and node.num.name in (self.t.functions)
        ):
            return self.jacobian(node.num.name)
        if isinstance(node, (Deriv, Hessian)):
            raise LatexError("a derivative inside the claimed side is not evaluated")
        raise LatexError(f"{type(node).__name__} cannot be evaluated")

    def identity(self, node: Identity) -> Node:
        shape = self.t.nodes.get(id(node))
        if node.value == 0:
            return Constant(0)
        if shape is None or shape == ():
            return Constant(1)
        return _call("diag", self.ones(shape[0]))

    def sum(self, node: Sum) -> Node:
        return signed_sum([(sign, self.lower(term)) for sign, term in node.terms])

    def product(self, node: Product) -> Node:
        left, right = self.lower(node.left), self.lower(node.right)
        if node.op == "odot":
            return BinaryOp("*", left, right)
        if node.op == "kron":
            return _call("kron", left, right)
        if self.shape_of(left) == () or self.shape_of(right) == ():
            return BinaryOp("*", left, right)
        if node.op == "cdot" and self.column(node.left) and self.column(node.right):
            return _call("sum", BinaryOp("*", left, right))  # typed as a dot product
        return BinaryOp("@", left, right)

    def post(self, node: Post) -> Node:
        base = self.lower(node.base)
        scalar = self.shape_of(base) == ()
        if node.kind == "T":
            return base if scalar else Transpose(base)
        if node.kind in ("-1", "-T") and not scalar:
            self.inverted.append(base)
        if node.kind == "-1":
            return Power(base, -1) if scalar else _call("inv", base)
        if node.kind == "-T":
            return Power(base, -1) if scalar else Transpose(_call("inv", base))
        power = int(node.power) if float(node.power).is_integer() else node.power
        if scalar or node.kind == "hadamard_pow":
            return Power(base, power)
        return _call("matrix_power", base, n=power)

    def func(self, node: Func) -> Node:
        arg = self.lower(node.arg)
        scalar = self.shape_of(arg) == ()
        name = node.name
        if name == "tr":
            return arg if scalar else _call("trace", arg)
        if name == "det":
            return arg if scalar else _call("det", arg)
        if scalar and name in ("norm", "normF", "norm2", "abs"):
            return _call("abs", arg)
        if name in ("norm", "abs"):
            det = self.t.read_as.get(id(node)) == "det"
            return _call("det", arg) if det else _call("norm", arg)
        if name == "normF":
            return _call("norm", arg)
        if name == "norm2":  # of a matrix the spectral norm, of a vector its length
            return _call("norm", arg, ord=2) if self.shape_of(arg)[-1] != 1 else _call("norm", arg)
        if name == "vec":
            return Index(_call("vec", arg), (Slice(), None))
        if name == "diag":
            shape = self.shape_of(arg)
            if shape[-1] == 1:
                return _call("diag", Index(arg, (Slice(), 0)))
            return Index(_call("diag", arg), (Slice(), None))
        if name in _ML_FUNCTIONS:
            return _ML_FUNCTIONS[name](arg)
        if name in _POSITIVE and not scalar:
            self.positive = True
        return _call(_ELEMENTWISE[name], arg)


class SumLowering(Arithmetic):
    """``\\sum_{i,j} body`` as the sum of an array with one axis per index (at most three): an
    entry x_i is x along its axis, A_{ji} is A^T, A_{ii} the diagonal, and the body is
    elementwise (times ones over every index, so a term without an index counts each time)."""

    def __init__(
        self, outer: Lowering, node: IndexSum | FreeIndexed, within: tuple[list, list] = ([], [])
    ) -> None:
        self.outer = outer
        self.node = node
        body = node.body
        order, self.dims = list(within[0]), list(within[1])  # the enclosing sums' axes first
        if isinstance(node, FreeIndexed):
            order += node.indices
        else:
            order += [name for name, _ in node.indices]
            while isinstance(body, IndexSum):  # \sum_i \sum_j b = \sum_{i,j} b
                order += [name for name, _ in body.indices]
                body = body.body
        self.body = body
        self.order = order
        if len(self.order) > MAX_INDICES:
            raise LatexError(f"a sum over more than {MAX_INDICES} indices is not read")
        self.dims += outer.t.sums[id(node)]
        inner = node.body
        while isinstance(inner, IndexSum) and not isinstance(node, FreeIndexed):
            self.dims += outer.t.sums[id(inner)]
            inner = inner.body

    def lower_sum(self) -> Node:
        return _call("sum", self.lower_terms())

    def lower_terms(self) -> Node:
        """The body as an array with one axis per index (not summed)."""
        full: Node | None = None
        for k, d in enumerate(self.dims):
            try:
                ones = self.along(self.outer.ones(d), (k,))
            except LatexError:
                raise LatexError(
                    f"the range of the index {self.order[k]} is not fixed by the formula (no "
                    "array has an axis over it)"
                ) from None
            full = ones if full is None else BinaryOp("*", full, ones)
        return BinaryOp("*", self.lower(self.body), full)

    def along(self, array: Node, axes: tuple[int, ...]) -> Node:
        """An array whose axes are the sum's axes `axes` (increasing), broadcast along the
        others."""
        if len(axes) == len(self.order):
            return array
        return Index(array, tuple(Slice() if k in axes else None for k in range(len(self.order))))

    def lower(self, node: object) -> Node:
        if isinstance(node, Entry):
            return self.entry(node)
        if isinstance(node, Sym):
            return self.outer.lower(node)
        if isinstance(node, IndexSum):  # a factor \sum_j y_j of its own
            inner = {e.indices for e in walk(node.body) if isinstance(e, Entry)}
            if not any(set(ix) & set(self.order) for ix in inner):
                return self.outer.lower(node)
            # \sum_j A_{ij} x_j with i an outer index: summed over its own axes only
            nested = SumLowering(self.outer, node, (self.order, self.dims))
            own = tuple(range(len(self.order), len(nested.order)))
            return _call("sum", nested.lower_terms(), axis=own)
        if isinstance(node, Func) and node.name in _ELEMENTWISE:
            if node.name in _POSITIVE:
                self.outer.positive = True
            return _call(_ELEMENTWISE[node.name], self.lower(node.arg))
        if isinstance(node, Func) and node.name == "abs":
            return _call("abs", self.lower(node.arg))
        if isinstance(node, Func) and node.name in _ML_FUNCTIONS:
            return _ML_FUNCTIONS[node.name](self.lower(node.arg))
        done = self.arithmetic(node)
        if done is None:
            raise LatexError(f"{type(node).__name__} inside a sum \\sum is not read")
        return done

    def entry(self, node: Entry) -> Node:
        value = self.outer.variable(node.sym.name)
        if self.outer.t.kinds[node.sym.name] == "vector":
            if node.indices[0] not in self.order:
                raise LatexError(f"`{node.sym.name}` has an index of another sum")
            return self.along(Index(value, (Slice(), 0)), (self.order.index(node.indices[0]),))
        if not set(node.indices) <= set(self.order):
            raise LatexError(f"`{node.sym.name}` has an index of another sum")
        i, j = (self.order.index(x) for x in node.indices)
        if i == j:
            return self.along(_call("diagonal", value), (i,))
        return self.along(value if i < j else Transpose(value), (min(i, j), max(i, j)))

    def sum(self, node: Sum) -> Node:
        return signed_sum([(sign, self.lower(term)) for sign, term in node.terms])

    def product(self, node: Product) -> Node:
        if node.op == "kron":
            raise LatexError("a Kronecker product inside a sum \\sum is not read")
        return BinaryOp("*", self.lower(node.left), self.lower(node.right))

    def post(self, node: Post) -> Node:
        if node.kind != "pow":
            raise LatexError("only powers of entries are read inside a sum \\sum")
        power = int(node.power) if float(node.power).is_integer() else node.power
        return Power(self.lower(node.base), power)


def lower(node: object, typing: Typing, trial: int, replace: dict[str, Node] | None = None):
    """`node` as an expression tree under `typing` at the sizes of `trial`."""
    return Lowering(typing, trial, replace).lower(node)
