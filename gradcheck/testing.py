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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from .catalogue import Catalogue, Identity, load_catalogue
from .engine import LAYOUTS, convert_layout, layout_shapes, validate_layout
from .errors import GradcheckError, InvalidArgumentError
from .report import record_from_result
from .strategies import points
from .verdict import CheckResult, check

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


def _verdict_in(entry: Identity, layout: str, point: dict, method: str) -> CheckResult:
    """The identity's verdict at `point` in `layout`: its claim as stated, or converted to
    `layout` and checked by :func:`gradcheck.check` (as the catalogue runner does). A claim
    without the shape of its stated layout fails as stated, in every layout."""
    if layout == entry.layout:
        return entry.check(point, method=method)
    f_shape, x_shape = np.shape(entry.f(**point)), np.shape(point[entry.wrt])
    claimed = np.asarray(entry.derivative(**point), dtype=np.float64)
    if claimed.shape not in layout_shapes(f_shape, x_shape, entry.layout):
        return entry.check(point, method=method)

    def converted(**at: Any) -> np.ndarray:
        stated = np.asarray(entry.derivative(**at), dtype=np.float64)
        return convert_layout(stated, f_shape, x_shape, source=entry.layout, target=layout)

    return check(
        entry.f,
        converted,
        point,
        wrt=entry.wrt,
        layout=layout,
        method=method,
        vectorized=entry.vectorized,
    )


def _check_point(entry: Identity, layout: str, fixture: Any, point: dict, trial: int) -> str:
    """Check and record the identity at `point` in `layout`; the failure report, or "" when
    the verdict is the expected one."""
    start = time.perf_counter()
    shapes = {k: tuple(np.shape(v)) for k, v in point.items()}
    try:
        result = _verdict_in(entry, layout, point, fixture.method)
    except GradcheckError as exc:
        return f"{entry.name} [{layout}] at shapes {shapes}: {type(exc).__name__}: {exc}"
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
    if result.status == expected:
        return ""
    what = "pitfall passed" if entry.is_pitfall else f"identity {result.status}"
    return f"{entry.name} [{layout}] {what} at shapes {shapes}:\n{result}"


class _NotAsExpected(Exception):
    """A verdict that is not the expected one, raised inside hypothesis so that it shrinks."""


def _run_identity(entry: Identity, layout: str, fixture: Any) -> None:
    """Identities must hold at every valid point: hypothesis searches for one where they do
    not. Pitfalls are wrong for generic inputs (a degenerate point, A = 0 say, can make a
    wrong formula coincide with the right one), so they are checked on seeded random draws.

    A failure is reported as its bounded report alone (``pytest.fail(..., pytrace=False)``,
    outside hypothesis): no traceback through gradcheck, no hypothesis notes; the record of
    the failing draw (the shrunk example) is the test's."""
    if entry.is_pitfall:
        for trial in range(fixture.trials):
            fixture.new_example()
            _, point = entry.draw(entry.seed_sequence(fixture.seed, trial))
            failure = _check_point(entry, layout, fixture, point, trial)
            if failure:
                pytest.fail(
                    f"{failure}\n(seeded draw {trial}, --gradcheck-seed {fixture.seed})",
                    pytrace=False,
                )
        return
    try:
        _search(entry, layout, fixture)
    except _NotAsExpected as exc:
        failure = str(exc)
    else:
        return
    pytest.fail(
        f"{failure}\n(the smallest failing hypothesis example, --gradcheck-seed {fixture.seed})",
        pytrace=False,
    )


def _search(entry: Identity, layout: str, fixture: Any) -> None:
    """Hypothesis' search for a point where the identity does not hold."""
    examples = [0]

    @hypothesis_seed(fixture.seed)
    @settings(
        max_examples=fixture.trials,
        deadline=None,
        database=None,
        # no explain phase: its "Explanation" lines and patches point into gradcheck's files
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        point = data.draw(points(entry), label="point")
        failure = _check_point(entry, layout, fixture, point, examples[0])
        examples[0] += 1
        if failure:
            raise _NotAsExpected(failure)

    run()
