"""Comparing a run with a saved baseline: what changed, under which settings, and what could not
be compared.

Two reports are compared check by check, a check being one identity in one layout on one
trial (trial ``t`` of a seed is the same draw whatever the number of trials). Only checks in
both runs are compared; identities, layouts and trials found in one run only are listed as not
compared. Verdicts are compared whenever a check is in both runs; errors only where both runs
drew the same point with the same method (same seed, same method, same shapes), since the
error of another draw or another method says nothing about a regression.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..verdict import counted, render_table

__all__ = ["Regressions", "compare_reports"]

#: An error counts as grown when it is more than this many times the baseline's ...
GROWTH_FACTOR = 10.0
#: ... and above this floor (errors of 1e-16 and 1e-15 are both rounding).
GROWTH_FLOOR = 1e-12
#: Names listed at most in one "not compared" line.
LISTED = 5

Key = tuple[str, str, int]  # identity, layout, trial


@dataclass(frozen=True, kw_only=True)
class Regressions:
    """What changed between a baseline run and the current one, and what was compared.

    Attributes
    ----------
    newly_failing, newly_passing : tuple of (identity, layout)
        Checks whose verdict (as expected or not) changed, over the trials in both runs.
    grown : tuple of (identity, layout, before, after)
        Worst relative errors that grew more than 10 times (and above 1e-12), over the
        trials whose errors are comparable (same seed, method and shapes).
    settings : tuple of (name, before, after)
        Every setting and environment field (seed, trials, method, layouts, versions, CPU, ...)
        that differs, as text.
    added, removed : tuple of str
        Identities only in the current run, only in the baseline.
    layouts_added, layouts_removed : tuple of str
        Layouts only in the current run, only in the baseline.
    trials_added, trials_removed : tuple of int
        Trial indices only in the current run, only in the baseline.
    redrawn : tuple of (identity, layout, trial)
        Checks of both runs drawn at other shapes (their errors are not compared).
    errors_not_compared : str
        Why no error was compared (the seeds or the methods differ), or "".
    compared : int
        Number of checks (identity, layout, trial) in both runs.
    """

    newly_failing: tuple[tuple[str, str], ...] = ()
    newly_passing: tuple[tuple[str, str], ...] = ()
    grown: tuple[tuple[str, str, float, float], ...] = ()
    settings: tuple[tuple[str, str, str], ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    layouts_added: tuple[str, ...] = ()
    layouts_removed: tuple[str, ...] = ()
    trials_added: tuple[int, ...] = ()
    trials_removed: tuple[int, ...] = ()
    redrawn: tuple[Key, ...] = ()
    errors_not_compared: str = ""
    compared: int = 0

    @property
    def regressed(self) -> bool:
        """Something got worse: a check newly fails or an error grew."""
        return bool(self.newly_failing or self.grown)

    @property
    def comparable(self) -> bool:
        """At least one check is in both runs."""
        return self.compared > 0

    @property
    def complete(self) -> bool:
        """The runs had the same settings and checks: everything was compared."""
        return not (self.settings or self.not_compared_lines())

    def not_compared_lines(self) -> list[str]:
        """One line for each kind of check found in one run only (counted, listed briefly)."""
        parts = [
            (self.removed, "identity", "identities", "only in the baseline (removed)"),
            (self.added, "identity", "identities", "only in this run (added)"),
            (self.layouts_removed, "layout", "layouts", "only in the baseline"),
            (self.layouts_added, "layout", "layouts", "only in this run"),
        ]
        lines = [
            f"{counted(len(names), one, many)} {where}: {_brief(names)}"
            for names, one, many, where in parts
            if names
        ]
        for trials, where in ((self.trials_removed, "baseline"), (self.trials_added, "run")):
            if trials:
                where = "the baseline" if where == "baseline" else "this run"
                lines.append(f"{counted(len(trials), 'trial')} only in {where}: {_ranges(trials)}")
        if self.redrawn:
            lines.append(
                f"{counted(len(self.redrawn), 'check')} drawn at other shapes (errors not "
                f"compared): {_brief([f'{i} [{lay}, trial {t}]' for i, lay, t in self.redrawn])}"
            )
        if self.errors_not_compared:
            lines.append(f"errors, since {self.errors_not_compared}; verdicts are compared")
        return lines

    def table(self, tablefmt: str = "simple") -> str:
        """The changes among the compared checks, or a line saying there are none."""
        rows = [["newly failing", f"{i} [{lay}]", ""] for i, lay in self.newly_failing]
        rows += [["newly passing", f"{i} [{lay}]", ""] for i, lay in self.newly_passing]
        rows += [
            ["error grew", f"{i} [{lay}]", f"{before:.1e} -> {after:.1e}"]
            for i, lay, before, after in self.grown
        ]
        if rows:
            headers = ["change", "check", "worst rel. error"]
            return render_table(rows, headers, tablefmt=tablefmt, numparse=True)
        checks = counted(self.compared, "check")
        if not self.comparable:
            return "nothing could be compared: no identity, layout and trial is in both runs"
        if self.complete:
            return f"no change against the baseline ({checks} compared)"
        return f"no change in the {checks} compared"

    def text(self, tablefmt: str = "simple") -> str:
        """The whole comparison: settings that differ, what was not compared, the changes."""
        lines = []
        if self.settings:
            lines.append("settings that differ (baseline -> this run):")
            lines += [f"  {name}: {before} -> {after}" for name, before, after in self.settings]
        not_compared = self.not_compared_lines()
        if not_compared:
            lines.append("not compared:")
            lines += [f"  {line}" for line in not_compared]
        lines.append(self.table(tablefmt))
        return "\n".join(lines)


def _brief(names: Sequence[str]) -> str:
    """At most LISTED names, then how many more."""
    shown = ", ".join(names[:LISTED])
    rest = len(names) - LISTED
    return shown if rest <= 0 else f"{shown} and {rest} more"


def _ranges(numbers: Iterable[int]) -> str:
    """Sorted integers as runs: 0, 3-9."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _text(value: Any) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _setting_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The compared settings of a report: the command, the run's settings, and the versions
    and machine (the `environment` block, or the `versions` of reports written before it)."""
    settings = data.get("settings", {})
    values = {"command": data.get("command")}
    values.update({k: settings.get(k) for k in ("seed", "trials", "method", "layouts")})
    env = data.get("environment")
    env = env if isinstance(env, Mapping) else settings.get("versions")
    values.update(env if isinstance(env, Mapping) else {})
    return values


def _settings_changes(current: Mapping[str, Any], baseline: Mapping[str, Any]):
    now, before = _setting_values(current), _setting_values(baseline)
    names = [*before, *(k for k in now if k not in before)]
    return tuple(
        (name, _text(before.get(name)), _text(now.get(name)))
        for name in names
        if _text(before.get(name)) != _text(now.get(name))
    )


def _checks(data: Mapping[str, Any]) -> dict[Key, dict[str, Any]]:
    """Every check of a report by (identity, layout, trial); several records of one key (a test
    making several checks) are one check: ok if all are, its worst error, all shapes."""
    out: dict[Key, dict[str, Any]] = {}
    for r in data["records"]:
        key = (r["identity"], r["layout"], r["trial"])
        row = out.setdefault(key, {"ok": True, "worst": 0.0, "pitfall": r["pitfall"], "shapes": []})
        row["ok"] = row["ok"] and r["ok"]
        err = r["max_rel_error"]
        row["worst"] = math.inf if err is None else max(row["worst"], float(err))
        row["shapes"].append(sorted((k, tuple(v)) for k, v in r["shapes"].items()))
    return out


def _only(now: Iterable, before: Iterable) -> tuple[tuple, tuple]:
    """(only in now, only in before), sorted."""
    now, before = set(now), set(before)
    return tuple(sorted(now - before)), tuple(sorted(before - now))


def _per_pair(checks: Mapping[Key, Mapping[str, Any]], keys: Iterable[Key]) -> dict:
    """(identity, layout) -> whether every given trial is ok."""
    out: dict[tuple[str, str], bool] = {}
    for key in keys:
        pair = key[:2]
        out[pair] = out.get(pair, True) and checks[key]["ok"]
    return out


def _grown(now, before, keys: Iterable[Key]) -> tuple[tuple[str, str, float, float], ...]:
    worst_now: dict[tuple[str, str], float] = {}
    worst_before: dict[tuple[str, str], float] = {}
    for key in keys:
        if now[key]["pitfall"]:
            continue
        pair = key[:2]
        worst_now[pair] = max(worst_now.get(pair, 0.0), now[key]["worst"])
        worst_before[pair] = max(worst_before.get(pair, 0.0), before[key]["worst"])
    return tuple(
        (*pair, worst_before[pair], new)
        for pair, new in sorted(worst_now.items())
        if new > GROWTH_FACTOR * max(worst_before[pair], GROWTH_FLOOR / 10) and new > GROWTH_FLOOR
    )


def _why_errors_differ(current: Mapping[str, Any], baseline: Mapping[str, Any]) -> str:
    """Why the errors of the two runs are not comparable (other draws, other method), or ""."""
    now, before = current.get("settings", {}), baseline.get("settings", {})
    reasons = [
        f"the {name} differs ({before.get(name)} -> {now.get(name)}: {consequence})"
        for name, consequence in (("seed", "other draws"), ("method", "other estimates"))
        if now.get(name) != before.get(name)
    ]
    return " and ".join(reasons)


def compare_reports(current: Mapping[str, Any], baseline: Mapping[str, Any]) -> Regressions:
    """Compare two schema-1 reports (see :class:`Regressions` and the module's docstring).

    Examples
    --------
    >>> from gradcheck.catalogue import run_catalogue
    >>> from gradcheck.report import report_to_json
    >>> old = report_to_json(run_catalogue(select=["dxTAx_dx"], trials=1, layouts=["numerator"]))
    >>> new = report_to_json(run_catalogue(select=["dxTAx_dx"], trials=2, layouts=["numerator"]))
    >>> regressions = compare_reports(new, old)
    >>> regressions.settings, regressions.trials_added, regressions.compared
    ((('trials', '1', '2'),), (1,), 1)
    """
    now, before = _checks(current), _checks(baseline)
    common = sorted(set(now) & set(before))
    why = _why_errors_differ(current, baseline)
    redrawn = tuple(k for k in common if now[k]["shapes"] != before[k]["shapes"]) if not why else ()
    ok_now, ok_before = _per_pair(now, common), _per_pair(before, common)
    ids_added, ids_removed = _only((k[0] for k in now), (k[0] for k in before))
    layouts_added, layouts_removed = _only((k[1] for k in now), (k[1] for k in before))
    trials_added, trials_removed = _only((k[2] for k in now), (k[2] for k in before))
    same_draws = [] if why else [k for k in common if k not in set(redrawn)]
    return Regressions(
        newly_failing=tuple(p for p in ok_now if ok_before[p] and not ok_now[p]),
        newly_passing=tuple(p for p in ok_now if not ok_before[p] and ok_now[p]),
        grown=_grown(now, before, same_draws),
        settings=_settings_changes(current, baseline),
        added=ids_added,
        removed=ids_removed,
        layouts_added=layouts_added,
        layouts_removed=layouts_removed,
        trials_added=trials_added,
        trials_removed=trials_removed,
        redrawn=redrawn,
        errors_not_compared=why if common else "",
        compared=len(common),
    )
