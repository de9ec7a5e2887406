"""Hypothesis strategies for shapes, constrained arrays, identity points and identities.

Every strategy builds its values from small, shrinkable pieces (Gaussian entries in
``[-3, 3]``, eigenvalues or singular values drawn from their ranges), so failing examples shrink
towards small dimensions and simple matrices (a shrunk ``spd`` matrix is diagonal).

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

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .catalogue import (
    CONSTRAINTS,
    Catalogue,
    Identity,
    dimension_names,
    evaluate_dimension,
    installed_catalogue,
    resolve_shape,
)
from .errors import InvalidArgumentError, UnknownNameError

__all__ = ["arrays", "dims", "identities", "points", "shapes"]

_SQUARE = {
    "symmetric",
    "spd",
    "invertible",
    "pd_nonsym",
    "orthogonal",
    "diagonal",
    "distinct_eigs",
    "real_eigs",
}


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


def _dimensions(
    names: Sequence[str], conditions: Sequence[str], min_value: int, max_value: int
) -> st.SearchStrategy[dict[str, int]]:
    base = st.fixed_dictionaries({n: dims(min_value, max_value) for n in names})
    if not conditions:
        return base
    return base.filter(lambda d: all(evaluate_dimension(c, d, "condition") for c in conditions))


def shapes(
    spec: str, *, min_value: int = 1, max_value: int = 8
) -> st.SearchStrategy[tuple[int, ...]]:
    """Concrete shapes for a symbolic spec such as ``"n k"`` or ``"2*n-1"``."""
    names = dimension_names([spec])
    return _dimensions(names, (), min_value, max_value).map(lambda d: resolve_shape(spec, d))


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def _gaussian(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=_floats(-3.0, 3.0))


def _orthogonal(G: np.ndarray) -> np.ndarray:
    q, r = np.linalg.qr(G)
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def _values(n: int, low: float, high: float) -> st.SearchStrategy[np.ndarray]:
    return st.lists(_floats(low, high), min_size=n, max_size=n).map(np.array)


def _matrix(constraint: str, n: int, m: int) -> st.SearchStrategy[np.ndarray]:
    k = min(n, m)
    G, H = _gaussian((n, n)), _gaussian((m, m))
    if constraint == "symmetric":
        return G.map(lambda g: (g + g.T) / 2)
    if constraint == "spd":
        return st.tuples(G, _values(n, 0.5, 2.0)).map(
            lambda t: (_orthogonal(t[0]) * t[1]) @ _orthogonal(t[0]).T
        )
    if constraint == "invertible":
        signs = st.lists(st.sampled_from([1.0, -1.0]), min_size=n, max_size=n).map(np.array)
        return st.tuples(G, _gaussian((n, n)), _values(n, 0.5, 2.0), signs).map(
            lambda t: (_orthogonal(t[0]) * (t[2] * t[3])) @ _orthogonal(t[1]).T
        )
    if constraint == "pd_nonsym":
        return st.tuples(_matrix("spd", n, n), G).map(lambda t: t[0] + (t[1] - t[1].T) / 4)
    if constraint == "orthogonal":
        return G.map(_orthogonal)
    if constraint == "diagonal":
        return _elementwise("nonzero", (n,)).map(np.diag)
    if constraint == "distinct_eigs":
        return st.tuples(G, _values(n, 0.5, 1.5)).map(
            lambda t: (_orthogonal(t[0]) * (np.cumsum(t[1]) - 0.5 * n)) @ _orthogonal(t[0]).T
        )
    if constraint == "real_eigs":
        return st.tuples(_matrix("invertible", n, n), _values(n, 0.5, 1.5)).map(
            lambda t: (t[0] * (np.cumsum(t[1]) - 0.5 * n)) @ np.linalg.inv(t[0])
        )
    if constraint == "distinct_sv":
        return st.tuples(G, H, _values(k, 0.4, 1.0)).map(
            lambda t: (
                (_orthogonal(t[0])[:, :k] * (0.5 + np.cumsum(t[2])[::-1]))
                @ _orthogonal(t[1])[:, :k].T
            )
        )
    raise AssertionError(constraint)  # pragma: no cover


def _generic(shape: tuple[int, ...], salt: str) -> st.SearchStrategy[np.ndarray]:
    """Gaussian entries plus a small generic part: even a fully shrunk example (all drawn
    entries 0) has no zero entries and no coincidences between variables (the part depends on
    the variable's name), which identities assume of ``any`` inputs."""
    import zlib

    def add_generic(pair: tuple[np.ndarray, int]) -> np.ndarray:
        drawn, seed = pair
        generic = np.random.default_rng([seed, zlib.crc32(salt.encode())]).standard_normal(shape)
        return drawn + 0.1 * generic

    return st.tuples(_gaussian(shape), st.integers(0, 2**16)).map(add_generic)


def _elementwise(
    constraint: str, shape: tuple[int, ...], salt: str = ""
) -> st.SearchStrategy[np.ndarray]:
    if constraint == "any":
        return _generic(shape, salt)
    if constraint == "positive":
        return hnp.arrays(np.float64, shape, elements=_floats(0.5, 2.0))
    if constraint == "nonzero":
        return st.tuples(
            hnp.arrays(np.float64, shape, elements=_floats(0.3, 2.0)),
            hnp.arrays(np.float64, shape, elements=st.sampled_from([1.0, -1.0])),
        ).map(lambda t: t[0] * t[1])
    if constraint == "small":
        return hnp.arrays(np.float64, shape, elements=_floats(-0.05, 0.05))
    if constraint == "binary":
        return hnp.arrays(np.float64, shape, elements=st.sampled_from([0.0, 1.0]))
    if constraint == "pm1":
        return hnp.arrays(np.float64, shape, elements=st.sampled_from([1.0, -1.0]))
    if constraint == "simplex":
        return _elementwise("positive", shape).map(lambda p: p / p.sum(axis=-1, keepdims=True))
    if constraint == "onehot":
        if not shape:
            return st.just(np.array(1.0))
        hot = hnp.arrays(np.int64, shape[:-1], elements=st.integers(0, shape[-1] - 1))
        return hot.map(lambda h: np.eye(shape[-1])[h])
    if constraint == "unit":
        return _gaussian(shape).map(_normalise)
    raise AssertionError(constraint)  # pragma: no cover


def _normalise(v: np.ndarray) -> np.ndarray:
    v = v.copy()
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    if v.ndim:
        zero = (norms == 0)[..., 0]
        v[zero, ..., 0] = 1.0
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def arrays(
    shape: Sequence[int], constraint: str = "any", *, name: str = ""
) -> st.SearchStrategy[np.ndarray]:
    """Float64 arrays of `shape` meeting `constraint` (any name of ``gradcheck.CONSTRAINTS``).

    Matrix constraints need a matrix shape (square ones a square shape); the message says which.
    ``"any"`` arrays carry a small generic part derived from `name`, so that arrays of
    different variables never coincide, even in shrunk examples.
    """
    shape = _concrete_shape(shape)
    if not isinstance(name, str):
        raise InvalidArgumentError(f"`name` must be a string (a variable's name); got {name!r}.")
    if constraint not in CONSTRAINTS:
        close = difflib.get_close_matches(str(constraint), CONSTRAINTS, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownNameError(
            f"unknown constraint {constraint!r}; known: {', '.join(CONSTRAINTS)}.{hint}"
        )
    if constraint in _SQUARE:
        if len(shape) != 2 or shape[0] != shape[1]:
            raise InvalidArgumentError(
                f"constraint {constraint!r} needs a square matrix shape (n, n); got {shape}."
            )
        return _matrix(constraint, shape[0], shape[1])
    if constraint == "distinct_sv":
        if len(shape) != 2:
            raise InvalidArgumentError(f"constraint 'distinct_sv' needs a matrix; got {shape}.")
        return _matrix(constraint, *shape)
    return _elementwise(constraint, shape, name)


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
    names = dimension_names(list(entry.shapes.values()))
    chosen = draw(_dimensions(names, entry.conditions, min_value, max_value))
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
