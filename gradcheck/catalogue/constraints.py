"""The constraints identities put on their variables, each defined once.

A :class:`Constraint` is a frozen record: the *primitive draws* it needs for a shape (arrays of
i.i.d. standard normal, uniform, random-sign or integer entries, each a :class:`Draw`), a
*transform* from those draws to the constrained array, and what the result guarantees for
**every** value of the draws in their ranges (eigenvalue bounds, a condition-number bound, ...).
Two samplers are derived from the one record:

* :meth:`Constraint.sample` draws the primitives with a ``numpy.random.Generator`` (fast, one
  vectorised call per primitive) and applies the transform; the catalogue runner and the CLI's
  ``--constraint X=spd`` use it through :func:`sample`;
* ``gradcheck.strategies.arrays`` draws the same primitives with hypothesis and applies the same
  transform, so failing examples shrink with the primitives (a shrunk ``spd`` matrix is the
  identity: zero Gaussian entries give ``Q = I``, and eigenvalues shrink to 1).

Matrix constraints work on 2-D shapes (square ones on ``(n, n)``); the others on any shape,
along the last axis where they say so. The complex constraints (:data:`COMPLEX_CONSTRAINTS`:
generic complex, Hermitian, HPD, unitary, ...) are records of the same kind whose transforms
combine real primitive draws into complex128 arrays.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import numpy as np

from ..errors import InvalidArgumentError, UnknownNameError

__all__ = [
    "COMPLEX_CONSTRAINTS",
    "CONSTRAINTS",
    "Constraint",
    "Draw",
    "get_constraint",
    "is_complex_constraint",
    "sample",
]

DrawKind = Literal["normal", "uniform", "sign", "integers"]
ShapeRule = Literal["any", "vector", "matrix", "square"]
_SIGNS = np.array([-1.0, 1.0])


@dataclass(frozen=True, kw_only=True)
class Draw:
    """One primitive draw: an array of `shape` with i.i.d. entries of one kind.

    Attributes
    ----------
    kind : {'normal', 'uniform', 'sign', 'integers'}
        ``'normal'``: standard normal (hypothesis draws floats in ``[-3, 3]``, shrinking to 0);
        ``'uniform'``: uniform in ``[low, high]``; ``'sign'``: -1.0 or +1.0 (shrinks to +1);
        ``'integers'``: integers in ``[low, high)`` as int64 (shrinks to `low`).
    shape : tuple of int
        Shape of the drawn array.
    low, high : float
        Range of ``'uniform'`` and ``'integers'`` draws; unused by the others.

    Examples
    --------
    >>> Draw(kind="uniform", shape=(2,), low=0.5, high=2.0).numpy(np.random.default_rng(0)).shape
    (2,)
    """

    kind: DrawKind
    shape: tuple[int, ...]
    low: float = 0.0
    high: float = 1.0

    def numpy(self, rng: np.random.Generator) -> np.ndarray:
        """This draw with numpy: one vectorised call on `rng`."""
        if self.kind == "normal":
            return rng.standard_normal(self.shape)
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, self.shape)
        if self.kind == "sign":
            return rng.choice(_SIGNS, self.shape)
        return rng.integers(int(self.low), int(self.high), self.shape)


def _normal(shape: tuple[int, ...]) -> Draw:
    return Draw(kind="normal", shape=shape)


def _uniform(low: float, high: float, shape: tuple[int, ...]) -> Draw:
    return Draw(kind="uniform", shape=shape, low=low, high=high)


def _signs(shape: tuple[int, ...]) -> Draw:
    return Draw(kind="sign", shape=shape)


def _integers(low: int, high: int, shape: tuple[int, ...]) -> Draw:
    return Draw(kind="integers", shape=shape, low=low, high=high)


@dataclass(frozen=True, kw_only=True)
class Constraint:
    """A constraint on a variable: primitive draws, one transform, and its guarantees.

    Attributes
    ----------
    name : str
        The name identities and ``--constraint X=NAME`` use.
    guarantee : str
        What every array meets, whatever the primitive draws (within their ranges).
    draws : callable
        ``draws(shape) -> tuple[Draw, ...]``: the primitive draws, in the order numpy makes them.
    transform : callable
        ``transform(shape, *values) -> ndarray``: the constrained array from the drawn values.
    shape_rule : {'any', 'vector', 'matrix', 'square'}
        Shapes allowed: any, at least one axis, 2-D, or 2-D square.
    condition_bound : float or None
        Bound on the 2-norm condition number of every array, where there is one.
    complex_valued : bool
        Whether the arrays are complex128 (the constraints of :data:`COMPLEX_CONSTRAINTS`,
        built from real primitive draws: real and imaginary parts, moduli and angles) rather
        than float64.

    Examples
    --------
    >>> spd = CONSTRAINTS["spd"]
    >>> S = spd.sample(np.random.default_rng(0), (3, 3))
    >>> bool(np.linalg.cond(S) <= spd.condition_bound)
    True
    >>> spd.build((2, 2), (np.zeros((2, 2)), np.ones(2)))  # the shrunk example is simple
    array([[1., 0.],
           [0., 1.]])
    """

    name: str
    guarantee: str
    draws: Callable[[tuple[int, ...]], tuple[Draw, ...]]
    transform: Callable[..., np.ndarray]
    shape_rule: ShapeRule = "any"
    condition_bound: float | None = None
    complex_valued: bool = False

    def primitives(self, shape: tuple[int, ...]) -> tuple[Draw, ...]:
        """The primitive draws for `shape`, after checking `shape` against `shape_rule`."""
        return _primitives(self, tuple(shape))

    def build(self, shape: tuple[int, ...], values: tuple[np.ndarray, ...]) -> np.ndarray:
        """The float64 (complex128 when `complex_valued`) array of `shape` that the transform
        makes of the drawn `values`."""
        dtype = np.complex128 if self.complex_valued else np.float64
        return np.asarray(self.transform(tuple(shape), *values), dtype=dtype)

    def sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        """Draw an array of `shape` meeting this constraint, with numpy (float64, or
        complex128 for a complex constraint)."""
        shape = tuple(shape)
        return self.build(shape, [d.numpy(rng) for d in _primitives(self, shape)])


@functools.lru_cache(maxsize=4096)
def _primitives(constraint: Constraint, shape: tuple[int, ...]) -> tuple[Draw, ...]:
    """:meth:`Constraint.primitives`, cached: the catalogue draws the same shapes many times."""
    rule = constraint.shape_rule
    if rule == "square" and (len(shape) != 2 or shape[0] != shape[1]):
        raise InvalidArgumentError(
            f"constraint {constraint.name!r} needs a square matrix shape like (n, n) or 'n n'; "
            f"got shape {shape}."
        )
    if rule == "matrix" and len(shape) != 2:
        raise InvalidArgumentError(
            f"constraint {constraint.name!r} needs a matrix shape like (p, q) or 'p q'; "
            f"got shape {shape}."
        )
    if rule == "vector" and not shape:
        raise InvalidArgumentError(
            f"constraint {constraint.name!r} acts along the last axis and needs at least one "
            f"axis, like (n,) or 'n'; got shape {shape}."
        )
    return constraint.draws(shape)


def _orthogonal(g: np.ndarray) -> np.ndarray:
    """Q of the QR factorisation of `g` with signs making ``diag(R) >= 0``: orthogonal for any
    `g` (Householder QR), Haar-distributed for a Gaussian `g`, the identity for ``g = 0``."""
    q, r = np.linalg.qr(g)
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def _square(shape: tuple[int, ...]) -> int:
    return shape[0]


def _spectral(u: np.ndarray) -> np.ndarray:
    """Increasing values with gaps ``u`` (>= 0.5 when ``u`` is in [0.5, 1.5]), centred on 0."""
    return np.cumsum(u) - 0.5 * u.size


def _spd(shape, g, eigs):
    q = _orthogonal(g)
    return (q * eigs) @ q.T


def _invertible(shape, s, signs, g, h):
    return (_orthogonal(g) * (s * signs)) @ _orthogonal(h).T


def _pd_nonsym(shape, g, *spd_values):
    skew = g * 0.5
    return _spd(shape, *spd_values) + (skew - skew.T) / 2


def _onehot(shape, *hot):
    if not shape:
        return np.array(1.0)
    return np.eye(shape[-1])[hot[0]]


def _unit(shape, v):
    """`v` over its 2-norm along the last axis; scaled by its largest entry first so tiny
    entries do not underflow, and a zero vector (possible in a hypothesis draw) becomes e_1."""
    scale = np.max(np.abs(v), axis=-1, keepdims=True)
    zero = scale == 0
    v = np.where(zero, np.eye(shape[-1])[0], v / np.where(zero, 1.0, scale))
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _distinct_eigs(shape, u, g):
    q = _orthogonal(g)
    return (q * _spectral(u)) @ q.T


def _distinct_sv(shape, u, g, h):
    k = min(shape)
    s = 0.5 + np.cumsum(u)[::-1]
    return (_orthogonal(g)[:, :k] * s) @ _orthogonal(h)[:, :k].T


def _real_eigs(shape, u, *invertible_values):
    p = _invertible(shape, *invertible_values)
    return (p * _spectral(u)) @ np.linalg.inv(p)


def _gaussian(shape):
    return (_normal(shape),)


def _as_drawn(shape, values):
    return values


def _spd_draws(shape):
    n = _square(shape)
    return _normal((n, n)), _uniform(0.5, 2.0, (n,))


def _invertible_draws(shape):
    n = _square(shape)
    return _uniform(0.5, 2.0, (n,)), _signs((n,)), _normal((n, n)), _normal((n, n))


def _nonzero_draws(shape):
    return _uniform(0.3, 2.0, shape), _signs(shape)


def _onehot_draws(shape):
    return (_integers(0, shape[-1], shape[:-1]),) if shape else ()


def _distinct_sv_draws(shape):
    p, q = shape
    return _uniform(0.4, 1.0, (min(p, q),)), _normal((p, p)), _normal((q, q))


def _table(*constraints: Constraint) -> Mapping[str, Constraint]:
    return MappingProxyType({c.name: c for c in constraints})


#: Every constraint by name (read-only); the names identities and ``--constraint`` accept.
CONSTRAINTS: Mapping[str, Constraint] = _table(
    Constraint(
        name="any",
        guarantee="i.i.d. N(0, 1) entries",
        draws=_gaussian,
        transform=_as_drawn,
    ),
    Constraint(
        name="symmetric",
        guarantee="symmetric (exactly), (R + R^T)/2 of a Gaussian R",
        draws=_gaussian,
        transform=lambda shape, g: (g + g.T) / 2,
        shape_rule="square",
    ),
    Constraint(
        name="spd",
        guarantee="symmetric positive definite, eigenvalues in [0.5, 2] (condition number <= 4)",
        draws=_spd_draws,
        transform=_spd,
        shape_rule="square",
        condition_bound=4.0,
    ),
    Constraint(
        name="invertible",
        guarantee="Q1 diag(+-s) Q2^T, singular values in [0.5, 2] (condition number <= 4)",
        draws=_invertible_draws,
        transform=_invertible,
        shape_rule="square",
        condition_bound=4.0,
    ),
    Constraint(
        name="pd_nonsym",
        guarantee="spd plus a skew part: the symmetric part has eigenvalues in [0.5, 2]",
        draws=lambda shape: (_normal(shape), *_spd_draws(shape)),
        transform=_pd_nonsym,
        shape_rule="square",
    ),
    Constraint(
        name="orthogonal",
        guarantee="orthogonal, Q^T Q = I (QR of a Gaussian matrix, Haar distributed)",
        draws=_gaussian,
        transform=lambda shape, g: _orthogonal(g),
        shape_rule="square",
        condition_bound=1.0,
    ),
    Constraint(
        name="positive",
        guarantee="entries uniform in [0.5, 2]",
        draws=lambda shape: (_uniform(0.5, 2.0, shape),),
        transform=_as_drawn,
    ),
    Constraint(
        name="nonzero",
        guarantee="entries +-uniform[0.3, 2] (away from kinks at 0)",
        draws=_nonzero_draws,
        transform=lambda shape, u, signs: u * signs,
    ),
    Constraint(
        name="small",
        guarantee="entries uniform in [-0.05, 0.05]",
        draws=lambda shape: (_uniform(-0.05, 0.05, shape),),
        transform=_as_drawn,
    ),
    Constraint(
        name="simplex",
        guarantee="positive, sums to 1 along the last axis, entries >= 1/(4 n) for n entries",
        draws=lambda shape: (_uniform(0.5, 2.0, shape),),
        transform=lambda shape, p: p / np.sum(p, axis=-1, keepdims=True),
        shape_rule="vector",
    ),
    Constraint(
        name="onehot",
        guarantee="one-hot along the last axis (1.0 for a scalar)",
        draws=_onehot_draws,
        transform=_onehot,
    ),
    Constraint(
        name="binary",
        guarantee="entries in {0, 1}",
        draws=lambda shape: (_integers(0, 2, shape),),
        transform=lambda shape, b: b.astype(np.float64),
    ),
    Constraint(
        name="pm1",
        guarantee="entries in {-1, +1}",
        draws=lambda shape: (_signs(shape),),
        transform=_as_drawn,
    ),
    Constraint(
        name="unit",
        guarantee="unit 2-norm along the last axis",
        draws=_gaussian,
        transform=_unit,
        shape_rule="vector",
    ),
    Constraint(
        name="diagonal",
        guarantee="diagonal with entries +-uniform[0.3, 2] (condition number <= 20/3)",
        draws=lambda shape: _nonzero_draws((_square(shape),)),
        transform=lambda shape, u, signs: np.diag(u * signs),
        shape_rule="square",
        condition_bound=20 / 3,
    ),
    Constraint(
        name="distinct_eigs",
        guarantee="symmetric, eigenvalues separated by >= 0.5",
        draws=lambda shape: (_uniform(0.5, 1.5, (_square(shape),)), _normal(shape)),
        transform=_distinct_eigs,
        shape_rule="square",
    ),
    Constraint(
        name="distinct_sv",
        guarantee="U diag(s) V^T, singular values >= 0.9 and separated by >= 0.4",
        draws=_distinct_sv_draws,
        transform=_distinct_sv,
        shape_rule="matrix",
    ),
    Constraint(
        name="real_eigs",
        guarantee="P diag(l) P^-1 with cond(P) <= 4, real eigenvalues separated by >= 0.5",
        draws=lambda shape: (_uniform(0.5, 1.5, (_square(shape),)), *_invertible_draws(shape)),
        transform=_real_eigs,
        shape_rule="square",
    ),
)


def _complex(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    return re + 1j * im


def _unitary(g: np.ndarray) -> np.ndarray:
    """Q of the QR factorisation of the complex `g` with phases making ``diag(R)`` real and
    non-negative: unitary for any `g`, Haar-distributed for a complex Gaussian `g`, the
    identity for ``g = 0`` (a zero diagonal entry keeps phase 1). The phase is taken of the
    diagonal scaled by its larger part first, so subnormal entries (possible in a hypothesis
    draw) neither overflow nor lose the phase."""
    q, r = np.linalg.qr(g)
    d = np.diag(r)
    scale = np.maximum(np.abs(d.real), np.abs(d.imag))
    zero = scale == 0
    safe = np.where(zero, 1.0, scale)
    scaled = np.where(zero, 1.0, d.real / safe) + 1j * np.where(zero, 0.0, d.imag / safe)
    return q * (scaled / np.abs(scaled))


def _hpd(shape, re, im, eigs):
    u = _unitary(_complex(re, im))
    return (u * eigs) @ u.conj().T


def _complex_invertible(shape, s, g_re, g_im, h_re, h_im):
    u, v = _unitary(_complex(g_re, g_im)), _unitary(_complex(h_re, h_im))
    return (u * s) @ v.conj().T


def _hpd_nonherm(shape, k_re, k_im, *hpd_values):
    skew = 0.5 * _complex(k_re, k_im)
    return _hpd(shape, *hpd_values) + (skew - skew.conj().T) / 2


def _polar(shape, modulus, angle):
    return modulus * np.exp(1j * angle)


def _complex_gaussian(shape):
    return _normal(shape), _normal(shape)


def _hpd_draws(shape):
    n = _square(shape)
    return _normal((n, n)), _normal((n, n)), _uniform(0.5, 2.0, (n,))


#: The complex constraints by name (read-only): complex128 arrays built from real primitive
#: draws, so hypothesis shrinks their real and imaginary parts (or moduli and angles) like any
#: float. ``get_constraint`` and ``--constraint`` accept these names as well as those of
#: :data:`CONSTRAINTS`.
COMPLEX_CONSTRAINTS: Mapping[str, Constraint] = _table(
    Constraint(
        name="complex",
        guarantee="real and imaginary parts i.i.d. N(0, 1)",
        draws=_complex_gaussian,
        transform=lambda shape, re, im: _complex(re, im),
        complex_valued=True,
    ),
    Constraint(
        name="hermitian",
        guarantee="Hermitian (exactly), (G + G^H)/2 of a complex Gaussian G",
        draws=_complex_gaussian,
        transform=lambda shape, re, im: (_complex(re, im) + _complex(re, im).conj().T) / 2,
        shape_rule="square",
        complex_valued=True,
    ),
    Constraint(
        name="hpd",
        guarantee="Hermitian positive definite, eigenvalues in [0.5, 2] (condition number <= 4)",
        draws=_hpd_draws,
        transform=_hpd,
        shape_rule="square",
        condition_bound=4.0,
        complex_valued=True,
    ),
    Constraint(
        name="unitary",
        guarantee="unitary, U^H U = I (QR of a complex Gaussian matrix, Haar distributed)",
        draws=_complex_gaussian,
        transform=lambda shape, re, im: _unitary(_complex(re, im)),
        shape_rule="square",
        condition_bound=1.0,
        complex_valued=True,
    ),
    Constraint(
        name="complex_invertible",
        guarantee="U diag(s) V^H with U, V unitary, singular values in [0.5, 2] "
        "(condition number <= 4)",
        draws=lambda shape: (
            _uniform(0.5, 2.0, (_square(shape),)),
            *_complex_gaussian(shape),
            *_complex_gaussian(shape),
        ),
        transform=_complex_invertible,
        shape_rule="square",
        condition_bound=4.0,
        complex_valued=True,
    ),
    Constraint(
        name="hpd_nonherm",
        guarantee="hpd plus a skew-Hermitian part: the Hermitian part has eigenvalues in "
        "[0.5, 2], so every eigenvalue has real part >= 0.5 (off the branch cut of log)",
        draws=lambda shape: (*_complex_gaussian(shape), *_hpd_draws(shape)),
        transform=_hpd_nonherm,
        shape_rule="square",
        complex_valued=True,
    ),
    Constraint(
        name="complex_nonzero",
        guarantee="modulus uniform in [0.3, 2], argument uniform in [-pi, pi]",
        draws=lambda shape: (_uniform(0.3, 2.0, shape), _uniform(-np.pi, np.pi, shape)),
        transform=_polar,
        complex_valued=True,
    ),
    Constraint(
        name="complex_slit",
        guarantee="modulus uniform in [0.3, 2], argument uniform in [-2.5, 2.5] (at least "
        "0.64 rad from the negative real axis, the branch cut of log and sqrt)",
        draws=lambda shape: (_uniform(0.3, 2.0, shape), _uniform(-2.5, 2.5, shape)),
        transform=_polar,
        complex_valued=True,
    ),
)


def is_complex_constraint(name: str) -> bool:
    """Whether constraint `name` draws complex arrays (one of :data:`COMPLEX_CONSTRAINTS`).

    Examples
    --------
    >>> is_complex_constraint("hpd"), is_complex_constraint("spd")
    (True, False)
    """
    return get_constraint(name).complex_valued


def get_constraint(name: str) -> Constraint:
    """The :class:`Constraint` called `name`, or an error suggesting the closest name.

    Examples
    --------
    >>> get_constraint("spd").shape_rule
    'square'
    """
    known = {**CONSTRAINTS, **COMPLEX_CONSTRAINTS}
    if not isinstance(name, str) or name not in known:
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownNameError(f"unknown constraint {name!r}; known: {', '.join(known)}.{hint}")
    return known[name]


def sample(constraint: str, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Draw an array of `shape` meeting `constraint` (a name in :data:`CONSTRAINTS`, float64,
    or in :data:`COMPLEX_CONSTRAINTS`, complex128).

    Examples
    --------
    >>> sample("positive", np.random.default_rng(0), (2, 3)).shape
    (2, 3)
    """
    return get_constraint(constraint).sample(rng, tuple(shape))


def _sampler(constraint: str) -> Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]:
    """The numpy sampler of `constraint` (kept for ``registry``'s name check)."""
    return get_constraint(constraint).sample
