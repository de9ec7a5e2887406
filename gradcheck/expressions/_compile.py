"""``compile_expression``: parse once, then call like a function of the variables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._evaluate import _values, run
from ._infer import Analysis, analyse
from ._limits import DEFAULT_LIMITS, Limits
from ._nodes import Expression
from ._parse import parse_expression
from ._rules import Shape

__all__ = ["CompiledExpression", "compile_expression"]

#: Analyses a CompiledExpression without shapes keeps, keyed by the arrays' shapes.
_REMEMBERED = 8


@dataclass(frozen=True)
class CompiledExpression:
    """A parsed formula, called as ``f(**arrays)``.

    Without `shapes`, each call takes its arrays as one point: their shapes are analysed (and
    the budgets checked) before numpy runs, and the result is exactly numpy's. With `shapes`
    (the unbatched shapes, analysed once), arrays may carry leading batch axes and the result
    is the stack of the results at each point, evaluated in memory-bounded chunks.

    Attributes
    ----------
    expression : Expression
        The parsed formula.
    limits : Limits
        The budgets.
    analysis : Analysis or None
        The static analysis at `shapes` (None without shapes).
    """

    expression: Expression
    limits: Limits = DEFAULT_LIMITS
    analysis: Analysis | None = field(default=None, repr=False)
    _analyses: dict[tuple, Analysis] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def shape(self) -> Shape | None:
        """The result's shape at one point (None when no shapes were given)."""
        return None if self.analysis is None else self.analysis.shape

    def with_shapes(self, shapes: Mapping[str, Sequence[int]]) -> CompiledExpression:
        """The same formula analysed at other unbatched `shapes` (the budgets are checked)."""
        analysis = analyse(self.expression, shapes, limits=self.limits)
        return CompiledExpression(self.expression, self.limits, analysis)

    def _analysis_at(self, values: Mapping[str, np.ndarray]) -> Analysis:
        """The analysis at the values' own shapes, remembered for the last few shapes (the
        engine calls a function many times at the same shapes)."""
        key = tuple((name, value.shape) for name, value in values.items())
        analysis = self._analyses.get(key)
        if analysis is None:
            known = {name: value.shape for name, value in values.items()}
            analysis = analyse(self.expression, known, limits=self.limits)
            if len(self._analyses) >= _REMEMBERED:
                self._analyses.pop(next(iter(self._analyses)))
            self._analyses[key] = analysis
        return analysis

    def __call__(self, **arrays: Any) -> np.ndarray:
        declared = () if self.analysis is None else self.analysis.variables
        values = _values(self.expression, arrays, declared, self.limits)
        if self.analysis is None:
            return run(self._analysis_at(values), values, batched=False)
        return run(self.analysis, values, batched=True, limits=self.limits)


def compile_expression(
    source: str,
    variables: Iterable[str],
    *,
    shapes: Mapping[str, Sequence[int]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> CompiledExpression:
    """Parse `source` and return a function of the named `variables` evaluating it.

    Parameters
    ----------
    source : str
        A Python-syntax numpy formula, e.g. ``"x @ A @ x"``.
    variables : iterable of str
        The variable names (a mapping's keys are taken).
    shapes : mapping of str to tuple of int, optional
        The unbatched shape of each variable. Given, the formula is analysed now (shape errors
        and budgets are reported at once) and calls accept stacks of points.
    limits : Limits
        The budgets (see :class:`Limits`).

    Returns
    -------
    CompiledExpression
        Call it with keyword arrays: ``f(x=..., A=...)``.

    Raises
    ------
    ExpressionError
        Naming the offending part and its column, for anything not allowed, mismatched shapes
        or a budget exceeded.

    Examples
    --------
    >>> import numpy as np
    >>> f = compile_expression("x @ A @ x", ["x", "A"])
    >>> float(f(x=np.array([1.0, 2.0]), A=np.eye(2)))
    5.0
    >>> g = compile_expression("x @ A @ x", ["x", "A"], shapes={"x": (2,), "A": (2, 2)})
    >>> g.shape, g(x=np.array([[1.0, 2.0], [0.0, 3.0]]), A=np.eye(2))
    ((), array([5., 9.]))
    """
    expression = parse_expression(source, variables, limits=limits)
    analysis = None if shapes is None else analyse(expression, shapes, limits=limits)
    return CompiledExpression(expression, limits, analysis)
