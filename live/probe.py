"""The probe the replay installs with snippets/python-env-uv.sh, and how it tells what is installed.

The probe is a tiny wheel made for each run: its module holds the run id, so an import proves
which environment answered. Whether pod 2 reinstalled anything is decided by content, never
by file times or inode numbers (a network filesystem may renumber inodes, and whole-second
times miss a rewrite): every installed distribution's RECORD is hashed, every file a RECORD
lists is checked against its recorded hash, and uv's own summary must list no change.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
from pathlib import Path

PROJECT = "kgl-live-project"  # folder on the volume that python-env-uv.sh builds
NAME, VERSION = "kgl_live_probe", "1.0.0"
# What uv prints when it changes an environment (one line per package, plus the summary).
UV_CHANGES = re.compile(
    r"^(?:Creating virtual environment|(?:Un)?[Ii]nstalled \d+ packages?\b| [+~-] \S).*$",
    re.MULTILINE,
)

# Run with the project's venv python on the pod (stdin). Prints one JSON line.
INSPECT = r"""
import base64, csv, hashlib, io, json, sys, sysconfig
from importlib import metadata
from pathlib import Path
site = Path(sysconfig.get_paths()["purelib"])
out = {"prefix": sys.prefix, "dists": {}, "problems": []}
try:
    import kgl_live_probe
    out["mark"] = kgl_live_probe.MARK
except Exception as error:
    out["mark"] = None
    out["problems"].append(f"import kgl_live_probe: {type(error).__name__}")
for dist in metadata.distributions(path=[str(site)]):
    record = dist.read_text("RECORD") or ""
    out["dists"][f"{dist.metadata['Name']}=={dist.version}"] = hashlib.sha256(
        record.encode()).hexdigest()
    for row in csv.reader(io.StringIO(record)):
        if len(row) < 2 or "=" not in row[1]:
            continue
        algorithm, _, expected = row[1].partition("=")
        try:
            data = (site / row[0]).read_bytes()
        except OSError:
            out["problems"].append(f"{row[0]} is missing")
            continue
        seen = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=")
        if seen.decode() != expected:
            out["problems"].append(f"{row[0]} differs from its RECORD")
print(json.dumps(out, sort_keys=True))
"""


def wheel(folder: Path, run_id: str) -> Path:
    """A minimal pure-Python wheel whose module holds the run id (built by hand: a wheel is
    a zip with METADATA, WHEEL and a RECORD of sha256 hashes)."""
    info = f"{NAME}-{VERSION}.dist-info"
    files = {
        f"{NAME}/__init__.py": f'MARK = "{run_id}"\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: kgl-live-probe\nVersion: {VERSION}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: kgl-live\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    path = folder / f"{NAME}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def project_toml(wheel_name: str, *, from_pypi: bool) -> str:
    """The project python-env-uv.sh builds: the probe, plus a small PyPI package when the
    target can reach PyPI (a reader's first `uv sync` downloads too)."""
    deps = '"kgl-live-probe", "six"' if from_pypi else '"kgl-live-probe"'
    offline = "" if from_pypi else "no-index = true\n"
    return (
        f'[project]\nname = "{PROJECT}"\nversion = "0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{deps}]\n\n[tool.uv]\npackage = false\n{offline}\n"
        f'[tool.uv.sources]\nkgl-live-probe = {{ path = "wheels/{wheel_name}" }}\n'
    )


def read_inspection(output: str) -> dict:
    """The JSON line INSPECT printed (the last line that parses)."""
    for line in reversed(output.strip().splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "dists" in data:
            return data
    raise ValueError(f"no inspection result in: {output[-300:]!r}")


def fingerprint(inspection: dict) -> str:
    """One hash of what is installed: every distribution, its version and its RECORD."""
    text = json.dumps(inspection["dists"], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def uv_changes(output: str) -> list[str]:
    """The lines in which uv says it created, installed or removed something."""
    return [match.group(0).strip() for match in UV_CHANGES.finditer(output)]
