"""The layering of decision 0100 is checked by import-linter (`make lint`). These tests keep the contracts
themselves honest: every app of the project is in the graph and placed in the layers, so a new app
cannot slip past them unseen (issue 11 item 15)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _config() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _project_apps() -> set[str]:
    return {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}


def test_every_app_of_the_project_is_in_the_import_graph() -> None:
    assert _project_apps() == set(_config()["root_packages"])


def test_every_app_but_the_shell_package_has_its_place_in_the_layers() -> None:
    contracts = {contract["id"]: contract for contract in _config()["contracts"]}
    placed = {
        name.strip()
        for layer in contracts["layers"]["layers"]
        for name in layer.replace("|", ":").split(":")
        if "." not in name.strip()
    }
    assert placed == _project_apps() - {"zhucun"}
    assert set(contracts["foundation"]["forbidden_modules"]) == placed - {"cadres", "accounts"}
