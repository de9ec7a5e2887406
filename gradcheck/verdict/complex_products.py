"""Vector-Jacobian and Jacobian-vector products by a complex variable.

:func:`gradcheck.check_vjp` and :func:`gradcheck.check_jvp` come here when the variable is
complex. With ``D = ∂f/∂z`` and ``D̄ = ∂f/∂z̄`` (tensor layout, entries ``[k, j]``):

* the **JVP** is the real-linear differential ``jvp(t)_k = Σ_j D_kj t_j + D̄_kj conj(t_j)``,
  which needs no convention (JAX autodiff cookbook, "Complex numbers and differentiation":
  the JVP ``[1 i] J [c d]^T`` of the tangent ``c + di``); ``convention="holomorphic"`` checks
  ``jvp(t) = D t`` and requires the Cauchy-Riemann equations;
* the **VJP** of a cotangent ``g`` (output-shaped, complex) in a convention with coefficients
  ``a, b, c, d`` (see :mod:`gradcheck.engine.conventions`) is
  ``vjp(g)_j = Σ_k g_k (a D + c conj(D))_kj + conj(g_k) (b D̄ + d conj(D̄))_kj``:
  the terms in ``D`` meet ``g``, those in ``D̄`` meet ``conj(g)``, so that ``g = 1`` gives the
  convention's value. For ``pytorch`` this is ``conj(g) D̄ + g conj(D)``, the numerical VJP of
  ``torch/autograd/gradcheck.py`` (``grad_out.conjugate() * conj_w_d + grad_out * w_d.conj()``);
  for ``jax`` it is ``g D + conj(g) conj(D̄)``, JAX's VJP ``[c, -d] J [1, -i]^T`` of the
  cotangent ``c + di`` (same cookbook section).

The cotangents of a real-valued f are real. The claimed product is applied to the basis
vectors ``e_r`` and (for complex inputs) ``i e_r`` of its input when
that has at most :data:`BASIS_MAX_SIZE` entries (so every entry of the derivative is checked
and a failure is located), else to :data:`RANDOM_VECTORS` random complex vectors; each product
is compared entry by entry, under :func:`gradcheck.check`'s tolerance rule, with the one the
numerical Wirtinger pair gives (one full estimate: ``2n`` real coordinates).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..engine import (
    ComplexPairTarget,
    Convention,
    WirtingerPair,
    convention_named,
    estimate_tensor,
    make_complex_target,
    pair_step,
    rng_from_seed,
    validate_complex_method,
    validated_convention,
    wirtinger_pair,
)
from ..errors import ConventionError, NonFiniteValueError, ShapeMismatchError
from .check import headline_text
from .complex_check import ComplexCheckResult, cauchy_riemann, compare_complex, pair_fields
from .complex_diagnosis import diagnose_complex
from .options import DirectionalOptions

__all__ = ["BASIS_MAX_SIZE", "RANDOM_VECTORS", "check_complex_product"]

#: Largest input of a product applied to all basis vectors (and ``i`` times them).
BASIS_MAX_SIZE = 32
#: Random complex vectors a larger product is applied to.
RANDOM_VECTORS = 8
#: What `convention` of a JVP result reads when none was given: the differential itself.
DIFFERENTIAL = "differential"


def _vectors(shape: tuple[int, ...], rng: np.random.Generator, *, real: bool) -> np.ndarray:
    """The vectors a product is applied to, stacked along a new leading axis (`real`: real
    ones only, the cotangents of a real-valued f)."""
    size = int(np.prod(shape, dtype=int))
    if size <= BASIS_MAX_SIZE:
        basis = np.eye(size, dtype=np.complex128)
        stack = basis if real else np.concatenate([basis, 1j * basis])
        return stack.reshape((len(stack), *shape))
    real_part, imag_part = rng.standard_normal((2, RANDOM_VECTORS, *shape))
    if real:
        return real_part.astype(np.complex128)
    return (real_part + 1j * imag_part) / np.sqrt(2)


def _vjp_values(
    conv: Convention, dz: np.ndarray, dzbar: np.ndarray, error: np.ndarray, g: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(vjp(g), error bound) per the rule in the module docstring; `g` is a stack."""
    n_out = g.ndim - 1
    axes = (tuple(range(1, n_out + 1)), tuple(range(n_out)))
    with_g = conv.a * dz + conv.c * np.conj(dz)
    with_conj_g = conv.b * dzbar + conv.d * np.conj(dzbar)
    value = np.tensordot(g, with_g, axes) + np.tensordot(np.conj(g), with_conj_g, axes)
    weight = sum(conv.error_weights)
    return value, weight * np.tensordot(np.abs(g), error, axes)


def _jvp_values(
    holomorphic: bool, dz: np.ndarray, dzbar: np.ndarray, error: np.ndarray, t: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(jvp(t), error bound): the differential, or ``D t`` for a holomorphic claim."""
    n_in = t.ndim - 1
    axes = (tuple(range(1, n_in + 1)), tuple(range(dz.ndim - n_in, dz.ndim)))
    value = np.tensordot(t, dz, axes)
    if not holomorphic:
        value = value + np.tensordot(np.conj(t), dzbar, axes)
    err = (1 if holomorphic else 2) * np.tensordot(np.abs(t), error, axes)
    return value, err


def _jvp_convention(convention: object) -> Convention | None:
    """None (the differential) or the holomorphic convention; other names are refused."""
    if convention is None:
        return None
    conv = convention_named(convention)
    if conv is not None and conv.holomorphic:
        return conv
    raise ConventionError(
        f"a JVP by a complex variable is the real-linear differential "
        f"∂f/∂z t + ∂f/∂z̄ conj(t), the same in every convention: drop `convention` (or pass "
        f"'holomorphic' to check f'(z) t and the Cauchy-Riemann equations); got {convention!r}."
    )


def _claimed_products(
    product: Callable[..., Any], target: Any, vectors: np.ndarray, out_shape: tuple, form: str
) -> np.ndarray:
    """The claimed product applied to every vector, validated, stacked."""
    what = "cotangent" if form == "vjp" else "tangent"
    outputs = []
    for vector in vectors:
        bound = replace(
            target.inner, f=_bind_vector(product, vector, target.wrt is None), role=f"the {form}"
        )
        where = f"on a {what} of shape {vector.shape}"
        value = np.asarray(bound.call(target.z.copy(), where))
        if value.dtype.kind not in "fiuc":
            raise ShapeMismatchError(
                f"the {form} returned dtype {value.dtype} {where}; it must return numbers."
            )
        if value.shape != out_shape:
            raise ShapeMismatchError(
                f"the {form} returned shape {value.shape} {where}; it must return shape "
                f"{out_shape}."
            )
        outputs.append(value.astype(np.complex128))
    out = np.array(outputs)
    if not np.all(np.isfinite(out)):
        raise NonFiniteValueError(f"the {form} returned a non-finite value.")
    return out


def _bind_vector(product: Callable[..., Any], vector: np.ndarray, bare: bool):
    """The product at one fixed vector, as a function of the point (a private copy each call)."""
    if bare:
        return lambda z: product(vector.copy(), z)
    return lambda **point: product(vector.copy(), **point)


def check_complex_product(
    form: str,
    f: Callable[..., Any],
    product: Callable[..., Any],
    point: Any,
    *,
    wrt: str | None,
    convention: object,
    options: DirectionalOptions,
) -> ComplexCheckResult:
    """:func:`gradcheck.check_vjp` / :func:`gradcheck.check_jvp` at a complex point (see the
    module docstring)."""
    target = make_complex_target(f, point, wrt)
    if form == "vjp":
        conv = validated_convention(convention, target, allow_auto=False)
    else:
        conv = _jvp_convention(convention)
    m = validate_complex_method(options.method)
    engine = {"vectorized": options.vectorized, "chunk_bytes": options.chunk_bytes}
    est = estimate_tensor(target, m, step=pair_step(options.step), **engine)
    pair = wirtinger_pair(est, target.complex_output)
    f_shape, z_shape = pair.f_shape, target.z.shape
    in_shape, out_shape = (f_shape, z_shape) if form == "vjp" else (z_shape, f_shape)
    real_cotangents = form == "vjp" and not target.complex_output  # a real f's outputs
    vectors = _vectors(in_shape, rng_from_seed(options.seed), real=real_cotangents)
    claimed = _claimed_products(product, target, vectors, out_shape, form)

    def numerical_in(other: Convention | None, dzbar: np.ndarray | None):
        bar = pair.dzbar if dzbar is None else dzbar
        if form == "vjp" and other is not None:
            return _vjp_values(other, pair.dz, bar, pair.error, vectors)
        holomorphic = other is not None and other.holomorphic
        return _jvp_values(holomorphic, pair.dz, bar, pair.error, vectors)

    numerical, error = numerical_in(conv, None)
    products = _Products(claimed, numerical, error, evaluations=est.evaluations + 1)
    result = _product_verdict(form, target, pair, products, conv, options)
    if result.status == "passed":
        return result
    tol = options.tolerances(options.finite_differences.rtol)
    return replace(result, diagnosis=diagnose_complex(result, conv, tol, numerical_in))


@dataclass(frozen=True)
class _Products:
    """The stacked products compared: the claimed ones, and the numerical ones with their
    error estimates and the evaluations of f they took (the estimate's, and one at the
    point)."""

    claimed: np.ndarray
    numerical: np.ndarray
    error: np.ndarray
    evaluations: int


def _product_verdict(
    form: str,
    target: ComplexPairTarget,
    pair: WirtingerPair,
    products: _Products,
    conv: Convention | None,
    options: DirectionalOptions,
) -> ComplexCheckResult:
    """The verdict on the stacked products (a ComplexCheckResult, layout "tensor")."""
    claimed, numerical, error = products.claimed, products.numerical, products.error
    tol = options.tolerances(options.finite_differences.rtol)  # each product entry is exact
    reliable = np.ones(claimed.shape, dtype=bool)
    if not np.all(pair.reliable):
        reliable[...] = False
    cr = cauchy_riemann(pair, tol)
    comparison = compare_complex(claimed, numerical, error, reliable, tol, pair)
    if conv is not None and conv.holomorphic and cr != "passed" and comparison.status != "failed":
        comparison = replace(comparison, status="failed" if cr == "failed" else cr)
    name = DIFFERENTIAL if conv is None else conv.name
    var = "z" if target.wrt is None else target.wrt
    what = f"{form} by {var} (f: {pair.f_shape}, {var}: {target.z.shape}, complex), {name}"
    how = f"{options.method}, {products.evaluations} evaluations, {len(claimed)} {form}s"
    return ComplexCheckResult(
        **comparison.result_fields(),
        numerical=numerical,
        claimed=claimed,
        error_estimate=error,
        reliable=reliable,
        evaluations=products.evaluations,
        layout="tensor",
        method=options.method,
        wrt=target.wrt,
        f_shape=pair.f_shape,
        x_shape=target.z.shape,
        headline=headline_text(comparison.status, what, comparison, "product", how),
        convention=name,
        satisfied_conventions=(name,) if comparison.passed and conv is not None else (),
        cauchy_riemann=cr,
        **pair_fields(pair),
        form=form,
    )
