"""Pictures of the evidence (optional: needs matplotlib, ``pip install "gradcheck[plot]"``).

Figures are made with :class:`matplotlib.figure.Figure` directly, never through ``pyplot``:
no global figure state, no window, any backend. Each function returns the Figure and, given a
`path`, also writes it there (the format from the file's suffix, e.g. ``.png``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import MissingDependencyError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .sweeps import EntrySweep
    from .taylor import TaylorResult

__all__ = ["new_figure", "plot_entry_sweep", "plot_taylor", "require_matplotlib", "save_figure"]

#: What to install for the plots, as the error message says it.
PLOT_EXTRA = 'pip install "gradcheck[plot]"'


def require_matplotlib() -> None:
    """Raise :class:`~gradcheck.MissingDependencyError` naming the extra when matplotlib
    cannot be imported; do nothing otherwise.

    Examples
    --------
    >>> try:
    ...     require_matplotlib()
    ... except ImportError as exc:
    ...     assert "gradcheck[plot]" in str(exc)
    """
    try:
        import matplotlib.figure  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            f"plotting needs matplotlib, which is not installed: {PLOT_EXTRA} "
            f"(or pip install matplotlib)."
        ) from exc


def new_figure(width: float = 6.4, height: float = 4.4) -> tuple[Figure, Axes]:
    """A new Figure (not registered with ``pyplot``) with one Axes; raises
    :class:`~gradcheck.MissingDependencyError` without matplotlib."""
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def save_figure(fig: Figure, path: str | os.PathLike[str] | None) -> Figure:
    """Write `fig` to `path` (when given; the format from its suffix) and return it."""
    if path is not None:
        fig.savefig(os.fspath(path), dpi=120)
    return fig


def _positive(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points with y > 0 and finite: what a log axis can show."""
    keep = np.isfinite(y) & (y > 0)
    return x[keep], y[keep]


def plot_entry_sweep(evidence: EntrySweep, path: str | os.PathLike[str] | None = None) -> Figure:
    """The finite-difference error of a check's worst entry against the step (a V on log-log
    axes), with the step the check used, the entry's tolerance and the claim's discrepancy.

    The curve is ``|D(h) - reference|`` (see :func:`gradcheck.engine.step_sweep`); steps where
    it is exactly 0 are left out (a log axis cannot show them). A claim is caught when its
    discrepancy line lies above the tolerance line.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> r = gradcheck.check(lambda x: np.sum(x**3), 3 * np.ones(2), np.ones(2))
    >>> fig = r.plot()  # doctest: +SKIP
    """
    sweep = evidence.sweep
    fig, ax = new_figure()
    steps, errors = _positive(sweep.steps, sweep.errors)
    ax.loglog(steps, errors, "o-", ms=3, label=f"{sweep.method} finite-difference error")
    ax.axvline(
        evidence.step_used,
        color="tab:green",
        ls=":",
        label=f"step used by the check ({evidence.step_used:.1e})",
    )
    ax.axhline(
        evidence.tolerance,
        color="tab:orange",
        ls="--",
        label=f"tolerance of the entry ({evidence.tolerance:.1e})",
    )
    if evidence.discrepancy > 0:
        ax.axhline(
            evidence.discrepancy,
            color="tab:red",
            ls="-.",
            label=f"|claimed - numerical| ({evidence.discrepancy:.1e})",
        )
    index = ", ".join(map(str, evidence.index))
    ax.set_title(f"entry [{index}] ({evidence.layout} layout): error against the step")
    ax.set_xlabel("step h")
    ax.set_ylabel("|finite difference - reference|")
    ax.legend(fontsize="small")
    if sweep.stopped is not None:
        ax.annotate("f not finite beyond the last step", (0.02, 0.02), xycoords="axes fraction")
    return save_figure(fig, path)


def plot_taylor(result: TaylorResult, path: str | os.PathLike[str] | None = None) -> Figure:
    """The Taylor test's remainders against h on log-log axes, with reference slopes 1 (a
    wrong derivative) and 2 (a right one) through the remainder at the largest step, and the
    rounding floor. The reference lines pass through three times the remainder at the largest
    step, so that they run beside the remainders rather than on them.

    Examples
    --------
    >>> import numpy as np, gradcheck
    >>> r = gradcheck.taylor_test(lambda x: np.sum(np.exp(x)), np.exp(np.ones(2)), np.ones(2))
    >>> fig = r.plot()  # doctest: +SKIP
    """
    fig, ax = new_figure()
    steps, remainders = _positive(result.steps, result.remainders)
    ax.loglog(steps, remainders, "o-", ms=3, label="remainder")
    if steps.size:
        # through 3x the remainder at the largest step: parallel to the remainders, not on them
        h0, r0 = steps[np.argmax(steps)], 3 * remainders[np.argmax(steps)]
        for order, style in ((1, "--"), (2, ":")):
            ax.loglog(
                result.steps,
                r0 * (result.steps / h0) ** order,
                style,
                label=f"slope {order} (reference)",
            )
    ax.axhline(result.rounding_floor, color="grey", ls="-.", label="rounding floor")
    ax.set_title(
        f"Taylor test: {result.status}, observed order {_order_text(result.observed_order)}"
    )
    ax.set_xlabel("step h")
    ax.set_ylabel("||f(x + h u) - f(x) - h J u||")
    ax.legend(fontsize="small")
    return save_figure(fig, path)


def _order_text(order: Any) -> str:
    return "n/a" if not np.isfinite(order) else f"{order:.2f}"
