"""The first evening (docs/first-evening.md), typed line by line into pods of the fake Runpod.

What the page promises, end to end: after the guide is cloned onto the volume and set up,
the competition's data lands on the volume; the one line that trains under auto-stop uploads
the model to Kaggle *before* the pod ends, and then the pod ends (no GPU billing overnight);
tomorrow's pod, on the same volume, finds the guide, the data (not downloaded again) and the
model. The commands are the files the page includes, as the reader copies them.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from fake_runpod.image import SHIMS, install_shims, shim_env
from snippets import secret
from tests import ROOT
from tests.snippets.evening import (
    GUIDE_URL,
    github_redirects,
    guide_repository,
    new_volume,
    snippet,
    start_pod,
    type_into_pod,
)
from tests.snippets.test_kaggle_round_trip import COMPETITION, STAND_IN, TOKEN

# The reader's training script: reads the data from the volume, saves a model next to it.
TRAIN_PY = """\
from pathlib import Path
rows = len(Path("/workspace/titanic/input/train.csv").read_text().splitlines()) - 1
Path("output/exp001").mkdir(parents=True, exist_ok=True)
Path("output/exp001/model.pt").write_text(f"trained on {rows} rows")
print("epoch 1 done")
"""


def stand_ins(folder: Path, fake, kaggle_state: Path) -> tuple[Path, dict[str, str]]:
    """What differs from a real pod: apt/pip record, kaggle is Kaggle's stand-in, python is
    this machine's, and the pod ends itself through the fake (runpodctl or REST)."""
    install_shims(folder)  # apt-get, pip, python3 -m pip: fake_runpod.image's recorders
    install_shims(
        folder,
        {
            "kaggle": f'exec "{sys.executable}" "{STAND_IN}" "$@"',
            "python": f'exec "{sys.executable}" "$@"',
            "runpodctl": f"""
            [[ "$1 $2" == "pod delete" ]] || exit 1
            cd "{ROOT}" && RUNPOD_API_BASE_URL="{fake.url}" RUNPOD_API_KEY="{fake.api_key}" \\
              exec "{sys.executable}" -m snippets.pod down "$3"
        """,
        },
    )
    env = {
        **shim_env(folder, folder / "state"),
        "KAGGLE_STATE": str(kaggle_state),
        "RUNPOD_API_BASE_URL": fake.url,
        "RUNPOD_API_KEY": fake.api_key,
    }
    (folder / "state" / "site").mkdir(parents=True)
    assert set(SHIMS) <= {p.name for p in folder.iterdir()}
    return folder, env


def on_pod_line(name: str) -> str:
    return snippet(f"on-pod/{name}")


def test_the_first_evening_and_the_next_morning(fake, ssh_keypair, tmp_path):
    key, public_key = ssh_keypair
    kaggle_state = tmp_path / "kaggle.json"
    kaggle_state.write_text(
        json.dumps(
            {"token": TOKEN, "competitions": {"titanic": {"joined": True, "files": COMPETITION}}}
        )
    )
    bin_folder, env = stand_ins(tmp_path / "bin", fake, kaggle_state)
    env.update(github_redirects({GUIDE_URL: f"file://{guide_repository(tmp_path)}"}))
    secret.create_secret("kaggle_api_token", TOKEN)
    disk = new_volume()
    volume = fake.volume_dir(disk)

    tonight = start_pod(
        disk, public_key, env={"KAGGLE_API_TOKEN": "{{ RUNPOD_SECRET_kaggle_api_token }}"}
    )

    def type_(text: str, **extra: str):
        return type_into_pod(tonight, key, text, {**env, **extra}, bin_folder)

    assert type_(snippet("clone-guide.sh")).stdout == "用意できました: /workspace/guide/snippets\n"
    setup = type_(on_pod_line("setup.sh"))
    assert setup.shell_open and "エラー" not in setup.stderr, setup.output
    download = type_(on_pod_line("kaggle-download.sh"))
    assert download.stdout.splitlines()[-1] == "用意できました: /workspace/titanic/input"
    (volume / "titanic" / "train.py").write_text(TRAIN_PY)  # the reader's own code

    # Tonight's one line, with the countdown shortened (the page's default is 60 seconds).
    type_(on_pod_line("train-tonight.sh"), GRACE_SECONDS="0")
    deadline = time.monotonic() + 60
    while tonight["id"] in fake.pods and time.monotonic() < deadline:
        time.sleep(0.1)
    assert tonight["id"] not in fake.pods, "the pod is still there (and billing)"
    # The model reached Kaggle before the pod ended, noted with the command that trained it.
    (version,) = json.loads(kaggle_state.read_text())["datasets"]["taro/titanic-exp001"]["versions"]
    assert version["files"] == {"model.pt": "trained on 2 rows"}
    (log,) = (volume / "logs").iterdir()
    assert "epoch 1 done" in log.read_text()

    # Tomorrow: a new pod on the same volume has everything; nothing is downloaded again.
    tomorrow = start_pod(
        disk, public_key, env={"KAGGLE_API_TOKEN": "{{ RUNPOD_SECRET_kaggle_api_token }}"}
    )
    again = type_into_pod(
        tomorrow,
        key,
        snippet("clone-guide.sh") + "\n" + on_pod_line("kaggle-download.sh"),
        env,
        bin_folder,
    )
    assert again.stdout.splitlines() == [
        "用意できました: /workspace/guide/snippets",
        "ダウンロード済みです: /workspace/titanic/input",
    ]
    assert (volume / "titanic" / "output" / "exp001" / "model.pt").is_file()
    downloads = [
        c
        for c in (bin_folder / "state" / "calls.log").read_text().splitlines()
        if c.startswith("kaggle competitions")
    ]
    assert len(downloads) == 1, downloads  # tonight's; tomorrow's pod did not download again
