"""One statement -> one verdict: derivatives, differentials, identities and rules.

Each side of a statement is parsed on its own, the sides are typed together (``_typing``), and
every link of a chain (each side with the next: ``A = B``, ``B = C``, ...) is checked at random
points of two trials with distinct dimensions; the first link that fails is reported:

- a derivative ``\\partial F / \\partial X = G`` with :func:`gradcheck.verdict.check`, in each
  layout in which G's shape fits (``\\partial \\operatorname{vec} F / \\partial
  \\operatorname{vec}(X)^T``, a matrix by a vector or a scalar: the engine's vec layouts);
- two derivatives by the same variable (a derivation's middle step): equal when their functions
  differ by a constant, i.e. have the same difference at two points;
- a differential ``dF = L(dX)`` as the derivative of ``t -> F(X + t dX)`` at 0 along a random
  dX;
- an identity ``A = B`` by evaluating both sides: it holds when the largest difference is below
  1e-9 of the largest entry (or of 1, when both sides are smaller, as for ``= 0``), fails above
  1e-6, and is inconclusive between (rounding errors of these small, well-conditioned draws are
  near 1e-14, mistakes near 1);
- a rule with unspecified functions (``u``, ``v`` of x, seen as ``\\partial u/\\partial x`` in
  the claim) with u(x) = tanh(M_u x) for random M_u, whose Jacobian is known exactly.

Bars around a matrix are checked read as the determinant and as the Frobenius norm; a
statement whose verdict depends on the reading is inconclusive, with both verdicts named.
"""

from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass, replace

import numpy as np

from ..errors import GradcheckError
from ..expressions import (
    BinaryOp,
    CompiledExpression,
    Expression,
    Index,
    Node,
    Slice,
    Variable,
)
from ..verdict import check, check_hessian
from ._syntax import (
    Deriv,
    Diff,
    FreeIndexed,
    Func,
    Hessian,
    Identity,
    Num,
    Post,
    Sym,
    parse_relation,
    walk,
)
from ._tokens import LatexError
from ._typing import Kind, Lowering, Typing, symbols, typings

__all__ = ["Outcome", "check_sides", "split_sides"]

TRIALS = 2
#: An identity holds below this relative difference and fails above FAILS_ABOVE.
HOLDS_BELOW, FAILS_ABOVE = 1e-9, 1e-6
LAYOUTS = ("numerator", "denominator")


@dataclass(frozen=True)
class Outcome:
    """What checking one statement found (the fields of a notes record but its place)."""

    kind: str
    verdict: str
    layouts: tuple[str, ...] = ()
    shapes: str = ""
    diagnosis: str = ""
    reason: str = ""
    fits: tuple[str, ...] = ()  # the layouts in which the derivative's shapes fit
    broken_link: int | None = None  # the first link of a chain that fails (1 = sides 1 and 2)


def split_sides(text: str) -> list[str]:
    """The sides of ``A = B = C`` at the ``=`` outside braces and parentheses."""
    sides, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
        elif c == "=" and depth == 0 and text[i - 1 : i] != "\\":
            sides.append(text[start:i])
            start = i + 1
    sides.append(text[start:])
    return sides


def statement_kind(sides: list) -> str:
    first = sides[0]
    if isinstance(first, Deriv):
        claims_rules = any(_unspecified(s, first.wrt.name) for s in sides[1:])
        return "rule" if claims_rules else "derivative"
    if isinstance(first, Hessian):
        return "hessian"
    if isinstance(first, Diff):
        return "differential"
    return "identity"


def _unspecified(node: object, wrt: str) -> dict[str, str]:
    """The symbols whose derivative the side writes, ``\\partial v/\\partial x``: functions."""
    return {
        n.num.name: n.wrt.name
        for n in walk(node)
        if isinstance(n, Deriv) and isinstance(n.num, Sym) and n.num.name != n.wrt.name
    }


#: Names read as unspecified functions of the variable in a rule (with those whose derivative
#: the claim writes, ``\partial v/\partial x``).
FUNCTION_NAMES = frozenset("u v w f g h".split())


def _rule_functions(sides: list) -> dict[str, str]:
    wrt = sides[0].wrt.name
    found: dict[str, str] = {}
    for side in sides[1:]:
        found.update(_unspecified(side, wrt))
    for name in symbols(sides[0].num, {}):
        if name in FUNCTION_NAMES and name != wrt:
            found[name] = wrt
    return found


def _constant_function(sides: list) -> str:
    """Why a side differentiates a function the formula does not write, ``\\partial f /
    \\partial x`` or ``d\\phi`` with f or phi a bare symbol (a function of x the text defines
    elsewhere, if at all): read as a constant it gives a false `failed`; "" when none does."""
    if statement_kind(sides) == "rule":
        return ""
    for k, side in enumerate(sides):
        moved = set().union(*(_differentiated(s) for j, s in enumerate(sides) if j != k))
        for node in walk(side):
            if isinstance(node, (Deriv, Hessian)):
                inside, by = set(symbols(node.num, {})), {node.wrt.name}
            elif isinstance(node, Diff) and node is side:
                inside, by = set(symbols(node.arg, {})), moved
            else:
                continue
            if inside and by and not inside & by:
                what, of = " ".join(sorted(inside)), " ".join(sorted(by))
                return (
                    f"the function differentiated ({what}) does not contain {of}: a function "
                    "defined elsewhere is not read; write it out or define it in the document"
                )
    return ""


def check_sides(
    sides: list,
    *,
    declared: dict[str, Kind],
    stated_layout: str | None = None,
    seed: str = "",
    bars: str | None = None,
    symmetric: frozenset[str] = frozenset(),
) -> Outcome:
    """Check parsed sides (at least two) of one statement; never raises for a bad formula.

    The matrices named in `symmetric` (the document states they are) are drawn symmetric; a
    derivative with respect to one of them is unparsed (its value depends on a convention).

    Bars around a matrix (``|X|``, ``\\|X\\|``) are read both as the determinant and as the
    Frobenius norm unless `bars` ("det" or "norm", as the document states) fixes the reading;
    when the two readings get different verdicts the statement is inconclusive and the
    diagnosis says which reading holds."""
    sides = [Identity(0) if isinstance(s, Num) and s.value == 0 else s for s in sides]
    by = {n.wrt.name for s in sides for n in walk(s) if isinstance(n, (Deriv, Hessian))}
    by = sorted(by & symmetric)
    if by:
        reason = (
            f"the derivative with respect to the symmetric matrix {by[0]} depends on a "
            "convention (unconstrained gradient or one over symmetric matrices): not checked"
        )
        return Outcome(statement_kind(sides), "unparsed", reason=reason)
    nodes = [n for s in sides for n in walk(s)]
    if any(isinstance(n, Func) and n.name == "sigma" for n in nodes) and any(
        isinstance(n, Sym) and n.name == "sigma" for n in nodes
    ):
        reason = "\\sigma is both applied, \\sigma(x) (the sigmoid), and a symbol of its own"
        return Outcome(statement_kind(sides), "unparsed", reason=reason)
    args = (sides, declared, stated_layout, seed, symmetric)
    outcome, readings = _check_reading(*args, bars or "written")
    if bars is not None or not readings:
        return outcome
    other, _ = _check_reading(*args, "swapped")
    return _either_reading(outcome, readings, other)


def _check_reading(sides, declared, stated_layout, seed, symmetric, bars) -> tuple[Outcome, list]:
    """The outcome under one reading of the bars, and the bars around matrices met."""
    kind = statement_kind(sides)
    layouts = LAYOUTS if kind in ("derivative", "rule") else ("numerator",)
    entrywise = any(isinstance(side, FreeIndexed) for side in sides)
    if entrywise:  # entry by entry, a derivative has no layout: the variable's shape
        layouts, stated_layout = ("denominator",), None
    try:
        found = typings(sides, declared, layouts, bars)
    except (LatexError, RecursionError) as exc:
        reason = str(exc) or "the formula is nested too deeply"
        return Outcome(kind, "unparsed", reason=reason), []
    constant = _constant_function(sides)
    if constant:
        return Outcome(kind, "unparsed", reason=constant), []
    rng_seed = zlib.crc32(seed.encode())
    results = []
    for typing in found:
        typing.symmetric = symmetric
        if kind == "rule":
            typing.functions.update(_rule_functions(sides))
        try:
            results.append((typing, _check_typing(sides, typing, rng_seed)))
        except (GradcheckError, *LinAlgErrors) as exc:
            results.append((typing, ("unparsed", f"cannot be evaluated: {exc}", None)))
    readings = [r for t in found for r in t.bar_readings]
    fits = tuple(sorted({t.layout for t in found})) if kind in ("derivative", "rule") else ()
    fits = () if entrywise else fits
    outcome = _combine(kind, results, stated_layout)
    if entrywise:
        outcome = replace(outcome, layouts=())
    return replace(outcome, fits=fits), readings


_READING = {"det": "the determinant", "norm": "the Frobenius norm"}


def _either_reading(first: Outcome, readings: list, second: Outcome) -> Outcome:
    """One outcome from the two readings of bars around a matrix."""
    bars = readings[0][0]
    one, two = readings[0][1], "norm" if readings[0][1] == "det" else "det"
    if first.verdict == second.verdict:
        note = (
            f"{bars} of a matrix is ambiguous (determinant or norm); the verdict is the same "
            "read either way"
        )
        kept = [x for x in first.diagnosis.split("; ") if x and " read as " not in x]
        return replace(first, diagnosis="; ".join([*kept, note]))
    both = ((first, one), (second, two))
    unread = [(o, r) for o, r in both if o.verdict == "unparsed"]
    if unread:  # one reading cannot be checked: the other's verdict, with why
        (bad, r_bad), (good, r_good) = (
            unread[0],
            next((o, r) for o, r in both if o is not unread[0][0]),
        )
        note = f"{bars} read as {_READING[r_good]} ({_READING[r_bad]}: {bad.reason})"
        kept = [x for x in good.diagnosis.split("; ") if x and " read as " not in x]
        return replace(good, diagnosis="; ".join([*kept, note]))
    holds = [(o, r) for o, r in both if o.verdict == "passed"]
    said = "; ".join(f"read as {_READING[r]}: {o.verdict}" for o, r in both)
    diagnosis = (
        f"ambiguous notation: {bars} of a matrix changes the verdict ({said}); "
        "write \\det X or \\|X\\|_F"
    )
    base = holds[0][0] if holds else first
    return replace(base, verdict="inconclusive", diagnosis=diagnosis, reason="")


LinAlgErrors = (np.linalg.LinAlgError, ValueError, FloatingPointError, ZeroDivisionError)


def _combine(kind: str, results: list, stated: str | None) -> Outcome:
    holds = sorted({t.layout for t, (v, *_) in results if v == "passed"})
    if kind not in ("derivative", "rule"):
        holds = []
    passing = [(t, r) for t, r in results if r[0] == "passed"]
    if stated is not None and kind in ("derivative", "rule"):
        in_stated = [(t, r) for t, r in passing if t.layout == stated]
        if not in_stated and passing:
            t = passing[0][0]
            return Outcome(
                kind,
                "failed",
                tuple(holds),
                t.describe(),
                f"other_layout: holds in the {t.layout} layout only; the document "
                f"states the {stated} layout",
            )
        passing = in_stated
        results = [(t, r) for t, r in results if t.layout == stated] or results
    if passing:
        t = passing[0][0]
        note = "; ".join(dict.fromkeys(t.ambiguous))
        if len({tuple(sorted(x.kinds.items())) for x, _ in passing}) < len(
            {tuple(sorted(x.kinds.items())) for x, _ in results}
        ):
            note = (note + "; " if note else "") + f"holds when {_kinds_text(t)}"
        return Outcome(kind, "passed", tuple(holds), t.describe(), note)
    for verdict in ("inconclusive", "failed", "unparsed"):
        for t, (v, text, link) in results:
            if v == verdict:
                if v == "unparsed":
                    return Outcome(kind, v, (), t.describe(), reason=text)
                return Outcome(kind, v, tuple(holds), t.describe(), text, broken_link=link)
    return Outcome(kind, "unparsed", reason="nothing to check")


def _kinds_text(t: Typing) -> str:
    return ", ".join(f"{n} is a {k}" for n, k in sorted(t.kinds.items()))


def _check_typing(sides: list, typing: Typing, seed: int) -> tuple[str, str, int | None]:
    """The worst verdict over the links (each side with the next) and the trials that can be
    evaluated (a draw where a side is singular, e.g. (X^T X)^{-1} with fewer rows than
    columns, is replaced by one in another order of sizes); with the first link that fails."""
    worst: tuple[str, str, int | None] = ("passed", "", None)
    done, draws = 0, 0
    links = list(itertools.pairwise(sides))
    while done < TRIALS and draws < 2 * TRIALS:
        rng = np.random.default_rng([seed, draws])
        try:
            verdicts = [_link(a, b, typing, draws, rng) for a, b in links]
        except np.linalg.LinAlgError:
            draws += 1
            continue
        draws += 1
        done += 1
        for k, (verdict, text) in enumerate(verdicts, start=1):
            link = k if len(links) > 1 else None
            if link is not None and verdict != "passed":
                text = f"link {k} of {len(links)} (side {k} = side {k + 1}) breaks first: {text}"
            if verdict == "failed":
                return verdict, text, link
            if verdict != "passed" and worst[0] == "passed":
                worst = (verdict, text, link)
    if done == 0:
        return "unparsed", "cannot be evaluated: a matrix is singular at every draw", None
    return worst


def _link(left, right, typing: Typing, trial: int, rng) -> tuple[str, str]:
    """One link ``left = right`` of a chain: two derivatives by the same variable are equal
    when the functions differ by a constant (the same difference at two points that differ
    in that variable); a derivative (or a differential) and a claim are checked as such; two
    plain sides as an identity."""
    derivatives = (Deriv, Diff, Hessian)
    if isinstance(right, derivatives) and not isinstance(left, derivatives):
        left, right = right, left
    if isinstance(left, Hessian):
        if isinstance(right, derivatives):
            return "unparsed", "a Hessian beside another derivative is not compared"
        return _hessian(left, right, typing, trial, rng)
    if isinstance(right, Hessian):
        return "unparsed", "a Hessian beside another derivative is not compared"
    if isinstance(left, Deriv) and isinstance(right, Deriv):
        if (left.wrt, left.vec) != (right.wrt, right.vec):
            return "unparsed", "two derivatives by different variables"
        return _same_up_to_constant(left.num, right.num, left.wrt.name, typing, trial, rng)
    if isinstance(left, Deriv):
        return _derivative(left, right, typing, trial, rng)
    if isinstance(left, Diff):
        if isinstance(right, Diff):
            return "unparsed", "two differentials side by side are not compared"
        return _differential(left, right, typing, trial, rng)
    return _identity(left, right, typing, trial, rng)


def sample_point(
    shapes: dict[str, tuple[int, ...]], rng: np.random.Generator, *, positive: bool = False
) -> dict:
    """Random values: scalars in [0.5, 1.5] (positive, for logarithms and roots), vectors and
    rectangular matrices standard normal, square matrices n I + G (G standard normal: not
    symmetric, eigenvalues in the right half-plane, so determinants are positive). With
    `positive` (a formula that takes logarithms or roots of entries) G is replaced by
    0.5 + |G| (square matrices stay diagonally dominant)."""
    point = {}
    for name, shape in sorted(shapes.items()):
        if shape == ():
            point[name] = np.float64(rng.uniform(0.5, 1.5))
            continue
        draw = rng.standard_normal(shape)
        if positive and not name.startswith(("d_", "M_")):
            draw = 0.5 + np.abs(draw)
        if len(shape) == 2 and shape[0] == shape[1] and not name.startswith(("d_", "M_")):
            draw = (1 + positive) * shape[0] * np.eye(shape[0]) + draw
        point[name] = draw
    return point


def _symmetrise(point: dict, typing: Typing) -> dict:
    """`point` with the matrices stated symmetric (and their differentials) made symmetric."""
    for name in typing.symmetric:
        for key in (name, "d_" + name):
            value = point.get(key)
            if value is not None and value.ndim == 2 and value.shape[0] == value.shape[1]:
                point[key] = (value + value.T) / 2
    return point


#: A draw where a matrix to invert is worse conditioned than this is replaced by another.
MAX_CONDITION = 1e8


def _guard(low: Lowering, point: dict) -> None:
    """LinAlgError (a new draw) when a matrix the formula inverts is near-singular there."""
    for node in low.inverted:
        matrix = _value(node, low.shapes, point)
        if not np.isfinite(np.linalg.cond(matrix)) or np.linalg.cond(matrix) > MAX_CONDITION:
            raise np.linalg.LinAlgError("a matrix to invert is near-singular at the draw")


def _compiled(node: Node, shapes: dict) -> CompiledExpression:
    return CompiledExpression(Expression(node, tuple(shapes))).with_shapes(shapes)


def _value(node: Node, shapes: dict, point: dict) -> np.ndarray:
    return np.asarray(CompiledExpression(Expression(node, tuple(shapes)))(**point))


def _as_function_value(node: Node, low: Lowering) -> Node:
    """A column result as a 1-D array (the engine's vectors)."""
    shape = low.shape_of(node)
    if len(shape) == 2 and shape[1] == 1:
        return Index(node, (Slice(), 0))
    return node


def _function_at_a_point(num, typing: Typing, trial: int, rng):
    """The lowering of one trial, the differentiated function `num` compiled, and a drawn
    point: what a derivative and a Hessian are checked with alike."""
    low = Lowering(typing, trial)
    f_node = _as_function_value(low.lower(num), low)
    point = _symmetrise(sample_point(low.shapes, rng, positive=low.positive), typing)
    return low, _compiled(f_node, low.shapes), point


def _is_zero(claim: object) -> bool:
    return isinstance(claim, Identity) and claim.value == 0


def _verdict_text(result) -> tuple[str, str]:
    """A check's status and its diagnosis (the largest error where there is none)."""
    text = "" if result.diagnosis is None else str(result.diagnosis)
    if result.status != "passed" and not text:
        text = f"max rel. error {result.max_rel_error:.1e}"
    return result.status, text


def _derivative(deriv: Deriv, claim, typing: Typing, trial: int, rng) -> tuple[str, str]:
    low, f, point = _function_at_a_point(deriv.num, typing, trial, rng)
    shapes = low.shapes
    zero = _is_zero(claim)
    claim_node = None if zero else low.lower(claim)
    _guard(low, point)
    if zero:
        claimed = np.zeros(f.shape + tuple(shapes[deriv.wrt.name]))
        layout = "tensor"
    else:
        claimed = _compiled(claim_node, shapes)  # a callable: lets the diagnosis recheck
        layout = typing.layout
    try:
        result = check(f, claimed, point, wrt=deriv.wrt.name, layout=layout)
    except GradcheckError as exc:  # the claim's shape fits no layout
        return "failed", f"shape: {' '.join(str(exc).split())[:160]}"
    return _verdict_text(result)


def _hessian(node: Hessian, claim, typing: Typing, trial: int, rng) -> tuple[str, str]:
    """``\\nabla^2_x F = H`` checked by gradcheck.check_hessian (second differences of F,
    the claim as a formula so the diagnosis can recheck it)."""
    low, f, point = _function_at_a_point(node.num, typing, trial, rng)
    size = tuple(low.shapes[node.wrt.name])
    claimed = np.zeros(size + size) if _is_zero(claim) else _compiled(low.lower(claim), low.shapes)
    _guard(low, point)
    return _verdict_text(check_hessian(f, claimed, point, wrt=node.wrt.name))


def _differential(left: Diff, claim, typing: Typing, trial: int, rng) -> tuple[str, str]:
    moved = sorted(symbols(claim, {}).keys() & _differentiated(claim))
    if not moved:
        return "unparsed", "the right-hand side has no differential dX"
    base = Lowering(typing, trial)
    replace = {}
    for name in moved:
        step = BinaryOp("*", Variable("t"), Variable("d_" + name))
        replace[name] = base.variable(name, BinaryOp("+", Variable(name), step))
    low = Lowering(typing, trial, replace)
    for name in moved:
        low.shapes["d_" + name] = low.shapes[name]
    low.shapes["t"] = ()
    f_node = low.lower(left.arg)
    claim_node = low.lower(claim)
    shapes = low.shapes
    point = _symmetrise(sample_point(shapes, rng, positive=low.positive), typing)
    point["t"] = np.float64(0.0)
    _guard(low, point)
    f = _compiled(f_node, shapes)
    claimed = _value(claim_node, shapes, point)
    if claimed.size != int(np.prod(f.shape)) and claimed.size != 1:
        return "failed", f"shape: dF has shape {f.shape}, the claim {claimed.shape}"
    if claimed.size == 1:
        claimed = np.broadcast_to(claimed.reshape(()), f.shape)
    result = check(f, np.reshape(claimed, f.shape), point, wrt="t", layout="tensor")
    text = "" if result.diagnosis is None else str(result.diagnosis)
    return result.status, text or f"max rel. error {result.max_rel_error:.1e}"


def _differentiated(node: object) -> set[str]:
    """The symbols X whose differential dX (or dX^T) the side writes."""
    out: set[str] = set()
    for n in walk(node):
        if isinstance(n, Diff) and isinstance(n.arg, Sym):
            out.add(n.arg.name)
        elif isinstance(n, Diff) and isinstance(n.arg, Post) and isinstance(n.arg.base, Sym):
            out.add(n.arg.base.name)
    return out


def _same_up_to_constant(f, g, wrt: str, typing: Typing, trial: int, rng) -> tuple[str, str]:
    """Whether f - g is the same at two points that differ only in `wrt` (f and g then have
    the same derivative by it)."""
    low = Lowering(typing, trial)
    f_node, g_node = low.lower(f), low.lower(g)
    point = _symmetrise(sample_point(low.shapes, rng, positive=low.positive), typing)
    moved = sample_point({wrt: low.shapes[wrt]}, rng, positive=low.positive)
    other = dict(point, **moved)
    _guard(low, point)
    _guard(low, other)
    values = [
        (_value(f_node, low.shapes, p), _value(g_node, low.shapes, p)) for p in (point, other)
    ]
    (f1, g1), (f2, g2) = values
    verdict, text = _compare(f1 - g1, f2 - g2, scale_of=(f1, g1, f2, g2))
    if verdict == "failed":
        text = f"the two functions differentiated differ by more than a constant ({text})"
    return verdict, text


def _compare(a: np.ndarray, b: np.ndarray, scale_of=()) -> tuple[str, str]:
    """An identity's verdict for the values a and b of its sides."""
    if a.size != b.size and 1 not in (a.size, b.size):
        return "failed", f"shape: the sides have shapes {a.shape} and {b.shape}"
    if a.size == b.size:
        a, b = a.reshape(-1), b.reshape(-1)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return "inconclusive", "a side is not finite at the random point"
    scale = max([float(np.max(np.abs(v))) for v in (a, b, *scale_of)] + [1.0])
    diff = float(np.max(np.abs(a - b))) / scale
    if diff < HOLDS_BELOW:
        return "passed", ""
    if diff > FAILS_ABOVE:
        return "failed", f"the sides differ: relative difference {diff:.1e}"
    return "inconclusive", f"relative difference {diff:.1e} between 1e-9 and 1e-6"


def _identity(left, right, typing: Typing, trial: int, rng) -> tuple[str, str]:
    """Both sides at one random point (differentials dX written in them drawn at random too,
    as in the middle steps of a derivation of dF)."""
    low = Lowering(typing, trial)
    for name in _differentiated(left) | _differentiated(right):
        low.shapes["d_" + name] = low.shapes[name]
    a_node, b_node = low.lower(left), low.lower(right)
    point = _symmetrise(sample_point(low.shapes, rng, positive=low.positive), typing)
    _guard(low, point)
    a, b = _value(a_node, low.shapes, point), _value(b_node, low.shapes, point)
    return _compare(a, b)


def check_latex(
    latex: str,
    *,
    declared: dict[str, Kind] | None = None,
    stated_layout: str | None = None,
    bars: str | None = None,
) -> Outcome:
    """Check one LaTeX statement on its own (`bars`: see :func:`check_sides`)."""
    texts = split_sides(latex)
    if len(texts) < 2:
        return Outcome("none", "unparsed", reason="no `=`: not a statement")
    try:
        sides = [parse_relation(t)[0] for t in texts]
    except (LatexError, RecursionError) as exc:
        return Outcome("unknown", "unparsed", reason=str(exc))
    return check_sides(
        sides, declared=declared or {}, stated_layout=stated_layout, seed=latex, bars=bars
    )
