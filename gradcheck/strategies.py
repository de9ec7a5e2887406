"""Hypothesis strategies for shapes, constrained arrays, identity points and identities.

Every strategy builds its values from small, shrinkable pieces, so failing examples shrink
towards small dimensions and simple matrices. Constrained arrays draw the primitive draws of
their :class:`gradcheck.catalogue.Constraint` (Gaussian entries in ``[-3, 3]``, eigenvalues or
singular values in their ranges, signs) and apply the very transform of the numpy sampler the
catalogue uses, so both meet the same guarantees; a shrunk ``spd`` matrix is the identity.
Complex arrays (the constraints of ``gradcheck.catalogue.COMPLEX_CONSTRAINTS``: ``"complex"``,
``"hermitian"``, ``"hpd"``, ``"unitary"``, ...) are built the same way from real draws -- real
and imaginary parts as the floats above, moduli and angles in their ranges -- so a failing
complex example shrinks part by part (a shrunk ``hpd`` or ``unitary`` matrix is the identity).

Examples
--------
>>> from hypothesis import given
>>> from gradcheck import strategies as gst
>>> @given(gst.arrays((3, 3), "spd"))
... def test_spd(S):
...     assert (np.linalg.eigvalsh(S) > 0).all()
>>> test_spd()
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .catalogue import (
    Catalogue,
    Constraint,
    Draw,
    Identity,
    dimension_names,
    evaluate_dimension,
    get_constraint,
    installed_catalogue,
    resolve_shape,
)
from .errors import InvalidArgumentError

__all__ = ["arrays", "dims", "identities", "points", "shapes"]


def _check_int(value: Any, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise InvalidArgumentError(f"`{name}` must be an integer >= {low}; got {value!r}.")
    return int(value)


def dims(min_value: int = 1, max_value: int = 8) -> st.SearchStrategy[int]:
    """One dimension in ``[min_value, max_value]`` (shrinks towards `min_value`)."""
    low = _check_int(min_value, "min_value")
    high = _check_int(max_value, "max_value")
    if high < low:
        raise InvalidArgumentError(
            f"`max_value` ({high}) must be at least `min_value` ({low}); swap them?"
        )
    return st.integers(low, high)


@functools.lru_cache(maxsize=4096)
def _dimensions(
    names: tuple[str, ...], conditions: tuple[str, ...], min_value: int, max_value: int
) -> st.SearchStrategy[dict[str, int]]:
    """Dimensions for `names` meeting `conditions` (built once per arguments: a strategy is
    immutable, and hypothesis validates a new one at its first draw)."""
    base = st.fixed_dictionaries({n: dims(min_value, max_value) for n in names})
    if not conditions:
        return base
    return base.filter(lambda d: all(evaluate_dimension(c, d, "condition") for c in conditions))


def shapes(
    spec: str, *, min_value: int = 1, max_value: int = 8
) -> st.SearchStrategy[tuple[int, ...]]:
    """Concrete shapes for a symbolic spec such as ``"n k"`` or ``"2*n-1"``."""
    names = dimension_names([spec])
    return _dimensions(tuple(names), (), min_value, max_value).map(lambda d: resolve_shape(spec, d))


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _primitive(draw: Draw) -> st.SearchStrategy[np.ndarray]:
    """A constraint's primitive draw, with hypothesis: Gaussian entries as floats in [-3, 3]
    (shrinking to 0), uniform ones in their range, signs shrinking to +1, integers to `low`."""
    if draw.kind == "integers":
        elements = st.integers(int(draw.low), int(draw.high) - 1)
        return hnp.arrays(np.int64, draw.shape, elements=elements)
    if draw.kind == "normal":
        elements = _floats(-3.0, 3.0)
    elif draw.kind == "uniform":
        elements = _floats(draw.low, draw.high)
    else:
        elements = st.sampled_from([1.0, -1.0])
    return hnp.arrays(np.float64, draw.shape, elements=elements)


def _constrained(constraint: Constraint, shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """The primitives of `constraint` drawn with hypothesis, then the numpy sampler's transform."""
    drawn = st.tuples(*(_primitive(d) for d in constraint.primitives(shape)))
    return drawn.map(lambda values: constraint.build(shape, values))


def _generic(
    drawn: st.SearchStrategy[np.ndarray], shape: tuple[int, ...], salt: str
) -> st.SearchStrategy[np.ndarray]:
    """`drawn` plus a small generic part: even a fully shrunk example (all drawn entries 0) has
    no zero entries and no coincidences between variables (the part depends on the variable's
    name), which identities assume of ``any`` inputs."""

    def add_generic(pair: tuple[np.ndarray, int]) -> np.ndarray:
        values, seed = pair
        rng = np.random.default_rng([seed, zlib.crc32(salt.encode())])
        generic = rng.standard_normal(shape)
        if np.iscomplexobj(values):
            generic = generic + 1j * rng.standard_normal(shape)
        return values + 0.1 * generic

    return st.tuples(drawn, st.integers(0, 2**16)).map(add_generic)


def arrays(
    shape: Sequence[int], constraint: str = "any", *, name: str = ""
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of `shape` meeting `constraint`: float64 for a name of ``gradcheck.CONSTRAINTS``,
    complex128 for one of ``gradcheck.catalogue.COMPLEX_CONSTRAINTS``.

    The strategy draws the constraint's primitive draws with hypothesis and applies the same
    transform as the numpy sampler (:class:`gradcheck.catalogue.Constraint`), so every example
    meets the constraint's guarantee and shrinks to a simple one (``spd`` to the identity).
    Matrix constraints need a matrix shape (square ones a square shape); the message says which.
    ``"any"`` and ``"complex"`` arrays carry a small generic part derived from `name`, so
    that arrays of different variables never coincide, even in shrunk examples.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(arrays((2, 2), "spd"), lambda S: True)
    array([[1., 0.],
           [0., 1.]])
    >>> find(arrays((2, 2), "unitary"), lambda U: True)
    array([[1.+0.j, 0.+0.j],
           [0.+0.j, 1.+0.j]])
    """
    shape = _concrete_shape(shape)
    if not isinstance(name, str):
        raise InvalidArgumentError(f"`name` must be a string (a variable's name); got {name!r}.")
    return _array_strategy(shape, get_constraint(constraint).name, name)


@functools.lru_cache(maxsize=4096)
def _array_strategy(shape: tuple[int, ...], constraint: str, name: str) -> st.SearchStrategy:
    """The strategy of :func:`arrays` for validated arguments, built once per arguments (every
    draw of :func:`points` asks for the same few; a new strategy is validated at its first
    draw, which cost more than drawing it)."""
    drawn = _constrained(get_constraint(constraint), shape)
    return _generic(drawn, shape, name) if constraint in ("any", "complex") else drawn


def _concrete_shape(shape: object) -> tuple[int, ...]:
    """`shape` as a tuple of positive ints within the size limits of symbolic shapes."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (int(shape),)
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise InvalidArgumentError(
            f"`shape` must be a tuple of positive ints such as (3, 3); got {shape!r}. For a "
            "symbolic shape like 'n n' use gradcheck.strategies.shapes."
        )
    concrete = tuple(_check_int(d, "shape entries") for d in shape)  # type: ignore[union-attr]
    try:
        resolve_shape(" ".join(map(str, concrete)), {})  # the limits on axes and entries
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"`shape`: {exc}") from exc
    return concrete


@st.composite
def _point(draw: st.DrawFn, entry: Identity, min_value: int, max_value: int) -> dict:
    names = tuple(dimension_names(list(entry.shapes.values())))
    chosen = draw(_dimensions(names, tuple(entry.conditions), min_value, max_value))
    return {
        var: draw(arrays(resolve_shape(spec, chosen), entry.constraints.get(var, "any"), name=var))
        for var, spec in entry.shapes.items()
    }


def points(
    identity: Identity, *, min_value: int = 1, max_value: int = 8
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Complete named points for a registered identity: dimensions meeting its conditions and
    every variable meeting its constraint."""
    if not isinstance(identity, Identity):
        raise InvalidArgumentError(
            f"`identity` must be a gradcheck.Identity (e.g. catalogue['dxTAx_dx']); "
            f"got {type(identity).__name__}."
        )
    dims(min_value, max_value)  # validates the range now, not at the first draw
    return _point(identity, min_value, max_value)


def identities(
    family: str | Sequence[str] | None = None,
    *,
    pitfalls: bool = False,
    catalogue: Catalogue | None = None,
) -> st.SearchStrategy[Identity]:
    """Identities of the built-in catalogue (or `catalogue`), optionally of some families;
    pitfalls only when `pitfalls` is True."""
    _check_family(family)
    if not isinstance(pitfalls, bool):
        raise InvalidArgumentError(f"`pitfalls` must be True or False; got {pitfalls!r}.")
    if catalogue is None:
        catalogue = installed_catalogue()
    if not isinstance(catalogue, Catalogue):
        raise InvalidArgumentError(
            f"`catalogue` must be a gradcheck.Catalogue (e.g. gradcheck.load_catalogue('mypkg."
            f"identities')); got {type(catalogue).__name__}."
        )
    entries = [e for e in catalogue.select(families=family) if pitfalls or not e.is_pitfall]
    if not entries:
        raise InvalidArgumentError(f"no identities selected (family={family!r}).")
    return st.sampled_from(entries)


def _check_family(family: object) -> None:
    if family is None or isinstance(family, str):
        return
    if isinstance(family, Sequence) and all(isinstance(f, str) for f in family):
        return
    raise InvalidArgumentError(
        f"`family` must be None, a family name or a sequence of names; got {family!r}."
    )
