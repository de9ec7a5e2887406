"""The exception and warning hierarchy of gradcheck.

Every exception gradcheck raises derives from :class:`GradcheckError` and also
from the builtin that matches its meaning, so that existing ``except ValueError``
(or ``TypeError``, ``KeyError``, ``AssertionError``) clauses keep working.
"""

from __future__ import annotations

__all__ = [
    "ComplexStepError",
    "ComplexUnsafeFunctionError",
    "ConventionError",
    "FunctionCallError",
    "GradcheckError",
    "GradcheckWarning",
    "GradientAssertionError",
    "InPlaceModificationError",
    "InvalidArgumentError",
    "InvalidInputError",
    "MissingDependencyError",
    "NonDeterministicFunctionError",
    "NonFiniteValueError",
    "OutputTypeError",
    "ShapeMismatchError",
    "UnknownNameError",
]


class GradcheckError(Exception):
    """Base class of every exception raised by gradcheck."""


class InvalidArgumentError(GradcheckError, ValueError):
    """An argument of a gradcheck function has an invalid value (e.g. an unknown `method`)."""


class InvalidInputError(GradcheckError, TypeError):
    """The point or a claimed derivative has an unusable dtype (integer, boolean, complex, ...)."""


class UnknownNameError(GradcheckError, KeyError):
    """A name (variable, identity, family) is not known; the message lists close matches."""

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return str(self.args[0]) if self.args else ""


class ShapeMismatchError(GradcheckError, ValueError):
    """A claimed derivative has a shape that fits neither layout."""


class FunctionCallError(GradcheckError, RuntimeError):
    """The function or the derivative raised; the message says which call and where."""


class OutputTypeError(GradcheckError, TypeError):
    """The function returned something that is not an array of real numbers."""


class NonFiniteValueError(GradcheckError, ValueError):
    """The function (or derivative) returned NaN or infinity; the message says where."""


class InPlaceModificationError(GradcheckError, RuntimeError):
    """The function modified one of its input arrays in place."""


class NonDeterministicFunctionError(GradcheckError, RuntimeError):
    """Two evaluations of the function at the same point differ beyond rounding."""


class ComplexStepError(GradcheckError, ValueError):
    """``method="complex"`` was used on a function that is not complex-step safe."""


class ConventionError(InvalidArgumentError):
    """A `convention` for complex variables that is unknown, given for a real variable, or
    meaningless for the function (the complex gradient of a complex-valued f); also a complex
    point without a `convention`."""


class ComplexUnsafeFunctionError(FunctionCallError):
    """The function cannot take a complex point: it discards the imaginary part (numpy's
    ComplexWarning) or refuses complex numbers (``math.sqrt``, ``float(z)``)."""


class MissingDependencyError(GradcheckError, ImportError):
    """An optional dependency is not installed (matplotlib for the plots); the message names
    the extra to install, e.g. ``pip install "gradcheck[plot]"``."""


class GradientAssertionError(GradcheckError, AssertionError):
    """Raised by :func:`gradcheck.assert_gradient` when a derivative does not match.

    Attributes
    ----------
    result : CheckResult
        The full result of the check; ``str(result)`` is the report in the message.
    """

    def __init__(self, message: str, result: object) -> None:
        super().__init__(message)
        self.result = result

    def __reduce__(self) -> tuple:  # pickle (multiprocessing, xdist) passes both arguments
        return (type(self), (str(self), self.result))


class GradcheckWarning(UserWarning):
    """A warning issued by gradcheck (e.g. float32 input computed in float64)."""
