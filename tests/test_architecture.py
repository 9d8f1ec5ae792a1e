"""The package's layers, enforced (DESIGN.md "Layout").

nelm_stats/
  intake/      the data's way in (read, mapping, normalise, dates, derive, quality, privacy)
  estimators/  the statistics (survival, logrank, competing, cox, proportions, accuracy, propensity, ...)
  report/      the presentation layer (format, narrative, views, report objects)
  figures/     plotly builders that take result objects
  schema.py, errors.py, samples.py, _checks.py: shared by all

Rules: nothing in nelm_stats imports streamlit; intake and estimators never import the
presentation layer (report, figures); intake does not import estimators; project modules import
each other at module level (no hidden imports inside functions), with the exceptions listed here
and the reason for each; every module declares ``__all__``.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import nelm_stats as ns

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "nelm_stats"

# (module, imported module) pairs allowed inside a function, with the reason
ALLOWED_INNER = {
    ("estimators.table_one", "report.views"): "TableOne.formatted()/footnotes() are DESIGN.md's 'formatted view' of "
                                              "the result; the view itself lives in the presentation layer",
    # the command line loads only the writer of the format asked for (each pulls a large library)
    ("__main__", "report.exports.docx_report"): "python-docx only for a .docx report",
    ("__main__", "report.exports.html_report"): "HTML/PDF writer only for .html/.pdf",
    ("__main__", "report.exports.pptx_deck"): "python-pptx only for a .pptx deck",
    ("__main__", "report.script"): "the script generator only for the 'script' command",
}
# third-party modules deferred to the function that needs them (import time of the app)
DEFERRED_THIRD_PARTY = {"statsmodels", "pyreadstat", "scipy"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _imports(path: Path):
    """(imported module relative to nelm_stats or absolute, inside a function?) of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    out = []

    def visit(node, inner):
        for child in ast.iter_child_nodes(node):
            fn = inner or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                out.extend((a.name, fn) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - (child.level - 1)] if child.level > 1 else package
                    mod = ".".join([*base, child.module] if child.module else base)
                    if child.module is None:
                        out.extend(((f"{mod}.{a.name}" if mod else a.name), fn) for a in child.names)
                    else:
                        out.append((mod, fn))
                else:
                    out.append((child.module, fn))
            visit(child, fn)

    visit(tree, False)
    return out


FILES = sorted(PKG.rglob("*.py"))


def _layer(mod: str) -> str:
    return mod.split(".")[0] if "." in mod else "top"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_layers(path):
    me = _module_name(path)
    for mod, inner in _imports(path):
        assert not mod.startswith("streamlit"), f"{me} imports streamlit"
        if mod.split(".")[0] in {"nelm_stats"}:
            mod = mod.split(".", 1)[1] if "." in mod else ""
        if _layer(me) in ("intake", "estimators") and _layer(mod) in ("report", "figures"):
            assert inner and (me, mod) in ALLOWED_INNER, f"{me} imports the presentation layer ({mod})"
        if _layer(me) == "intake":
            assert _layer(mod) != "estimators", f"{me} (intake) imports {mod} (estimators)"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_no_hidden_project_imports(path):
    me = _module_name(path)
    project = {p.name for p in PKG.iterdir()} | {p.stem for p in PKG.glob("*.py")}
    for mod, inner in _imports(path):
        if not inner:
            continue
        top = mod.split(".")[0]
        if top in DEFERRED_THIRD_PARTY or top in ("unicodedata",):
            continue
        is_project = top in project or top == "nelm_stats"
        if is_project:
            assert (me, mod) in ALLOWED_INNER, f"{me} imports {mod} inside a function"


@pytest.mark.parametrize("path", [p for p in FILES if p.name != "__init__.py"], ids=lambda p: str(p.relative_to(PKG)))
def test_every_module_declares_all(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [n for n in tree.body if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)]
    assert names, f"{path.relative_to(PKG)} has no __all__"
    import importlib

    mod = importlib.import_module(f"nelm_stats.{_module_name(path)}")
    missing = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not missing, missing


def test_a_newcomer_finds_things_in_one_step():
    assert ns.logrank_test.__module__ == "nelm_stats.estimators.logrank"
    assert ns.kaplan_meier.__module__ == "nelm_stats.estimators.survival"
    assert ns.table_one.__module__ == "nelm_stats.estimators.table_one"
    assert ns.cox_regression.__module__ == "nelm_stats.estimators.cox"
    assert ns.read_table.__module__ == "nelm_stats.intake.read"
    from nelm_stats.report import format as fmt

    assert fmt.fmt_p(0.0001) == "p < 0.001" and fmt.fmt_p_bare(0.00049) == "< 0.001"


def test_no_cycles_between_modules():
    graph = {}
    for path in FILES:
        me = _module_name(path)
        deps = set()
        for mod, inner in _imports(path):
            if inner:
                continue
            mod = mod.split(".", 1)[1] if mod.startswith("nelm_stats.") else mod
            if (PKG / (mod.replace(".", "/") + ".py")).exists() or (PKG / mod.replace(".", "/") / "__init__.py").exists():
                deps.add(mod)
        graph[me] = deps - {me}
    state = {}

    def visit(n, stack):
        state[n] = 1
        for d in graph.get(n, ()):
            if d.endswith("__init__") or d == "":
                continue
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack, n, d]))
            if d not in state:
                visit(d, [*stack, n])
        state[n] = 2

    for n in graph:
        if n not in state and n != "":
            visit(n, [])


def test_pages_write_explicitly_as_magic_is_off():
    """.streamlit/config.toml switches Streamlit's "magic" off (it rewrote every page on every run):
    a bare expression or string in a page would now show nothing, so pages have none."""
    assert "magicEnabled = false" in (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    for f in sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0]) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and id(node) not in docstrings and not isinstance(node.value, ast.Call):
                raise AssertionError(f"{f.name}:{node.lineno}: a bare expression, shown only by magic")
