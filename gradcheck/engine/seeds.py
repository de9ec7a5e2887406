"""Seeds of random draws: the one validator of every `seed` argument of gradcheck.

A seed is ``None`` (meaning 0: every run is reproducible unless asked otherwise), a
non-negative integer, or a ``numpy.random.Generator`` that the caller owns. Anything else (a
string, a float, a negative number, a bool, a legacy ``RandomState``) is refused with a message
naming the argument, instead of surfacing later as a numpy ``TypeError`` or ``ValueError``.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError

__all__ = ["rng_from_seed", "seed_from_text", "validate_seed"]


def validate_seed(
    seed: object, *, name: str = "seed", generator: bool = True
) -> int | np.random.Generator:
    """Return `seed` as a non-negative ``int`` (``None`` gives 0) or the Generator it is.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        The value to validate. Booleans are refused (``True`` is not a seed).
    name : str
        The argument's name, used in the message.
    generator : bool
        Whether a ``numpy.random.Generator`` is accepted (False where the seed must be
        recorded, e.g. in a report).

    Returns
    -------
    int or numpy.random.Generator
        The seed as a Python ``int``, or the Generator itself (not copied).

    Raises
    ------
    InvalidArgumentError
        If `seed` is of another type or negative.

    Examples
    --------
    >>> validate_seed(None), validate_seed(np.int64(7))
    (0, 7)
    >>> validate_seed(-1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gradcheck.InvalidArgumentError: `seed` must be a non-negative integer or ...; got -1...
    """
    if seed is None:
        return 0
    if generator and isinstance(seed, np.random.Generator):
        return seed
    kinds = "a non-negative integer" + (" or a numpy.random.Generator" if generator else "")
    is_int = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_))
    if not is_int or seed < 0:
        got = repr(seed) if is_int or isinstance(seed, (str, float)) else type(seed).__name__
        raise InvalidArgumentError(f"`{name}` must be {kinds}; got {got}. Pass e.g. {name}=0.")
    return int(seed)


def rng_from_seed(seed: object, *, name: str = "seed") -> np.random.Generator:
    """The Generator a `seed` argument stands for (validated by :func:`validate_seed`).

    A Generator is returned as is (draws advance the caller's generator); ``None`` and
    integers give ``numpy.random.default_rng(seed)`` (``None`` as 0).

    Examples
    --------
    >>> float(rng_from_seed(None).random()) == float(np.random.default_rng(0).random())
    True
    """
    value = validate_seed(seed, name=name)
    return value if isinstance(value, np.random.Generator) else np.random.default_rng(value)


def seed_from_text(text: str, *, name: str = "--seed") -> int:
    """A seed typed on a command line: decimal digits of a non-negative integer.

    Examples
    --------
    >>> seed_from_text("42")
    42
    >>> seed_from_text("1.5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gradcheck.InvalidArgumentError: `--seed` must be a non-negative integer; got '1.5'...
    """
    stripped = text.strip() if isinstance(text, str) else ""
    if not stripped.isdigit() or not stripped.isascii():
        raise InvalidArgumentError(
            f"`{name}` must be a non-negative integer; got {text!r}. Pass e.g. {name}=0."
        )
    return int(stripped)
