"""Identities as data: the `identity` and `pitfall` decorators and the `Catalogue` collection.

There is no global registry. The decorators turn a function into an :class:`Identity` record
(stored under the function's name in its module); a :class:`Catalogue` is built by collecting
the records of one or more modules, refusing duplicate names.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import importlib.util
import inspect
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import LAYOUTS, validate_layout, validate_seed
from ..errors import InvalidArgumentError, UnknownNameError
from .constraints import _sampler, sample
from .shapes import dimension_names, draw_dimensions, evaluate_dimension, resolve_shape

if TYPE_CHECKING:
    from ..verdict import CheckResult

__all__ = ["MISTAKES", "Catalogue", "Identity", "identity", "load_catalogue", "pitfall"]

#: The mistake classes a pitfall is labelled with.
MISTAKES: tuple[str, ...] = (
    "missing_transpose",
    "factor_2",
    "symmetric_only",
    "sign_error",
    "wrong_layout",
    "missing_term",
    "missing_half",
    "wrong_order",
    "structured_convention",
    "missing_chain_factor",
)


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
        Group of related identities (a module of the catalogue).
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
        The claimed derivative, with f's signature, in `layout`.
    layout : {"numerator", "denominator", "tensor"}
        Layout in which `derivative` is stated (the one its source uses).
    latex, text : str
        The identity as a LaTeX formula and as plain text.
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

    @property
    def is_pitfall(self) -> bool:
        return self.expected == "fail"

    def draw(
        self, rng: np.random.Generator, *, low: int = 1, high: int = 8
    ) -> tuple[dict[str, int], dict[str, np.ndarray]]:
        """Draw dimensions (within ``[low, high]``, meeting `conditions`) and a point."""
        names = dimension_names(list(self.shapes.values()))
        dims = draw_dimensions(names, rng, conditions=self.conditions, low=low, high=high)
        point = {
            var: sample(self.constraints.get(var, "any"), rng, resolve_shape(spec, dims))
            for var, spec in self.shapes.items()
        }
        return dims, point

    def check(self, point: Mapping[str, Any], *, method: str = "central") -> CheckResult:
        """:func:`gradcheck.check` of this identity's claim at `point` (a complete named point,
        e.g. from :meth:`draw`), in the layout the identity states; returns the CheckResult."""
        from ..verdict import check

        return check(
            self.f,
            self.derivative,
            dict(point),
            wrt=self.wrt,
            layout=self.layout,
            method=method,
            vectorized=self.vectorized,
        )

    def seed_sequence(self, seed: int, trial: int) -> np.random.Generator:
        """The generator of one trial: independent of which other identities run."""
        seed = validate_seed(seed, generator=False)
        trial = validate_seed(trial, name="trial", generator=False)
        return np.random.default_rng([seed, trial, zlib.crc32(self.name.encode())])


def _validate_entry(entry: Identity) -> Identity:
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
    validate_layout(entry.layout, allowed=LAYOUTS)
    names = dimension_names(list(entry.shapes.values()))
    for cond in entry.conditions:
        evaluate_dimension(cond, dict.fromkeys(names, 2), "condition")
    if entry.expected not in ("pass", "fail"):
        raise InvalidArgumentError(f"{where}: `expected` must be 'pass' or 'fail'.")
    if entry.mistake is not None and entry.mistake not in MISTAKES:
        raise InvalidArgumentError(
            f"{where}: unknown mistake class {entry.mistake!r}; known: {', '.join(MISTAKES)}."
        )
    return entry


def identity(
    name: str | None = None,
    *,
    family: str,
    wrt: str,
    shapes: Mapping[str, str],
    derivative: Callable[..., Any],
    layout: str = "denominator",
    constraints: Mapping[str, str] | None = None,
    latex: str = "",
    text: str = "",
    source: str = "",
    conditions: Sequence[str] = (),
    vectorized: bool | None = None,
    note: str = "",
) -> Callable[[Callable[..., Any]], Identity]:
    """Decorator: the decorated function is the identity's ``f``; returns an :class:`Identity`.

    Examples
    --------
    >>> import numpy as np
    >>> @identity(
    ...     family="quadratic", wrt="x", shapes={"x": "n", "A": "n n"},
    ...     derivative=lambda x, A: (A + A.T) @ x,
    ...     text="d(x^T A x)/dx = (A + A^T) x", source="Matrix Cookbook (82)",
    ... )
    ... def quadratic_form(x, A):
    ...     return np.einsum("...i,ij,...j->...", x, A, x)
    >>> quadratic_form.name, quadratic_form.layout
    ('quadratic_form', 'denominator')
    """

    def decorate(f: Callable[..., Any]) -> Identity:
        return _validate_entry(
            Identity(
                name=name or f.__name__,
                family=family,
                f=f,
                wrt=wrt,
                shapes=dict(shapes),
                constraints=dict(constraints or {}),
                derivative=derivative,
                layout=layout,
                latex=latex,
                text=text,
                source=source,
                conditions=tuple(conditions),
                vectorized=vectorized,
                note=note,
            )
        )

    return decorate


def pitfall(
    name: str,
    *,
    corrects: Identity,
    mistake: str,
    derivative: Callable[..., Any],
    layout: str | None = None,
    shapes: Mapping[str, str] | None = None,
    constraints: Mapping[str, str] | None = None,
    conditions: Sequence[str] | None = None,
    text: str = "",
    source: str = "",
    note: str = "",
) -> Identity:
    """A known-wrong claim for the function of `corrects`: expected to fail.

    `shapes`, `constraints` and `conditions` override those of the correct identity (e.g. to
    make a matrix square, so that a transposition error is a wrong value, not a wrong shape).
    """
    return _validate_entry(
        replace(
            corrects,
            name=name,
            derivative=derivative,
            layout=layout or corrects.layout,
            shapes={**corrects.shapes, **(shapes or {})},
            constraints={**corrects.constraints, **(constraints or {})},
            conditions=tuple(corrects.conditions if conditions is None else conditions),
            expected="fail",
            corrects=corrects.name,
            mistake=mistake,
            latex="",
            text=text or f"wrong ({mistake.replace('_', ' ')}) claim for: {corrects.text}",
            source=source or corrects.source,
            note=note,
        )
    )


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
        return f"Catalogue({len(self)} identities, families {self.families})"

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
        spec = importlib.util.spec_from_file_location(f"_gradcheck_user_{path.stem}", path)
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
