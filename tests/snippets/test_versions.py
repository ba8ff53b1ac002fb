"""snippets/versions.py: one line with Python, PyTorch and CUDA, to compare Kaggle and a pod."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import ROOT

SCRIPT = ROOT / "snippets" / "versions.py"


def run(pythonpath: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True)


def test_with_pytorch(tmp_path):
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text(
        '__version__ = "2.10.0+cu128"\nclass version:\n    cuda = "12.8"\n'
    )
    out = run(tmp_path)
    python = ".".join(map(str, sys.version_info[:3]))
    assert out.stdout == f"Python {python}、PyTorch 2.10.0+cu128、CUDA 12.8\n"


def test_without_pytorch(tmp_path):
    (tmp_path / "torch.py").write_text("raise ImportError('no torch here')\n")
    out = run(tmp_path)
    assert out.returncode == 0
    assert out.stdout.endswith("、PyTorch なし\n")
