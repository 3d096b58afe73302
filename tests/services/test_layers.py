"""The layer contracts that `make lint` checks (import-linter, ``[tool.importlinter]`` in
pyproject.toml): the code keeps them, and a module that breaks a layer fails them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    # In a process of its own: import-linter puts the working directory first on sys.path,
    # so a copy of the project is analysed instead of the installed one.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=project, capture_output=True,
        text=True, timeout=120, check=False,
    )


def _sources_only(folder: str, names: list[str]) -> set[str]:
    return {name for name in names
            if name == "__pycache__" or (Path(folder, name).is_file()
                                         and not name.endswith(".py"))}


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The project's packages (Python files only) and its pyproject.toml, to break."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=_sources_only)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_layer_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "source", "broken"), [
    ("bot/services/hours/layer_break.py", "from telegram import Bot\n",
     "bot.services knows neither Telegram nor the handlers"),
    # Indirectly: the dialogue persistence imports telegram.ext.
    ("bot/services/hours/layer_break.py", "from bot.persistence import SqlPersistence\n",
     "bot.services knows neither Telegram nor the handlers"),
    ("bot/services/layer_break.py", "from handlers.common import keyboard\n",
     "handlers above bot.services above storage"),
    ("storage/repositories/layer_break.py", "from bot.services import audit\n",
     "handlers above bot.services above storage"),
    ("storage/layer_break.py", "from bot.clock import Clock\n",
     "storage knows neither the bot, nor the handlers, nor Telegram"),
    ("bot/parsing/layer_break.py", "from storage.models import User\n",
     "shared helpers (parsing, i18n, clock, errors, …) know no layer and no Telegram"),
])
def test_a_module_that_breaks_a_layer_fails_the_lint(
    project_copy: Path, module: str, source: str, broken: str
) -> None:
    (project_copy / module).write_text(source)

    result = lint_imports(project_copy)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{broken} BROKEN" in result.stdout
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
