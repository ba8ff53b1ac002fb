"""The Python environment chapter, proven with the real Poetry and uv, offline.

Promises: a venv inside the project on /workspace survives a new pod (fresh
HOME) and works directly, through `poetry run` and through `uv run`; the
committed poetry.toml is what `poetry config --local` writes, while the 2024
draft's pyproject.toml key is rejected by Poetry 2; uv's cache on the volume
rebuilds .venv without network; a venv broken by a pod from another image
(exit 127) is repaired by snippets/repair-venv.sh with its packages kept.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from tests.snippets.python_env_helpers import (
    BASE_PYTHON,
    PACKAGE,
    SNIPPETS,
    Pod,
    WheelServer,
    make_wheel,
)

IMPORT = f"import {PACKAGE}, sys; print({PACKAGE}.VERSION, sys.prefix)"


def write_project(project: Path, dependency: str, extra: str = "") -> None:
    project.mkdir(parents=True, exist_ok=True)
    (project / "pyproject.toml").write_text(
        "[project]\n"
        'name = "my-competition"\n'
        'version = "0.1.0"\n'
        'requires-python = ">=3.11"\n'
        f"dependencies = [{dependency!r}]\n"
        "\n[tool.poetry]\n"
        "package-mode = false\n" + extra
    )


@pytest.fixture
def volume(tmp_path: Path) -> Path:
    return tmp_path / "workspace"


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return make_wheel(tmp_path / "wheels")


# --- Poetry ----------------------------------------------------------------


def test_drafts_pyproject_key_is_rejected_by_poetry_2(tmp_path, volume, wheel) -> None:
    project = volume / "my-competition"
    write_project(project, f"kgl-tiny @ {wheel.as_uri()}", "virtualenvs-in-project = true\n")
    r = Pod(tmp_path, volume, "a").run("poetry", "install", cwd=project)
    assert r.returncode == 1
    assert "The Poetry configuration is invalid" in r.stdout + r.stderr
    assert "'virtualenvs-in-project' was unexpected" in r.stdout + r.stderr
    assert not (project / ".venv").exists()


def test_poetry_venv_in_the_project_survives_a_new_pod(tmp_path, volume, wheel) -> None:
    project = volume / "my-competition"
    write_project(project, f"kgl-tiny @ {wheel.as_uri()}")
    script = SNIPPETS / "python-env-poetry.sh"

    first = Pod(tmp_path, volume, "first").run("bash", script)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"venv: {project / '.venv'}" in first.stdout
    assert "Installing kgl-tiny" in first.stdout
    # `poetry config virtualenvs.in-project true --local` wrote exactly the committed file.
    written = (project / "poetry.toml").read_text()
    assert written == (SNIPPETS / "poetry.toml").read_text()
    assert tomllib.loads(written) == {"virtualenvs": {"in-project": True}}

    # A new pod: new empty HOME, same volume. The wheel is gone too, so nothing
    # could be reinstalled even if Poetry wanted to.
    wheel.unlink()
    pod = Pod(tmp_path, volume, "second")
    direct = pod.run(project / ".venv" / "bin" / "python", "-c", IMPORT)
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.split() == ["0.1.0", str(project / ".venv")]

    again = pod.run("bash", script)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Installing kgl-tiny" not in again.stdout
    assert f"venv: {project / '.venv'}" in again.stdout

    via_poetry = pod.run("poetry", "run", "python", "-c", IMPORT, cwd=project)
    assert via_poetry.returncode == 0, via_poetry.stderr
    assert via_poetry.stdout.split() == ["0.1.0", str(project / ".venv")]


def test_poetrys_default_venv_in_home_does_not_survive(tmp_path, volume, wheel) -> None:
    # Without poetry.toml the venv goes to ~/.cache/pypoetry: gone with the pod.
    project = volume / "my-competition"
    write_project(project, f"kgl-tiny @ {wheel.as_uri()}")
    first = Pod(tmp_path, volume, "first")
    assert first.run("poetry", "install", cwd=project).returncode == 0
    assert not (project / ".venv").exists()
    assert list((first.home / ".cache" / "pypoetry" / "virtualenvs").iterdir())

    # On a new pod Poetry makes a new, empty venv: the reader's imports fail.
    second = Pod(tmp_path, volume, "second")
    r = second.run("poetry", "run", "python", "-c", IMPORT, cwd=project)
    assert r.returncode == 1
    assert f"No module named '{PACKAGE}'" in r.stderr


# --- uv --------------------------------------------------------------------


def test_uv_venv_and_cache_on_the_volume_survive_a_new_pod(tmp_path, volume, wheel) -> None:
    project = volume / "my-competition"
    write_project(project, "kgl-tiny==0.1.0")
    script = SNIPPETS / "python-env-uv.sh"
    # A PEP 503 "simple" index on 127.0.0.1 stands in for PyPI.
    (tmp_path / "index" / "simple" / "kgl-tiny").mkdir(parents=True)
    shutil.copy(wheel, tmp_path / "index" / "simple" / "kgl-tiny")
    index = WheelServer(tmp_path / "index")
    # Both pods use the same package index; for the second pod it is down.
    source = {"UV_DEFAULT_INDEX": index.url + "simple"}
    try:
        first = Pod(tmp_path, volume, "first", **source).run("bash", script)
    finally:
        index.stop()
    assert first.returncode == 0, first.stderr
    assert f"venv: {project / '.venv'}" in first.stdout
    assert any(path.endswith(".whl") for path in index.requests)  # really downloaded
    cache = volume / ".cache" / "uv"
    assert any(p.name.startswith(PACKAGE) for p in cache.rglob("*")), "cache is not on the volume"

    # New pod, fresh HOME, the package source unreachable: nothing to download.
    pod = Pod(tmp_path, volume, "second", **source)
    again = pod.run("bash", script)
    assert again.returncode == 0, again.stderr
    assert f"venv: {project / '.venv'}" in again.stdout
    direct = pod.run(project / ".venv" / "bin" / "python", "-c", IMPORT)
    assert direct.stdout.split() == ["0.1.0", str(project / ".venv")]
    via_uv = pod.run("uv", "run", "--offline", "--no-sync", "python", "-c", IMPORT, cwd=project)
    assert via_uv.stdout.split() == ["0.1.0", str(project / ".venv")], via_uv.stderr

    # .venv deleted: `uv sync --offline` rebuilds it from the cache on the volume.
    shutil.rmtree(project / ".venv")
    rebuilt = pod.run("uv", "sync", "--offline", cwd=project, UV_CACHE_DIR=str(cache))
    assert rebuilt.returncode == 0, rebuilt.stderr
    direct = pod.run(project / ".venv" / "bin" / "python", "-c", IMPORT)
    assert direct.stdout.split() == ["0.1.0", str(project / ".venv")], direct.stderr


# --- A venv broken by another image, and its repair --------------------------


@pytest.fixture
def image_python(tmp_path: Path):
    """Make "the image's" python3 at an image-specific path (a symlink to the
    real base interpreter), as a Runpod image has it in its own place."""

    def make(image: str) -> Path:
        python = tmp_path / image / "bin" / "python3"
        python.parent.mkdir(parents=True)
        python.symlink_to(BASE_PYTHON)
        return python

    return make


@pytest.fixture
def venv_from_image_a(tmp_path, volume, wheel, image_python) -> tuple[Path, Path]:
    """A venv on the volume made by image A's python, with the tiny package in it."""
    python_a = image_python("image-a")
    venv = volume / "my-competition" / ".venv"
    pod = Pod(tmp_path, volume, "a")
    assert pod.run(python_a, "-m", "venv", "--without-pip", venv).returncode == 0
    r = pod.run(
        "uv",
        "pip",
        "install",
        "--python",
        venv / "bin" / "python",
        "--offline",
        "--no-index",
        "--find-links",
        wheel.parent,
        "kgl-tiny",
    )
    assert r.returncode == 0, r.stderr
    assert (venv / "bin" / "python3").readlink() == python_a  # an absolute link
    return venv, python_a


def test_venv_breaks_on_another_image_and_repair_keeps_packages(
    tmp_path, volume, venv_from_image_a, image_python
) -> None:
    venv, python_a = venv_from_image_a
    pod = Pod(tmp_path, volume, "b")
    check = ["bash", "-c", f'"$0" -c "{IMPORT}"', venv / "bin" / "python"]
    assert pod.run(*check).returncode == 0

    # A pod from another image: image A's interpreter path no longer exists.
    shutil.rmtree(python_a.parents[1])
    broken = pod.run(*check)
    assert broken.returncode == 127
    assert "No such file or directory" in broken.stderr

    # Putting the old path back brings it back: only the link is broken.
    image_python("image-a")
    assert pod.run(*check).returncode == 0
    shutil.rmtree(python_a.parents[1])

    # The repair, with this image's python (same version, other path).
    python_b = image_python("image-b")
    site_packages = sorted(p.name for p in venv.glob("lib/python3.*/site-packages/*"))
    repair = pod.run("bash", SNIPPETS / "repair-venv.sh", venv, PYTHON=str(python_b))
    assert repair.returncode == 0, repair.stderr
    assert "直りました: Python 3." in repair.stdout
    fixed = pod.run(*check)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.split() == ["0.1.0", str(venv)]
    # Packages kept, not reinstalled; the links now point at image B.
    assert sorted(p.name for p in venv.glob("lib/python3.*/site-packages/*")) == site_packages
    assert (venv / "bin" / "python3").readlink() == python_b

    # Running it again is harmless.
    again = pod.run("bash", SNIPPETS / "repair-venv.sh", venv, PYTHON=str(python_b))
    assert again.returncode == 0
    assert "直す必要はありません" in again.stdout


def test_plain_python_m_venv_over_it_is_not_enough(
    tmp_path, volume, venv_from_image_a, image_python
) -> None:
    # Why repair-venv.sh removes the old links first: `python -m venv` keeps an
    # existing (even dangling) bin/python link, so on its own it repairs nothing.
    venv, python_a = venv_from_image_a
    shutil.rmtree(python_a.parents[1])
    pod = Pod(tmp_path, volume, "b")
    python_b = image_python("image-b")
    assert pod.run(python_b, "-m", "venv", "--without-pip", venv).returncode == 0
    assert (venv / "bin" / "python3").readlink() == python_a
    assert pod.run("bash", "-c", '"$0" -c ""', venv / "bin" / "python").returncode == 127


def test_repair_refuses_a_different_python_version(
    tmp_path, volume, venv_from_image_a, image_python
) -> None:
    venv, python_a = venv_from_image_a
    shutil.rmtree(python_a.parents[1])
    cfg = venv / "pyvenv.cfg"
    # As if the venv had been made on a Python 3.10 image.
    cfg.write_text(
        "\n".join(
            "version = 3.10.14" if line.startswith("version") else line
            for line in cfg.read_text().splitlines()
        )
    )
    python_b = image_python("image-b")
    r = Pod(tmp_path, volume, "b").run(
        "bash", SNIPPETS / "repair-venv.sh", venv, PYTHON=str(python_b)
    )
    assert r.returncode == 1
    assert "は Python 3.10 用ですが" in r.stderr and "作り直してください" in r.stderr
    assert (venv / "bin" / "python3").readlink() == python_a  # left as it was


@pytest.mark.parametrize(
    ("target", "python", "message"),
    [
        ("not-a-venv", None, "は venv ではありません"),
        ("venv", "/nonexistent/python3", "/nonexistent/python3 が見つかりません"),
    ],
)
def test_repair_bad_input(tmp_path, volume, venv_from_image_a, target, python, message) -> None:
    venv, python_a = venv_from_image_a
    shutil.rmtree(python_a.parents[1])
    path = venv if target == "venv" else tmp_path
    env = {"PYTHON": python} if python else {}
    r = Pod(tmp_path, volume, "b").run("bash", SNIPPETS / "repair-venv.sh", path, **env)
    assert r.returncode == 1
    assert r.stderr.startswith("エラー: ") and message in r.stderr
