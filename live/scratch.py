"""A private folder on this machine for one run: its SSH key, the probe wheel, the shims.

A run that is killed (SIGKILL, a runner that vanishes) cannot clean up after itself, and its
folder holds a private key; on the fake target the fake's own data folder (pod homes with
the dummy Kaggle token) is left too. So each run holds an exclusive lock on its folder for
as long as it lives (the kernel drops the lock when the process dies, however it dies), and
the next replay or sweep removes every run folder whose lock it can take, together with
what that run asked to be removed with it.

Folders live in $LIVE_SCRATCH_DIR, default <tmp>/kgl-live-<uid>/<run id>/, mode 700.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

LOCK = "lock"
ALSO_REMOVE = "also-remove"


class ScratchError(RuntimeError):
    """The scratch folder cannot be used safely (the message is Japanese)."""


def base() -> Path:
    configured = os.environ.get("LIVE_SCRATCH_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"kgl-live-{os.getuid()}"


class Scratch:
    """The folder of one live run; locked until close()."""

    def __init__(self, run_id: str) -> None:
        root = _private_base()
        with _base_lock(root):
            self.path = root / run_id
            try:
                self.path.mkdir(mode=0o700)
            except FileExistsError:
                raise ScratchError(f"実行 ID {run_id} は、まだ動いている別の実行が使っています。"
                                   "別の --run-id を指定してください。") from None
            self._fd: int | None = os.open(self.path / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def also_remove(self, path: Path) -> None:
        """Remove this folder too when the run ends, or after the run was killed."""
        with (self.path / ALSO_REMOVE).open("a", encoding="utf-8") as file:
            file.write(f"{Path(path).resolve()}\n")

    def close(self) -> None:
        if self._fd is None:
            return
        _remove_run(self.path)
        os.close(self._fd)
        self._fd = None


def reap() -> list[str]:
    """Remove the folders of runs that are no longer alive; returns their names."""
    root = base()
    if not root.is_dir():
        return []
    root = _private_base()
    removed = []
    with _base_lock(root):
        for folder in sorted(root.iterdir()):
            if folder.name.startswith(".") or not folder.is_dir() or folder.is_symlink():
                continue
            if _owner_is_gone(folder):
                _remove_run(folder)
                removed.append(folder.name)
    return removed


def _owner_is_gone(folder: Path) -> bool:
    try:
        fd = os.open(folder / LOCK, os.O_RDWR)
    except FileNotFoundError:
        return True  # runs make their lock file before anything else, under the base lock
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # also drops the lock we may have just taken
    return True


def _remove_run(folder: Path) -> None:
    listed = folder / ALSO_REMOVE
    if listed.is_file():
        for line in listed.read_text(encoding="utf-8").splitlines():
            extra = Path(line)
            # Only absolute folders of ours, never a root or a home.
            if extra.is_absolute() and len(extra.parts) > 2 and extra.is_dir() \
                    and extra.stat().st_uid == os.getuid():
                shutil.rmtree(extra, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)


def _private_base() -> Path:
    root = base()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(root)
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        raise ScratchError(f"作業用フォルダ {root} が自分のものではありません（シンボリック"
                           "リンクか、別のユーザーのフォルダ）。LIVE_SCRATCH_DIR で別の場所を"
                           "指定してください。")
    if info.st_mode & 0o077:
        os.chmod(root, 0o700)
    return root


@contextlib.contextmanager
def _base_lock(root: Path) -> Iterator[None]:
    """One process at a time makes or reaps run folders."""
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
