"""A first check: is the hand-derived gradient of x^T A x right?"""

import numpy as np

import gradcheck

rng = np.random.default_rng(0)
A = rng.standard_normal((4, 4))
x = rng.standard_normal(4)


def f(x):
    return x @ A @ x


print(gradcheck.check(f, (A + A.T) @ x, x), end="\n\n")  # correct for every A
print(gradcheck.check(f, 2 * A @ x, x))  # right only for symmetric A
