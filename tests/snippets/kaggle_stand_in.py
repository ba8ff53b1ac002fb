"""A stand-in for the `kaggle` command (Kaggle/kaggle-cli 2.x), for the round-trip tests.

It accepts exactly the subcommands and flags the guide's scripts use, with the real CLI's
names (src/kaggle/cli.py), and refuses anything else with argparse's exit 2. It checks the
files it is given the way the real CLI does (dataset-metadata.json, model-metadata.json,
model-instance-metadata.json: required keys, slug and title lengths, one license) and
answers like it (src/kaggle/api/kaggle_api_extended.py, v2.2.3): "Starting upload for file X"
and "Upload successful: X (size)" per file, then one line with the new item's URL; an HTTP
error on stderr with exit 1; or, for some create commands, an "... error: ..." line on stdout
with exit 0.

Faults a test can ask for through the environment:
- KAGGLE_FAIL_UPLOADS=a.csv,b.pt  those files fail to upload: "Upload unsuccessful: a.csv",
  and the item is created without them, as the real CLI does;
- a keyword starting with "invalid" in dataset-metadata.json: the dataset's tags are refused;
  a version is still made, but the CLI prints the tags line instead of its URL line.

Kaggle's side is a JSON file ($KAGGLE_STATE): joined competitions and their files, and
every dataset and model version uploaded, with the content of each file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import zipfile
from pathlib import Path

STATE = Path(os.environ["KAGGLE_STATE"])
METADATA = {"dataset-metadata.json", "model-metadata.json", "model-instance-metadata.json"}


def load() -> dict:
    return json.loads(STATE.read_text()) if STATE.exists() else {}


def save(state: dict) -> None:
    STATE.write_text(json.dumps(state, indent=1, sort_keys=True))


def authenticated() -> bool:
    token = os.environ.get("KAGGLE_API_TOKEN") or ""
    token_file = Path.home() / ".kaggle" / "access_token"
    if not token and token_file.is_file():
        token = token_file.read_text()
    return token == load().get("token")


def http_error(code: int, reason: str) -> None:
    print(
        f"{code} Client Error: {reason} for url: https://www.kaggle.com/api/v1/...", file=sys.stderr
    )
    sys.exit(1)


def _uploaded(name: str) -> bool:
    """Print what the real CLI prints for one file; False when the file failed to upload."""
    print(f"Starting upload for file {name}")
    if name in os.environ.get("KAGGLE_FAIL_UPLOADS", "").split(","):
        print(f"Upload unsuccessful: {name}")
        return False
    print(f"Upload successful: {name} (1KB)")
    return True


def upload(folder: str, dir_mode: str) -> dict[str, str]:
    """What the real CLI uploads from a folder: files (metadata skipped), folders by dir_mode."""
    files = {}
    for entry in sorted(Path(folder).iterdir()):
        if entry.name in METADATA:
            continue
        if entry.is_file():
            if _uploaded(entry.name):
                files[entry.name] = entry.read_text()
        elif entry.is_dir() and dir_mode == "zip":
            if not _uploaded(f"{entry.name}.zip"):
                continue
            raw = io.BytesIO()
            with zipfile.ZipFile(raw, "w") as archive:
                for path in sorted(entry.rglob("*")):
                    if path.is_file():
                        archive.write(path, path.relative_to(entry))
            with zipfile.ZipFile(raw) as archive:
                for name in archive.namelist():
                    files[f"{entry.name}/{name}"] = archive.read(name).decode()
    return files


def metadata(folder: str, name: str, required: list[str]) -> dict:
    path = Path(folder) / name
    if not path.is_file():
        raise SystemExit(f"Metadata file not found: {name}")
    meta = json.loads(path.read_text())
    for key in required:
        if key not in meta:
            raise SystemExit(f"{key} not found in metadata")
    return meta


# --- competitions ---------------------------------------------------------------------


def competitions_download(args) -> None:
    competition = load().get("competitions", {}).get(args.competition)
    if competition is None:
        http_error(404, "Not Found")
    if not competition["joined"]:
        http_error(403, "Forbidden")
    Path(args.path).mkdir(parents=True, exist_ok=True)
    # The real CLI names the file after the competition and the extension of Kaggle's URL.
    extension = competition.get("extension", "zip")
    target = Path(args.path) / f"{args.competition}.{extension}"
    if extension != "zip":
        (text,) = competition["files"].values()
        target.write_text(text)
    elif competition.get("corrupt"):
        target.write_bytes(b"PK\x03\x04 cut short")
    else:
        with zipfile.ZipFile(target, "w") as archive:
            for name, text in competition["files"].items():
                archive.writestr(name, text)
    print(f"Downloading {target.name} to {args.path}")


# --- datasets --------------------------------------------------------------------------


def datasets_status(args) -> None:
    if args.dataset not in load().get("datasets", {}):
        http_error(404, "Not Found")
    print("ready")


def _check_dataset(meta: dict) -> tuple[str, str]:
    owner, slug = meta["id"].split("/")
    if len(meta["licenses"]) != 1:
        raise SystemExit("Please specify exactly one license")
    if not 6 <= len(slug) <= 50:
        raise SystemExit("The dataset slug must be between 6 and 50 characters")
    if not 6 <= len(meta["title"]) <= 50:
        raise SystemExit("The dataset title must be between 6 and 50 characters")
    return owner, slug


def _invalid_tags(meta: dict) -> list[str]:
    return [tag for tag in meta.get("keywords", []) if str(tag).startswith("invalid")]


def datasets_create(args) -> None:
    meta = metadata(args.folder, "dataset-metadata.json", ["id", "title", "licenses"])
    _check_dataset(meta)
    state = load()
    if meta["id"] in state.setdefault("datasets", {}):
        print(f'Dataset creation error: The requested title "{meta["title"]}" is already in use')
        return
    files = upload(args.folder, args.dir_mode)
    state["datasets"][meta["id"]] = {
        "public": args.public,
        "versions": [{"notes": "", "files": files}],
    }
    save(state)
    if _invalid_tags(meta):
        print(
            f"The following are not valid tags and could not be added to the dataset: "
            f"{_invalid_tags(meta)}"
        )
    print(
        f"Your private Dataset is being created. Please check progress at https://www.kaggle.com/datasets/{meta['id']}"
    )


def datasets_version(args) -> None:
    meta = metadata(args.folder, "dataset-metadata.json", ["id"])
    state = load()
    dataset = state.get("datasets", {}).get(meta["id"])
    if dataset is None:
        http_error(404, "Not Found")
    dataset["versions"].append(
        {"notes": args.version_notes, "files": upload(args.folder, args.dir_mode)}
    )
    save(state)
    if _invalid_tags(meta):  # the version exists, but this is all the real CLI prints
        print(
            f"The following are not valid tags and could not be added to the dataset: "
            f"{_invalid_tags(meta)}"
        )
        return
    print(
        f"Dataset version is being created. Please check progress at https://www.kaggle.com/datasets/{meta['id']}"
    )


# --- models ----------------------------------------------------------------------------


def models_get(args) -> None:
    if args.model not in load().get("models", {}):
        http_error(404, "Not Found")
    Path(args.folder, "model-metadata.json").write_text(json.dumps({"slug": args.model}))


def models_create(args) -> None:
    meta = metadata(
        args.folder,
        "model-metadata.json",
        ["ownerSlug", "slug", "title", "isPrivate", "description"],
    )
    if not isinstance(meta["isPrivate"], bool):
        raise SystemExit("model.isPrivate must be a boolean")
    state = load()
    state.setdefault("models", {})[f"{meta['ownerSlug']}/{meta['slug']}"] = {
        "private": meta["isPrivate"]
    }
    save(state)
    print(
        f"Your model was created. Id=1. Url=https://www.kaggle.com/models/{meta['ownerSlug']}/{meta['slug']}"
    )


def variations_get(args) -> None:
    if args.model_instance not in load().get("variations", {}):
        http_error(404, "Not Found")
    Path(args.folder, "model-instance-metadata.json").write_text("{}")


def variations_create(args) -> None:
    required = ["ownerSlug", "modelSlug", "instanceSlug", "framework", "licenseName"]
    meta = metadata(args.folder, "model-instance-metadata.json", required)
    state = load()
    model = f"{meta['ownerSlug']}/{meta['modelSlug']}"
    if model not in state.get("models", {}):
        print("Model instance creation error: Model not found")
        return
    key = f"{model}/{meta['framework'].lower()}/{meta['instanceSlug']}"
    files = upload(args.folder, args.dir_mode)
    state.setdefault("variations", {})[key] = {"versions": [{"notes": "", "files": files}]}
    save(state)
    print(f"Your model instance was created. Id=1. Url=https://www.kaggle.com/models/{key}/1")


def variation_versions_create(args) -> None:
    state = load()
    variation = state.get("variations", {}).get(args.model_instance)
    if variation is None:
        http_error(404, "Not Found")
    files = upload(args.folder, args.dir_mode)
    variation["versions"].append({"notes": args.version_notes, "files": files})
    save(state)
    number = len(variation["versions"])
    print(
        f"Your model instance version was created. "
        f"Url=https://www.kaggle.com/models/{args.model_instance}/{number}"
    )


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="kaggle")
    groups = root.add_subparsers(dest="group", required=True)

    competitions = groups.add_parser("competitions", aliases=["c"]).add_subparsers(required=True)
    download = competitions.add_parser("download")
    download.add_argument("competition")
    download.add_argument("-p", "--path", dest="path")
    download.set_defaults(func=competitions_download)

    datasets = groups.add_parser("datasets", aliases=["d"]).add_subparsers(required=True)
    status = datasets.add_parser("status")
    status.add_argument("dataset")
    status.set_defaults(func=datasets_status)
    for name, func in (("create", datasets_create), ("version", datasets_version)):
        command = datasets.add_parser(name)
        command.add_argument("-p", "--path", dest="folder", required=False)
        command.add_argument(
            "-r", "--dir-mode", dest="dir_mode", choices=["skip", "zip", "tar"], default="skip"
        )
        command.add_argument("-q", "--quiet", action="store_true")
        command.add_argument("-t", "--keep-tabular", action="store_true")
        if name == "create":
            command.add_argument("-u", "--public", action="store_true")
        else:
            command.add_argument("-m", "--message", dest="version_notes", required=True)
        command.set_defaults(func=func)

    models = groups.add_parser("models", aliases=["m"]).add_subparsers(required=True)
    get = models.add_parser("get")
    get.add_argument("model")
    get.add_argument("-p", "--path", dest="folder")
    get.set_defaults(func=models_get)
    create = models.add_parser("create")
    create.add_argument("-p", "--path", dest="folder")
    create.set_defaults(func=models_create)

    variations = models.add_parser("instances", aliases=["variations"]).add_subparsers(
        required=True
    )
    vget = variations.add_parser("get")
    vget.add_argument("model_instance")
    vget.add_argument("-p", "--path", dest="folder")
    vget.set_defaults(func=variations_get)
    vcreate = variations.add_parser("create")
    vcreate.add_argument("-p", "--path", dest="folder")
    vcreate.add_argument("-q", "--quiet", action="store_true")
    vcreate.add_argument(
        "-r", "--dir-mode", dest="dir_mode", choices=["skip", "zip", "tar"], default="skip"
    )
    vcreate.set_defaults(func=variations_create)
    versions = variations.add_parser("versions", aliases=["v"]).add_subparsers(required=True)
    vv = versions.add_parser("create")
    vv.add_argument("model_instance")
    vv.add_argument("-p", "--path", dest="folder")
    vv.add_argument("-n", "--version-notes", dest="version_notes")
    vv.add_argument("-q", "--quiet", action="store_true")
    vv.add_argument(
        "-r", "--dir-mode", dest="dir_mode", choices=["skip", "zip", "tar"], default="skip"
    )
    vv.set_defaults(func=variation_versions_create)
    return root


def main() -> None:
    args = parser().parse_args()
    if not authenticated():
        print("Authentication required to call the Kaggle API.")
        sys.exit(1)
    log = os.environ.get("SHIM_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write("kaggle " + " ".join(sys.argv[1:]) + "\n")
    args.func(args)


if __name__ == "__main__":
    main()
