"""`gradcheck catalogue --junit-xml FILE` and `--format markdown` (gradcheck/report/ci_formats.py),
run as a user would (a subprocess) and checked by parsing what they write; the bad output
options, refused before anything runs, call the same gradcheck.cli.main in this interpreter."""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import pytest

from tests.cli_run import gradcheck_main

ROOT = Path(__file__).resolve().parents[1]

#: A catalogue with one case of each outcome: a right identity, a wrong one (whose name holds a
#: pipe, to be escaped in Markdown), a pitfall that passes (a problem), one that is caught, and
#: an identity whose claim raises.
MODULE = '''
from gradcheck import identity, pitfall

good = identity(
    "good_quad", f="x @ A @ x", derivative="(A + A.T) @ x",
    variables={"x": "n", "A": "n n"}, wrt="x",
)
wrong = identity(
    "wrong|pipe", f="x @ A @ x", derivative="2 * A @ x",
    variables={"x": "n where n >= 2", "A": "n n"}, wrt="x",
)
uncaught = pitfall("not_a_mistake", corrects=good, mistake="scale", derivative="(A + A.T) @ x")
caught = pitfall("double", corrects=good, mistake="scale", derivative="2 * (A + A.T) @ x")


def _raises(x):
    raise ValueError("the claim cannot be evaluated")


@identity(derivative=_raises, variables={"x": "n"}, wrt="x")
def claim_raises(x):
    """d(x^T x)/dx = (raises)"""
    return x @ x
'''


def _run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "identities")])}
    return subprocess.run(
        [sys.executable, "-m", "gradcheck", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One run of the catalogue above with every output written; its files and stdout."""
    where = tmp_path_factory.mktemp("ci")
    (where / "mine.py").write_text(MODULE)
    done = _run(
        "catalogue",
        "--module",
        "mine.py",
        "--trials",
        "3",
        "--save",
        "run.json",
        "--junit-xml",
        "run.xml",
        "--format",
        "markdown",
        cwd=where,
    )
    assert done.returncode == 1, done.stderr  # problems: a wrong identity, an uncaught pitfall
    data = json.loads((where / "run.json").read_text())
    return {"xml": (where / "run.xml").read_text(), "json": data, "markdown": done.stdout}


def _expected_cases(data):
    """From the JSON report, independently: per (identity, layout), its records."""
    cases = defaultdict(list)
    for record in data["records"]:
        cases[(record["identity"], record["layout"])].append(record)
    return cases


def _problem(records):
    return next((r for r in records if not r["ok"]), None)


def test_junit_xml_has_one_testcase_per_identity_and_layout_with_counts_from_the_run(run):
    root = ET.fromstring(run["xml"])
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = _expected_cases(run["json"])
    problems = {key: _problem(records) for key, records in cases.items()}
    errors = sum(p is not None and p["status"] == "error" for p in problems.values())
    failures = sum(p is not None and p["status"] != "error" for p in problems.values())
    assert (errors, failures) == (2, 4)  # claim_raises; wrong, not_a_mistake (x 2 layouts)
    for element in (root, suite):
        assert element.get("tests") == str(len(cases)) == "10"
        assert element.get("failures") == str(failures)
        assert element.get("errors") == str(errors)
        assert element.get("skipped") == "0"
    testcases = suite.findall("testcase")
    assert len(testcases) == len(cases)
    families = {r["identity"]: r["family"] for r in run["json"]["records"]}
    seen = set()
    for case in testcases:
        identity, layout = re.fullmatch(
            r"(.*)\[(numerator|denominator)\]", case.get("name")
        ).groups()
        seen.add((identity, layout))
        assert case.get("classname") == families[identity] == "mine"
        assert float(case.get("time")) >= 0
        problem = problems[(identity, layout)]
        children = list(case)
        if problem is None:
            assert children == []
            continue
        assert len(children) == 1
        child = children[0]
        assert child.tag == ("error" if problem["status"] == "error" else "failure")
        assert "\n" not in child.get("message") and child.get("message")
        assert child.get("type")
        assert child.text.startswith(child.get("message"))
    assert seen == set(cases)


def test_junit_failures_carry_the_bounded_report(run):
    suite = ET.fromstring(run["xml"]).find("testsuite")
    by_name = {case.get("name"): case for case in suite.findall("testcase")}
    wrong = by_name["wrong|pipe[denominator]"].find("failure")
    assert wrong.get("message").startswith("identity failed in trial")
    assert "gradcheck FAILED" in wrong.text and "index" in wrong.text  # the worst entries
    assert len(wrong.text.splitlines()) < 20
    uncaught = by_name["not_a_mistake[numerator]"].find("failure")
    assert uncaught.get("type") == "pitfall passed"
    assert "gradcheck PASSED" in uncaught.text
    error = by_name["claim_raises[numerator]"].find("error")
    assert "the claim cannot be evaluated" in error.text
    assert by_name["double[numerator]"].find("failure") is None  # a caught pitfall passes


def _table_rows(lines):
    rows = []
    for line in lines:
        if line.startswith("| ") and not line.startswith("| ---") and "| family |" not in line:
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([c.strip().replace("\\|", "|") for c in cells])
    return rows


def test_markdown_summary_headline_problems_first_then_every_row(run):
    text = run["markdown"]
    cases = _expected_cases(run["json"])
    problems = {key for key, records in cases.items() if _problem(records) is not None}
    lines = text.splitlines()
    assert (
        lines[0]
        == f"### gradcheck catalogue: {len(problems)} of {len(cases)} checks not as expected"
    )
    assert "1/3 identities passed, 1/2 pitfalls caught" in lines[2]
    before, details = text.split("<details>")
    assert details.rstrip().endswith("</details>") and "<summary>" in details
    problem_rows = _table_rows(before.splitlines())
    all_rows = _table_rows(details.splitlines())
    assert all(len(row) == 6 for row in problem_rows + all_rows)
    assert {(r[1], r[2]) for r in problem_rows} == problems
    assert len(all_rows) == len(cases) and {(r[1], r[2]) for r in all_rows} == set(cases)
    assert "wrong\\|pipe" in text
    for row in all_rows:
        records = cases[(row[1], row[2])]
        ok = sum(r["ok"] for r in records)
        assert row[3].startswith(f"{ok}/{len(records)} ")


@pytest.mark.parametrize(
    "args",
    [
        ["--junit-xml", "missing/dir/run.xml"],
        ["--junit-xml", ""],
        ["--junit-xml", "."],
        ["--format", "markdwn"],
    ],
)
def test_bad_output_options_are_one_line_and_status_2(tmp_path, args):
    done = gradcheck_main("catalogue", "--select", "dxTAx_dx", "--trials", "1", *args, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("gradcheck: error:")
    assert "Traceback" not in done.stderr
