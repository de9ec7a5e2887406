"""Turning identity modules into pytest tests: ``catalogue_tests``.

Example, in a test module of your project::

    from gradcheck.testing import catalogue_tests

    test_my_identities = catalogue_tests("mypkg.identities")

creates one pytest item per identity and layout, each checked on hypothesis-drawn shapes and
points (as many examples as ``--gradcheck-trials``, seeded by ``--gradcheck-seed``). Identities
must pass at every hypothesis-drawn point; pitfalls must fail on seeded random draws.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .catalogue import Catalogue, Identity, load_catalogue
from .engine import LAYOUTS, validate_layout
from .errors import GradientAssertionError, InvalidArgumentError
from .report import record_from_result
from .strategies import points

__all__ = ["catalogue_tests"]


def catalogue_tests(
    module: ModuleType | str | Path | Catalogue,
    *,
    layouts: Sequence[str] = ("numerator", "denominator"),
) -> Callable[..., None]:
    """A parametrized pytest test checking every identity of `module` in every layout.

    Parameters
    ----------
    module : module, dotted name, ``.py`` path or Catalogue
        Where the identities are (defined with :func:`gradcheck.identity`).
    layouts : sequence of str
        Layouts to compare in.

    Returns
    -------
    function
        Assign it to a name starting with ``test_`` in a test module.
    """
    catalogue = module if isinstance(module, Catalogue) else load_catalogue(_module(module))
    layouts = _layouts(layouts)
    params = [
        pytest.param(entry, layout, id=f"{entry.name}-{layout}")
        for entry in catalogue
        for layout in layouts
    ]

    @pytest.mark.parametrize(("identity", "layout"), params)
    def test_identity(identity: Identity, layout: str, gradcheck: Any) -> None:
        __tracebackhide__ = True
        _run_identity(identity, layout, gradcheck)

    return test_identity


def _module(module: object) -> ModuleType | str | Path:
    if isinstance(module, ModuleType | Path) or (isinstance(module, str) and module.strip()):
        return module
    raise InvalidArgumentError(
        "`module` must be a module, a dotted module name, a path to a .py file or a "
        f"gradcheck.Catalogue; got {module!r}."
    )


def _layouts(layouts: object) -> tuple[str, ...]:
    if isinstance(layouts, str) or not isinstance(layouts, Sequence) or not layouts:
        raise InvalidArgumentError(
            "`layouts` must be a non-empty sequence of layout names such as "
            f"('numerator', 'denominator'); got {layouts!r}."
        )
    return tuple(validate_layout(x, allowed=LAYOUTS, name="layouts") for x in layouts)


def _check_point(entry: Identity, layout: str, fixture: Any, point: dict, trial: int) -> None:
    __tracebackhide__ = True
    start = time.perf_counter()
    result = entry.check(point, method=fixture.method)
    shapes = {k: tuple(np.shape(v)) for k, v in point.items()}
    record = record_from_result(
        result,
        name=entry.name,
        family=entry.family,
        trial=trial,
        shapes=shapes,
        pitfall=entry.is_pitfall,
        seconds=time.perf_counter() - start,
    )
    fixture.record({**record, "layout": layout})
    expected = "failed" if entry.is_pitfall else "passed"
    if result.status != expected:
        what = "pitfall passed" if entry.is_pitfall else f"identity {result.status}"
        raise GradientAssertionError(
            f"{entry.name} [{layout}] {what} at shapes {shapes}:\n{result}", result
        )


def _run_identity(entry: Identity, layout: str, fixture: Any) -> None:
    """Identities must hold at every valid point: hypothesis searches for one where they do
    not. Pitfalls are wrong for generic inputs (a degenerate point, A = 0 say, can make a
    wrong formula coincide with the right one), so they are checked on seeded random draws."""
    __tracebackhide__ = True
    if entry.is_pitfall:
        for trial in range(fixture.trials):
            _, point = entry.draw(entry.seed_sequence(fixture.seed, trial))
            _check_point(entry, layout, fixture, point, trial)
        return
    trials = [0]

    @hypothesis_seed(fixture.seed)
    @settings(
        max_examples=fixture.trials,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        point = data.draw(points(entry), label="point")
        _check_point(entry, layout, fixture, point, trials[0])
        trials[0] += 1

    run()
