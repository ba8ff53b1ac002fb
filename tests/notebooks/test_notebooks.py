"""The notebooks run top to bottom and print what their stored outputs (the site) show.

Each test executes a notebook in a fresh `python3` kernel and compares every output with
the one stored in the file (pytest-notebook); scripts/notebook_config.py has the few
normalisations.
"""

import copy
import json
import os
import re
import tomllib
from pathlib import Path

import pytest

from scripts.notebook_config import (
    COST,
    NOTEBOOKS,
    QUICKSTART,
    REPO,
    cost_env,
    regression,
)
from tests.lazy import lazy_module

nbformat = lazy_module("nbformat")
nbclient = lazy_module("nbclient")
nb_regression = lazy_module("pytest_notebook.nb_regression")

PRICES = REPO / "data" / "prices.toml"
RATE = tomllib.loads((REPO / "data" / "facts.toml").read_text(encoding="utf-8"))["rate"]["usd_jpy"]
SAMPLE = REPO / "tests" / "site" / "fixtures" / "live-report-prices.json"
RUN_SOURCE = "毎晩の実機確認でRunpodのAPIから読んだ価格"


@pytest.fixture
def cost_kernel_env(monkeypatch):
    """Freeze the cost notebook's "as of" date; no price file override."""
    monkeypatch.delenv("COST_PRICES", raising=False)
    for name, value in cost_env().items():
        monkeypatch.setenv(name, value)


def outputs_text(notebook) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def charts(notebook) -> list[str]:
    """The charts a notebook shows: inline SVG (text/html outputs)."""
    return [
        output["data"]["text/html"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "<svg" in output.get("data", {}).get("text/html", "")
    ]


def test_cost_notebook_matches_its_stored_outputs(cost_kernel_env):
    result = regression().check(str(COST))
    text = outputs_text(result.nb_final)
    # What the page promises, computed from data/prices.toml: GPU-hours x price, and yen.
    assert "基準日: 2026-12-06" in text
    assert "RTX 4090   x2    336 GPU時間 x $0.74/h = $  248.64" in text
    assert f"合計 $426.72（約{426.72 * RATE['value']:,.0f}円）" in text
    assert "当時の価格（$3.00/h）で 168時間: $504.00（記事では約 $500）" in text
    # The rate the yen use, with its ECB date and its age on the day of the calculation.
    rate = f"為替: 1ドル＝{RATE['value']:g}円（欧州中央銀行（ECB）の参照レート、2026-10-30、"
    rate += "37日前）"
    assert rate in text
    assert len(charts(result.nb_final)) == 2


def test_cost_charts_speak_japanese_follow_dark_mode_and_fit_a_phone(cost_kernel_env):
    """Each chart is an inline SVG: Japanese labels, an accessible name, no background of its
    own, text and axes in the page's own colour (so dark mode turns them light), and a size
    that scales down to a 375 px screen with its text still at least 11 px."""
    notebook = nbformat.read(COST, as_version=4)
    for svg in charts(notebook):
        root = re.search(r"<svg\b[^>]*>", svg)[0]
        assert re.search(r'aria-label="[^"]*[\u3040-\u30ff\u4e00-\u9fff][^"]*"', root), root
        assert 'role="img"' in root and 'width="100%"' in root and "height: auto" in root
        texts = re.findall(r"<text\b[^>]*>([^<]*)<", svg)
        assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t) for t in texts), texts
        assert "currentColor" in svg and "#010203" not in svg
        assert not re.search(r"fill:\s*#(?:fff|ffffff)\b|fill=\"#(?:fff|ffffff)\"", svg, re.I)
        assert "<metadata>" not in svg and "Matplotlib v" not in svg  # no tool or date stamp
        view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', root)[1])
        smallest = min(float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg))
        phone_width = 343  # the content column of a 375 px screen
        assert smallest * min(1, phone_width / view_width) >= 11, (smallest, view_width)


def report_with_prices(tmp_path, target: str, read_at: str):
    """The recorded sample report (RTX 4090 cheaper than data/prices.toml says), read then."""
    report = json.loads(SAMPLE.read_text(encoding="utf-8"))
    report["target"] = target
    report["prices"]["read_at"] = read_at
    for row in report["prices"]["gpus"]:
        row.pop("read_at", None)
    path = tmp_path / "live-report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_cost_notebook_uses_the_prices_a_real_run_saw_when_newer(monkeypatch, tmp_path):
    report = report_with_prices(tmp_path, "real", "2026-12-05T10:00:00Z")  # 19:00 in Japan
    result = regression()
    for name, value in cost_env(report=report).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COST_PRICES", raising=False)
    try:
        result.check(str(COST))
    except nb_regression.NBRegressionError as error:
        text = str(error)
    else:
        pytest.fail("the notebook ignored the newer prices of the live report")
    # The cheapest data center's price, dated by the night it was read.
    assert "x $0.59/h" in text
    assert "2026-12-05 に確認、1日前" in text and RUN_SOURCE in text


@pytest.mark.parametrize(
    ("target", "read_at"), [("fake", "2026-12-05T18:40:00Z"), ("real", "2026-01-01T00:00:00Z")]
)
def test_cost_notebook_keeps_the_file_prices_for_a_rehearsal_or_an_older_report(
    monkeypatch, tmp_path, target, read_at
):
    report = report_with_prices(tmp_path, target, read_at)
    for name, value in cost_env(report=report).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("COST_PRICES", raising=False)
    result = regression().check(str(COST))  # the stored outputs: data/prices.toml's prices
    assert "x $0.74/h" in outputs_text(result.nb_final)


def test_quickstart_says_where_its_outputs_come_from_and_what_a_real_run_costs():
    first = nbformat.read(QUICKSTART, as_version=4).cells[0]
    assert first.cell_type == "markdown"
    assert "偽Runpod" in first.source and "オフライン" in first.source
    assert "RUNPOD_API_KEY" in first.source and "数セント" in first.source
    assert "https://docs.runpod.io/pods/pricing" in first.source


def test_quickstart_runs_against_the_fake_and_cleans_up(fake_runpod):
    result = regression().check(str(QUICKSTART))
    text = outputs_text(result.nb_final)
    assert "2台目" in text and "hello from the first pod" in text
    assert "合計の上限: $0.08（約13円" in text  # "a few cents", from data/prices.toml
    assert "残っているPod: []" in text and "残っているボリューム: []" in text
    # The notebook's cleanup really left nothing behind on the (fake) account.
    assert not fake_runpod.pods
    assert not fake_runpod.volumes
    # The key is never printed, only whether it is set.
    assert fake_runpod.api_key not in json.dumps(nbformat.writes(result.nb_final))


def run_through_errors(notebook_path: Path, env: dict[str, str], before=None):
    """Execute every cell, as a reader who keeps going after an error does (cleanup last).
    `before(index)` runs before each cell (to change the fake halfway)."""
    notebook = nbformat.read(notebook_path, as_version=4)
    folder = {"metadata": {"path": str(notebook_path.parent)}}
    client = nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", allow_errors=True, resources=folder
    )
    with client.setup_kernel(env=env):
        for index, cell in enumerate(notebook.cells):
            if before:
                before(index)
            client.execute_cell(cell, index)
    return notebook


def test_quickstart_cleanup_deletes_the_volume_when_no_pod_could_be_rented(fake_runpod):
    """No capacity anywhere: the first deploy fails, every later cell that needs a pod fails
    too, and the cleanup cell still deletes the volume the notebook made."""
    fake_runpod.set_faults("create_pod:no_capacityx*")
    notebook = run_through_errors(QUICKSTART, dict(os.environ))
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output["output_type"] == "error"
    ]
    assert errors, "the deploy should have failed"
    cleanup = outputs_text_of(notebook.cells[-1])
    assert "終了したPod: 0 台" in cleanup
    assert "残っているPod: []" in cleanup and "残っているボリューム: []" in cleanup
    assert not fake_runpod.volumes and not fake_runpod.pods


def index_of(notebook_path: Path, text: str) -> int:
    cells = nbformat.read(notebook_path, as_version=4).cells
    return next(i for i, cell in enumerate(cells) if text in cell.source)


@pytest.mark.parametrize(
    ("what", "cell"), [("volume", "volume.create_volume("), ("pod", "first = pod.deploy_pod(")]
)
def test_quickstart_cleanup_finds_what_a_create_with_no_clear_answer_made(fake_runpod, what, cell):
    """A create is carried out but answered by Cloudflare's 520: the notebook cannot know the
    volume or pod exists. The cleanup finds it by the run's own name, ends the pod, and
    deletes the volume."""
    at = index_of(QUICKSTART, cell)
    faulty = lambda index: index == at and fake_runpod.set_faults("rest_create:520")  # noqa: E731
    notebook = run_through_errors(QUICKSTART, dict(os.environ), before=faulty)
    cleanup = outputs_text_of(notebook.cells[-1])
    assert f"終了したPod: {1 if what == 'pod' else 0} 台" in cleanup, cleanup
    assert "残っているPod: []" in cleanup and "残っているボリューム: []" in cleanup
    assert not fake_runpod.volumes
    assert all(p.status == "TERMINATED" for p in fake_runpod.pods.values())


BAD_PRICE_FILES = {
    "missing field": (
        'label = "RTX A6000"\nusd_per_hour = 0.53\n',
        'label = "RTX A6000"\n',
        "価格ファイルの gpu「NVIDIA RTX A6000」に usd_per_hour がありません。",
    ),
    "negative price": (
        "usd_per_gb_month = 0.016\n",
        "usd_per_gb_month = -0.016\n",
        "価格ファイルの storage「gcs_nearline」の usd_per_gb_month が正しくありません"
        "（0以上の数が必要です）: -0.016",
    ),
    "unknown GPU": (
        '"NVIDIA RTX A6000" = 2 }',
        '"NVIDIA RTX A9999" = 2 }',
        "価格ファイルの case「飛行機雲コンペ」が使うGPU「NVIDIA RTX A9999」の価格が"
        " [gpu] にありません。",
    ),
}


@pytest.mark.parametrize("case", BAD_PRICE_FILES, ids=list(BAD_PRICE_FILES))
def test_cost_notebook_stops_on_a_bad_price_file(case, tmp_path, monkeypatch):
    good, bad, message = BAD_PRICE_FILES[case]
    text = PRICES.read_text(encoding="utf-8")
    assert text.count(good) == 1
    bad_file = tmp_path / "prices.toml"
    bad_file.write_text(text.replace(good, bad), encoding="utf-8")
    for name, value in cost_env(bad_file).items():
        monkeypatch.setenv(name, value)

    with pytest.raises(nbclient.exceptions.CellExecutionError) as error:
        regression().check(str(COST))
    assert "PriceFileError" in str(error.value)
    assert message in str(error.value)


def test_a_changed_stored_output_fails_with_a_readable_diff(cost_kernel_env, tmp_path):
    notebook = nbformat.read(COST, as_version=4)
    index, cell = next(
        (i, c)
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "code" and "合計 $426.72" in outputs_text_of(c)
    )
    cell.outputs[0]["text"] = cell.outputs[0]["text"].replace("合計 $426.72", "合計 $1.00")
    tampered = tmp_path / "cost.ipynb"
    nbformat.write(notebook, tampered)

    with pytest.raises(nb_regression.NBRegressionError) as error:
        regression().check(str(tampered))
    diff = str(error.value)
    assert f"/cells/{index}/outputs/0/text" in diff  # names the cell
    assert "-  合計 $1.00" in diff and "+  合計 $426.72" in diff  # expected vs obtained


def outputs_text_of(cell) -> str:
    return "".join(output.get("text", "") for output in cell.get("outputs", []))


def test_a_kernel_error_fails_the_check(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('print("before")'),
            nbformat.v4.new_code_cell('raise RuntimeError("this cell fails on purpose")'),
        ],
        metadata=copy.deepcopy(nbformat.read(COST, as_version=4).metadata),
    )
    path = tmp_path / "broken.ipynb"
    nbformat.write(notebook, path)

    with pytest.raises(nbclient.exceptions.CellExecutionError, match="this cell fails on purpose"):
        regression().check(str(path))


def test_the_python3_kernel_is_the_interpreter_running_the_tests(tmp_path):
    import sys

    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")],
        metadata=copy.deepcopy(nbformat.read(QUICKSTART, as_version=4).metadata),
    )
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    path = tmp_path / "which.ipynb"
    nbformat.write(notebook, path)

    result = regression().check(str(path), raise_errors=False)
    printed = outputs_text(result.nb_final).strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


def test_stored_outputs_have_no_secrets_or_machine_paths():
    for path in (QUICKSTART, COST):
        text = path.read_text(encoding="utf-8")
        assert str(REPO) not in text, f"{path.name} stores a local path"
        assert "RUNPOD_API_KEY=" not in text.replace("export RUNPOD_API_KEY=（", "")


def test_the_site_sees_the_notebooks_through_docs():
    link = REPO / "docs" / "notebooks"
    assert link.is_symlink() and link.resolve() == NOTEBOOKS.resolve()


def test_a_decoy_python3_kernelspec_cannot_win(tmp_path, monkeypatch):
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    from scripts.notebook_config import pin_python3_kernel

    decoy = tmp_path / "decoy" / "kernels" / "python3"
    decoy.mkdir(parents=True)
    argv = ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    decoy_spec = {"argv": argv, "display_name": "decoy", "language": "python"}
    (decoy / "kernel.json").write_text(json.dumps(decoy_spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "decoy"))
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == "/usr/bin/python3"

    for name, value in pin_python3_kernel(tmp_path / "pinned").items():
        monkeypatch.setenv(name, value)
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable
