"""The layer contracts of pyproject.toml hold, and they would catch an upward import (docs/architecture.md)."""
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300)


def test_every_app_imports_only_the_apps_below_it():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Apps depend downward only KEPT" in result.stdout
    assert "assessments: policy <- eligibility <- workflows; plans apart KEPT" in result.stdout
    assert "No import cycles between sibling modules KEPT" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_build(tmp_path):
    """A copy of the tree with one function in villages importing reports, and two villages modules importing each
    other: both contracts are broken, naming the imports."""
    copy = tmp_path / "tree"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "node_modules", "media", "*.sqlite3",
                                                               "__pycache__", ".import_linter_cache"))
    (copy / "villages" / "upward.py").write_text(
        "def figures():\n    from reports.snapshot import build_snapshot\n\n    return build_snapshot\n", encoding="utf-8")
    (copy / "villages" / "cycle_a.py").write_text("from villages.cycle_b import B\n\nA = B\n", encoding="utf-8")
    (copy / "villages" / "cycle_b.py").write_text("B = 1\n\n\ndef a():\n    from villages.cycle_a import A\n\n    return A\n",
                                                  encoding="utf-8")
    result = _lint(copy)
    assert result.returncode != 0
    assert "Apps depend downward only BROKEN" in result.stdout and "villages.upward -> reports.snapshot" in result.stdout
    assert "No import cycles between sibling modules BROKEN" in result.stdout and "No cycles are allowed in villages." in result.stdout
