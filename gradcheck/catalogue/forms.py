"""Second-order and VJP claims as catalogue entries: `hessian_identity` and `vjp_identity`.

An :class:`HessianIdentity` claims the Hessian of a scalar f by one variable (in the "vec" or
"tensor" layout of :func:`gradcheck.check_hessian`), or a mixed block
``d/dy^T (df/dx)`` (the Jacobian of the gradient by `x` with respect to `y`, in a first-order
layout); a :class:`VjpIdentity` claims a backward pass ``u -> J^T u`` (one gradient, or one per
variable). Both are :class:`Identity` records: written once, with variables, shapes,
constraints, source and family, corrupted by :func:`gradcheck.pitfall` like any other entry,
and checked by the public checks (``check_hessian``, ``check``, ``check_vjp``).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypedDict

from ..engine import LAYOUTS
from ..errors import InvalidArgumentError
from ..expressions import render_latex, render_text
from ..verdict import (
    PRODUCT_KINDS,
    SECOND_ORDER_KINDS,
    CheckResult,
    Diagnosis,
    ProductResult,
    SecondOrderResult,
    SeveralResult,
    check,
    check_hessian,
    check_vjp,
)
from .registry import (
    MISTAKES,
    Identity,
    VariableSpec,
    _claim,
    _declarations,
    _entry_of,
    _family,
    _Spec,
    _validate_entry,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "HESSIAN_MISTAKES",
    "VJP_MISTAKES",
    "About",
    "AboutValues",
    "HessianIdentity",
    "VjpIdentity",
    "hessian_identity",
    "vjp_identity",
    "with_gradient_verdict",
    "worst_variable",
]

#: Mistake classes of second-derivative pitfalls: the diagnosis kinds of first derivatives and
#: those of :func:`gradcheck.check_hessian` ("not_symmetric", "gradient_mismatch").
HESSIAN_MISTAKES: tuple[str, ...] = (*MISTAKES, *SECOND_ORDER_KINDS)
#: Mistake classes of VJP pitfalls: those of first derivatives and "not_linear".
VJP_MISTAKES: tuple[str, ...] = (*MISTAKES, *PRODUCT_KINDS)
#: Layouts of a Hessian claim (those of :func:`gradcheck.check_hessian`).
HESSIAN_LAYOUTS = ("vec", "tensor")
#: The largest dimension drawn for these forms: a Hessian by an n x n matrix has n^4 entries,
#: and the whole catalogue's run at 10 draws must stay within seconds.
LARGEST = 3


class _OtherForm(Identity):
    """What the second-order and VJP entries share: their own pitfalls and layout text."""

    def _pitfall(
        self,
        name: str,
        derivative: str | Callable[..., Any],
        declared: Mapping[str, Any],
        wrong: Mapping[str, Any],
    ) -> Identity:
        """A known-wrong claim for this entry's f (see :func:`gradcheck.pitfall`)."""
        where = f"pitfall {name!r}"
        claim = self._claim_function(derivative, declared["shapes"], declared["conditions"], where)
        mistake = wrong["mistake"]
        entry = replace(
            self,
            name=name,
            derivative=claim,
            layout=wrong["layout"] or self.layout,
            shapes=declared["shapes"],
            constraints=declared["constraints"],
            conditions=declared["conditions"],
            expected="fail",
            corrects=self.name,
            mistake=mistake,
            latex="",
            text=f"wrong ({mistake.replace('_', ' ')}) {self.form} for: {self.text}",
            source=wrong["source"] or self.source,
            note=wrong["note"],
        )
        return entry._validated()

    def _claim_function(self, derivative, shapes, conditions, where) -> Callable[..., Any]:
        return _claim(derivative, shapes, conditions, where)[0]

    def _validated(self) -> Identity:
        raise NotImplementedError

    def layout_text(self) -> tuple[str, str]:
        """What the stated layout means for this form, and the claim in the other layout
        ("" where there is none to state)."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class HessianIdentity(_OtherForm):
    """A closed-form second derivative of a scalar f (see :func:`hessian_identity`).

    Attributes
    ----------
    (those of :class:`Identity`, with)
    derivative : callable
        The claimed Hessian by `wrt` (layout "vec": ``N x N`` for ``N = wrt.size``, column-major
        vec; "tensor": ``wrt.shape + wrt.shape``), or for a mixed block the claimed Jacobian of
        the gradient by `wrt` with respect to `by`, in a first-order layout.
    gradient : callable or None
        The gradient of f by `wrt` (`wrt`'s shape), called with every variable by keyword.
        Required for a mixed block; for a Hessian, None compares with second differences of f.
    by : str or None
        The second variable of a mixed block; None for the Hessian by `wrt`.

    Examples
    --------
    >>> import gradcheck
    >>> entry = gradcheck.installed_catalogue()["h_quadratic_form"]
    >>> entry.form, entry.layout, entry.text
    ('hessian', 'vec', 'd2(x A x)/dx dx^T = A + A^T')
    """

    gradient: Callable[..., Any] | None = field(default=None, repr=False)
    by: str | None = None
    largest: int = LARGEST

    @property
    def form(self) -> str:
        """ "hessian", or "mixed" for a mixed block."""
        return "hessian" if self.by is None else "mixed"

    def check(
        self, point: Mapping[str, Any], *, method: str = "central"
    ) -> SecondOrderResult | CheckResult:
        """:func:`gradcheck.check_hessian` of the claim at `point` (with the gradient when the
        entry has one); for a mixed block, :func:`gradcheck.check` of the claim as the
        Jacobian of the gradient by `by`, after the gradient's own check against f."""
        if self.by is None:
            return check_hessian(
                self.f,
                self.derivative,
                dict(point),
                wrt=self.wrt,
                gradient=self.gradient,
                layout=self.layout,
                method=method,
                vectorized=self.vectorized,
            )
        gradient = self.gradient_check(point, method=method)
        block = self.as_jacobian().check(point, method=method)
        return with_gradient_verdict(block, gradient)

    def gradient_check(self, point: Mapping[str, Any], *, method: str = "central") -> CheckResult:
        """:func:`gradcheck.check` of the entry's gradient against f at `point`."""
        return check(
            self.f,
            self.gradient,
            dict(point),
            wrt=self.wrt,
            method=method,
            vectorized=self.vectorized,
        )

    def as_jacobian(self) -> Identity:
        """A mixed block as the first-order identity it is: the Jacobian of the gradient by
        `wrt` with respect to `by` (same name, variables and draws)."""
        if self.by is None:
            raise InvalidArgumentError(
                f"{self.name!r} is a Hessian, not a mixed block: check it with check_hessian."
            )
        fields = {k: getattr(self, k) for k in Identity.__dataclass_fields__}
        return Identity(**{**fields, "f": self.gradient, "wrt": self.by})

    def layout_text(self) -> tuple[str, str]:
        x = self.wrt
        if self.by is not None:
            y = self.by
            if self.layout == "tensor":
                return f"mixed block in the tensor layout ({x}.shape + {y}.shape)", ""
            other = "denominator" if self.layout == "numerator" else "numerator"
            orient = (
                f"d vec(df/d{x}) / d vec({y})^T"
                if self.layout == "numerator"
                else (f"d vec({y}) d vec(df/d{x})^T")
            )
            return (
                f"mixed block stated in the {self.layout} layout of the Jacobian of df/d{x} "
                f"by {y}: {orient}",
                f"{other}: the transpose of the vec form",
            )
        if self.layout == "tensor":
            return f"Hessian in the tensor layout ({x}.shape + {x}.shape)", ""
        return (
            f"Hessian in the vec layout: d2f / d vec({x}) d vec({x})^T, column-major vec "
            f"(symmetric: both orientations coincide)",
            "",
        )

    def _validated(self) -> HessianIdentity:
        where = f"identity {self.name!r}"
        layouts = HESSIAN_LAYOUTS if self.by is None else LAYOUTS
        _validate_entry(self, layouts=layouts, mistakes=HESSIAN_MISTAKES)
        if self.by is not None and (self.by not in self.shapes or self.by == self.wrt):
            raise InvalidArgumentError(
                f"{where}: a mixed block needs wrt=(x, y) with two different variables; got "
                f"({self.wrt!r}, {self.by!r}) for variables {sorted(self.shapes)}."
            )
        if self.by is not None and self.gradient is None:
            raise InvalidArgumentError(
                f"{where}: a mixed block d2f/d{self.wrt} d{self.by} needs `gradient` (the gradient "
                f"of f by {self.wrt!r}), whose Jacobian by {self.by!r} it is."
            )
        return self


def with_gradient_verdict(block: CheckResult, gradient: CheckResult) -> CheckResult:
    """A mixed block's verdict, failed with a note when the gradient it differentiates does
    not match f (a block of a wrong gradient verifies nothing)."""
    if gradient.passed:
        return block
    note = (
        f"the gradient whose Jacobian the block is does not match f ({gradient.status}, max "
        f"rel. error {gradient.max_rel_error:.2e}): fix the gradient first."
    )
    diagnosis = Diagnosis(kind="gradient_mismatch", message=note.removesuffix("."))
    return replace(block, status="failed", notes=(*block.notes, note), diagnosis=diagnosis)


@dataclass(frozen=True, kw_only=True)
class VjpIdentity(_OtherForm):
    """A closed-form backward pass of f (see :func:`vjp_identity`).

    Attributes
    ----------
    (those of :class:`Identity`, with)
    derivative : callable
        The claimed VJP, ``derivative(u, **point)``: the gradient of ``<u, f>`` by each of
        `returns` (one array, or a tuple in the order of `returns`).
    returns : tuple of str
        The variables whose gradients the VJP returns (`wrt` is the first).
    layout : str
        "tensor" (a VJP has no layout: each gradient has its variable's shape).

    Examples
    --------
    >>> import gradcheck
    >>> entry = gradcheck.installed_catalogue()["vjp_linear"]
    >>> entry.form, entry.returns
    ('vjp', ('x', 'W', 'b'))
    """

    returns: tuple[str, ...] = ()
    largest: int = LARGEST

    @property
    def form(self) -> str:
        """ "vjp"."""
        return "vjp"

    def check(self, point: Mapping[str, Any], *, method: str = "central") -> ProductResult:
        """:func:`gradcheck.check_vjp` of the claim at `point` by every variable of `returns`;
        with several, the verdict of the worst variable (failed, then inconclusive, then the
        largest error), whose status is the overall one, with a note naming each variable's
        verdict."""
        wrt = self.returns if len(self.returns) > 1 else self.wrt
        result = check_vjp(
            self.f, self.derivative, dict(point), wrt=wrt, method=method, vectorized=self.vectorized
        )
        return worst_variable(result) if isinstance(result, SeveralResult) else result

    def layout_text(self) -> tuple[str, str]:
        grads = ", ".join(f"df/d{v}" for v in self.returns)
        return (
            f"a VJP: (cotangent u of f's shape, point) -> {grads} of <u, f>, each in its "
            f"variable's shape (no layout)",
            "",
        )

    def _claim_function(self, derivative, shapes, conditions, where) -> Callable[..., Any]:
        return _vjp_by_name(derivative, shapes, where)

    def _validated(self) -> VjpIdentity:
        _validate_entry(self, layouts=("tensor",), mistakes=VJP_MISTAKES)
        unknown = [v for v in self.returns if v not in self.shapes]
        if not self.returns or unknown or len(set(self.returns)) != len(self.returns):
            raise InvalidArgumentError(
                f"identity {self.name!r}: `wrt` must name distinct variables among "
                f"{sorted(self.shapes)}; got {self.returns!r}."
            )
        return self


def worst_variable(result: SeveralResult) -> ProductResult:
    """Of a check by several variables, the worst variable's result (its status is the
    overall one), with a note naming each variable's verdict."""
    order = {"failed": 0, "inconclusive": 1, "passed": 2}
    parts = list(result.results.items())
    name, shown = min(parts, key=lambda kv: (order[kv[1].status], -kv[1].max_rel_error))
    verdicts = ", ".join(f"{n} {r.status}" for n, r in parts)
    note = f"checked by each of {', '.join(result.results)}: {verdicts}; shown: {name}."
    return replace(shown, notes=(*shown.notes, note))


def _vjp_by_name(fn: object, variables: Sequence[str], where: str) -> Callable[..., Any]:
    """``fn(u, <some variables by name>)`` as ``claim(u, **point)``."""
    if not callable(fn):
        raise InvalidArgumentError(
            f"{where}: `vjp` must be a callable vjp(u, <variables by name>); got {fn!r}."
        )
    params = [
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind is not inspect.Parameter.KEYWORD_ONLY or p.default is inspect.Parameter.empty
    ]
    if not params:
        raise InvalidArgumentError(
            f"{where}: the vjp must take the cotangent first, e.g. lambda u, W: W.T @ u."
        )
    names = params[1:]
    unknown = [n for n in names if n not in variables]
    if unknown:
        raise InvalidArgumentError(
            f"{where}: the vjp takes {unknown} after the cotangent, which are not variables; "
            f"the variables are {list(variables)}."
        )

    def claim(u, **point):  # unannotated: hypothesis describes it like a lambda
        return fn(u, **{n: point[n] for n in names})

    name = getattr(fn, "__name__", "vjp")
    claim.__name__ = "vjp" if name == "<lambda>" else name
    return claim


@dataclass(frozen=True, kw_only=True)
class About:
    """What an entry says of itself besides its formulas: where it comes from and a remark.

    :func:`hessian_identity` takes them as keyword arguments (``source=``, ``note=``), as
    :func:`gradcheck.identity` does.

    Parameters
    ----------
    source : str
        Reference (book, paper, equation number).
    note : str
        A remark shown with the entry (a condition, a convention).

    Examples
    --------
    >>> About(source="Matrix Cookbook (82)").note
    ''
    """

    source: str = ""
    note: str = ""


class AboutValues(TypedDict, total=False):
    """The keyword form of :class:`About` (for type checkers)."""

    source: str
    note: str


def _second_order_text(f_text: str, wrt: str, by: str | None, claimed: str, layout: str) -> str:
    opens = f_text.replace("_", "").isalnum() or f_text.endswith(")")
    f_part = f"d2 {f_text}" if opens and not f_text.startswith("|") else f"d2({f_text})"
    text = f"{f_part}/d{wrt} d{by or wrt}^T = {claimed}"
    return text if layout in ("vec", "numerator") else f"{text} ({layout})"


def _second_order_latex(f_latex: str, wrt: str, by: str | None, claimed: str) -> str:
    denominator = rf"\partial {wrt}\, \partial {by or wrt}^{{\top}}"
    return rf"\frac{{\partial^2 {f_latex}}}{{{denominator}}} = {claimed}"


def hessian_identity(
    name: str | None = None,
    *,
    f: str | None = None,
    gradient: str | Callable[..., Any] | None = None,
    derivative: str | Callable[..., Any],
    variables: Mapping[str, VariableSpec],
    wrt: str | tuple[str, str],
    layout: str | None = None,
    **about: Unpack[AboutValues],
) -> Any:
    """A closed-form Hessian, or mixed second derivative, of a scalar f, as an entry.

    Written like :func:`gradcheck.identity`: with formulas (`f`, `gradient` and `derivative`
    strings of the expression language; the text is generated), or as a decorator of the
    Python function f (its docstring is the text). Checked by :func:`gradcheck.check_hessian`
    (a Hessian) or :func:`gradcheck.check` of the gradient (a mixed block).

    Parameters
    ----------
    name : str, optional
        Unique name; required with `f`, the decorated function's name by default.
    f : str, optional
        The scalar function as a formula.
    gradient : str or callable, optional
        The gradient of f by the (first) variable, in its shape. With it the numerical Hessian
        is the Jacobian of the gradient, after the gradient is checked against f; without it,
        second differences of f. Required for a mixed block.
    derivative : str or callable
        The claimed Hessian (or mixed block) in `layout`.
    variables : mapping of str to str or (str, str)
        Every variable's shape and constraint, as for :func:`gradcheck.identity`.
    wrt : str or (str, str)
        The variable of the Hessian; a pair ``(x, y)`` for the mixed block
        ``d/dy^T (df/dx)``: the Jacobian of the gradient by x with respect to y.
    layout : str, optional
        A Hessian: "vec" (default) or "tensor"; a mixed block: a layout of the Jacobian of the
        gradient ("numerator", the default: shape ``(x.size, y.size)`` for vectors).
    **about
        `source` and `note` (str), as for :func:`gradcheck.identity` (the fields of
        :class:`About`).

    Returns
    -------
    HessianIdentity, or a decorator returning one when `f` is not given.

    Examples
    --------
    >>> entry = hessian_identity(
    ...     "h_quad", f="x @ A @ x", gradient="(A + A.T) @ x", derivative="A + A.T",
    ...     variables={"x": "n", "A": "n n"}, wrt="x", source="Matrix Cookbook (82)",
    ... )
    >>> entry.form, entry.text
    ('hessian', 'd2(x A x)/dx dx^T = A + A^T')
    >>> block = hessian_identity(
    ...     "h_bilinear", f="x @ A @ y", gradient="A @ y", derivative="A",
    ...     variables={"x": "n", "A": "n m", "y": "m"}, wrt=("x", "y"),
    ... )
    >>> block.form, block.by, block.layout
    ('mixed', 'y', 'numerator')
    """
    first, by = (wrt, None) if isinstance(wrt, str) else tuple(wrt)
    if layout is None:
        layout = "vec" if by is None else "numerator"
    said = About(**about)  # a misspelt keyword: TypeError, as for any other
    spec = _HessianSpec(
        name, derivative, variables, first, layout, said.source, said.note, gradient=gradient, by=by
    )
    module = sys._getframe(1).f_globals.get("__name__")
    return _entry_of(spec, name, f, "hessian_identity", module)


@dataclass(frozen=True)
class _HessianSpec(_Spec):
    """The arguments of :func:`hessian_identity`: those of :func:`gradcheck.identity` (the
    same two routes, formulas or a decorated f), with the gradient and the mixed block's
    second variable."""

    gradient: str | Callable[..., Any] | None = None
    by: str | None = None

    def _record(self, name: str, **fields: Any) -> HessianIdentity:
        where = f"identity {name!r}"
        shapes, constraints, conditions = _declarations(self.variables, where)
        claim, claimed, example = _claim(self.derivative, shapes, conditions, where)
        gradient = None
        if self.gradient is not None:
            gradient = _claim(self.gradient, shapes, conditions, where)[0]
        formula = fields.pop("formula", None)
        if formula is not None and claimed is not None:
            f_text, f_latex = render_text(formula, example), render_latex(formula, example)
            rhs, rhs_latex = render_text(claimed, example), render_latex(claimed, example)
            fields["text"] = _second_order_text(f_text, self.wrt, self.by, rhs, self.layout)
            fields["latex"] = _second_order_latex(f_latex, self.wrt, self.by, rhs_latex)
            fields["formula"] = formula
        entry = HessianIdentity(
            name=name,
            wrt=self.wrt,
            by=self.by,
            shapes=shapes,
            constraints=constraints,
            conditions=conditions,
            derivative=claim,
            gradient=gradient,
            layout=self.layout,
            source=self.source,
            note=self.note,
            **fields,
        )
        return entry._validated()


def vjp_identity(
    *,
    vjp: Callable[..., Any],
    variables: Mapping[str, VariableSpec],
    wrt: str | Sequence[str],
    name: str | None = None,
    source: str = "",
    note: str = "",
) -> Callable[[Callable[..., Any]], VjpIdentity]:
    """A closed-form backward pass of the decorated forward function f, as an entry.

    Parameters
    ----------
    vjp : callable
        ``vjp(u, <variables by name>)``: the gradient of ``<u, f>`` (u of f's shape) by `wrt`,
        in its shape; for several variables, a tuple of gradients in the order of `wrt`.
    variables : mapping of str to str or (str, str)
        Every variable's shape and constraint, as for :func:`gradcheck.identity`.
    wrt : str or sequence of str
        The variable(s) whose gradients the VJP returns.
    name : str, optional
        Unique name; the decorated function's name by default.
    source, note : str
        As for :func:`gradcheck.identity`.

    Returns
    -------
    callable
        A decorator of f (called with every variable by keyword; its docstring is the text)
        returning a :class:`VjpIdentity`, checked by :func:`gradcheck.check_vjp`.

    Examples
    --------
    >>> import numpy as np
    >>> @vjp_identity(
    ...     vjp=lambda u, W, x: (W.T @ u, np.outer(u, x)),
    ...     variables={"W": "m n", "x": "n"}, wrt=("x", "W"),
    ... )
    ... def linear_map(W, x):
    ...     '''y = W x: dx = W^T u, dW = u x^T'''
    ...     return W @ x
    >>> linear_map.form, linear_map.returns, linear_map.wrt
    ('vjp', ('x', 'W'), 'x')
    """
    returns = (wrt,) if isinstance(wrt, str) else tuple(wrt)

    def decorate(f: Callable[..., Any]) -> VjpIdentity:
        entry_name = name or f.__name__
        where = f"identity {entry_name!r}"
        shapes, constraints, conditions = _declarations(variables, where)
        entry = VjpIdentity(
            name=entry_name,
            family=_family(getattr(f, "__module__", None)),
            f=f,
            wrt=returns[0] if returns else "",
            returns=returns,
            shapes=shapes,
            constraints=constraints,
            conditions=conditions,
            derivative=_vjp_by_name(vjp, list(shapes), where),
            layout="tensor",
            text=inspect.getdoc(f) or "",
            source=source,
            note=note,
        )
        return entry._validated()

    return decorate
