"""``gradcheck notes`` on the corpus under tests/notes: every statement's verdict is the one
written beside it (``<!-- expect: ... -->`` in Markdown, ``% expect: ...`` in LaTeX), and the
command line's records, exit codes and errors."""

import json
import re
from pathlib import Path

import pytest

from gradcheck.cli import main
from gradcheck.latex import check_notes, check_notes_text

NOTES = Path(__file__).parent / "notes"
FILES = sorted(NOTES.iterdir())
_EXPECT = re.compile(
    r"expect:\s*((?:passed|failed|inconclusive|unparsed)(?:\s+(?:passed|failed|inconclusive|unparsed))*)"
)


def expected(path: Path) -> list[str]:
    return [v for m in _EXPECT.findall(path.read_text(encoding="utf-8")) for v in m.split()]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_corpus_verdicts_are_reproduced(path):
    records = check_notes(path)
    wanted = expected(path)
    got = [r.verdict for r in records]
    assert len(got) == len(wanted), [(r.line, r.latex[:40]) for r in records]
    wrong = [
        (r.line, w, r.verdict, r.diagnosis or r.reason)
        for r, w in zip(records, wanted, strict=True)
        if r.verdict != w
    ]
    assert wrong == []


def test_the_corpus_has_the_statements_the_issue_asks_for():
    wanted = [v for p in FILES for v in expected(p)]
    assert len(wanted) >= 80
    assert wanted.count("failed") >= 15
    assert wanted.count("unparsed") >= 10
    assert {p.suffix for p in FILES} == {".md", ".tex"}
    assert any("\u5e03\u5c40" in p.read_text(encoding="utf-8") for p in FILES)  # Chinese prose


def test_unparsed_statements_have_a_reason_and_failures_a_diagnosis():
    records = [r for p in FILES for r in check_notes(p)]
    assert all(r.reason for r in records if r.verdict == "unparsed")
    assert all(r.diagnosis for r in records if r.verdict == "failed")


def test_the_json_records_have_the_fields_of_the_issue(capsys):
    status = main(["notes", str(NOTES / "least_squares.md"), "--format", "json"])
    assert status == 1  # the notes contain wrong formulas
    document = json.loads(capsys.readouterr().out)
    fields = {
        "file",
        "line",
        "latex",
        "kind",
        "verdict",
        "layouts",
        "stated_layout",
        "shapes",
        "diagnosis",
        "reason",
    }
    assert all(fields <= set(r) for r in document["records"])
    first = document["records"][0]
    assert first["line"] == 9 and first["stated_layout"] == "denominator"
    assert first["kind"] == "derivative" and first["layouts"] == ["denominator"]
    assert document["counts"]["failed"] == expected(NOTES / "least_squares.md").count("failed")


def test_notes_exit_0_when_nothing_fails_and_the_table_has_one_row_per_statement(tmp_path, capsys):
    path = tmp_path / "ok.md"
    path.write_text(
        "Some prose.\n\n$$\\frac{\\partial \\mathbf{x}^T\\mathbf{x}}{\\partial \\mathbf{x}} = "
        "2\\mathbf{x}$$\n\nand $\\def\\a{b} a = b$ which is refused.\n",
        encoding="utf-8",
    )
    assert main(["notes", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}:3" in out and f"{path}:5" in out
    assert "2 statements: 1 passed, 0 failed, 0 inconclusive, 1 unparsed" in out


def test_a_missing_notes_file_is_a_usage_error(tmp_path, capsys):
    assert main(["notes", str(tmp_path / "absent.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "absent.md" in err


def test_formula_latex_exit_codes(capsys):
    wrong = (
        r"\frac{\partial \mathbf{x}^T A \mathbf{x}}{\partial \mathbf{x}} = 2\mathbf{x}^T(A + A^T)"
    )
    right = (
        r"\frac{\partial \mathbf{x}^T A \mathbf{x}}{\partial \mathbf{x}} = \mathbf{x}^T(A + A^T)"
    )
    assert main(["formula", "--latex", wrong]) == 1
    assert "scale: the claim is 2 times the derivative" in capsys.readouterr().out
    assert main(["formula", "--latex", right]) == 0
    assert " num " in capsys.readouterr().out
    assert main(["formula", "--latex", r"\input{x} = 1"]) == 2
    assert "never run" in capsys.readouterr().err
    assert main(["formula", "--latex", right, "--wrt", "x"]) == 2
    assert "drop --wrt" in capsys.readouterr().err
    assert main(["formula", "x @ x"]) == 2
    assert "missing: --claim, --wrt, --shapes" in capsys.readouterr().err


def test_a_stated_layout_decides_and_the_other_is_named():
    text = (
        "We use the numerator layout.\n\n"
        "$$\\frac{\\partial \\mathbf{a}^T\\mathbf{x}}{\\partial \\mathbf{x}} = \\mathbf{a}$$\n"
    )
    (record,) = check_notes_text(text)
    assert record.stated_layout == "numerator"
    assert record.verdict == "failed" and record.layouts == ("denominator",)
    assert "holds in the denominator layout only" in record.diagnosis


def test_definitions_and_prose_declarations_in_any_language():
    text = (
        "其中 $\\mathbf{a}$ 是 $m \\times 1$ 的向量, $\\mathbf{b}$ 是 $n \\times 1$ 的向量。\n"
        "设 $y = \\mathbf{a}^T X \\mathbf{b}$, 则 "
        "$\\frac{\\partial y}{\\partial X} = \\mathbf{a}\\mathbf{b}^T$.\n"
        "$$RSS(\\beta) = (\\mathbf{z} - X\\beta)^T(\\mathbf{z} - X\\beta)$$\n"
        "$$\\nabla_{\\beta} RSS(\\beta) = -2X^T(\\mathbf{z} - X\\beta)$$\n"
    )
    first, second = check_notes_text(text)
    assert (first.kind, first.verdict, first.layouts) == ("derivative", "passed", ("denominator",))
    # a and b were declared with different dimensions, so X is rectangular
    dims = dict(item.split("=") for item in first.shapes.split())
    assert dims["a"] != dims["b"] and dims["X"] == f"{dims['a']}x{dims['b']}"
    assert (second.verdict, second.layouts) == ("passed", ("denominator",))
    assert "beta" in second.shapes  # beta plain lowercase: read as a vector (x beta needs it)
