"""The README's commands work on a fresh Debian or Ubuntu, and CI runs them.

A system Python there refuses ``pip install`` outside a virtual environment
(PEP 668), so the set-up and test commands make one first; ``.ci/run`` runs
the README's test command as it is written.
"""

import re
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
VENV = "python3 -m venv .venv && . .venv/bin/activate"


def readme_command(heading: str) -> str:
    """The first ``sh`` code block under a ``##`` heading of the README."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)\n```", section, re.DOTALL)
    assert block, f"no sh code block under '## {heading}'"
    return block.group(1).strip()


def test_set_up_and_test_commands_make_and_use_a_virtual_environment():
    set_up = readme_command("Quick start")
    test = readme_command("Tests")

    assert set_up == f"{VENV} && pip install -r requirements.txt && flask db upgrade && flask run"
    assert test == f"{VENV} && pip install -r requirements-dev.txt && python -m pytest"
    ignored = (REPO_ROOT / ".gitignore").read_text().split()
    assert ".venv/" in ignored


def test_ci_runs_the_readme_test_command_as_it_is():
    test = readme_command("Tests")

    lines = (REPO_ROOT / ".ci" / "run").read_text().splitlines()

    assert test in lines


@pytest.mark.slow
def test_the_readme_virtual_environment_works(tmp_path):
    """The venv part of the commands, run by bash as CI runs it (strict mode)."""
    venv_part = readme_command("Tests").split(" && pip install", 1)[0]
    assert venv_part == VENV

    result = subprocess.run(
        [
            "bash",
            "-euo",
            "pipefail",
            "-c",
            f"{venv_part} && python -c 'import sys; print(sys.prefix)'",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / ".venv")
