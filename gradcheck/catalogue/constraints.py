"""Seeded, well-conditioned samplers for the constraints identities put on their variables.

Each sampler takes a ``numpy.random.Generator`` and a shape and returns a float64 array. Matrix
constraints apply to the last two axes and need them square where the constraint says so.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable

import numpy as np

from ..errors import InvalidArgumentError, UnknownNameError

Sampler = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def _require_square(name: str, shape: tuple[int, ...]) -> int:
    if len(shape) != 2 or shape[0] != shape[1]:
        raise InvalidArgumentError(
            f"constraint {name!r} needs a square matrix shape like 'n n'; got shape {shape}."
        )
    return shape[0]


def _orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def _any(rng, shape):
    return rng.standard_normal(shape)


def _symmetric(rng, shape):
    _require_square("symmetric", shape)
    r = rng.standard_normal(shape)
    return (r + r.T) / 2


def _spd(rng, shape):
    n = _require_square("spd", shape)
    q = _orthogonal(rng, n)
    return (q * rng.uniform(0.5, 2.0, n)) @ q.T


def _invertible(rng, shape):
    n = _require_square("invertible", shape)
    s = rng.uniform(0.5, 2.0, n) * rng.choice([-1.0, 1.0], n)
    return (_orthogonal(rng, n) * s) @ _orthogonal(rng, n).T


def _pd_nonsym(rng, shape):
    n = _require_square("pd_nonsym", shape)
    skew = rng.standard_normal((n, n)) * 0.5
    return _spd(rng, shape) + (skew - skew.T) / 2


def _orthogonal_sampler(rng, shape):
    return _orthogonal(rng, _require_square("orthogonal", shape))


def _positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def _nonzero(rng, shape):
    return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def _small(rng, shape):
    return rng.uniform(-0.05, 0.05, shape)


def _simplex(rng, shape):
    p = rng.uniform(0.5, 2.0, shape)
    return p / np.sum(p, axis=-1, keepdims=True)


def _onehot(rng, shape):
    if not shape:
        return np.array(1.0)
    out = np.zeros(shape)
    hot = rng.integers(0, shape[-1], size=shape[:-1])
    np.put_along_axis(out, hot[..., None], 1.0, axis=-1)
    return out


def _binary(rng, shape):
    return rng.integers(0, 2, shape).astype(float)


def _pm1(rng, shape):
    return rng.choice([-1.0, 1.0], shape)


def _unit(rng, shape):
    v = rng.standard_normal(shape)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _diagonal(rng, shape):
    n = _require_square("diagonal", shape)
    return np.diag(_nonzero(rng, (n,)))


def _distinct_eigs(rng, shape):
    n = _require_square("distinct_eigs", shape)
    eigs = np.cumsum(rng.uniform(0.5, 1.5, n)) - 0.5 * n
    q = _orthogonal(rng, n)
    return (q * eigs) @ q.T


def _distinct_sv(rng, shape):
    if len(shape) != 2:
        raise InvalidArgumentError(f"constraint 'distinct_sv' needs a matrix; got {shape}.")
    p, q = shape
    k = min(p, q)
    s = 0.5 + np.cumsum(rng.uniform(0.4, 1.0, k))[::-1]
    return (_orthogonal(rng, p)[:, :k] * s) @ _orthogonal(rng, q)[:, :k].T


def _real_eigs(rng, shape):
    n = _require_square("real_eigs", shape)
    eigs = np.cumsum(rng.uniform(0.5, 1.5, n)) - 0.5 * n
    p = _invertible(rng, shape)
    return (p * eigs) @ np.linalg.inv(p)


CONSTRAINTS: dict[str, tuple[Sampler, str]] = {
    "any": (_any, "i.i.d. N(0, 1) entries"),
    "symmetric": (_symmetric, "symmetric, (R + R^T)/2"),
    "spd": (_spd, "symmetric positive definite, eigenvalues in [0.5, 2]"),
    "invertible": (_invertible, "Q1 diag(+-s) Q2^T, singular values in [0.5, 2]"),
    "pd_nonsym": (_pd_nonsym, "non-symmetric with positive-definite symmetric part"),
    "orthogonal": (_orthogonal_sampler, "orthogonal (QR of a Gaussian matrix)"),
    "positive": (_positive, "entries uniform in [0.5, 2]"),
    "nonzero": (_nonzero, "entries +-uniform[0.3, 2] (away from kinks at 0)"),
    "small": (_small, "entries uniform in [-0.05, 0.05]"),
    "simplex": (_simplex, "positive, sums to 1 along the last axis"),
    "onehot": (_onehot, "one-hot along the last axis"),
    "binary": (_binary, "entries in {0, 1}"),
    "pm1": (_pm1, "entries in {-1, +1}"),
    "unit": (_unit, "unit 2-norm along the last axis"),
    "diagonal": (_diagonal, "diagonal with entries +-uniform[0.3, 2]"),
    "distinct_eigs": (_distinct_eigs, "symmetric, eigenvalues separated by >= 0.5"),
    "distinct_sv": (_distinct_sv, "U diag(s) V^T, singular values separated by >= 0.4"),
    "real_eigs": (_real_eigs, "P diag(l) P^-1, real eigenvalues separated by >= 0.5"),
}


def sample(constraint: str, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Draw a float64 array of `shape` meeting `constraint` (a name in :data:`CONSTRAINTS`)."""
    return np.asarray(_sampler(constraint)(rng, tuple(shape)), dtype=np.float64)


def _sampler(constraint: str) -> Sampler:
    if constraint not in CONSTRAINTS:
        close = difflib.get_close_matches(str(constraint), CONSTRAINTS, n=3, cutoff=0.5)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownNameError(
            f"unknown constraint {constraint!r}; known: {', '.join(CONSTRAINTS)}.{hint}"
        )
    return CONSTRAINTS[constraint][0]
