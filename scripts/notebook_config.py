"""How the notebooks are executed and compared: shared by the tests and `make notebooks`.

Outputs are compared in full. Only values that differ on every run (ids, ports, temp
paths) are normalised, each by a regex aimed at the one place a notebook prints it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_notebook.nb_regression import NBRegressionFixture

REPO = Path(__file__).resolve().parent.parent  # the repository root

NOTEBOOKS = REPO / "notebooks"
QUICKSTART = NOTEBOOKS / "quickstart.ipynb"
COST = NOTEBOOKS / "cost.ipynb"

# The cost notebook measures price ages from this date; frozen so stored outputs stay put.
COST_AS_OF = "2026-12-06"
EXEC_TIMEOUT = 180  # seconds per cell; the quickstart waits for two (fake) pods

OUTPUTS = "/cells/*/outputs"
DIFF_REPLACE = (
    # quickstart: ids the (fake) Runpod hands out
    (OUTPUTS, r"ボリューム [a-z0-9]+:", "ボリューム <VOLUME_ID>:"),
    (OUTPUTS, r"Pod [a-z0-9]+ が起動", "Pod <POD_ID> が起動"),
    (OUTPUTS, r"2台目 [a-z0-9]+ で", "2台目 <POD_ID> で"),
    # quickstart: the SSH endpoint (a local port on the fake, a public IP on Runpod)
    (OUTPUTS, r"root@[0-9.]+ -p [0-9]+", "root@<HOST> -p <PORT>"),
    # quickstart: the throwaway key's temp folder, and the run's own name
    (OUTPUTS, r"/\S*/kgl-quickstart-[^/\s]+/", "<TMP>/"),
    (OUTPUTS, r"kgl-quickstart-[0-9a-f]{6}\b", "kgl-quickstart-<RUN>"),
    # the kernel's Python patch release is machine-specific; the minor version is not
    ("/metadata/language_info/version", r"^(\d+\.\d+)\.\d+$", r"\1.x"),
)


def regression(force_regen: bool = False) -> NBRegressionFixture:
    """The regression check both notebooks go through."""
    # Imported here: the test suite's other workers load this module but run no notebook.
    from pytest_notebook.nb_regression import NBRegressionFixture

    return NBRegressionFixture(
        exec_timeout=EXEC_TIMEOUT,
        exec_cwd=str(NOTEBOOKS),
        diff_replace=DIFF_REPLACE,
        diff_use_color=False,
        force_regen=force_regen,
    )


def cost_env(prices: Path | None = None, report: Path | None = None) -> dict[str, str]:
    """Environment for the cost notebook's kernel. Without a report the notebook must use
    data/prices.toml and data/facts.toml only (never a report a maintainer's `make live` or
    `make drift` left in reports/)."""
    env = {
        "COST_AS_OF": COST_AS_OF,
        "LIVE_REPORT": str(report or NOTEBOOKS / "no-report.json"),
        "DRIFT_REPORT": str(NOTEBOOKS / "no-drift-report.json"),
    }
    if prices is not None:
        env["COST_PRICES"] = str(prices)
    return env


def apply_env(env: dict[str, str], remove=("COST_PRICES", "LIVE_REPORT", "DRIFT_REPORT")) -> None:
    """Set env for kernels started from this process (they inherit os.environ)."""
    for name in remove:
        os.environ.pop(name, None)
    os.environ.update(env)


def pin_python3_kernel(folder: Path) -> dict[str, str]:
    """Env that makes the notebooks' `python3` kernel run this interpreter (.venv's python).

    Jupyter looks for kernelspecs in JUPYTER_PATH first, so a `python3` kernelspec in
    ~/.local/share/jupyter or /usr/share/jupyter pointing at another Python cannot win.
    """
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    paths = [str(folder), *filter(None, [os.environ.get("JUPYTER_PATH")])]
    return {"JUPYTER_PATH": os.pathsep.join(paths)}
