"""A first check: is the hand-derived gradient of x^T A x right?"""

import numpy as np

import gradcheck

rng = np.random.default_rng(0)
point = {"x": rng.standard_normal(4), "A": rng.standard_normal((4, 4))}


def f(x, A):
    return x @ A @ x


print(gradcheck.check(f, lambda x, A: (A + A.T) @ x, point, wrt="x"), end="\n\n")  # right
print(gradcheck.check(f, lambda x, A: 2 * A @ x, point, wrt="x"))  # only for symmetric A
