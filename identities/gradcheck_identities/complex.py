"""Derivatives by complex variables, each in the convention its source states it in.

A complex variable z = x + iy has two Wirtinger derivatives, ∂f/∂z = (∂f/∂x - i ∂f/∂y)/2 and
∂f/∂z̄ = (∂f/∂x + i ∂f/∂y)/2 (Matrix Cookbook §4.1, eqs. (229) and (230)); for a real f
the complex gradient is ∂f/∂x + i ∂f/∂y = 2 ∂f/∂z̄ (the steepest-ascent direction), and a
holomorphic f has the one complex derivative f'(z) = ∂f/∂z with ∂f/∂z̄ = 0. Every entry names
its convention (see :data:`gradcheck.CONVENTIONS`), and the same function often appears in
several, so that a claim right in one and wrong in another is pinned on both sides. The
denominator layout of a scalar f is the variable's shape; layouts transpose, never conjugate.

Sources: The Matrix Cookbook (Petersen & Pedersen, 15 November 2012), §4 "Complex Matrices":
(229)-(230) the two derivatives, (242)-(243) tr(A X*), (244)-(248) tr(X X^H), (249)-(250)
det(X^H A X), (251)-(252) the ratio of two quadratic forms (all read in the text); the real
case's equations ((49), (57), (60), (63), (91), (99), (101), (122), as the project's reference
table cites them) for holomorphic analogues; the LMS gradient ((90), stated for complex x;
Haykin, *Adaptive Filter Theory*, the complex LMS update w += mu u e*); the
PyTorch "Autograd for Complex Numbers" note and the JAX autodiff cookbook for their
conventions; Kreutz-Delgado, "The Complex Gradient Operator and the CR-Calculus" (2009) for
the quadratic forms and least squares. Each formula below was also derived by hand from the
differential df = Σ (∂f/∂z_j dz_j + ∂f/∂z̄_j dz*_j) (e.g. z^H A z = Σ conj(z_i) A_ij z_j gives
∂f/∂z̄ = A z and ∂f/∂z = A^T z*), and tests/test_complex_catalogue.py checks every entry
against central differences over the real and imaginary parts written in the test. Every
function is batch-polymorphic in its variable (leading axes).

``pitfalls`` at the end of this module: the mistakes the conventions invite, each labelled
with the kind the complex diagnosis gives (``conjugate``, ``conjugate_transpose``,
``wirtinger_factor``, ``not_holomorphic``).
"""

import numpy as np

from gradcheck import pitfall
from gradcheck.catalogue import complex_identity, complex_pitfall

from ._helpers import T, bm, bv, det, dot, expm, inv, mpow, mv, outer, tr

COOKBOOK = "Matrix Cookbook"
KREUTZ = "Kreutz-Delgado 2009, CR-calculus"
LMS = "Matrix Cookbook (90) (stated for complex x, per the reference table); Haykin, complex LMS"
HOLO = "holomorphic: f'(z) (standard)"
TORCH = "PyTorch note 'Autograd for Complex Numbers' (2 dL/dz* for real L)"
JAX = "JAX autodiff cookbook, complex numbers (x^2 + y^2 at 3+4j gives 6-8j)"

Z_VEC = ("n", "complex")
Z_MAT = ("n n", "complex")
A_MAT = ("n n", "complex")
A_HERM = ("n n", "hermitian")


def H(M):
    """Conjugate transpose of the last two axes."""
    return np.conj(T(M))


def cdot(a, b):
    """a^H b along the last axis (a conjugated)."""
    return dot(np.conj(a), b)


def normsq(z):
    """||z||^2 along the last axis, as a real number."""
    return dot(z.real, z.real) + dot(z.imag, z.imag)


# ---------------------------------------------------------------------------------------------
# ||z||^2 in every convention: ∂/∂z = z̄, ∂/∂z̄ = z, complex gradient 2z, PyTorch 2z, JAX 2z̄


@complex_identity(
    derivative=lambda z: z,
    variables={"z": Z_VEC},
    wrt="z",
    convention="conjugate_wirtinger",
    source=f"{COOKBOOK} (247), vector case; {KREUTZ}",
)
def cx_dnormsq_dzbar(z):
    """d||z||^2/dz* = z"""
    return normsq(z)


@complex_identity(
    derivative=lambda z: np.conj(z),
    variables={"z": Z_VEC},
    wrt="z",
    convention="wirtinger",
    source=f"{COOKBOOK} (246), vector case",
)
def cx_dnormsq_dz(z):
    """d||z||^2/dz = conj(z)"""
    return normsq(z)


@complex_identity(
    derivative=lambda z: 2 * z,
    variables={"z": Z_VEC},
    wrt="z",
    convention="complex_gradient",
    source=f"{COOKBOOK} (248), vector case",
)
def cx_grad_normsq(z):
    """grad ||z||^2 = 2 z (complex gradient, 2 d/dz*)"""
    return normsq(z)


@complex_identity(
    derivative=lambda z: 2 * z,
    variables={"z": Z_VEC},
    wrt="z",
    convention="pytorch",
    source=TORCH,
)
def cx_dnormsq_pytorch(z):
    """torch grad of ||z||^2 = 2 z"""
    return normsq(z)


@complex_identity(
    derivative=lambda z: 2 * np.conj(z),
    variables={"z": Z_VEC},
    wrt="z",
    convention="jax",
    source=JAX,
)
def cx_dnormsq_jax(z):
    """jax.grad of ||z||^2 = 2 conj(z)"""
    return normsq(z)


@complex_identity(
    derivative=lambda z: np.eye(z.shape[-1]) * z,
    variables={"z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dabs2_dzbar(z):
    """d|z|.^2/dz* = diag(z) (elementwise |z_i|^2)"""
    return z.real**2 + z.imag**2


# ---------------------------------------------------------------------------------------------
# quadratic forms z^H A z


@complex_identity(
    derivative=lambda z, A: mv(A, z),
    variables={"z": Z_VEC, "A": A_HERM},
    wrt="z",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dzHAz_dzbar_hermitian(z, A):
    """d(z^H A z)/dz* = A z (A Hermitian: f real)"""
    return np.real(cdot(z, mv(A, z)))


@complex_identity(
    derivative=lambda z, A: 2 * mv(A, z),
    variables={"z": Z_VEC, "A": A_HERM},
    wrt="z",
    convention="complex_gradient",
    source=KREUTZ,
)
def cx_grad_zHAz_hermitian(z, A):
    """grad z^H A z = 2 A z (A Hermitian)"""
    return np.real(cdot(z, mv(A, z)))


@complex_identity(
    derivative=lambda z, A: mv(A, z),
    variables={"z": Z_VEC, "A": A_MAT},
    wrt="z",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dzHAz_dzbar(z, A):
    """d(z^H A z)/dz* = A z (any A; f = sum_ij conj(z_i) A_ij z_j)"""
    return cdot(z, mv(A, z))


@complex_identity(
    derivative=lambda z, A: mv(T(A), np.conj(z)),
    variables={"z": Z_VEC, "A": A_MAT},
    wrt="z",
    convention="wirtinger",
    source=KREUTZ,
)
def cx_dzHAz_dz(z, A):
    """d(z^H A z)/dz = A^T conj(z) (any A)"""
    return cdot(z, mv(A, z))


@complex_identity(
    derivative=lambda z, A: mv(A + H(A), z) / 2,
    variables={"z": Z_VEC, "A": A_MAT},
    wrt="z",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dRe_zHAz_dzbar(z, A):
    """d Re(z^H A z)/dz* = (A + A^H) z / 2"""
    return np.real(cdot(z, mv(A, z)))


@complex_identity(
    derivative=lambda z, A: outer(np.conj(z), z),
    variables={"z": Z_VEC, "A": A_MAT},
    wrt="A",
    convention="holomorphic",
    source=KREUTZ,
)
def cx_dzHAz_dA(z, A):
    """d(z^H A z)/dA = conj(z) z^T (linear in A)"""
    return cdot(z, mv(A, z))


@complex_identity(
    derivative=lambda z, A: (mv(A, z) - bv(cdot(z, mv(A, z)).real / normsq(z)) * z) / bv(normsq(z)),
    variables={"z": ("n where n >= 2", "complex"), "A": A_HERM},
    wrt="z",
    convention="conjugate_wirtinger",
    source=KREUTZ,
    note="n >= 2: for n = 1 the quotient is the constant A and its derivative exactly 0",
)
def cx_drayleigh_dzbar(z, A):
    """d(z^H A z / z^H z)/dz* = (A z - R z) / z^H z, R the quotient (A Hermitian)"""
    return np.real(cdot(z, mv(A, z))) / normsq(z)


# ---------------------------------------------------------------------------------------------
# linear functionals and holomorphic vector maps


@complex_identity(
    derivative=lambda a, z: np.conj(a),
    variables={"a": Z_VEC, "z": Z_VEC},
    wrt="z",
    convention="holomorphic",
    source=HOLO,
)
def cx_daHz_dz(a, z):
    """d(a^H z)/dz = conj(a)"""
    return cdot(a, z)


@complex_identity(
    derivative=lambda a, z: a,
    variables={"a": Z_VEC, "z": Z_VEC},
    wrt="z",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dzHa_dzbar(a, z):
    """d(z^H a)/dz* = a (and d/dz = 0: f is antiholomorphic)"""
    return cdot(z, a)


@complex_identity(
    derivative=lambda a, z: a * bv(cdot(a, z)),
    variables={"a": Z_VEC, "z": Z_VEC},
    wrt="z",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dabs_aHz_sq_dzbar(a, z):
    """d|a^H z|^2/dz* = a (a^H z)  (f = (a^H z)(z^H a))"""
    return np.abs(cdot(a, z)) ** 2


@complex_identity(
    derivative=lambda z: 2 * z,
    variables={"z": Z_VEC},
    wrt="z",
    convention="holomorphic",
    source=HOLO,
)
def cx_dzTz_dz(z):
    """d(z^T z)/dz = 2 z (no conjugate: holomorphic)"""
    return dot(z, z)


@complex_identity(
    derivative=lambda A, z: A,
    variables={"A": ("m n", "complex"), "z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
)
def cx_dAz_dz(A, z):
    """d(A z)/dz = A (numerator layout)"""
    return mv(A, z)


@complex_identity(
    derivative=lambda A, z: H(A),
    variables={"A": ("n m", "complex"), "z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
)
def cx_dAHz_dz(A, z):
    """d(A^H z)/dz = A^H (numerator layout; A^H is a constant)"""
    return mv(H(A), z)


# ---------------------------------------------------------------------------------------------
# least squares and the LMS gradient


def _residual(A, x, b):
    return mv(A, x) - b


@complex_identity(
    derivative=lambda A, x, b: mv(H(A), _residual(A, x, b)),
    variables={"A": ("m n", "complex"), "x": Z_VEC, "b": ("m", "complex")},
    wrt="x",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dls_dxbar(A, x, b):
    """d||A x - b||^2/dx* = A^H (A x - b)"""
    return normsq(_residual(A, x, b))


@complex_identity(
    derivative=lambda A, x, b: 2 * mv(H(A), _residual(A, x, b)),
    variables={"A": ("m n", "complex"), "x": Z_VEC, "b": ("m", "complex")},
    wrt="x",
    convention="complex_gradient",
    source=KREUTZ,
)
def cx_grad_ls(A, x, b):
    """grad ||A x - b||^2 = 2 A^H (A x - b) (the normal equations A^H A x = A^H b)"""
    return normsq(_residual(A, x, b))


@complex_identity(
    derivative=lambda A, x, b: outer(_residual(A, x, b), np.conj(x)),
    variables={"A": ("m n", "complex"), "x": Z_VEC, "b": ("m", "complex")},
    wrt="A",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dls_dAbar(A, x, b):
    """d||A x - b||^2/dA* = (A x - b) x^H"""
    return normsq(_residual(A, x, b))


@complex_identity(
    derivative=lambda A, x, b: -_residual(A, x, b),
    variables={"A": ("m n", "complex"), "x": Z_VEC, "b": ("m", "complex")},
    wrt="b",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dls_dbbar(A, x, b):
    """d||A x - b||^2/db* = -(A x - b)"""
    return normsq(_residual(A, x, b))


def _lms_error(d, w, u):
    return d - cdot(w, u)


@complex_identity(
    derivative=lambda d, w, u: -u * np.conj(_lms_error(d, w, u)),
    variables={"d": ("", "complex"), "w": Z_VEC, "u": Z_VEC},
    wrt="w",
    convention="conjugate_wirtinger",
    source=LMS,
)
def cx_lms_dwbar(d, w, u):
    """d|d - w^H u|^2/dw* = -u conj(e), e = d - w^H u"""
    return np.abs(_lms_error(d, w, u)) ** 2


@complex_identity(
    derivative=lambda d, w, u: -2 * u * np.conj(_lms_error(d, w, u)),
    variables={"d": ("", "complex"), "w": Z_VEC, "u": Z_VEC},
    wrt="w",
    convention="complex_gradient",
    source=LMS,
)
def cx_lms_grad(d, w, u):
    """grad |d - w^H u|^2 = -2 u conj(e) (LMS: w += mu u conj(e))"""
    return np.abs(_lms_error(d, w, u)) ** 2


# ---------------------------------------------------------------------------------------------
# traces (Cookbook §4.1.2)


@complex_identity(
    derivative=lambda X: np.conj(X),
    variables={"X": ("n m", "complex")},
    wrt="X",
    convention="wirtinger",
    source=f"{COOKBOOK} (246)",
)
def cx_dtrXXH_dX(X):
    """d tr(X X^H)/dX = X*"""
    return np.sum(X.real**2 + X.imag**2, axis=(-2, -1))


@complex_identity(
    derivative=lambda X: X,
    variables={"X": ("n m", "complex")},
    wrt="X",
    convention="conjugate_wirtinger",
    source=f"{COOKBOOK} (247)",
)
def cx_dtrXXH_dXbar(X):
    """d tr(X X^H)/dX* = X"""
    return np.sum(X.real**2 + X.imag**2, axis=(-2, -1))


@complex_identity(
    derivative=lambda X: 2 * X,
    variables={"X": ("n m", "complex")},
    wrt="X",
    convention="complex_gradient",
    source=f"{COOKBOOK} (248)",
)
def cx_grad_trXXH(X):
    """grad tr(X X^H) = 2 dtr(X X^H)/dX* = 2 X"""
    return np.sum(X.real**2 + X.imag**2, axis=(-2, -1))


@complex_identity(
    derivative=lambda A, X: T(A),
    variables={"A": A_MAT, "X": Z_MAT},
    wrt="X",
    convention="conjugate_wirtinger",
    source=f"{COOKBOOK} (242)-(243) with (230)",
)
def cx_dtrAXconj_dXbar(A, X):
    """d tr(A X*)/dX* = A^T"""
    return tr(A @ np.conj(X))


@complex_identity(
    derivative=lambda A, X: np.zeros_like(X),
    variables={"A": A_MAT, "X": Z_MAT},
    wrt="X",
    convention="wirtinger",
    source=f"{COOKBOOK} (242)-(243) with (229)",
)
def cx_dtrAXconj_dX(A, X):
    """d tr(A X*)/dX = 0"""
    return tr(A @ np.conj(X))


@complex_identity(
    derivative=lambda A, X: A,
    variables={"A": ("n m", "complex"), "X": ("n m", "complex")},
    wrt="X",
    convention="conjugate_wirtinger",
    source=f"{COOKBOOK} §4.1.2",
)
def cx_dtrAXH_dXbar(A, X):
    """d tr(A X^H)/dX* = A"""
    return tr(A @ H(X))


@complex_identity(
    derivative=lambda A, X: T(A),
    variables={"A": ("m n", "complex"), "X": ("n m", "complex")},
    wrt="X",
    convention="holomorphic",
    source=f"{COOKBOOK} (101) (tr(A X) = tr(X A)), holomorphic in X",
)
def cx_dtrAX_dX(A, X):
    """d tr(A X)/dX = A^T"""
    return tr(A @ X)


@complex_identity(
    derivative=lambda A, X: A @ X,
    variables={"A": A_MAT, "X": ("n m", "complex")},
    wrt="X",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dtrXHAX_dXbar(A, X):
    """d tr(X^H A X)/dX* = A X (any A)"""
    return tr(H(X) @ A @ X)


@complex_identity(
    derivative=lambda A, X: T(A) @ np.conj(X),
    variables={"A": A_MAT, "X": ("n m", "complex")},
    wrt="X",
    convention="wirtinger",
    source=KREUTZ,
)
def cx_dtrXHAX_dX(A, X):
    """d tr(X^H A X)/dX = A^T X* (any A)"""
    return tr(H(X) @ A @ X)


@complex_identity(
    derivative=lambda A, U: np.conj(U) @ T(U),
    variables={"A": A_MAT, "U": ("n n", "unitary")},
    wrt="A",
    convention="holomorphic",
    source=HOLO,
    note="conj(U) U^T = I for a unitary U: tr(U^H A U) = tr(A)",
)
def cx_dtrUHAU_dA(A, U):
    """d tr(U^H A U)/dA = conj(U) U^T (= I, U unitary)"""
    return tr(H(U) @ A @ U)


# ---------------------------------------------------------------------------------------------
# determinants (Cookbook §4.1.3) and log-determinants


def _gram(X, A):
    return H(X) @ A @ X


@complex_identity(
    derivative=lambda X, A: bm(det(_gram(X, A))) * T(inv(_gram(X, A)) @ H(X) @ A),
    variables={"X": ("m n where m >= n", "complex"), "A": ("m m", "hpd")},
    wrt="X",
    convention="wirtinger",
    source=f"{COOKBOOK} (249)",
)
def cx_ddetXHAX_dX(X, A):
    """d det(X^H A X)/dX = det(X^H A X) ((X^H A X)^-1 X^H A)^T"""
    return det(_gram(X, A))


@complex_identity(
    derivative=lambda X, A: bm(det(_gram(X, A))) * (A @ X @ inv(_gram(X, A))),
    variables={"X": ("m n where m >= n", "complex"), "A": ("m m", "hpd")},
    wrt="X",
    convention="conjugate_wirtinger",
    source=f"{COOKBOOK} (250)",
)
def cx_ddetXHAX_dXbar(X, A):
    """d det(X^H A X)/dX* = det(X^H A X) A X (X^H A X)^-1"""
    return det(_gram(X, A))


@complex_identity(
    derivative=lambda Z: bm(det(Z)) * T(inv(Z)),
    variables={"Z": ("n n", "complex_invertible")},
    wrt="Z",
    convention="holomorphic",
    source=f"{COOKBOOK} (49), holomorphic in Z",
)
def cx_ddet_dZ(Z):
    """d det(Z)/dZ = det(Z) Z^-T"""
    return det(Z)


@complex_identity(
    derivative=lambda Z: T(inv(Z)),
    variables={"Z": ("n n", "hpd")},
    wrt="Z",
    convention="holomorphic",
    source=f"{COOKBOOK} (57), holomorphic in Z",
    note="log det Z at Hermitian positive definite Z (det real positive, off the branch cut)",
)
def cx_dlogdet_dZ(Z):
    """d log det(Z)/dZ = Z^-T"""
    return np.log(det(Z))


@complex_identity(
    derivative=lambda Z: H(inv(Z)),
    variables={"Z": ("n n", "complex_invertible")},
    wrt="Z",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dlogabsdet2_dZbar(Z):
    """d log|det Z|^2/dZ* = Z^-H  (log det Z + log det Z*)"""
    return 2 * np.linalg.slogdet(Z)[1]


@complex_identity(
    derivative=lambda Z: 2 * H(inv(Z)),
    variables={"Z": ("n n", "complex_invertible")},
    wrt="Z",
    convention="complex_gradient",
    source=KREUTZ,
)
def cx_grad_logabsdet2(Z):
    """grad log|det Z|^2 = 2 Z^-H"""
    return 2 * np.linalg.slogdet(Z)[1]


# ---------------------------------------------------------------------------------------------
# inverses, powers and holomorphic matrix functions


@complex_identity(
    derivative=lambda Z: -np.einsum("ik,lj->ijkl", inv(Z), inv(Z)),
    variables={"Z": ("n n", "complex_invertible")},
    wrt="Z",
    layout="tensor",
    convention="holomorphic",
    source=f"{COOKBOOK} (60), holomorphic in Z",
)
def cx_dZinv_dZ(Z):
    """d(Z^-1)_ij/dZ_kl = -(Z^-1)_ik (Z^-1)_lj"""
    return inv(Z)


@complex_identity(
    derivative=lambda A, Z: -T(inv(Z) @ A @ inv(Z)),
    variables={"A": A_MAT, "Z": ("n n", "complex_invertible")},
    wrt="Z",
    convention="holomorphic",
    source=f"{COOKBOOK} (63), holomorphic in Z",
)
def cx_dtrAZinv_dZ(A, Z):
    """d tr(A Z^-1)/dZ = -(Z^-1 A Z^-1)^T"""
    return tr(A @ inv(Z))


@complex_identity(
    derivative=lambda Z: 3 * T(mpow(Z, 2)),
    variables={"Z": Z_MAT},
    wrt="Z",
    convention="holomorphic",
    source=f"{COOKBOOK} (122) with k = 3, holomorphic in Z",
)
def cx_dtrZ3_dZ(Z):
    """d tr(Z^3)/dZ = 3 (Z^2)^T"""
    return tr(Z @ Z @ Z)


@complex_identity(
    derivative=lambda Z: (
        np.einsum("ik,lj->ijkl", np.eye(len(Z)), Z) + np.einsum("ik,lj->ijkl", Z, np.eye(len(Z)))
    ),
    variables={"Z": Z_MAT},
    wrt="Z",
    layout="tensor",
    convention="holomorphic",
    source=f"{COOKBOOK} (91) with n = 2, holomorphic in Z",
)
def cx_dZ2_dZ(Z):
    """d(Z^2)_ij/dZ_kl = delta_ik Z_lj + Z_ik delta_lj"""
    return Z @ Z


@complex_identity(
    derivative=lambda Z: T(expm(Z)),
    variables={"Z": Z_MAT},
    wrt="Z",
    convention="holomorphic",
    source=f"{COOKBOOK} (99) with F = exp, holomorphic in Z",
)
def cx_dtrexpZ_dZ(Z):
    """d tr(exp Z)/dZ = exp(Z)^T"""
    return tr(expm(Z))


@complex_identity(
    derivative=lambda Z: T(inv(Z)),
    variables={"Z": ("n n", "hpd")},
    wrt="Z",
    convention="holomorphic",
    source=f"{COOKBOOK} (99) with F = log (tr log Z = log det Z), holomorphic in Z",
    note="tr log Z as the sum of the logarithms of the eigenvalues, at Hermitian positive "
    "definite Z (eigenvalues off the branch cut, well-conditioned)",
)
def cx_dtrlogZ_dZ(Z):
    """d tr(log Z)/dZ = Z^-T"""
    return np.sum(np.log(np.linalg.eigvals(Z)), axis=-1)


# ---------------------------------------------------------------------------------------------
# holomorphic elementwise functions (Jacobians diag f'(z), numerator layout) and one that is not


def _diag(values):
    return np.eye(values.shape[-1]) * values[..., None, :]


@complex_identity(
    derivative=lambda z: _diag(np.exp(z)),
    variables={"z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
)
def cx_dexp_dz(z):
    """d exp(z)/dz = diag(exp(z))"""
    return np.exp(z)


@complex_identity(
    derivative=lambda z: _diag(np.cos(z)),
    variables={"z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
)
def cx_dsin_dz(z):
    """d sin(z)/dz = diag(cos(z))"""
    return np.sin(z)


@complex_identity(
    derivative=lambda z: _diag(3 * z**2),
    variables={"z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
)
def cx_dpow3_dz(z):
    """d z.^3/dz = diag(3 z.^2)"""
    return z**3


@complex_identity(
    derivative=lambda z: _diag(-1 / z**2),
    variables={"z": ("n", "complex_nonzero")},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
)
def cx_dreciprocal_dz(z):
    """d(1/z)/dz = diag(-1/z.^2)"""
    return 1 / z


@complex_identity(
    derivative=lambda z: _diag(1 / z),
    variables={"z": ("n", "complex_slit")},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
    note="principal branch, at points 0.64 rad or more from the cut on the negative real axis",
)
def cx_dlog_dz(z):
    """d log(z)/dz = diag(1/z)"""
    return np.log(z)


@complex_identity(
    derivative=lambda z: _diag(0.5 / np.sqrt(z)),
    variables={"z": ("n", "complex_slit")},
    wrt="z",
    layout="numerator",
    convention="holomorphic",
    source=HOLO,
    note="principal branch, away from the cut on the negative real axis",
)
def cx_dsqrt_dz(z):
    """d sqrt(z)/dz = diag(1/(2 sqrt(z)))"""
    return np.sqrt(z)


@complex_identity(
    derivative=lambda z: np.conj(np.exp(z)),
    variables={"z": Z_VEC},
    wrt="z",
    convention="pytorch",
    source=f"{TORCH}: conj(f'(z)) for a holomorphic f",
)
def cx_dsumexp_pytorch(z):
    """torch gradient of sum(exp(z)) = conj(exp(z))"""
    return np.sum(np.exp(z), axis=-1)


@complex_identity(
    derivative=lambda z: _diag(2 * z * np.conj(z)),
    variables={"z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="wirtinger",
    source=KREUTZ,
)
def cx_dzbar_z2_dz(z):
    """d(conj(z) z.^2)/dz = diag(2 z conj(z))  (not holomorphic)"""
    return np.conj(z) * z**2


@complex_identity(
    derivative=lambda z: _diag(z**2),
    variables={"z": Z_VEC},
    wrt="z",
    layout="numerator",
    convention="conjugate_wirtinger",
    source=KREUTZ,
)
def cx_dzbar_z2_dzbar(z):
    """d(conj(z) z.^2)/dz* = diag(z.^2)"""
    return np.conj(z) * z**2


# ---------------------------------------------------------------------------------------------
# the ratio of two quadratic forms (Cookbook (251)-(252))


def _ratio_parts(A, B, x):
    num = normsq(mv(A, x))
    den = normsq(mv(B, x))
    return num, den


def _ratio_gradient(A, B, x):
    num, den = _ratio_parts(A, B, x)
    AHAx, BHBx = mv(H(A), mv(A, x)), mv(H(B), mv(B, x))
    return 2 * AHAx / bv(den) - 2 * bv(num) * BHBx / bv(den) ** 2


@complex_identity(
    derivative=_ratio_gradient,
    variables={
        "A": ("p n", "complex"),
        "B": ("n n", "complex_invertible"),
        "x": ("n where n >= 2", "complex"),
    },
    wrt="x",
    convention="complex_gradient",
    source=f"{COOKBOOK} (251)-(252)",
    note="the Cookbook writes (252) as d/dx; its value is the complex gradient 2 d/dx* "
    "(for real x the two agree); n >= 2, for n = 1 the ratio is constant",
)
def cx_dratio_quadforms_grad(A, B, x):
    """grad (A x)^H (A x) / (B x)^H (B x) = 2 A^H A x / x^H B^H B x - 2 x^H A^H A x B^H B x / (x^H B^H B x)^2"""  # noqa: E501
    num, den = _ratio_parts(A, B, x)
    return num / den


# ---------------------------------------------------------------------------------------------
# pitfalls: the mistakes the conventions invite

cx_w_normsq_missing_conj = pitfall(
    "cx_w_normsq_missing_conj",
    corrects=cx_dnormsq_dzbar,
    mistake="conjugate",
    derivative=lambda z: np.conj(z),
    note="conj(z) is d/dz: a conjugate missing (or one too many) for d/dz*",
)

cx_w_normsq_factor2 = pitfall(
    "cx_w_normsq_factor2",
    corrects=cx_grad_normsq,
    mistake="wirtinger_factor",
    derivative=lambda z: z,
    note="z is d/dz*; the complex gradient is twice that",
)

cx_w_zHAz_holomorphic = complex_pitfall(
    "cx_w_zHAz_holomorphic",
    corrects=cx_dzHAz_dz,
    mistake="not_holomorphic",
    derivative=lambda z, A: mv(T(A), np.conj(z)),
    convention="holomorphic",
    note="z^H A z depends on z̄ (its d/dz* is A z): it has no complex derivative f'(z), only "
    "the Wirtinger pair",
)

cx_w_normsq_jax_as_torch = pitfall(
    "cx_w_normsq_jax_as_torch",
    corrects=cx_dnormsq_pytorch,
    mistake="conjugate",
    derivative=lambda z: 2 * np.conj(z),
    note="2 conj(z) is jax.grad; torch's gradient of a real loss is its conjugate",
)

cx_w_zHAz_factor2 = pitfall(
    "cx_w_zHAz_factor2",
    corrects=cx_dzHAz_dzbar_hermitian,
    mistake="wirtinger_factor",
    derivative=lambda z, A: 2 * mv(A, z),
    note="2 A z is the complex gradient (or the real-variable gradient), not d/dz*",
)

cx_w_ls_missing_conj = pitfall(
    "cx_w_ls_missing_conj",
    corrects=cx_dls_dxbar,
    mistake="conjugate",
    derivative=lambda A, x, b: mv(T(A), np.conj(_residual(A, x, b))),
    note="A^T conj(A x - b) is d/dx, the conjugate of d/dx*",
)

cx_w_lms_factor2 = pitfall(
    "cx_w_lms_factor2",
    corrects=cx_lms_grad,
    mistake="wirtinger_factor",
    derivative=lambda d, w, u: -u * np.conj(_lms_error(d, w, u)),
    note="-u conj(e) is d/dw*; the LMS step along the complex gradient has the factor 2",
)

cx_w_trXXH_factor2 = pitfall(
    "cx_w_trXXH_factor2",
    corrects=cx_grad_trXXH,
    mistake="wirtinger_factor",
    derivative=lambda X: X,
    note="Cookbook (247), d/dX*, taken for the complex gradient (248)",
)

cx_w_detXHAX_conj = pitfall(
    "cx_w_detXHAX_conj",
    corrects=cx_ddetXHAX_dXbar,
    mistake="conjugate",
    derivative=lambda X, A: bm(det(_gram(X, A))) * T(inv(_gram(X, A)) @ H(X) @ A),
    note="Cookbook (249), d/dX, taken for (250), d/dX*; with A Hermitian positive definite "
    "det(X^H A X) is real, so (249) is the conjugate of d/dX*",
)

cx_w_Az_conjugate_transpose = pitfall(
    "cx_w_Az_conjugate_transpose",
    corrects=cx_dAz_dz,
    mistake="conjugate_transpose",
    derivative=lambda A, z: H(A),
    layout="denominator",
    variables={"A": "m n where m >= 2, n >= 2"},
    note="the denominator layout is the transpose A^T, not the conjugate transpose A^H",
)

cx_w_AHz_transpose = pitfall(
    "cx_w_AHz_transpose",
    corrects=cx_dAHz_dz,
    mistake="conjugate_transpose",
    derivative=lambda A, z: A,
    layout="denominator",
    variables={"A": "n m where m >= 2, n >= 2"},
    note="(A^H)^T = conj(A) in the denominator layout; A is the conjugate transpose of A^H",
)

cx_w_trAX_conj_transpose = pitfall(
    "cx_w_trAX_conj_transpose",
    corrects=cx_dtrAX_dX,
    mistake="conjugate",
    derivative=lambda A, X: H(A),
    note="d tr(A X)/dX = A^T: A^H conjugates a holomorphic derivative",
)

cx_w_zbar_z2_holomorphic = complex_pitfall(
    "cx_w_zbar_z2_holomorphic",
    corrects=cx_dzbar_z2_dz,
    mistake="not_holomorphic",
    derivative=lambda z: _diag(2 * z * np.conj(z)),
    convention="holomorphic",
    note="treating conj(z) as a constant: f depends on z̄, so f'(z) does not exist",
)

cx_w_sumexp_pytorch_unconjugated = pitfall(
    "cx_w_sumexp_pytorch_unconjugated",
    corrects=cx_dsumexp_pytorch,
    mistake="conjugate",
    derivative=lambda z: np.exp(z),
    note="f'(z) is JAX's (and the holomorphic) gradient; PyTorch's is its conjugate",
)
