"""A private folder on this machine for one run: its SSH key, the probe wheel, the shims.

A run that is killed (SIGKILL, a runner that vanishes) cannot clean up after itself, and its
folder holds a private key; on the fake target the fake's own data folder (pod homes with
the dummy Kaggle token) is left too. So each run holds an exclusive lock on its folder for
as long as it lives (the kernel drops the lock when the process dies, however it dies), and
the next replay or sweep removes every run folder whose lock it can take, together with
what that run asked to be removed with it.

The base folder is always ours: $LIVE_SCRATCH_DIR (default <tmp>/kgl-live-<uid>) is made
fresh, mode 700, and marked with MARK. A folder we did not make (no mark, a symbolic link,
another user's) is refused before anything is rented, and never reaped: pointing
LIVE_SCRATCH_DIR at a folder of one's own must never delete what is in it. Inside the base,
only folders named like a run id and holding a run's lock are ever removed.
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

from live import naming

LOCK = "lock"
ALSO_REMOVE = "also-remove"
MARK = ".kgl-live-scratch"
MARK_TEXT = "kgl-live scratch base, made by live/scratch.py; run folders inside are removed\n"


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
        if not naming.is_run_id(run_id):
            raise ValueError(f"not a run id: {run_id!r}")
        root = _our_base(create=True)
        with _base_lock(root):
            self.path = root / run_id
            try:
                self.path.mkdir(mode=0o700)
            except FileExistsError:
                raise ScratchError(
                    f"実行 ID {run_id} は、まだ動いている別の実行が使っています。"
                    "別の --run-id を指定してください。"
                ) from None
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
    """Remove the folders of runs that are no longer alive; returns their names. Raises
    ScratchError, touching nothing, when the base folder is not ours."""
    root = _our_base(create=False)
    if root is None:
        return []
    removed = []
    with _base_lock(root):
        for folder in sorted(root.iterdir()):
            if not naming.is_run_id(folder.name) or folder.is_symlink() or not folder.is_dir():
                continue
            if not (folder / LOCK).is_file():
                with contextlib.suppress(OSError):  # made, then killed before its lock:
                    folder.rmdir()  # removed only when empty
                continue
            if _owner_is_gone(folder):
                _remove_run(folder)
                removed.append(folder.name)
    return removed


def _owner_is_gone(folder: Path) -> bool:
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return False  # not a lock file we can judge: leave the folder alone
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
            if (
                extra.is_absolute()
                and len(extra.parts) > 2
                and extra.is_dir()
                and not extra.is_symlink()
                and extra.stat().st_uid == os.getuid()
            ):
                shutil.rmtree(extra, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)


def _our_base(create: bool) -> Path | None:
    """The base folder, made fresh and marked when it does not exist yet (with create);
    None when it does not exist (without create). Anything else must carry our mark."""
    root = base()
    if create:
        try:
            root.mkdir(mode=0o700, parents=True)
        except FileExistsError:
            pass
        except OSError as error:
            raise ScratchError(
                f"作業用フォルダ {root} を作れません（{error.strerror}）。"
                "LIVE_SCRATCH_DIR で別の場所を指定してください。"
            ) from None
        else:
            _mark(root)
    try:
        info = os.lstat(root)
    except FileNotFoundError:
        return None
    if (
        stat.S_ISLNK(info.st_mode)
        or not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or not _is_marked(root)
    ):
        raise ScratchError(
            f"作業用フォルダ {root} は、この仕組みが作ったものではありません（目印 {MARK} が"
            "ない、シンボリックリンク、または別のユーザーのもの）。中のものを消さないよう、"
            "使わずに止めました。LIVE_SCRATCH_DIR には、まだ存在しない場所を指定してください。"
        )
    if info.st_mode & 0o077:
        os.chmod(root, 0o700)
    return root


def _mark(root: Path) -> None:
    fd = os.open(root / MARK, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(MARK_TEXT)


def _is_marked(root: Path) -> bool:
    try:
        fd = os.open(root / MARK, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return os.read(fd, len(MARK_TEXT.encode()) + 1) == MARK_TEXT.encode()
    finally:
        os.close(fd)


@contextlib.contextmanager
def _base_lock(root: Path) -> Iterator[None]:
    """One process at a time makes or reaps run folders."""
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
