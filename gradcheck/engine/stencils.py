"""Finite-difference methods as small tables: where to evaluate and how to combine.

Every method evaluates ``f`` at ``x + c*h*e_j`` for a few multiples ``c`` of a base step ``h``
(``e_j`` the j-th coordinate direction) and forms difference quotients ``D(c)``:

* one-sided (``"forward"``): ``D(c) = (f(x + c h) - f(x)) / (c h)``
  ``= f' + (c h/2) f'' + O(h^2)``;
* central: ``D(c) = (f(x + c h) - f(x - c h)) / (2 c h)``
  ``= f' + (c h)^2/6 f''' + (c h)^4/120 f^(5) + ...`` (only even powers of ``c h``);
* complex step (``"complex"``): ``D(c) = Im f(x + i c h) / (c h)``
  ``= f' - (c h)^2/6 f''' + ...``, free of subtractive cancellation.

Because the central error series has only even powers, Richardson extrapolation removes its
leading term: ``(4 D(c) - D(2c)) / 3 = f' + O(h^4)`` (this is the 5-point stencil
``(-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h``), and repeating with ``16`` removes the
``h^4`` term: ``"richardson"`` extrapolates ``D(4h), D(2h), D(h)`` to order ``h^6``.

The method's value and its truncation-error estimate are both fixed linear combinations of
the ``D(c)``, stored below as ``{c: weight}`` dictionaries; the estimate is the difference
between the value and a lower-order (or larger-step) approximation, which for smooth ``f`` is
dominated by the leading error term of the less accurate of the two.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

EPS = float(np.finfo(np.float64).eps)


@dataclass(frozen=True)
class Method:
    """One finite-difference method.

    Attributes
    ----------
    name : str
        Public name.
    kind : {"forward", "central", "complex"}
        Shape of the difference quotients ``D(c)``.
    multiples : tuple of int
        The multiples ``c`` of the base step at which ``D(c)`` is formed.
    value : dict
        ``{c: weight}``: the method's derivative is ``sum(weight * D(c))``.
    truncation : dict
        ``{c: weight}``: ``|sum(weight * D(c))|`` estimates the truncation error of the value.
    relative_step : float
        Default base step relative to each coordinate's scale.
    order : int
        Order of the truncation error of the value in ``h``.
    refine_above : float or None
        Coordinates whose error estimate exceeds this fraction of the largest entry get their
        step searched (see ``_engine._search_steps``); None: never. Chosen so that, where f
        allows it, the tolerance stays below the method's detection target (central 1e-8,
        central4 1e-9, richardson 1e-10 of the largest entry).
    """

    name: str
    kind: str
    multiples: tuple[int, ...]
    value: dict[int, float]
    truncation: dict[int, float]
    relative_step: float
    order: int
    refine_above: float | None

    @property
    def rtol(self) -> float:
        """Default relative allowance of a check, from the method's error model.

        With ``f`` accurate to ``eps`` and derivatives of order one, the total error
        ``C h^p + eps / h`` of an order-``p`` difference is smallest at ``h ~ eps^(1/(p+1))``,
        where it is ``~ eps^(p/(p+1))``: nothing finer can be resolved, so 16 times that is
        allowed on top of the per-entry error estimate (forward 2.4e-7, central 5.9e-10,
        central4 4.8e-12, richardson 6.1e-13). The complex step has no subtractive cancellation;
        its allowance, 64 eps (1.4e-14), covers rounding in the claimed formula itself.
        """
        if self.kind == "complex":
            return 64 * EPS
        return max(16 * EPS ** (self.order / (self.order + 1)), 64 * EPS)

    @property
    def offsets(self) -> tuple[int, ...]:
        """Signed multiples of ``h`` at which ``f`` is evaluated (the centre ``x`` excluded)."""
        if self.kind == "central":
            return tuple(s * c for c in self.multiples for s in (1, -1))
        return self.multiples

    @property
    def kink_weights(self) -> dict[int, float]:
        """Weights ``w_c`` of second differences ``s(c) = f(x+ch) + f(x-ch) - 2f(x)``.

        For smooth ``f``, ``s(c)`` is a series in even powers ``(c h)^2, (c h)^4, ...``; at a kink
        (slopes ``f'_-`` and ``f'_+``) it is ``|f'_+ - f'_-| c h`` to leading order. The weights
        cancel the first ``len(multiples) - 1`` even powers, so ``sum(w_c s(c))`` vanishes to
        high order for smooth ``f`` and equals ``jump * h * sum(w_c c)`` at a kink. The weight
        of the smallest multiple is 1. Empty for methods without a central stencil.
        """
        if self.kind != "central":
            return {}
        return dict(_kink_weights(tuple(sorted(self.multiples))))

    def noise_factor(self, weights: dict[int, float]) -> float:
        """Bound on ``|sum(w * D(c))|`` per unit rounding error ``delta`` of ``f``, times ``h``.

        A central ``D(c)`` changes by at most ``delta / (c h)`` when each ``f`` value is off by
        ``delta``; a one-sided one by ``2 delta / (c h)``; a complex-step one by ``delta/(c h)``.
        """
        per_unit = 2.0 if self.kind == "forward" else 1.0
        return float(sum(abs(w) * per_unit / c for c, w in weights.items()))


@functools.cache
def _kink_weights(cs: tuple[int, ...]) -> tuple[tuple[int, float], ...]:
    """The weights of :attr:`Method.kink_weights` for the sorted multiples `cs`, solved once
    per stencil (the catalogue asked for them some 16,000 times per run)."""
    k = len(cs)
    powers = np.array([[float(c) ** (2 * p) for c in cs] for p in range(1, k)])
    # Solve powers @ w = 0 with w[0] = 1.
    w_rest = np.linalg.solve(powers[:, 1:], -powers[:, 0]) if k > 1 else np.array([])
    return tuple(zip(cs, [1.0, *w_rest.tolist()], strict=True))


def _richardson_table(multiples: tuple[int, ...]) -> list[list[dict[int, float]]]:
    """Richardson table over central quotients at decreasing steps, as weight dictionaries.

    ``multiples`` are ordered from the largest step to the smallest, each half the previous.
    ``T[i][0] = D(multiples[i])`` and ``T[i][k] = T[i][k-1] + (T[i][k-1] - T[i-1][k-1])/(4^k - 1)``
    eliminates the ``h^(2k)`` term, so ``T[i][k]`` has error ``O(h^(2k+2))``.
    """
    table: list[list[dict[int, float]]] = []
    for i, c in enumerate(multiples):
        row = [{c: 1.0}]
        for k in range(1, i + 1):
            a, b = row[k - 1], table[i - 1][k - 1]
            factor = 1.0 / (4.0**k - 1.0)
            combo = {m: a.get(m, 0.0) * (1 + factor) - b.get(m, 0.0) * factor for m in a.keys() | b}
            row.append(combo)
        table.append(row)
    return table


def _difference(a: dict[int, float], b: dict[int, float], scale: float = 1.0):
    return {m: (a.get(m, 0.0) - b.get(m, 0.0)) * scale for m in a.keys() | b}


_RICHARDSON = _richardson_table((4, 2, 1))
_CENTRAL4 = _richardson_table((4, 2, 1))

METHODS: dict[str, Method] = {
    "forward": Method(
        name="forward",
        kind="forward",
        multiples=(1, 2),
        value={1: 1.0},
        truncation={1: -1.0, 2: 1.0},  # D(2h) - D(h) ~ (h/2) f''
        relative_step=2.0**-26,  # sqrt(eps): balances h f''/2 against 2 eps |f| / h
        order=1,
        refine_above=1e-6,
    ),
    "central": Method(
        name="central",
        kind="central",
        multiples=(1, 2),
        value={1: 1.0},
        truncation={1: 1 / 3, 2: -1 / 3},  # (D(h) - D(2h)) / 3 ~ -h^2 f'''/6
        relative_step=EPS ** (1 / 3),  # balances h^2 f'''/6 against eps |f| / h
        order=2,
        refine_above=2e-9,
    ),
    "central4": Method(
        name="central4",
        kind="central",
        multiples=(1, 2, 4),
        value=_CENTRAL4[2][1],  # (4 D(h) - D(2h)) / 3, the 5-point stencil
        truncation=_difference(_CENTRAL4[2][1], _CENTRAL4[1][1], 1 / 15),
        relative_step=EPS ** (1 / 5),
        order=4,
        refine_above=1e-10,
    ),
    "richardson": Method(
        name="richardson",
        kind="central",
        multiples=(4, 2, 1),
        value=_RICHARDSON[2][2],
        truncation=_difference(_RICHARDSON[2][2], _RICHARDSON[2][1]),
        relative_step=2.5e-3,  # largest step 4h = 1% of the coordinate's scale
        order=6,
        refine_above=2e-11,
    ),
    "complex": Method(
        name="complex",
        kind="complex",
        multiples=(1, 3),
        value={1: 1.0},
        # D(h) and D(3h) agree to far below rounding; their difference samples the rounding
        # error of the imaginary parts (a factor 3, unlike 2, changes the rounding).
        truncation={1: 1.0, 3: -1.0},
        relative_step=1e-20,
        order=2,
        refine_above=None,
    ),
}

METHOD_NAMES: tuple[str, ...] = tuple(METHODS)
