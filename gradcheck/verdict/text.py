"""Bounded, readable text reports: a headline and the worst few entries as a table, and the
one table renderer every report of gradcheck goes through."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tabulate import tabulate

#: Number of entries a report shows at most.
WORST_ENTRIES = 5


def _fmt_err(value: float) -> str:
    return f"{value:.2e}"


def _fmt_pair(a: float, b: float, minimum: int = 6) -> tuple[str, str]:
    """`a` and `b` printed with the same number of significant digits: the fewest, from
    `minimum` up to 17, at which the two texts differ (17 digits tell any two doubles apart),
    or `minimum` when the values are equal."""
    digits = minimum
    while digits < 17 and a != b and f"{a:.{digits}g}" == f"{b:.{digits}g}":
        digits += 1
    return f"{a:.{digits}g}", f"{b:.{digits}g}"


def _index_text(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(i) for i in index) + "]"


def render_table(
    rows: Sequence[Sequence[object]],
    headers: Sequence[str],
    *,
    tablefmt: str = "simple",
    numparse: bool = False,
) -> str:
    """A table in any `tabulate` format: the one place gradcheck calls `tabulate`.

    Parameters
    ----------
    rows : sequence of sequences
        The cells, one sequence per row; numbers are best passed already formatted.
    headers : sequence of str
        Column titles.
    tablefmt : str
        A tabulate format: "simple", "plain", "github", "grid", "latex", "html", ...
    numparse : bool
        Let tabulate read numbers out of text cells and align them on the decimal point
        (it also reformats them: "1.9e-01" becomes "0.19"). Off by default, so a cell is
        printed as it was formatted.

    Returns
    -------
    str
        The table, without a trailing newline.

    Examples
    --------
    >>> print(render_table([["[0]", "1.5e-01"]], ["index", "|error|"]))
    index    |error|
    -------  ---------
    [0]      1.5e-01
    """
    return tabulate(rows, headers=list(headers), tablefmt=tablefmt, disable_numparse=not numparse)


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` and the noun in the number it takes: "1 layout", "2 layouts", "0 identities".

    Parameters
    ----------
    count : int
        How many.
    singular : str
        The noun for one.
    plural : str, optional
        The noun for any other count; default `singular` + "s".

    Examples
    --------
    >>> counted(1, "layout"), counted(2, "layout"), counted(0, "identity", "identities")
    ('1 layout', '2 layouts', '0 identities')
    """
    noun = singular if count == 1 else (plural if plural is not None else singular + "s")
    return f"{count} {noun}"


def worst_entries(ratio: np.ndarray, count: int = WORST_ENTRIES) -> list[tuple[int, ...]]:
    """Indices of the `count` entries with the largest `ratio`, largest first."""
    flat = ratio.ravel()
    if flat.size == 0:
        return []
    count = min(count, flat.size)
    order = np.argsort(-flat, kind="stable")[:count]
    return [tuple(int(i) for i in np.unravel_index(k, ratio.shape)) for k in order]


def entries_table(
    *,
    claimed: np.ndarray,
    numerical: np.ndarray,
    tolerance: np.ndarray,
    error_estimate: np.ndarray,
    ratio: np.ndarray,
    index_label: str = "index",
    tablefmt: str = "simple",
) -> str:
    """The worst entries side by side: index, claimed, numerical, |error|, tolerance, FD est."""
    rows = []
    for idx in worst_entries(ratio):
        c, n = float(claimed[idx]), float(numerical[idx])
        shown_c, shown_n = _fmt_pair(c, n)
        rows.append(
            [
                _index_text(idx),
                shown_c,
                shown_n,
                _fmt_err(abs(c - n)),
                _fmt_err(float(tolerance[idx])),
                _fmt_err(float(error_estimate[idx])),
            ]
        )
    headers = [index_label, "claimed", "numerical", "|error|", "tolerance", "FD error est."]
    return render_table(rows, headers, tablefmt=tablefmt)
