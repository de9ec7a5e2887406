"""Identities as data: the `identity` and `pitfall` decorators and the `Catalogue` collection.

There is no global registry. :func:`identity` turns formulas of the expression language (or,
as a decorator, a Python function) into an :class:`Identity` record, stored under its name in
the module that defines it and belonging to that module's family; :func:`pitfall` records a
known-wrong claim with the diagnosis kind it should be given. A :class:`Catalogue` is built by
collecting the records of one or more modules, refusing duplicate names.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import importlib.util
import inspect
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import CONVENTIONS, LAYOUTS, validate_layout, validate_seed
from ..errors import InvalidArgumentError, UnknownNameError
from ..expressions import (
    Call,
    CompiledExpression,
    Expression,
    Variable,
    analyse,
    parse_expression,
    render_latex,
    render_text,
)
from ..verdict import KINDS, counted
from .constraints import _sampler, get_constraint, sample
from .shapes import dimension_names, draw_dimensions, evaluate_dimension, resolve_shape

if TYPE_CHECKING:
    from ..verdict import CheckResult

__all__ = [
    "MISTAKES",
    "REFERENCE_MISTAKES",
    "Catalogue",
    "Identity",
    "complex_identity",
    "complex_pitfall",
    "identity",
    "load_catalogue",
    "pitfall",
]

#: The mistake classes a pitfall is labelled with: the diagnosis's own kinds (see
#: :data:`gradcheck.verdict.KINDS`), so that a pitfall's label is what the diagnosis says of
#: it -- except "unreliable" and "unknown", which name no mistake.
MISTAKES: tuple[str, ...] = tuple(k for k in KINDS if k not in ("unreliable", "unknown"))

#: The mistake classes of the project's reference table (``shared/reference/identities.md``)
#: and of catalogues written before the classes were the diagnosis kinds, mapped to the kind.
#: A missing chain-rule factor is a missing term for the diagnosis (the difference is a term
#: of its own); a missing 1/2 and a spurious 2 are both a wrong scale.
REFERENCE_MISTAKES: Mapping[str, str] = MappingProxyType(
    {
        "missing_transpose": "transpose",
        "factor_2": "scale",
        "missing_half": "scale",
        "sign_error": "sign",
        "wrong_layout": "layout",
        "symmetric_only": "symmetric_only",
        "missing_term": "missing_term",
        "missing_chain_factor": "missing_term",
        "wrong_order": "wrong_order",
        "structured_convention": "structured_convention",
    }
)

#: The module name under which :func:`load_catalogue` imports a ``.py`` file (its stem follows).
_FILE_MODULE_PREFIX = "_gradcheck_user_"

#: A variable's declaration: its shape (``"n m"``, optionally followed by conditions on the
#: dimensions, ``"n m where n > m"``), or a pair ``(shape, constraint)``.
VariableSpec = str | tuple[str, str]


class DuplicateIdentityError(InvalidArgumentError):
    """Two identities with the same name were put in one catalogue."""


@dataclass(frozen=True, kw_only=True)
class Identity:
    """A closed-form derivative, or a known-wrong one (a pitfall), with everything to check it.

    Attributes
    ----------
    name : str
        Unique name.
    family : str
        Group of related identities: the last part of the name of the module defining it
        (a pitfall keeps the family of the identity it corrupts).
    f : callable
        The function, called with every variable by keyword. Written batch-polymorphic in
        `wrt` (leading batch axes) when `vectorized` is True.
    wrt : str
        The variable the derivative is taken with respect to.
    shapes : Mapping[str, str]
        Symbolic shape of every variable: ``"n"``, ``"n m"``, ``"2*n-1"``, ``""`` (scalar).
    constraints : Mapping[str, str]
        Constraint of each variable (see :data:`gradcheck.CONSTRAINTS`); default ``"any"``.
    derivative : callable
        The claimed derivative, called with every variable by keyword, in `layout`.
    layout : {"numerator", "denominator", "tensor"}
        Layout in which `derivative` is stated (the one its source uses).
    latex, text : str
        The identity as a LaTeX formula and as plain text (both generated from the
        expressions for an entry written in the expression language).
    source : str
        Where it comes from, e.g. "Matrix Cookbook (57)".
    conditions : tuple of str
        Conditions on the dimensions, e.g. ``("n > m",)``.
    vectorized : bool or None
        Whether `f` is batch-polymorphic in `wrt`: True (evaluated in stacked batches), False
        (one point per call) or None (detected on each check by comparing a small batch
        with single calls, see :func:`gradcheck.estimate_jacobian`; the default).
    expected : {"pass", "fail"}
        "fail" for pitfalls.
    corrects : str or None
        For a pitfall: the name of the correct identity it corrupts.
    mistake : str or None
        For a pitfall: its mistake class (one of :data:`MISTAKES`).
    note : str
        Anything else worth knowing (conventions, errata).
    formula : Expression or None
        The parsed function, when the entry is written in the expression language.
    claim : Expression or None
        The parsed derivative, when it is written in the expression language (the other
        layout's formula of the cards is derived from it).
    largest : int
        The largest dimension a random draw takes (8; smaller for the costlier forms).
    convention : str or None
        For a derivative by a complex variable, the convention `derivative` is stated in (a
        name of :data:`gradcheck.CONVENTIONS`: ``"conjugate_wirtinger"``, ``"holomorphic"``,
        ...), passed to :func:`gradcheck.check` as its ``convention``; None for a real
        variable.

    Examples
    --------
    >>> import gradcheck
    >>> entry = gradcheck.installed_catalogue()["dtrWTAW_dW"]
    >>> entry.family, entry.wrt, entry.shapes["W"], entry.text
    ('trace', 'W', 'n m', 'd tr(W^T A W)/dW = (A + A^T) W')
    """

    name: str
    family: str
    f: Callable[..., Any] = field(repr=False)
    wrt: str
    shapes: Mapping[str, str]
    constraints: Mapping[str, str]
    derivative: Callable[..., Any] = field(repr=False)
    layout: str
    latex: str = ""
    text: str = ""
    source: str = ""
    conditions: tuple[str, ...] = ()
    vectorized: bool | None = None
    expected: str = "pass"
    corrects: str | None = None
    mistake: str | None = None
    note: str = ""
    formula: Expression | None = field(default=None, repr=False, compare=False)
    claim: Expression | None = field(default=None, repr=False, compare=False)
    largest: int = 8
    convention: str | None = None

    @property
    def is_pitfall(self) -> bool:
        return self.expected == "fail"

    @property
    def form(self) -> str:
        """What the claim is: "jacobian" (the full first derivative, in a layout); the entry
        kinds of :func:`hessian_identity` and :func:`vjp_identity` say "hessian", "mixed" or
        "vjp"."""
        return "jacobian"

    def draw(
        self, rng: np.random.Generator, *, low: int = 1, high: int | None = None
    ) -> tuple[dict[str, int], dict[str, np.ndarray]]:
        """Draw dimensions (within ``[low, high]``, `high` default `largest`, meeting
        `conditions`) and a point."""
        high = self.largest if high is None else high
        names = dimension_names(list(self.shapes.values()))
        dims = draw_dimensions(names, rng, conditions=self.conditions, low=low, high=high)
        point = {
            var: sample(self.constraints.get(var, "any"), rng, resolve_shape(spec, dims))
            for var, spec in self.shapes.items()
        }
        return dims, point

    def check(self, point: Mapping[str, Any], *, method: str = "central") -> CheckResult:
        """:func:`gradcheck.check` of this identity's claim at `point` (a complete named point,
        e.g. from :meth:`draw`), in the layout (and, for a complex variable, the convention)
        the identity states; returns the CheckResult."""
        from ..verdict import check

        return check(
            self.f,
            self.derivative,
            dict(point),
            wrt=self.wrt,
            layout=self.layout,
            convention=self.convention,
            method=method,
            vectorized=self.vectorized,
        )

    def seed_sequence(self, seed: int, trial: int) -> np.random.Generator:
        """The generator of one trial: independent of which other identities run."""
        seed = validate_seed(seed, generator=False)
        trial = validate_seed(trial, name="trial", generator=False)
        return np.random.default_rng([seed, trial, zlib.crc32(self.name.encode())])


def _keyword_signature(names: Iterable[str]) -> inspect.Signature:
    kind = inspect.Parameter.KEYWORD_ONLY
    return inspect.Signature([inspect.Parameter(n, kind) for n in names])


class _Formula:
    """A formula of the expression language as a function of the variables (by keyword).

    Called at one point or at a stack of points (leading axes on any variable); the formula is
    analysed once for each set of unbatched shapes it meets (the variables' ranks are known
    from their symbolic shapes) and evaluated batched.
    """

    _REMEMBERED = 64

    def __init__(self, expression: Expression, ranks: Mapping[str, int], name: str) -> None:
        self.expression = expression
        self.ranks = dict(ranks)
        self.__name__ = name
        self.__signature__ = _keyword_signature(self.ranks)
        self._compiled: dict[tuple, CompiledExpression] = {}

    def __repr__(self) -> str:
        return f"<formula {self.expression.source!r}>"

    def __call__(self, **arrays: Any) -> np.ndarray:
        values = {n: np.asarray(arrays[n]) for n in self.ranks if n in arrays}
        key = tuple(v.shape[max(0, v.ndim - self.ranks[n]) :] for n, v in values.items())
        compiled = self._compiled.get(key)
        if compiled is None:
            shapes = dict(zip(values, key, strict=True))
            compiled = CompiledExpression(self.expression).with_shapes(shapes)
            if len(self._compiled) >= self._REMEMBERED:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[key] = compiled
        return compiled(**values)


def _by_name(fn: Callable[..., Any], variables: Iterable[str], where: str) -> Callable[..., Any]:
    """`fn` (taking some of the variables by name) as a function of all of them by keyword."""
    variables = list(variables)
    params = inspect.signature(fn).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return fn
    names = [p.name for p in params]
    unknown = [n for n in names if n not in variables]
    if unknown:
        raise InvalidArgumentError(
            f"{where}: the derivative takes {unknown}, which are not variables; the variables "
            f"are {variables}."
        )
    if names == variables:
        return fn

    def claim(**point: Any) -> Any:
        return fn(**{n: point[n] for n in names})

    claim.__name__ = getattr(fn, "__name__", "derivative")
    claim.__signature__ = _keyword_signature(variables)  # type: ignore[attr-defined]
    return claim


def _declarations(
    variables: Mapping[str, VariableSpec], where: str
) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    """Shapes, constraints and dimension conditions of `variables` declarations."""
    if not isinstance(variables, Mapping) or not variables:
        raise InvalidArgumentError(
            f"{where}: `variables` must map each variable name to its shape, e.g. "
            f'{{"X": "n m", "A": ("m m", "spd")}}; got {variables!r}.'
        )
    shapes, constraints, conditions = {}, {}, []
    for name, spec in variables.items():
        if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(s, str) for s in spec):
            spec, constraints[name] = spec
        elif not isinstance(spec, str):
            raise InvalidArgumentError(
                f"{where}: the declaration of {name!r} must be a shape string or a pair "
                f"(shape, constraint), e.g. 'n m' or ('n n', 'spd'); got {spec!r}."
            )
        shape, _, clause = spec.partition(" where ")
        shapes[name] = shape.strip()
        for cond in clause.split(","):
            if cond.strip() and cond.strip() not in conditions:
                conditions.append(cond.strip())
    return shapes, constraints, tuple(conditions)


def _family(module: str | None) -> str:
    """The family of an entry defined in `module`: the last part of its dotted name."""
    return (module or "").rsplit(".", 1)[-1].removeprefix(_FILE_MODULE_PREFIX)


def _validate_entry(
    entry: Identity, *, layouts: Sequence[str] = LAYOUTS, mistakes: Sequence[str] = MISTAKES
) -> Identity:
    where = f"identity {entry.name!r}"
    if entry.wrt not in entry.shapes:
        raise InvalidArgumentError(
            f"{where}: `wrt`={entry.wrt!r} has no shape; shapes are given for "
            f"{sorted(entry.shapes)}."
        )
    params = list(inspect.signature(entry.f).parameters)
    if sorted(params) != sorted(entry.shapes):
        raise InvalidArgumentError(
            f"{where}: the function's parameters {params} must be exactly the variables with "
            f"shapes {sorted(entry.shapes)}."
        )
    unknown = set(entry.constraints) - set(entry.shapes)
    if unknown:
        raise InvalidArgumentError(f"{where}: constraints for unknown variables {sorted(unknown)}.")
    for c in entry.constraints.values():
        _sampler(c)
    validate_layout(entry.layout, allowed=tuple(layouts))
    names = dimension_names(list(entry.shapes.values()))
    for cond in entry.conditions:
        evaluate_dimension(cond, dict.fromkeys(names, 2), "condition")
    _validate_convention(entry, where)
    if entry.expected not in ("pass", "fail"):
        raise InvalidArgumentError(f"{where}: `expected` must be 'pass' or 'fail'.")
    if entry.mistake is not None and entry.mistake not in mistakes:
        old = REFERENCE_MISTAKES.get(entry.mistake)
        hint = f" ({entry.mistake!r} is now {old!r})" if old else ""
        raise InvalidArgumentError(
            f"{where}: unknown mistake class {entry.mistake!r}{hint}; known: {', '.join(mistakes)}."
        )
    return entry


def _validate_convention(entry: Identity, where: str) -> None:
    """A complex variable (one with a complex constraint) needs a named convention; a real
    one takes none (as :func:`gradcheck.check` requires)."""
    complex_wrt = get_constraint(entry.constraints.get(entry.wrt, "any")).complex_valued
    if entry.convention is None:
        if complex_wrt:
            raise InvalidArgumentError(
                f"{where}: `{entry.wrt}` is complex ({entry.constraints[entry.wrt]!r}), so the "
                f"derivative needs its `convention`, one of {', '.join(CONVENTIONS)}."
            )
        return
    if entry.convention not in CONVENTIONS:
        close = difflib.get_close_matches(str(entry.convention), CONVENTIONS, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise InvalidArgumentError(
            f"{where}: unknown `convention` {entry.convention!r}; one of "
            f"{', '.join(CONVENTIONS)} (an identity states one, not 'auto').{hint}"
        )
    if not complex_wrt:
        raise InvalidArgumentError(
            f"{where}: `convention`={entry.convention!r} is for a complex variable, but "
            f"`{entry.wrt}` is real; give it a complex constraint (e.g. ('n', 'complex')) or "
            f"drop the convention."
        )


def _example_shapes(
    shapes: Mapping[str, str], conditions: Sequence[str]
) -> dict[str, tuple[int, ...]]:
    """Concrete shapes at one fixed draw of the dimensions (for analysis and rendering)."""
    names = dimension_names(list(shapes.values()))
    dims = draw_dimensions(
        names, np.random.default_rng(0), conditions=conditions, size_one_probability=0.0
    )
    return {v: resolve_shape(spec, dims) for v, spec in shapes.items()}


def _parsed(source: str, shapes: Mapping[str, str], conditions: Sequence[str], where: str):
    """`source` parsed over the variables, checked at example shapes; and those shapes."""
    try:
        expression = parse_expression(source, list(shapes))
        example = _example_shapes(shapes, conditions)
        analyse(expression, example)
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"{where}: {exc}") from None
    return expression, example


def _formula_text(
    f: Expression, derivative: Expression, shapes: Mapping[str, tuple[int, ...]], wrt: str
) -> tuple[str, str]:
    """The identity ``d f / d wrt = derivative`` in plain text and in LaTeX."""
    f_text = render_text(f, shapes)
    opens = isinstance(f.root, (Call, Variable)) and not f_text.startswith(("||", "|"))
    text = (
        f"d {f_text}/d{wrt}" if opens else f"d({f_text})/d{wrt}"
    ) + f" = {render_text(derivative, shapes)}"
    latex = rf"\frac{{\partial {render_latex(f, shapes)}}}{{\partial {wrt}}} = " + render_latex(
        derivative, shapes
    )
    return text, latex


def _claim(
    derivative: str | Callable[..., Any],
    shapes: Mapping[str, str],
    conditions: Sequence[str],
    where: str,
) -> tuple[Callable[..., Any], Expression | None, dict[str, tuple[int, ...]] | None]:
    """The derivative as a function of all variables by keyword, and its expression (if any)."""
    if isinstance(derivative, str):
        expression, example = _parsed(derivative, shapes, conditions, where)
        ranks = {v: len(s) for v, s in example.items()}
        return _Formula(expression, ranks, "derivative"), expression, example
    if not callable(derivative):
        raise InvalidArgumentError(
            f"{where}: `derivative` must be a formula (a string) or a callable; got {derivative!r}."
        )
    return _by_name(derivative, shapes, where), None, None


def identity(
    name: str | None = None,
    *,
    f: str | None = None,
    derivative: str | Callable[..., Any],
    variables: Mapping[str, VariableSpec],
    wrt: str,
    layout: str = "denominator",
    source: str = "",
    note: str = "",
) -> Any:
    """A closed-form derivative as an :class:`Identity`: written as formulas, or decorating f.

    Written in the expression language (:mod:`gradcheck.expressions`), `f` and `derivative`
    are formulas and the call returns the Identity; its plain-text and LaTeX formulas are
    generated from them and it is evaluated batched (``vectorized=True``). Without `f`, the
    call is a decorator: the decorated Python function is f, its docstring the plain-text
    formula, and ``vectorized`` is None (detected on each check).

    Parameters
    ----------
    name : str, optional
        Unique name; required with `f`, the decorated function's name by default.
    f : str, optional
        The function as a formula over the variables, e.g. ``"trace(X @ A)"``.
    derivative : str or callable
        The claimed derivative in `layout`: a formula, or a callable taking any of the
        variables by name (``lambda A: A.T``); the registry passes the point by keyword.
    variables : mapping of str to str or (str, str)
        Every variable's shape (``"n"``, ``"n m"``, ``"2*n-1"``, ``""`` for a scalar), or a
        pair ``(shape, constraint)`` with a constraint of :data:`gradcheck.CONSTRAINTS`. A
        shape may end with conditions on the dimensions: ``"n m where n > m"``.
    wrt : str
        The variable the derivative is taken with respect to.
    layout : {"denominator", "numerator", "tensor"}
        Layout in which `derivative` is stated (the one its source uses).
    source : str
        Where it comes from, e.g. "Matrix Cookbook (57)".
    note : str
        Anything else worth knowing (conventions, errata).

    Returns
    -------
    Identity, or a decorator returning one when `f` is not given. (A derivative by a complex
    variable is declared with :func:`complex_identity`, which also takes its convention.)

    The family is the last part of the defining module's name.

    Examples
    --------
    >>> entry = identity(
    ...     "quadratic_form", f="x @ A @ x", derivative="(A + A.T) @ x",
    ...     variables={"x": "n", "A": "n n"}, wrt="x", source="Matrix Cookbook (82)",
    ... )
    >>> print(entry.text)
    d(x A x)/dx = (A + A^T) x
    >>> print(entry.latex)
    \\frac{\\partial x A x}{\\partial x} = (A + A^{\\top}) x
    >>> import numpy as np
    >>> @identity(derivative=lambda A: A.T, variables={"X": "n m", "A": "m n"}, wrt="X")
    ... def trace_of_product(X, A):
    ...     '''d tr(X A)/dX = A^T'''
    ...     return np.trace(X @ A, axis1=-2, axis2=-1)
    >>> trace_of_product.text, trace_of_product.layout
    ('d tr(X A)/dX = A^T', 'denominator')
    """
    spec = _Spec(name, derivative, variables, wrt, layout, source, note)
    return _entry_of(spec, name, f, "identity", sys._getframe(1).f_globals.get("__name__"))


def complex_identity(
    *,
    derivative: Callable[..., Any],
    variables: Mapping[str, VariableSpec],
    wrt: str,
    convention: str,
    layout: str = "denominator",
    source: str = "",
    note: str = "",
) -> Callable[[Callable[..., Any]], Identity]:
    """A derivative by a complex variable in a named convention: decorates f (a Python function,
    batch-polymorphic like the built-in ones), as :func:`identity` does for real variables.

    Parameters
    ----------
    derivative : callable
        The claimed derivative, taking any of the variables by name, in `layout` and
        `convention`.
    variables : mapping of str to str or (str, str)
        As for :func:`identity`; `wrt` must have a complex constraint (``("n", "complex")``,
        ``("n n", "hpd")``, ... of :data:`gradcheck.catalogue.COMPLEX_CONSTRAINTS`).
    wrt : str
        The complex variable.
    convention : str
        The convention `derivative` is stated in, a name of :data:`gradcheck.CONVENTIONS`
        (``"conjugate_wirtinger"``, ``"holomorphic"``, ...; not ``"auto"``).
    layout, source, note : str
        As for :func:`identity`.

    Returns
    -------
    A decorator returning the :class:`Identity` (its ``convention`` set).

    Examples
    --------
    >>> import numpy as np
    >>> @complex_identity(
    ...     derivative=lambda z: z, variables={"z": ("n", "complex")}, wrt="z",
    ...     convention="conjugate_wirtinger",
    ... )
    ... def normsq(z):
    ...     '''d||z||^2/dz* = z'''
    ...     return np.sum(np.abs(z) ** 2, axis=-1)
    >>> normsq.convention, normsq.text
    ('conjugate_wirtinger', 'd||z||^2/dz* = z')
    """
    spec = _Spec(None, derivative, variables, wrt, layout, source, note, convention=convention)
    return spec.decorate


def _entry_of(spec: _Spec, name: object, f: object, call: str, module: str | None) -> Any:
    """What `call` (``identity``, ``hessian_identity``) returns: a decorator when `f` is not
    given, else the entry made from the formulas, its family from the caller's `module`."""
    if f is None:
        return spec.decorate
    if not isinstance(f, str) or not isinstance(name, str):
        raise InvalidArgumentError(
            f"`{call}(name, f=...)` takes the name and f as formulas (strings); to define f "
            f"in Python, decorate it: @{call}(...). Got name={name!r}, f={f!r}."
        )
    return spec.from_formula(f, _family(module))


@dataclass(frozen=True)
class _Spec:
    """The arguments of :func:`identity`, turned into an Identity by either route."""

    name: str | None
    derivative: str | Callable[..., Any]
    variables: Mapping[str, VariableSpec]
    wrt: str
    layout: str
    source: str
    note: str
    convention: str | None = None

    def _record(self, name: str, **fields: Any) -> Identity:
        where = f"identity {name!r}"
        shapes, constraints, conditions = _declarations(self.variables, where)
        claim, claimed, example = _claim(self.derivative, shapes, conditions, where)
        fields = {**fields}
        formula = fields.pop("formula", None)
        if formula is not None and claimed is not None:
            text, latex = _formula_text(formula, claimed, example, self.wrt)
            if self.layout != "denominator":
                text += f" ({self.layout})"
            fields.update(text=text, latex=latex, formula=formula)
        fields.update(claim=claimed)
        return _validate_entry(
            Identity(
                name=name,
                wrt=self.wrt,
                shapes=shapes,
                constraints=constraints,
                conditions=conditions,
                derivative=claim,
                layout=self.layout,
                source=self.source,
                note=self.note,
                convention=self.convention,
                **fields,
            )
        )

    def from_formula(self, f: str, family: str) -> Identity:
        where = f"identity {self.name!r}"
        shapes, _, conditions = _declarations(self.variables, where)
        formula, example = _parsed(f, shapes, conditions, where)
        ranks = {v: len(s) for v, s in example.items()}
        return self._record(
            self.name,
            family=family,
            f=_Formula(formula, ranks, str(self.name)),
            formula=formula,
            vectorized=True,
        )

    def decorate(self, f: Callable[..., Any]) -> Identity:
        return self._record(
            self.name or f.__name__,
            family=_family(getattr(f, "__module__", None)),
            f=f,
            text=inspect.getdoc(f) or "",
        )


def pitfall(
    name: str,
    *,
    corrects: Identity,
    mistake: str,
    derivative: str | Callable[..., Any],
    layout: str | None = None,
    variables: Mapping[str, VariableSpec] | None = None,
    source: str = "",
    note: str = "",
) -> Identity:
    """A known-wrong claim for the function of `corrects`: expected to fail.

    Parameters
    ----------
    name : str
        Unique name.
    corrects : Identity
        The correct identity whose function the claim is about (its family is kept).
    mistake : str
        The mistake class, one of :data:`MISTAKES` (the diagnosis kinds): the diagnosis of the
        claim should name it.
    derivative : str or callable
        The wrong claim: a formula or a callable taking variables by name.
    layout : str, optional
        Layout of the claim (that of `corrects` by default).
    variables : mapping, optional
        Declarations overriding those of `corrects` (see :func:`identity`), e.g. to make a
        matrix square, so that a transposition error is a wrong value, not a wrong shape, or to
        require ``"n n where n >= 2"`` where a 1 x 1 matrix would make the mistake vanish. A
        shape string keeps the variable's constraint; conditions add to those of `corrects`.
    source, note : str
        Where the mistake comes from (that of `corrects` by default); anything else.

    Returns
    -------
    Identity
        With ``expected="fail"``; its plain text is generated when both `corrects` and the
        claim are formulas.

    Examples
    --------
    >>> quad = identity(
    ...     "quad", f="x @ A @ x", derivative="(A + A.T) @ x",
    ...     variables={"x": "n", "A": "n n"}, wrt="x",
    ... )
    >>> wrong = pitfall(
    ...     "quad_sym_only", corrects=quad, mistake="symmetric_only",
    ...     derivative="2 * A @ x", variables={"x": "n where n >= 2"},
    ... )
    >>> wrong.expected, wrong.corrects, wrong.mistake
    ('fail', 'quad', 'symmetric_only')
    """
    where = f"pitfall {name!r}"
    shapes, constraints, conditions = _pitfall_declarations(corrects, variables, where)
    if corrects.form != "jacobian":
        declared = {"shapes": shapes, "constraints": constraints, "conditions": conditions}
        wrong = {"mistake": mistake, "layout": layout, "source": source, "note": note}
        return corrects._pitfall(name, derivative, declared, wrong)  # type: ignore[attr-defined]
    claim, claimed, example = _claim(derivative, shapes, conditions, where)
    text, latex = f"wrong ({mistake.replace('_', ' ')}) claim for: {corrects.text}", ""
    if corrects.formula is not None and claimed is not None:
        text, latex = _formula_text(corrects.formula, claimed, example, corrects.wrt)
    return _validate_entry(
        replace(
            corrects,
            name=name,
            derivative=claim,
            layout=layout or corrects.layout,
            shapes=shapes,
            constraints=constraints,
            conditions=conditions,
            expected="fail",
            corrects=corrects.name,
            mistake=mistake,
            latex=latex,
            text=text,
            claim=claimed,
            source=source or corrects.source,
            note=note,
        )
    )


def complex_pitfall(
    name: str,
    *,
    corrects: Identity,
    mistake: str,
    derivative: Callable[..., Any],
    convention: str | None = None,
    layout: str | None = None,
    variables: Mapping[str, VariableSpec] | None = None,
    note: str = "",
) -> Identity:
    """A known-wrong claim about the function of a complex identity, in `convention` (that of
    `corrects` by default): e.g. a holomorphic derivative claimed for a z̄-dependent f.

    The arguments are those of :func:`pitfall` (the source is that of `corrects`); `mistake`
    is typically a complex diagnosis kind (``"conjugate"``, ``"conjugate_transpose"``,
    ``"wirtinger_factor"``, ``"not_holomorphic"``).

    Examples
    --------
    >>> import numpy as np
    >>> @complex_identity(
    ...     derivative=lambda z: np.conj(z), variables={"z": ("n", "complex")}, wrt="z",
    ...     convention="wirtinger",
    ... )
    ... def normsq(z):
    ...     '''d||z||^2/dz = conj(z)'''
    ...     return np.sum(np.abs(z) ** 2, axis=-1)
    >>> wrong = complex_pitfall(
    ...     "normsq_holomorphic", corrects=normsq, mistake="not_holomorphic",
    ...     derivative=lambda z: np.conj(z), convention="holomorphic",
    ... )
    >>> wrong.convention, wrong.expected
    ('holomorphic', 'fail')
    """
    entry = pitfall(
        name,
        corrects=corrects,
        mistake=mistake,
        derivative=derivative,
        layout=layout,
        variables=variables,
        note=note,
    )
    if convention is None:
        return entry
    return _validate_entry(replace(entry, convention=convention))


def _pitfall_declarations(
    corrects: Identity, variables: Mapping[str, VariableSpec] | None, where: str
) -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    """The declarations of `corrects` with those of `variables` put over them (a shape string
    keeps the variable's constraint; conditions add to those of `corrects`)."""
    declared = {
        v: (spec, corrects.constraints[v]) if v in corrects.constraints else spec
        for v, spec in corrects.shapes.items()
    }
    for v, spec in (variables or {}).items():
        keep = v in corrects.constraints and isinstance(spec, str)
        declared[v] = (spec, corrects.constraints[v]) if keep else spec
    shapes, constraints, conditions = _declarations(declared, where)
    return shapes, constraints, tuple(dict.fromkeys((*corrects.conditions, *conditions)))


class Catalogue:
    """An immutable collection of identities with unique names.

    Parameters
    ----------
    identities : iterable of Identity
        The entries; a repeated name raises :class:`DuplicateIdentityError`.

    Examples
    --------
    >>> import gradcheck
    >>> cat = gradcheck.installed_catalogue()
    >>> cat["dxTAx_dx"].source
    'Matrix Cookbook (82); Wikipedia scalar-by-vector; project seed notes'
    """

    def __init__(self, identities: Iterable[Identity] = ()) -> None:
        entries: dict[str, Identity] = {}
        for entry in identities:
            if not isinstance(entry, Identity):
                raise InvalidArgumentError(f"a Catalogue holds Identity records; got {entry!r}.")
            if entry.name in entries:
                raise DuplicateIdentityError(
                    f"two identities are named {entry.name!r} (families "
                    f"{entries[entry.name].family!r} and {entry.family!r}); names must be unique."
                )
            entries[entry.name] = entry
        self._entries = entries

    def __getitem__(self, name: str) -> Identity:
        try:
            return self._entries[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._entries, n=3, cutoff=0.6)
            hint = f" Close matches: {', '.join(close)}." if close else ""
            raise UnknownNameError(f"no identity named {name!r}.{hint}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[Identity]:
        return iter(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return (
            f"Catalogue({counted(len(self), 'identity', 'identities')}, families {self.families})"
        )

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(sorted({e.family for e in self}))

    def merge(self, other: Iterable[Identity]) -> Catalogue:
        """A new catalogue with the entries of both (names must stay unique)."""
        return Catalogue([*self, *other])

    def select(
        self, select: Sequence[str] | str | None = None, families: Sequence[str] | str | None = None
    ) -> Catalogue:
        """The entries whose name matches one of `select` (names or glob patterns) and whose
        family is one of `families`; None selects everything. An unmatched name or family
        raises :class:`UnknownNameError` with close matches."""
        entries = list(self)
        families = _names(families, "families")
        select = _names(select, "select")
        if families is not None:
            for fam in families:
                if fam not in self.families:
                    close = difflib.get_close_matches(fam, self.families, n=3, cutoff=0.5)
                    hint = f" Did you mean {close[0]!r}?" if close else ""
                    raise UnknownNameError(
                        f"no family {fam!r}; families are {', '.join(self.families)}.{hint}"
                    )
            entries = [e for e in entries if e.family in families]
        if select is not None:
            patterns = select
            chosen = []
            for pattern in patterns:
                matched = [e for e in entries if fnmatch.fnmatchcase(e.name, pattern)]
                if not matched:
                    self[pattern]  # raises with close matches when it is not a name
                    raise UnknownNameError(f"{pattern!r} matches no selected identity.")
                chosen.extend(e for e in matched if e not in chosen)
            entries = chosen
        return Catalogue(entries)


def _names(value: object, name: str) -> list[str] | None:
    """None, or `value` (a string or a sequence of strings) as a list of strings."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
        raise InvalidArgumentError(
            f"`{name}` must be a name or a list of names (strings); got {value!r}."
        )
    return list(items)


def _collect(module: ModuleType) -> list[Identity]:
    found: list[Identity] = []
    for value in vars(module).values():
        if isinstance(value, Identity):
            found.append(value)
        elif isinstance(value, Catalogue):
            found.extend(value)
    return found


def load_catalogue(*modules: ModuleType | str | Path) -> Catalogue:
    """Collect the identities defined in modules (objects, dotted names or ``.py`` paths).

    Every :class:`Identity` and every :class:`Catalogue` found at module level is included.

    Raises
    ------
    UnknownNameError
        If a module cannot be found.
    DuplicateIdentityError
        If two identities share a name.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.py"
    >>> _ = path.write_text(
    ...     "from gradcheck import identity\\n"
    ...     "dxx = identity('dxx', f='x @ x', derivative='2 * x', variables={'x': 'n'}, wrt='x')\\n"
    ... )
    >>> cat = load_catalogue(path)
    >>> [entry.name for entry in cat], cat["dxx"].family
    (['dxx'], 'mine')
    """
    entries: list[Identity] = []
    for module in modules:
        entries.extend(_collect(_import(module)))
    return Catalogue(entries)


def _import(module: ModuleType | str | Path) -> ModuleType:
    if isinstance(module, ModuleType):
        return module
    text = str(module)
    if not text.strip():
        raise UnknownNameError(
            "an empty `module` name: pass a dotted module name or a path to a .py file."
        )
    if text.endswith(".py") or Path(text).is_file():
        path = Path(text)
        if not path.is_file():
            raise UnknownNameError(f"no identity file {text!r}.")
        spec = importlib.util.spec_from_file_location(f"{_FILE_MODULE_PREFIX}{path.stem}", path)
        if spec is None or spec.loader is None:
            raise UnknownNameError(f"cannot load {text!r} as a Python module.")
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        return loaded
    try:
        return importlib.import_module(text)
    except ModuleNotFoundError as exc:
        raise UnknownNameError(
            f"cannot import identity module {text!r} ({exc}); pass a dotted module name or "
            f"a path to a .py file."
        ) from exc
