"""The package's layering, checked on its source: each sub-package has one job and imports only
the layers below it, through their ``__init__``, never another package's underscore names."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import gradcheck

ROOT = Path(gradcheck.__file__).resolve().parent
#: Rank of each part of gradcheck: a module may import its own package and parts of lower rank.
RANKS = {
    "errors": 0,
    "_version": 0,
    "engine": 1,
    "expressions": 1,
    "verdict": 2,
    "catalogue": 3,
    "report": 4,
    "strategies": 5,
    "latex": 5,
    "testing": 6,
    "plugin": 6,
    "cli": 6,
    "__main__": 7,
    "__init__": 7,
}


def _part(module: str) -> str:
    """The part of gradcheck a dotted module name (``gradcheck.engine.estimate``) belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        name = ".".join(rel.parts)
        is_package = path.name == "__init__.py"
        if is_package:
            name = name.removesuffix(".__init__")
        yield path, name, is_package


def _imports(path: Path, name: str, is_package: bool):
    """(imported module, imported names) of every gradcheck import in a module's source."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def _violations():
    found = []
    for path, name, is_package in _modules():
        own = _part(name)
        for target, names in _imports(path, name, is_package):
            if target.split(".")[0] in ("identities", "gradcheck_identities"):
                found.append(f"{name} imports the catalogue package {target}")
                continue
            if not target.startswith("gradcheck"):
                continue
            other = _part(target)
            if other == own and own != "__init__":
                continue
            if RANKS[other] >= RANKS[own]:
                found.append(f"{name} ({own}) imports {target} ({other}): not a lower layer")
            if target.count(".") > 1:
                found.append(f"{name} imports {target}: go through gradcheck.{other}")
            hidden = [n for n in names if n.startswith("_") and n != "__version__"]
            if hidden:
                found.append(f"{name} imports underscore names {hidden} from {target}")
    return found


def test_every_module_has_a_layer():
    parts = {_part(name) for _, name, _ in _modules()}
    assert parts <= set(RANKS), parts - set(RANKS)


def test_imports_follow_the_layers():
    assert _violations() == []


def test_the_rule_catches_an_upward_import(tmp_path, monkeypatch):
    # the checker itself can fail: an engine module that imports the verdict layer
    bad = tmp_path / "gradcheck" / "engine"
    bad.mkdir(parents=True)
    (tmp_path / "gradcheck" / "__init__.py").write_text("")
    (bad / "__init__.py").write_text("")
    (bad / "bad.py").write_text("from ..verdict.check import _compare\nimport identities\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path / "gradcheck")
    problems = _violations()
    assert any("not a lower layer" in p for p in problems)
    assert any("go through gradcheck.verdict" in p for p in problems)
    assert any("underscore names ['_compare']" in p for p in problems)
    assert any("catalogue package identities" in p for p in problems)


def test_version_matches_pyproject():
    pyproject = ROOT.parent / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("installed without the source tree")
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == gradcheck.__version__


def test_a_users_own_identities_module_breaks_nothing(tmp_path):
    # a module named like the repository's catalogue folder, in the working directory
    (tmp_path / "identities.py").write_text("raise RuntimeError('the user module was imported')\n")
    (tmp_path / "gradcheck_identities.py").write_text("raise RuntimeError('imported too')\n")
    run = subprocess.run(
        [sys.executable, "-m", "gradcheck", "catalogue", "--select", "dxTAx_dx"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "1/1 identities passed" in run.stdout
