"""Enter a fake pod's root folder without proot: bind mounts, then chroot, then the command.

container.py runs it as `unshare --user --map-root-user --mount python -I -S pod_root.py
ROOT BINDS -- COMMAND...` where the machine allows unprivileged user and mount namespaces.
The mounts live in the new mount namespace only (unshare makes it private), so this machine
sees none of them, and they go with the pod's last process. What the pod sees is the same as
under proot (`-0 -r ROOT -w /root -b OUTSIDE:INSIDE`), at the cost of the kernel's own path
lookups instead of ptrace stopping every system call (Python starts about ten times faster).

BINDS is a JSON object {inside: outside}; parents are bound before what lies under them, and a
missing mount point is made first (under a bound folder, that is on the folder's side).

Standard library only: it runs with `python -I -S`, as pod_init.py does.
"""

import ctypes
import json
import os
import sys

MS_BIND, MS_REC = 0x1000, 0x4000  # linux/mount.h


def bind(libc: ctypes.CDLL, outside: str, target: str) -> None:
    if os.path.isdir(outside):
        os.makedirs(target, exist_ok=True)
    elif not os.path.exists(target):
        open(target, "ab").close()  # a file is bound onto a file
    # MS_REC: /proc, /dev and /sys carry mounts of their own, which must come along
    if libc.mount(outside.encode(), target.encode(), None, MS_BIND | MS_REC, None) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"cannot bind {outside} at {target}: {os.strerror(error)}")


def enter(root: str, binds: dict[str, str]) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for inside in sorted(binds):  # "/root" sorts before "/root/.pyenv/..."
        bind(libc, binds[inside], root.rstrip("/") + inside)
    os.chroot(root)
    os.chdir("/root")


def main(argv: list[str]) -> None:
    root, binds, separator, *command = argv
    if separator != "--" or not command:
        sys.exit("usage: pod_root.py ROOT BINDS -- COMMAND...")
    try:
        enter(root, json.loads(binds))
        os.execv(command[0], command)  # noqa: S606 - the pod's own command, as proot runs it
    except OSError as error:
        sys.exit(f"pod_root: {error}")


if __name__ == "__main__":
    main(sys.argv[1:])
