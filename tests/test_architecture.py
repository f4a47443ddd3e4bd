"""The dependencies flow one way (README "Layout"): an app imports only the apps below it,
inside functions too; nothing imports the dashboard, and no product app the demo."""

import ast
from pathlib import Path

import pytest

from reporting import reports

ROOT = Path(__file__).resolve().parents[1]
# Each app and the apps it may import. chantiers and partners are siblings: a page that reads
# both (the hosting partner's chantiers) is the dashboard's. privacy (anonymisation) sits at the
# top, under the dashboard (which shows its monthly list). The demo seeds every app; config
# (settings, URLs, Celery) names the apps only in strings.
MAY_IMPORT = {
    "config": set(),
    "accounts": set(),
    "participants": {"accounts"},
    "chantiers": {"accounts", "participants"},
    "partners": {"accounts", "participants"},
    "agenda": {"accounts", "participants"},
    "workshops": {"accounts", "participants"},
    "volunteers": {"accounts", "participants", "chantiers"},
    "reporting": {
        *("accounts", "participants", "chantiers", "partners", "agenda", "workshops"),
        "volunteers",
    },
    "dashboard": {
        *("accounts", "participants", "chantiers", "partners", "agenda", "workshops"),
        *("volunteers", "reporting", "privacy"),
    },
    "privacy": {
        *("accounts", "participants", "chantiers", "partners", "agenda", "workshops"),
        *("volunteers", "reporting"),
    },
    "demo": {
        *("accounts", "participants", "chantiers", "partners", "agenda", "workshops"),
        *("volunteers", "reporting", "privacy"),
    },
}


def _imported_apps(app: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Every module of the app (migrations aside) and the other apps it imports."""
    found = {}
    for path in sorted((root / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(root))] = (names & set(MAY_IMPORT)) - {app}
    return found


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = {
        module: sorted(apps - MAY_IMPORT[app])
        for module, apps in _imported_apps(app).items()
        if apps - MAY_IMPORT[app]
    }
    assert wrong == {}


def test_the_scan_sees_an_import_made_inside_a_function(tmp_path):
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "views.py").write_text(
        "import datetime\n\n\ndef home():\n    from dashboard.views import home\n"
    )
    assert _imported_apps("accounts", tmp_path) == {"accounts/views.py": {"dashboard"}}


# The report builders, from their registry: a new report is checked without being listed here.
BUILDERS = reports.BUILDERS


def _builder_source(builder: str) -> str:
    return ROOT.joinpath(*BUILDERS[builder].split(".")).with_suffix(".py").read_text()


def _modules_imported(source: str, package: str = "reporting.reports") -> set[str]:
    """Every module an import may name: ``from a.b import c`` counts ``a.b`` and ``a.b.c`` (``c``
    may be a module), and a relative import is read from ``package``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def _queries(source: str) -> list[int]:
    """The lines that reach a model's manager (``Model.objects``)."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    )


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_a_report_builder_imports_no_other_builder(builder):
    """What builders share is in reporting/reports/common.py."""
    others = set(BUILDERS.values()) - {BUILDERS[builder]}
    assert not others & _modules_imported(_builder_source(builder))


@pytest.mark.parametrize("builder", sorted(BUILDERS))
def test_a_report_builder_queries_no_model(builder):
    """Figures are computed in reporting/indicators/ (the one place numbers come from); a
    builder arranges them into a document."""
    assert _queries(_builder_source(builder)) == []


def test_the_builder_scan_sees_every_form_of_import():
    source = (
        "from reporting.reports import activity\n"
        "from .impact import impact_figures\n"
        "import reporting.reports.subsidy\n"
        "\n\ndef build():\n    from reporting.reports.chantier_summary import build\n"
    )
    builders = {"activity", "impact", "subsidy", "chantier_summary"}
    assert {f"reporting.reports.{name}" for name in builders} <= _modules_imported(source)


def test_the_builder_scan_sees_a_query():
    source = "def build():\n    total = 0\n    return Referral.objects.count() + total\n"
    assert _queries(source) == [3]
