"""Dependencies point down: the platform (``kepuri``) and ``sms`` sit at the bottom and import no
product app; the platform reaches one only through a setting that names it (``TASK_HEALTH``,
``ROOT_URLCONF``'s includes), as Django reaches the apps through INSTALLED_APPS."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "kepuri")


def imported_apps(package: str) -> dict[str, set[str]]:
    """Each file of ``package`` with the product apps it imports, at the top or inside a function."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        if apps := (names & set(APPS)) - {package}:
            found[str(path.relative_to(ROOT))] = apps
    return found


def test_the_apps_are_found():
    assert {"accounts", "activities", "notifications", "public", "sms"} <= set(APPS)


@pytest.mark.parametrize("package", ["kepuri", "sms"])
def test_the_bottom_imports_no_product_app(package):
    assert imported_apps(package) == {}


def test_the_check_sees_an_import():
    # The check reads what it should: a product app's files do import others.
    assert "notifications" in imported_apps("activities")["activities/apps.py"]
