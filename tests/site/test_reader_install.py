"""What a reader's plain `uv sync` installs (docs/runpod.md): only what snippets/ needs, and
as much as the page says it downloads. Computed offline from uv.lock (`uv export --frozen`)."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from tests import ROOT

PAGE = ROOT / "docs" / "runpod.md"
# How the page states it: 「約50MB（110個のパッケージ）」.
STATED = re.compile(r"約(\d+)MB（(\d+)個のパッケージ）")
MAINTAINER_TOOLS = ("mkdocs", "mkdocs-material", "playwright", "jupyterlab", "nbconvert",
                    "pytest", "poetry", "ruff")
# The released SDK speaks GraphQL, which Runpod retires: a reader never gets it (docs/pod.md).
NOT_FOR_READERS = ("runpod",)


@pytest.fixture(scope="module")
def reader_packages() -> set[str]:
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "uv"), "export", "--frozen", "--no-hashes",
         "--no-emit-project", "--no-header"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )
    names = {line.split("==")[0].strip().lower() for line in done.stdout.splitlines()
             if "==" in line and not line.lstrip().startswith("#")}
    assert "requests" in names
    return names


def _wheel_bytes(package: dict) -> int:
    """Size of the file uv downloads for this package on Linux x86_64, CPython 3.11."""
    for wheel in package.get("wheels", []):
        name = wheel["url"].rsplit("/", 1)[1]
        pure = name.endswith("-none-any.whl")
        native = "cp311" in name and "manylinux" in name and "x86_64" in name
        if pure or native or ("abi3" in name and "manylinux" in name and "x86_64" in name):
            return wheel["size"]
    return package.get("sdist", {}).get("size", 0)


def test_a_reader_gets_no_maintainer_tools_and_no_graphql_sdk(reader_packages):
    unwanted = set(MAINTAINER_TOOLS) | set(NOT_FOR_READERS)
    assert not reader_packages & unwanted, reader_packages & unwanted


def test_the_page_says_how_much_uv_sync_downloads(reader_packages):
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    sizes = [_wheel_bytes(p) for p in lock["package"] if p["name"].lower() in reader_packages]
    megabytes = sum(sizes) / 1e6
    stated = STATED.search(PAGE.read_text(encoding="utf-8"))
    assert stated, "docs/runpod.md no longer says how much `uv sync` downloads"
    stated_mb, stated_count = int(stated[1]), int(stated[2])
    assert abs(stated_mb - megabytes) <= 0.2 * megabytes, (stated_mb, round(megabytes, 1))
    assert abs(stated_count - len(sizes)) <= 10, (stated_count, len(sizes))


def test_the_pod_page_says_why_there_is_no_sdk_and_which_version_it_means():
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    tested = next(p["version"] for p in lock["package"] if p["name"] == "runpod")
    page = (ROOT / "docs" / "pod.md").read_text(encoding="utf-8")
    stated = re.search(r"の最新版は([\d.]+)です", page)
    assert stated and stated[1] == tested, (stated and stated[1], tested)  # the one tested
    assert "runpod-python/pull/584" in page and "api-reference-v2/migrate-from-v1" in page
