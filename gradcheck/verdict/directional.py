"""Directional derivatives along random directions: cost independent of the input size.

For directions ``d_r`` in the variable's space and unit weights ``v_r`` in the output space,
``psi(t)_r = v_r . f(x + t d_r)`` is a function of one scalar ``t`` with ``k`` outputs; its
derivative at ``t = 0`` is ``v_r^T J d_r``. The engine differentiates ``psi`` with the chosen
method, so the directional derivatives get the same error estimates, kink and noise detection
as full Jacobians, at the cost of the stencil's evaluations per direction.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..engine import (
    Method,
    Target,
    TensorEstimate,
    call_checked,
    coordinate_scales,
    estimate_tensor,
    evaluate_points,
    probe_batching,
    probe_size,
)
from ..errors import InvalidArgumentError, NonFiniteValueError

__all__ = ["MAX_REQUESTED_DIRECTIONS", "validate_directions"]

#: Most random directions a check may be asked for. Every direction (and its output weights) is
#: kept in memory, ``directions * (x.size + f.size)`` float64 numbers; the automatic choice
#: stops at 64, and more than 10,000 buys nothing a full check would not give more cheaply.
MAX_REQUESTED_DIRECTIONS = 10_000


def validate_directions(directions: object) -> int:
    """`directions` as an int in ``[1, MAX_REQUESTED_DIRECTIONS]``, else InvalidArgumentError."""
    is_int = isinstance(directions, (int, np.integer)) and not isinstance(
        directions, (bool, np.bool_)
    )
    if not is_int:
        raise InvalidArgumentError(f"`directions` must be a positive integer; got {directions!r}.")
    if not 1 <= directions <= MAX_REQUESTED_DIRECTIONS:  # type: ignore[operator]
        raise InvalidArgumentError(
            f"`directions` must be from 1 to {MAX_REQUESTED_DIRECTIONS:,}; got {directions}. "
            "Leave it None for the automatic choice, or use mode='full' to compare every entry."
        )
    return int(directions)  # type: ignore[arg-type]


def _random_directions(
    x: np.ndarray, f_size: int, count: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Directions ``d_r = s * u_r`` (``u_r`` Gaussian, unit norm; ``s`` the coordinate scales)
    of shape ``(count,) + x.shape``, and unit Gaussian output weights of shape
    ``(count, f_size)``."""
    u = rng.standard_normal((count, x.size))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    d = (u * coordinate_scales(x).ravel()[None, :]).reshape((count, *x.shape))
    v = rng.standard_normal((count, f_size))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return d, v


def _directional_estimate(
    target: Target,
    f0: np.ndarray,
    method: Method,
    count: int,
    rng: np.random.Generator,
    *,
    step: object,
    vectorized: bool | None,
    chunk_bytes: int,
) -> tuple[TensorEstimate, np.ndarray, np.ndarray, int]:
    """Estimate ``v_r^T J d_r`` for `count` random directions.

    Returns the estimate (value, error, reliable of shape ``(count,)``), the directions, the
    output weights and the number of evaluations of f.
    """
    if step is not None and np.ndim(step) != 0:
        raise InvalidArgumentError(
            "in directional mode `step` is one number: the step along each scaled direction; "
            f"got an array of shape {np.shape(step)}."
        )
    count = validate_directions(count)  # also guards callers that pass the user's number on
    x = target.x
    f_shape = f0.shape
    d, v = _random_directions(x, f0.size, count, rng)
    evaluations = [0]
    if vectorized is None and not target.batchable:
        vectorized = False  # an np.matrix variable: a stack of points cannot be an np.matrix
    if vectorized is None:
        size = probe_size(target, f_shape)
        j = np.arange(size)
        t = 1e-3 * (-1.0) ** j / (1 + j // 2)  # distinct steps within 1e-3: 1, -1, 1/2, -1/2, ...
        probe = x[None] + t.reshape((size,) + (1,) * x.ndim) * d[0]
        singles = np.stack(
            [call_checked(target, p.copy(), "at a probe point", allow_complex=False) for p in probe]
        )
        result = probe_batching(target, probe, singles, allow_complex=False)
        vectorized = result.vectorized
        evaluations[0] += size + result.evaluations

    def psi(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t)
        ts = t.reshape(-1)
        batch = ts.size
        is_complex = np.iscomplexobj(ts)

        def make_points(start: int, stop: int) -> np.ndarray:
            idx = np.arange(start, stop)
            b, r = idx // count, idx % count
            shape = (-1,) + (1,) * x.ndim
            return x[None] + ts[b].reshape(shape) * d[r]

        values, _ = evaluate_points(
            target,
            make_points,
            batch * count,
            f_shape,
            vectorized=bool(vectorized),
            chunk_bytes=chunk_bytes,
            allow_complex=is_complex,
        )
        evaluations[0] += batch * count
        values = values.reshape(batch, count, f0.size)
        if not np.all(np.isfinite(values)):
            b, r = (int(i) for i in np.argwhere(~np.isfinite(values))[0][:2])
            raise NonFiniteValueError(
                f"{target.role} returned a non-finite value at x + t d (direction {r}, "
                f"t = {ts[b]}); it is finite at the point itself. Choose a smaller `step`, or a "
                f"point farther from where f is undefined."
            )
        out = np.einsum("bkm,km->bk", values, v)
        return out.reshape((*t.shape, count))

    psi_target = Target(f=psi, x=np.zeros(()), wrt=None, others={}, role=target.role)
    psi0 = v @ f0.ravel()
    # A projection must resolve an error in one entry, which it sees scaled by ~1/sqrt(n):
    # the step search aims that much lower (it stops where the error stops improving).
    refine_above = None
    if method.refine_above is not None:
        refine_above = min(method.refine_above, 1e-8 / np.sqrt(x.size))
    est = estimate_tensor(
        psi_target,
        method,
        step=step,
        vectorized=True,
        chunk_bytes=chunk_bytes,
        at_point=(psi0, 0),
        refine_above=refine_above,
    )
    return est, d, v, evaluations[0]


def _join(
    a: tuple[TensorEstimate, np.ndarray, np.ndarray, int],
    b: tuple[TensorEstimate, np.ndarray, np.ndarray, int],
) -> tuple[TensorEstimate, np.ndarray, np.ndarray, int]:
    """Two directional estimates (as returned by `_directional_estimate`) as one."""
    (ea, da, va, na), (eb, db, vb, nb) = a, b
    joined = replace(
        ea,
        value=np.concatenate([ea.value, eb.value]),
        error=np.concatenate([ea.error, eb.error]),
        reliable=np.concatenate([ea.reliable, eb.reliable]),
        kink=np.concatenate([ea.kink, eb.kink]),
        frozen=np.concatenate([ea.frozen, eb.frozen]),
        f_value=np.concatenate([ea.f_value, eb.f_value]),
        evaluations=ea.evaluations + eb.evaluations,
        calls=ea.calls + eb.calls,
        output_epsilon=max(ea.output_epsilon, eb.output_epsilon),
    )
    return joined, np.concatenate([da, db]), np.concatenate([va, vb]), na + nb


#: Entries sampled to compute a directional detection threshold on large Jacobians.
_THRESHOLD_SAMPLE = 200_000


def _directional_threshold(
    d: np.ndarray, v: np.ndarray, tolerance: np.ndarray, scale: float
) -> float:
    """Smallest single-entry error, relative to `scale`, caught at 99% of the entries.

    An error ``e`` in entry ``(i, j)`` of the claim moves the projection ``r`` by
    ``v_ri e d_rj``, which is caught when it exceeds that projection's tolerance ``tol_r``:
    the entry's error is caught when ``e > min_r tol_r / |v_ri d_rj|``. The threshold is the
    99th percentile of that bound over all entries (over a fixed sample of 200,000 entries of
    a larger Jacobian), divided by `scale` (the largest entry of the claim).
    """
    R, m = v.shape
    dm = d.reshape(R, -1)
    n = dm.shape[1]
    if scale == 0 or not np.all(np.isfinite(tolerance)):
        return float("inf")
    if m * n <= _THRESHOLD_SAMPLE:
        vi = np.repeat(np.abs(v), n, axis=1)
        dj = np.tile(np.abs(dm), (1, m))
    else:
        pick = np.random.default_rng(0).integers(0, m * n, _THRESHOLD_SAMPLE)
        vi, dj = np.abs(v)[:, pick // n], np.abs(dm)[:, pick % n]
    tol = np.maximum(tolerance, 1e-300)[:, None]
    sensitivity = np.max(vi * dj / tol, axis=0)
    with np.errstate(divide="ignore"):
        bound = np.where(sensitivity > 0, 1.0 / np.where(sensitivity > 0, sensitivity, 1), np.inf)
    return float(np.quantile(bound, 0.99)) / scale
