"""``gradcheck notes`` on the corpus under tests/notes: every statement's verdict is the one
written beside it (``<!-- expect: ... -->`` in Markdown, ``% expect: ...`` in LaTeX), and the
command line's records, exit codes and errors."""

import json
import re
from collections import Counter
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
    # every unparsed statement says why, every failed one what is wrong
    assert [r.line for r in records if r.verdict == "unparsed" and not r.reason] == []
    assert [r.line for r in records if r.verdict == "failed" and not r.diagnosis] == []


def test_the_corpus_has_the_statements_the_issue_asks_for():
    wanted = [v for p in FILES for v in expected(p)]
    assert len(wanted) >= 80
    assert wanted.count("failed") >= 15
    assert wanted.count("unparsed") >= 10
    assert {p.suffix for p in FILES} == {".md", ".tex"}
    assert any("\u5e03\u5c40" in p.read_text(encoding="utf-8") for p in FILES)  # Chinese prose


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


ROW = "$$\\frac{\\partial \\mathbf{a}^T\\mathbf{x}}{\\partial \\mathbf{x}} = \\mathbf{a}^T$$\n"


@pytest.mark.parametrize(
    ("sentence", "layout"),
    [
        ("We use the denominator layout throughout.", "denominator"),
        ("All results are in numerator-layout.", "numerator"),
        ("本文采用分母布局。", "denominator"),
        ("Wir verwenden das Zählerlayout.", "numerator"),
        ("Wir verwenden das Nenner-Layout.", "denominator"),
        ("Nous utilisons la disposition du numérateur.", "numerator"),
        ("Usamos la disposición del denominador.", "denominator"),
        ("Используем раскладку знаменателя.", "denominator"),
    ],
)
def test_a_layout_stated_in_a_sentence_in_several_languages(sentence, layout):
    (record,) = check_notes_text(sentence + "\n\n" + ROW)
    assert record.stated_layout == layout
    # the row vector holds in the numerator layout only
    assert record.verdict == ("passed" if layout == "numerator" else "failed")


@pytest.mark.parametrize(
    "sentence",
    ["The numerator of the fraction is a scalar.", "The layout of this page is plain."],
)
def test_a_sentence_that_names_no_layout_states_none(sentence):
    text = sentence + "\n\n$$\\operatorname{tr}(A^T) = \\operatorname{tr}(A)$$\n"
    (record,) = check_notes_text(text)
    assert record.stated_layout is None


def test_a_layout_evident_from_a_shape_written_holds_for_the_rest_of_the_document():
    text = (
        ROW
        + "\n$$\\frac{\\partial \\mathbf{x}^T\\mathbf{x}}{\\partial \\mathbf{x}} = 2\\mathbf{x}$$\n"
    )
    first, second = check_notes_text(text)
    assert (first.stated_layout, first.verdict) == ("numerator", "passed")
    assert "makes the numerator layout the document's" in first.diagnosis
    assert (second.stated_layout, second.verdict) == ("numerator", "failed")
    assert "the document writes (at line 1) the numerator layout" in second.diagnosis
    # a square result fits both layouts and fixes nothing
    square = "$$\\frac{\\partial \\operatorname{tr}(X)}{\\partial X} = I$$\n\n"
    first, second, _ = check_notes_text(square + text)
    assert first.stated_layout is None and second.stated_layout == "numerator"


def test_a_table_with_layout_columns_checks_each_cell_in_its_column_layout():
    text = (
        "We use the denominator layout.\n\n"
        "| $f$ | 分子布局 | denominator |\n"
        "|:---|:---:|---:|\n"
        "| $\\frac{\\partial A\\mathbf{x}}{\\partial \\mathbf{x}}$ | $A$ | $A^T$ |\n"
        "| $\\|\\mathbf{x}\\|^2$ | | "
        "$\\frac{\\partial \\mathbf{x}^T\\mathbf{x}}{\\partial \\mathbf{x}} = 2\\mathbf{x}^T$ |\n"
        "\nAfter it: $\\frac{\\partial A\\mathbf{x}}{\\partial \\mathbf{x}} = A$.\n"
    )
    records = check_notes_text(text, "t.md")
    got = [(r.line, r.stated_layout, r.verdict) for r in records]
    assert got == [
        (5, "numerator", "passed"),
        (5, "denominator", "passed"),
        (6, "denominator", "failed"),  # a full statement in the cell: the row is its own
        (8, "denominator", "failed"),  # the document's layout again
    ]


def test_a_table_without_layout_columns_is_read_as_text():
    text = (
        "| identity | note |\n|---|---|\n"
        "| $\\operatorname{tr}(A^T) = \\operatorname{tr}(A)$ | ok |\n"
    )
    (record,) = check_notes_text(text)
    assert (record.line, record.verdict, record.stated_layout) == (3, "passed", None)


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("Here $|X|$ is the determinant of $X$.", "passed"),
        ("其中 $|X|$ 表示 $X$ 的行列式。", "passed"),
        ("Hier ist $|X|$ die Determinante.", "passed"),
        ("The determinant $|X|$ of $X$ is positive here.", "passed"),
        ("A norm. Then $|X|$ is read. Nothing more.", "inconclusive"),
        ("Here $|X|$ is the Frobenius norm of $X$.", "failed"),
        ("Nothing is said about $X$.", "inconclusive"),
        # the norm of a vector says nothing about bars around a matrix
        ("The norm $\\|\\mathbf{x}\\|$ of a vector is its length.", "inconclusive"),
    ],
)
def test_the_document_says_how_bars_around_a_matrix_read(sentence, verdict):
    text = sentence + "\n\n$$\\frac{\\partial \\ln|X|}{\\partial X} = X^{-T}$$\n"
    (record,) = check_notes_text(text)
    assert record.verdict == verdict


def test_a_derivation_records_the_first_broken_link():
    step = r"\operatorname{tr}(C\mathbf{u}\mathbf{u}^T)"  # the derivations' middle step
    derivations = [r for r in check_notes(NOTES / "vec_sums.md") if step in r.latex]
    good, symmetric_step = derivations
    assert (good.verdict, good.broken_link) == ("passed", None)
    assert (symmetric_step.verdict, symmetric_step.broken_link) == ("failed", 2)
    assert "symmetric_only" in symmetric_step.diagnosis


def test_json_records_carry_the_broken_link(tmp_path, capsys):
    path = tmp_path / "chain.md"
    path.write_text(
        "$\\|\\mathbf{u}\\|^2 = \\mathbf{u}^T\\mathbf{u} = 2\\mathbf{u}^T\\mathbf{u}$\n",
        encoding="utf-8",
    )
    assert main(["notes", str(path), "--format", "json"]) == 1
    (record,) = json.loads(capsys.readouterr().out)["records"]
    assert record["broken_link"] == 2 and record["verdict"] == "failed"


def test_the_readme_gives_the_corpus_figures():
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    text = " ".join(readme[readme.index("The corpus under `tests/notes/`") :].split()[:40])
    wanted = Counter(v for p in FILES for v in expected(p))
    figures = (
        f"({sum(wanted.values())} statements",
        f"{wanted['passed']} that hold, {wanted['failed']} wrong, "
        f"{wanted['inconclusive']} ambiguous and {wanted['unparsed']} unreadable",
    )
    assert all(f in text for f in figures), text


def test_a_latex_tabular_with_layout_columns_checks_each_cell_in_its_column_layout():
    text = (
        "\\begin{tabular}{lcc}\n\\hline\n"
        "& Zähler-Layout & Nenner-Layout \\\\ \\hline\n"
        "$\\frac{\\partial A\\mathbf{x}}{\\partial \\mathbf{x}}$ & $A$ & $A$ \\\\\n"
        "\\end{tabular}\n"
        "and $\\frac{\\partial A\\mathbf{x}}{\\partial \\mathbf{x}} = A^T$\n"
    )
    records = check_notes_text(text, "t.tex", tex=True)
    got = [(r.line, r.stated_layout, r.verdict) for r in records]
    # the denominator-layout Jacobian of A x is A^T; the sentence after names no layout
    assert got == [(4, "numerator", "passed"), (4, "denominator", "failed"), (6, None, "passed")]
    assert "holds in the numerator layout only; its column is the denominator" in (
        records[1].diagnosis
    )


@pytest.mark.parametrize(
    ("latex", "name"),
    [
        (r"\frac{\partial |x|}{\partial x} = \operatorname{sign}(x)", "sign"),
        (r"\frac{\partial |x|}{\partial x} = \mathrm{sgn}\left(x\right)", "sgn"),
        (r"\frac{\partial \operatorname{erf}(x)}{\partial x} = e^{-x^2}", "erf"),
        (r"\frac{\partial \mathrm{gelu}(x)}{\partial x} = 1", "gelu"),
    ],
)
def test_a_function_name_the_reader_does_not_know_is_unparsed_never_failed(latex, name):
    # finding 8: the name was read as a variable multiplying its argument, so a correct
    # statement came out `failed`
    (record,) = check_notes_text(f"$${latex}$$")
    assert record.verdict == "unparsed"
    assert f"unknown function {name}" in record.reason


@pytest.mark.parametrize(
    "latex",
    [
        r"\frac{\partial \operatorname{tr}(\exp(X))}{\partial X} = \exp(X)^T",
        r"\frac{\partial \operatorname{tr}(\log(X))}{\partial X} = X^{-T}",
        r"\frac{\partial \operatorname{tr}(\exp(X))}{\partial X}"
        r" = \operatorname{diag}(\exp(\operatorname{diag}(X)))",
    ],
)
def test_exp_and_log_of_a_square_matrix_rest_on_no_guessed_reading(latex):
    # finding 9: read entrywise, the matrix-exponential identity came out `failed`
    (record,) = check_notes_text(f"$${latex}$$")
    assert record.verdict == "unparsed"
    assert "of a square matrix is ambiguous" in record.reason


def test_exp_of_a_vector_is_still_read_entrywise():
    # d sum_i exp(x_i) / dx = exp(x): 1^T exp(x) has gradient exp(x) (hand computation)
    latex = r"\frac{\partial \mathbf{1}^T \exp(\mathbf{x})}{\partial \mathbf{x}} = \exp(\mathbf{x})"
    (record,) = check_notes_text(f"$${latex}$$")
    assert record.verdict == "passed", record.reason


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("For symmetric $W$:", "passed"),
        ("Here $W$ is symmetric.", "passed"),
        ("Sei $W$ symmetrisch.", "passed"),
        ("设 $W$ 为对称矩阵。", "passed"),
        ("This holds only for symmetric $W$:", "failed"),
        ("Here $W$ is not symmetric.", "failed"),
        ("Here $(W + W^T)/2$ is the symmetric part of $W$.", "failed"),
        ("Nothing is said about $W$.", "failed"),
    ],
)
def test_a_matrix_the_document_states_symmetric_is_drawn_symmetric(sentence, verdict):
    # d/ds (x - As)^T W (x - As) = -A^T (W + W^T)(x - As) (hand computation): -2 A^T W (x - As)
    # holds exactly when W is symmetric; before, the stated assumption was ignored (failed)
    latex = (
        r"\frac{\partial}{\partial \mathbf{s}}(\mathbf{x}-A\mathbf{s})^T W(\mathbf{x}-A\mathbf{s})"
        r" = -2A^T W(\mathbf{x}-A\mathbf{s})"
    )
    (record,) = check_notes_text(f"{sentence}\n\n$${latex}$$\n")
    assert record.verdict == verdict, record.diagnosis


@pytest.mark.parametrize(
    ("sentence", "verdicts"),
    [
        ("Let $A$, $B$ be matrices and $W$ symmetric.", ["passed", "failed"]),
        ("Let $W$ be a symmetric matrix and $A$ arbitrary.", ["passed", "failed"]),
        ("Let $A$ be any matrix; for symmetric $W$:", ["passed", "failed"]),
        ("Let $A$ and $W$ be symmetric.", ["passed", "passed"]),
        ("For symmetric $W$ and $A$:", ["passed", "passed"]),
        ("Let $W$, $A$ be symmetric.", ["passed", "passed"]),
    ],
)
def test_only_the_matrices_the_word_symmetric_is_said_of_are_drawn_symmetric(sentence, verdicts):
    # d(x^T M x)/dx = (M + M^T) x (hand computation): 2 M x holds exactly for symmetric M, so
    # the A statement passes only where the sentence says A is symmetric; before, every symbol
    # of a sentence with the word was taken as symmetric (a wrong passed for A)
    text = (
        f"{sentence}\n\n$$\\frac{{\\partial x^T W x}}{{\\partial x}} = 2 W x$$\n\n"
        "$$\\frac{\\partial x^T A x}{\\partial x} = 2 A x$$\n"
    )
    assert [r.verdict for r in check_notes_text(text)] == verdicts


def test_a_derivative_by_a_matrix_stated_symmetric_is_unparsed_with_the_reason():
    # for symmetric X the gradient of tr(AX) is A^T or sym(A) or A + A^T - diag(A), by convention
    text = (
        "Let $X$ be symmetric.\n\n$$\\frac{\\partial \\operatorname{tr}(AX)}{\\partial X} = A^T$$\n"
    )
    (record,) = check_notes_text(text)
    assert record.verdict == "unparsed"
    assert "symmetric matrix X depends on a convention" in record.reason


@pytest.mark.parametrize(
    ("text", "verdicts"),
    [
        # the assumption after the display, in its sentence
        (
            "$$\\nabla_x x^T A x = 2 A x$$ (if $A$ symmetric).\n\n$$\\nabla_x x^T A x = 2 A x$$\n",
            ["passed", "failed"],
        ),
        # a sentence with statements assumes for its statements only
        (
            "For symmetric $A$, $\\nabla_x x^TAx = 2Ax$. Then $\\nabla_x x^TAx = 2Ax$.\n",
            ["passed", "failed"],
        ),
        # how bars read, said after the display in its sentence
        (
            "$$\\nabla_A |A| = |A| A^{-T}$$ where $|A|$ is the determinant.\n",
            ["passed"],
        ),
    ],
)
def test_an_assumption_said_in_the_sentence_of_a_statement_holds_for_that_sentence(text, verdicts):
    # before: the first statement was checked before its sentence's assumption was read
    # (failed: symmetric_only; inconclusive: determinant or norm)
    assert [r.verdict for r in check_notes_text(text)] == verdicts


@pytest.mark.parametrize(
    "latex",
    [
        r"\nabla_x^2 \, \|x\|_2^2 = 2I",
        r"\nabla^2_x x^TAx = A + A^T",
        r"\frac{\partial^2 x^TAx}{\partial x \partial x^T} = A + A^T",
        r"\frac{\partial^{2} (\mathbf{a}^\top \mathbf{x})^2}{\partial \mathbf{x}\,"
        r"\partial \mathbf{x}^\top} = 2 \mathbf{a} \mathbf{a}^\top",
        r"\nabla_x^2 \tfrac12 \|Ax - b\|^2 = A^T A",
        r"\frac{d^2}{dx^2} \sin x = -\sin x",
        r"\frac{\mathrm{d}^2 e^{2t}}{\mathrm{d}t^2} = 4 e^{2t}",
    ],
)
def test_a_hessian_in_the_notation_of_notes_is_checked(latex):
    # before: unparsed, "a second derivative (\nabla^2, a Hessian) is not read"
    (record,) = check_notes_text(f"$${latex}$$")
    assert (record.kind, record.verdict) == ("hessian", "passed"), record


@pytest.mark.parametrize(
    ("latex", "mistake"),
    [
        (r"\nabla^2_x x^TAx = 2A", "not_symmetric"),  # A + A^T only for symmetric A
        (r"\frac{d^2}{dx^2} \sin x = \sin x", "sign"),
        (r"\nabla_x^2 \|x\|^2 = I", "scale"),
        (r"\nabla_x^2 \tfrac12 \|Ax - b\|^2 = A A^T", ""),
    ],
)
def test_a_wrong_hessian_fails_with_its_diagnosis(latex, mistake):
    (record,) = check_notes_text(f"$${latex}$$")
    assert (record.kind, record.verdict) == ("hessian", "failed"), record
    assert record.diagnosis.startswith(mistake)


def test_a_hessian_for_a_symmetric_matrix_stated_in_the_prose_passes():
    text = "For symmetric $A$, $\\nabla_x^2 x^TAx = 2A$."
    (record,) = check_notes_text(text)
    assert (record.kind, record.verdict) == ("hessian", "passed"), record


@pytest.mark.parametrize(
    ("latex", "reason"),
    [
        (r"\nabla_X^2 \operatorname{tr}(X^T X) = 2I", "a Hessian by the matrix X"),
        (r"\nabla_x^2 (A x) = 0", "a Hessian is of a scalar function"),
        (r"\frac{\partial^2 x^T A y}{\partial x \partial y} = A", "a mixed second derivative"),
        (r"\nabla^3_x \|x\|^2 = 0", "only \\nabla (the gradient) and \\nabla^2"),
        (r"\frac{\partial^3 \|x\|^2}{\partial x^3} = 0", "only first and second"),
        (r"\frac{\partial^2 f}{\partial x^2} = A", "does not contain x"),
        (r"\nabla_x^2 \|x\|^2 = \nabla_x (2x)", "a Hessian beside another derivative"),
    ],
)
def test_a_second_derivative_that_cannot_be_read_is_unparsed_with_the_reason(latex, reason):
    (record,) = check_notes_text(f"$${latex}$$")
    assert record.verdict == "unparsed" and reason in record.reason, record


@pytest.mark.parametrize(
    "latex",
    [
        r"\frac{\partial f}{\partial \mathbf{x}} = 2\mathbf{x}",
        r"\mathrm{d}\phi = \operatorname{tr}(A^T\,\mathrm{d}X)",
        r"\partial\phi/\partial X = A",
    ],
)
def test_a_function_written_as_a_bare_symbol_is_unparsed_never_failed(latex):
    # before: f and phi were read as constants, so a correct identification came out `failed`
    (record,) = check_notes_text(f"$${latex}$$")
    assert record.verdict == "unparsed"
    assert "does not contain" in record.reason


@pytest.mark.parametrize(
    ("latex", "verdict"),
    [
        (r"\partial (\mathbf{x}^T\mathbf{x}) / \partial \mathbf{x} = 2\mathbf{x}", "passed"),
        (r"\partial (\mathbf{x}^T\mathbf{x}) / \partial \mathbf{x} = \mathbf{x}", "failed"),
        (r"\partial\,\mathrm{tr}(A^TX)/\partial X = A", "passed"),
        # the function must be one symbol or a group: the rest is not guessed
        (r"\partial \mathbf{x}^T\mathbf{x} / \partial \mathbf{x} = 2\mathbf{x}", "unparsed"),
    ],
)
def test_a_derivative_written_inline_with_a_slash(latex, verdict):
    # before: every \partial outside \frac was unparsed
    (record,) = check_notes_text(f"${latex}$")
    assert record.verdict == verdict


@pytest.mark.parametrize(
    "latex",
    [
        r"\mathrm{Tr}(AB) = \mathrm{Tr}(BA)",
        r"\text{trace}(A^T) = \text{trace}(A)",
        r"\operatorname{vec}(AXB) = (B^T \otimes A)\operatorname{vec} X",
    ],
)
def test_a_known_function_on_the_left_is_a_statement_not_a_definition(latex):
    # before: read as the definition of a function Tr / vec (no record, or unparsed), or cut
    # at \text{trace}
    (record,) = check_notes_text(f"Let $A$, $B$, $X$ be matrices. ${latex}$")
    assert record.verdict == "passed", record.reason


def test_a_function_defined_in_the_document_is_used_by_its_bare_name():
    # before: \nabla_x f with f(x) defined was f read as an undefined symbol
    text = (
        "$f(\\mathbf{x}) = \\|A\\mathbf{x} - \\mathbf{b}\\|_2^2$; then "
        "$\\nabla_{\\mathbf{x}} f = 2A^T(A\\mathbf{x} - \\mathbf{b})$ and "
        "$\\nabla_{\\mathbf{x}} f = A^T(A\\mathbf{x} - \\mathbf{b})$."
    )
    assert [r.verdict for r in check_notes_text(text)] == ["passed", "failed"]


@pytest.mark.parametrize("latex", ["f'(x) = 2x", "f^\\prime(x) = 2x", "g''(x) = 2"])
def test_a_prime_after_a_function_name_is_a_derivative_never_a_transpose(latex):
    # before: f'(x) read as f(x)^T: for f(x) = x^2 the correct f'(x) = 2x came out `failed`
    text = f"Let $x \\in \\mathbb{{R}}$. For $f(x) = x^2$ and $g(x) = x^2$: ${latex}$."
    (record,) = check_notes_text(text)
    assert record.verdict == "unparsed" and "a prime after a function's name" in record.reason


def test_a_prime_after_a_vector_is_still_a_transpose():
    latex = r"\frac{\partial (x' A x)}{\partial x} = (A + A')x"
    (record,) = check_notes_text(f"$${latex}$$")
    assert record.verdict == "passed"


@pytest.mark.parametrize(
    ("latex", "verdict"),
    [
        (r"\nabla_{\mathbf{x}} \frac12 \mathbf{x}^T\mathbf{x} = \mathbf{x}", "passed"),
        (r"\frac12 + \frac14 = \frac34", "passed"),
        (r"\frac123 = \frac{3}{2}", "passed"),  # \frac{1}{2}3, as TeX reads it
        (r"\nabla_{\mathbf{x}} \frac12 \mathbf{x}^T\mathbf{x} = 2\mathbf{x}", "failed"),
    ],
)
def test_a_fraction_of_single_digits_without_braces(latex, verdict):
    # before: \frac12 x was read as 12 / x, so the correct gradient came out `failed`
    (record,) = check_notes_text(f"$${latex}$$")
    assert record.verdict == verdict


@pytest.mark.parametrize("environment", ["equation", "equation*", "align", "align*", "gather"])
def test_a_bare_environment_in_markdown_is_read_as_mathjax_renders_it(environment):
    # Jupyter and MathJax-rendered Markdown display \begin{equation}...\end{equation} without
    # $$; the reader skipped them, so a wrong formula in one went unchecked
    text = (
        f"Text.\n\n\\begin{{{environment}}}\n\\frac{{\\partial}}{{\\partial X}} "
        f"\\operatorname{{tr}}(A X) = 2 A^T\n\\end{{{environment}}}\n\nMore $x$ text.\n"
    )
    (record,) = check_notes_text(text, "t.md")
    assert (record.line, record.verdict) == (4, "failed")


def test_an_escaped_bracket_in_markdown_is_no_display():
    text = "See \\[1\\] and \\[2\\] for $\\nabla_x x^T x = 2x$.\n"
    records = check_notes_text(text, "t.md")
    assert [(r.line, r.verdict) for r in records] == [(1, "passed")]


XAX = "$$\\nabla_x x^T A x = 2 A x$$"  # holds for symmetric A only


@pytest.mark.parametrize(
    ("text", "verdicts"),
    [
        # a sentence ending with a colon introduces the displays that follow it, not the rest
        # of the document (every later statement passed: a wrong passed for a general A)
        (
            f"For symmetric $A$:\n\n{XAX}\n\nIn general\n\n{XAX}\n\nis wrong.\n",
            ["passed", "failed"],
        ),
        (
            f"For symmetric $A$:\n\n{XAX}\n\n{XAX}\n\n## Next\n\n{XAX}\n",
            ["passed"] * 2 + ["failed"],
        ),
        (f"如果 $A$ 对称：\n\n{XAX}\n\n一般来说\n\n{XAX}\n", ["passed", "failed"]),
        # a declaration ending with a full stop holds from there on
        (f"Let $A$ be symmetric.\n\n{XAX}\n\nAgain:\n\n{XAX}\n", ["passed", "passed"]),
        (
            f"For symmetric $A$, the gradient simplifies:\n\n{XAX}\n\nwhile in general\n\n"
            f"{XAX}\n\nis wrong.\n",
            ["passed", "failed"],
        ),
    ],
)
def test_an_assumption_ending_with_a_colon_holds_for_what_it_introduces(text, verdicts):
    assert [r.verdict for r in check_notes_text(text)] == verdicts


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_an_entrywise_derivative_holds_in_either_stated_layout_and_states_none(layout):
    # d tr(BX)/dX_ij = B_ji whatever the layout; before, x_i was a symbol of its own and the
    # statement unparsed. It must not fix the document's layout either: the vector statement
    # after it is read in the layout the document states.
    text = (
        f"We use the {layout} layout.\n\n"
        "$$\\frac{\\partial \\operatorname{tr}(B X)}{\\partial X_{ij}} = B_{ji}$$\n\n"
        "$$\\frac{\\partial \\operatorname{tr}(B X)}{\\partial X} = B^T$$\n"
    )
    entrywise, matrix = check_notes_text(text)
    assert (entrywise.verdict, entrywise.layouts) == ("passed", ())
    assert matrix.verdict == ("passed" if layout == "denominator" else "failed")


def test_an_entrywise_derivative_without_a_stated_layout_states_none():
    text = (
        "$$\\frac{\\partial (a^T x)}{\\partial x_i} = a_i$$\n\n"
        "$$\\frac{\\partial (a^T x)}{\\partial x} = a^T$$\n"
    )
    entrywise, vector = check_notes_text(text)
    assert entrywise.verdict == "passed" and entrywise.stated_layout is None
    assert vector.verdict == "passed" and vector.layouts == ("numerator",)


# A size written as a number is the size checked (before: the declared R^5 was drawn at 3 like
# a letter, and an identity true only for 2 x 2 matrices "failed" at 3 x 3: a false alarm)
_TWO_BY_TWO = (
    r"\frac{\partial}{\partial X} \left(\operatorname{tr}(X)^2 - \operatorname{tr}(X^2)\right)"
    r" = 2 \det(X) X^{-T}"
)


@pytest.mark.parametrize(
    ("statement", "verdict", "shapes"),
    [
        (r"For $x \in \mathbb{R}^5$: $\frac{\partial}{\partial x} x^T x = 2x$.", "passed", "x=5"),
        (
            r"For $X \in \mathbb{R}^{4 \times 2}$: "
            r"$\frac{\partial}{\partial X} \operatorname{tr}(X^T X) = 2X$.",
            "passed",
            "X=4x2",
        ),
        (rf"For $X \in \mathbb{{R}}^{{2 \times 2}}$: ${_TWO_BY_TWO}$.", "passed", "X=2x2"),
        (rf"For $X \in \mathbb{{R}}^{{3 \times 3}}$: ${_TWO_BY_TWO}$.", "failed", "X=3x3"),
        (
            r"For $x \in \mathbb{R}^n$: $\frac{\partial}{\partial x} \sum_{i=1}^{4} x_i^2 = 2x$.",
            "passed",
            "x=4",
        ),
        # a large written size stands for "some size"
        (
            r"For $x \in \mathbb{R}^{1000}$: $\frac{\partial}{\partial x} x^T x = 2x$.",
            "passed",
            "x=3",
        ),
    ],
)
def test_a_size_written_as_a_number_is_the_size_checked(statement, verdict, shapes):
    (record,) = check_notes_text(statement)
    assert (record.verdict, record.shapes) == (verdict, shapes)


def test_the_other_sizes_are_drawn_distinct_from_a_written_one():
    (record,) = check_notes_text(
        r"For $A \in \mathbb{R}^{3 \times n}$: "
        r"$\frac{\partial}{\partial x} x^T A^T A x = 2 A^T A x$."
    )
    assert record.verdict == "passed"
    sizes = dict(s.split("=") for s in record.shapes.split())
    rows, cols = sizes["A"].split("x")
    assert rows == "3" and cols != "3" and sizes["x"] == cols


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        (
            r"For $x \in \mathbb{R}^3$: $\frac{\partial}{\partial x} \sum_{i=1}^{4} x_i^2 = 2x$.",
            "the sizes 3 and 4 would have to be equal",
        ),
        (
            r"For $x \in \mathbb{R}^n$: $\frac{\partial}{\partial x} \sum_{i=1}^{0} x_i^2 = 2x$.",
            "a size written as 0",
        ),
        (
            r"For $x \in \mathbb{R}^n$: $\frac{\partial}{\partial x} \sum_{i=1}^{2.5} x_i^2 = 2x$.",
            "a dimension's name or a whole number",
        ),
    ],
)
def test_sizes_written_as_numbers_that_cannot_hold_are_unparsed_with_the_reason(statement, reason):
    (record,) = check_notes_text(statement)
    assert record.verdict == "unparsed" and reason in record.reason
