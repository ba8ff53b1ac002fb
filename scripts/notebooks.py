"""Re-execute the notebooks against a local fake Runpod and store their outputs in place.

    python -m scripts.notebooks            # both notebooks (`make notebooks`)
    python -m scripts.notebooks cost       # just one

Run it after changing a notebook, data/prices.toml or data/facts.toml, then review
`git diff notebooks/`. The charts' Japanese labels are measured with Noto Sans CJK JP
(fonts-noto-cjk), as in CI. A notebook is only rewritten when its outputs differ after
normalisation (the same execution and comparison as the tests: scripts/notebook_config.py),
so running it twice changes nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

# pytest-notebook's attrs fields warn on import (pyproject filters the same under pytest).
warnings.filterwarnings("ignore", "Field .* type could not be converted", UserWarning)

from pytest_notebook.nb_regression import NBRegressionError  # noqa: E402

from fake_runpod import FakeRunpod  # noqa: E402
from scripts.notebook_config import (  # noqa: E402
    COST,
    QUICKSTART,
    apply_env,
    cost_env,
    pin_python3_kernel,
    regression,
)

NOTEBOOKS = {"quickstart": QUICKSTART, "cost": COST}


def regenerate(name: str) -> bool:
    """Execute one notebook; store its outputs if they changed. True when rewritten."""
    try:
        regression(force_regen=True).check(str(NOTEBOOKS[name]))
    except NBRegressionError:  # raised after the file was rewritten
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="quickstart, cost (default: both)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(NOTEBOOKS)
    if unknown:
        parser.error(f"unknown notebook: {', '.join(sorted(unknown))}")
    fake = FakeRunpod().start()
    try:
        with tempfile.TemporaryDirectory() as jupyter:
            apply_env(
                {
                    "RUNPOD_API_BASE_URL": fake.url,
                    "RUNPOD_API_KEY": fake.api_key,
                    **cost_env(),
                    **pin_python3_kernel(Path(jupyter)),
                }
            )
            for name in args.names or NOTEBOOKS:
                fake.reset()
                changed = regenerate(name)
                print(f"notebooks/{name}.ipynb: {'outputs stored' if changed else 'unchanged'}")
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
