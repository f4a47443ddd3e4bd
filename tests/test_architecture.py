"""The dependencies flow one way (README "Layout"): an app imports only the apps below it,
inside functions too; nothing imports the dashboard, and no product app the demo."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each app and the apps it may import. partners reads chantiers (the hosting partner's page);
# the demo seeds every app; config (settings, URLs, Celery) names the apps only in strings.
MAY_IMPORT = {
    "config": set(),
    "accounts": set(),
    "participants": {"accounts"},
    "chantiers": {"accounts", "participants"},
    "partners": {"accounts", "participants", "chantiers"},
    "reporting": {"accounts", "participants", "chantiers", "partners"},
    "dashboard": {"accounts", "participants", "chantiers", "partners", "reporting"},
    "demo": {"accounts", "participants", "chantiers", "partners", "reporting"},
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


BUILDERS = ("activity", "impact", "subsidy", "chantier_summary")


@pytest.mark.parametrize("builder", BUILDERS)
def test_a_report_builder_imports_no_other_builder(builder):
    """What builders share is in reporting/reports/common.py."""
    tree = ast.parse((ROOT / "reporting" / "reports" / f"{builder}.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {f"reporting.reports.{other}" for other in BUILDERS} & imported
