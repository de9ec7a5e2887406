"""Catalogue runs for CI systems: JUnit XML test reports and a Markdown job summary.

Both show one case per identity and layout (its trials together). A case is a problem when
an identity did not pass every trial (failed, inconclusive, or f or the claim raised) or a
pitfall passed a trial; a problem carries the bounded report of its first such trial.

The JUnit XML follows the common schema CI systems read (Jenkins' ``junit-10.xsd``, which
GitLab, GitHub actions and pytest's own ``--junit-xml`` follow): a ``<testsuites>`` root with
one ``<testsuite name tests failures errors skipped time timestamp>``, and a ``<testcase
classname name time>`` per case holding a ``<failure message type>`` (a wrong verdict) or an
``<error message type>`` (the identity's function or claim raised) with the report as text.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..catalogue import CatalogueReport, CheckRecord

__all__ = ["CaseSummary", "case_summaries", "junit_xml", "markdown_summary"]

#: Characters of a failure's report at most (the report is bounded; this bounds the rest).
_REPORT_CHARACTERS = 4000


@dataclass(frozen=True, kw_only=True)
class CaseSummary:
    """One identity in one layout over the trials of a catalogue run.

    Attributes
    ----------
    family, identity, layout : str
        Which case.
    kind : {"identity", "pitfall"}
        A pitfall is expected to fail.
    checks, ok : int
        Trials, and trials whose verdict was the expected one.
    worst_rel_error : float
        The largest relative error over the trials.
    seconds : float
        Time of the trials.
    problem : CheckRecord or None
        The first trial whose verdict was not the expected one.
    """

    family: str
    identity: str
    layout: str
    kind: str
    checks: int
    ok: int
    worst_rel_error: float
    seconds: float
    problem: CheckRecord | None

    @property
    def passed(self) -> bool:
        """Every trial's verdict was the expected one."""
        return self.problem is None

    @property
    def is_error(self) -> bool:
        """The case's problem is that f or the claim raised (not a wrong verdict)."""
        return self.problem is not None and self.problem.status == "error"

    @property
    def verdict(self) -> str:
        """``"3/3 passed"``, ``"2/3 caught"``: trials as expected, in words."""
        return f"{self.ok}/{self.checks} {'caught' if self.kind == 'pitfall' else 'passed'}"

    def headline(self) -> str:
        """One line: what went wrong with the case (empty when it passed)."""
        r = self.problem
        if r is None:
            return ""
        what = "a pitfall passed" if self.kind == "pitfall" else f"identity {r.status}"
        why = r.message if r.diagnosis is None else f"{r.message}; {r.diagnosis.kind}"
        why = "; ".join(part for part in why.split("; ") if part)
        return (
            f"{what} in trial {r.trial} of {self.checks} (shapes {r.shapes}, "
            f"{self.checks - self.ok} not as expected)" + (f": {why}" if why else "")
        )

    def report(self) -> str:
        """The bounded report of the problem trial (empty when the case passed)."""
        r = self.problem
        if r is None:
            return ""
        text = str(r.result) if r.result is not None else r.message
        text = f"{self.headline()}\n{text}".rstrip()
        if len(text) > _REPORT_CHARACTERS:
            text = text[: _REPORT_CHARACTERS - 30].rstrip() + "\n[report cut at 4000 characters]"
        return text


def case_summaries(report: CatalogueReport) -> list[CaseSummary]:
    """One :class:`CaseSummary` per identity and layout, in the order of the run.

    Examples
    --------
    >>> from gradcheck.catalogue import run_catalogue
    >>> cases = case_summaries(run_catalogue(select=["dxTAx_dx"], trials=2))
    >>> [(c.identity, c.layout, c.verdict) for c in cases]
    [('dxTAx_dx', 'numerator', '2/2 passed'), ('dxTAx_dx', 'denominator', '2/2 passed')]
    """
    groups: dict[tuple[str, str], list[CheckRecord]] = {}
    for record in report.records:
        groups.setdefault((record.identity, record.layout), []).append(record)
    out = []
    for (identity, layout), records in groups.items():
        first = records[0]
        out.append(
            CaseSummary(
                family=first.family,
                identity=identity,
                layout=layout,
                kind="pitfall" if first.expected == "fail" else "identity",
                checks=len(records),
                ok=sum(r.ok for r in records),
                worst_rel_error=max(r.max_rel_error for r in records),
                seconds=sum(r.seconds for r in records),
                problem=next((r for r in records if not r.ok), None),
            )
        )
    return out


def junit_xml(report: CatalogueReport, *, name: str = "gradcheck catalogue") -> str:
    """The run as a JUnit XML document: one ``<testcase>`` per identity and layout.

    ``classname`` is the family and ``name`` is ``identity[layout]``; a problem (an identity
    that did not pass, a pitfall that passed) is a ``<failure>``, or an ``<error>`` when f or
    the claim raised, with a one-line ``message`` and the bounded report as text. Nothing is
    skipped. The ``<testsuite>`` holds the counts and ``<properties>`` the run's settings.

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> from gradcheck.catalogue import run_catalogue
    >>> suite = ET.fromstring(junit_xml(run_catalogue(select=["dxTAx_dx"], trials=1)))[0]
    >>> suite.get("tests"), suite.get("failures"), suite[1].get("name")
    ('2', '0', 'dxTAx_dx[numerator]')
    """
    cases = case_summaries(report)
    failures = sum(not c.passed and not c.is_error for c in cases)
    errors = sum(c.is_error for c in cases)
    counts = {
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
        "time": f"{report.seconds:.3f}",
    }
    root = ET.Element("testsuites", {"name": name, **counts})
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0, tzinfo=None).isoformat()
    suite = ET.SubElement(root, "testsuite", {"name": name, **counts, "timestamp": stamp})
    properties = ET.SubElement(suite, "properties")
    settings = {
        "seed": report.seed,
        "trials": report.trials,
        "method": report.method,
        "layouts": ",".join(report.layouts),
    }
    for key, value in settings.items():
        ET.SubElement(properties, "property", {"name": key, "value": str(value)})
    for case in cases:
        element = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": case.family,
                "name": f"{case.identity}[{case.layout}]",
                "time": f"{case.seconds:.3f}",
            },
        )
        if not case.passed:
            tag = "error" if case.is_error else "failure"
            kind = "pitfall passed" if case.kind == "pitfall" else case.problem.status
            problem = ET.SubElement(element, tag, {"message": case.headline(), "type": kind})
            problem.text = case.report()
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _cell(text: str) -> str:
    """`text` as one Markdown table cell: pipes escaped, line breaks as spaces."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|")


def _markdown_rows(cases: list[CaseSummary]) -> list[str]:
    lines = [
        "| family | identity | layout | verdicts | worst rel. err | problem |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for c in cases:
        cells = [c.family, c.identity, c.layout, c.verdict, f"{c.worst_rel_error:.1e}"]
        cells.append(c.headline() or "-")
        lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return lines


def markdown_summary(report: CatalogueReport) -> str:
    """The run as Markdown for a CI job summary (``$GITHUB_STEP_SUMMARY``).

    A headline with the counts, a table of the cases that are not as expected (if any), then
    every case in a collapsed ``<details>`` block. Cells are escaped (``|`` as ``\\|``).

    Examples
    --------
    >>> from gradcheck.catalogue import run_catalogue
    >>> text = markdown_summary(run_catalogue(select=["dxTAx_dx"], trials=1))
    >>> print(text.splitlines()[0])
    ### gradcheck catalogue: all 2 checks as expected
    """
    cases = case_summaries(report)
    problems = [c for c in cases if not c.passed]
    ids = {c.identity for c in cases if c.kind == "identity"}
    pits = {c.identity for c in cases if c.kind == "pitfall"}
    bad_ids = {c.identity for c in problems if c.kind == "identity"}
    missed = {c.identity for c in problems if c.kind == "pitfall"}
    if problems:
        head = f"{len(problems)} of {len(cases)} checks not as expected"
    else:
        head = f"all {len(cases)} checks as expected"
    lines = [
        f"### gradcheck catalogue: {head}",
        "",
        f"{len(ids) - len(bad_ids)}/{len(ids)} identities passed, "
        f"{len(pits) - len(missed)}/{len(pits)} pitfalls caught; {len(cases)} checks "
        f"(identity x layout) of {report.trials} trials each, seed {report.seed}, "
        f"{report.method}, {report.seconds:.1f} s",
        "",
    ]
    if problems:
        lines += ["#### Not as expected", "", *_markdown_rows(problems), ""]
    lines += [
        "<details>",
        f"<summary>All {len(cases)} checks</summary>",
        "",
        *_markdown_rows(cases),
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"
