"""Inside a fake pod: the process that stands for the container's runtime and its sshd.

container.py starts it inside the pod's root (under proot, or through pod_root.py in a
namespace of its own) with the container's environment. It starts the container's main process
(the start command: the pod's `args`, else the image's `/start.sh`), relays each line of its
output to the fake (`out LINE`) and says when it ends (`exited STATUS`): a container whose
main process ends has exited. It listens on a unix socket and, for each SSH session, receives
the session's stdin, stdout and stderr as file descriptors plus the command, its environment
and cwd, starts the command as its own child and answers with the exit status. Sessions are
therefore processes inside the container, as sshd's are, and what they leave running lives on
until the pod goes.

It leads a process group of its own, which every process of the pod joins: killing that group
ends every process of the pod. When the fake goes away without stopping the pod (killed), the
lifeline pipe closes and pod_init ends the group itself.

Under proot only: proot 5.1 (Debian 12) does not translate the paths of system calls newer
than itself (statx, faccessat2, openat2): `ls /workspace` would look at this machine's
/workspace. A seccomp filter makes them fail with ENOSYS, so glibc and Rust fall back to the
older calls that proot does translate.

Standard library only: it runs with `python -I -S`, inside the pod.
"""

import ctypes
import json
import os
import platform
import signal
import socket
import struct
import subprocess
import sys
import threading

HEADER = struct.Struct("!I")  # the size of the JSON request that follows the descriptors
# AUDIT_ARCH and the numbers of statx, faccessat2 and openat2 (asm/unistd.h)
NEWER_SYSCALLS = {
    "x86_64": (0xC000003E, (332, 439, 437)),
    "aarch64": (0xC00000B7, (291, 439, 437)),
}
ENOSYS = 38


def refuse_newer_syscalls() -> None:
    """Install the seccomp filter described above (inherited by every session)."""
    if platform.machine() not in NEWER_SYSCALLS:
        return
    arch, numbers = NEWER_SYSCALLS[platform.machine()]
    load, jump_if, ret = 0x20, 0x15, 0x06  # BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_RET
    allow, refuse = 0x7FFF0000, 0x00050000 | ENOSYS  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO
    program = [(load, 0, 0, 4), (jump_if, 1, 0, arch), (ret, 0, 0, allow), (load, 0, 0, 0)]
    program += [(jump_if, len(numbers) - i, 0, nr) for i, nr in enumerate(numbers)]
    program += [(ret, 0, 0, allow), (ret, 0, 0, refuse)]
    code = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *op) for op in program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(program), ctypes.addressof(code))
    libc = ctypes.CDLL(None, use_errno=True)
    no_new_privs, set_seccomp, mode_filter = 38, 22, 2  # linux/prctl.h, linux/seccomp.h
    if libc.prctl(no_new_privs, 1, 0, 0, 0) or libc.prctl(
        set_seccomp, mode_filter, ctypes.byref(fprog), 0, 0
    ):
        raise OSError(ctypes.get_errno(), "cannot install the seccomp filter")


def _read_request(conn: socket.socket) -> tuple[dict, list[int]] | None:
    header, fds, _, _ = socket.recv_fds(conn, HEADER.size, 3)
    if len(header) != HEADER.size or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        return None
    (size,) = HEADER.unpack(header)
    body = b""
    while len(body) < size:
        chunk = conn.recv(size - len(body))
        if not chunk:
            break
        body += chunk
    return json.loads(body), fds


def _serve(conn: socket.socket) -> None:
    with conn:
        request = _read_request(conn)
        if request is None:
            return
        command, fds = request
        process = None
        try:
            process = subprocess.Popen(
                command["argv"],
                stdin=fds[0],
                stdout=fds[1],
                stderr=fds[2],
                cwd=command["cwd"],
                env=command["env"],
            )
        except OSError as error:
            os.write(fds[2], f"{command['argv'][0]}: {error.strerror}\n".encode())
        finally:
            for fd in fds:  # the session's ends now belong to the command only
                os.close(fd)
        status = 127 if process is None else process.wait()
        try:
            conn.sendall(f"{status}\n".encode())
        except OSError:
            pass  # the SSH session is gone already


def _watch(lifeline: int) -> None:
    os.read(lifeline, 1)  # returns when the fake closes its end, or dies
    os.killpg(0, signal.SIGKILL)


def _say(lock: threading.Lock, text: str) -> None:
    with lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def _relay(stream, lock: threading.Lock) -> None:
    for raw in stream:
        _say(lock, "out " + raw.decode("utf-8", "replace").rstrip("\n"))


def _run_main(argv: list[str], lock: threading.Lock) -> None:
    """The container's main process: its output goes to the fake line by line, and its end
    is the container's end (even while its background children still hold the output)."""
    try:
        main = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd="/",
        )
    except (OSError, ValueError) as error:
        _say(lock, f"out {argv[0]}: {getattr(error, 'strerror', None) or error}")
        _say(lock, "exited 127")
        return
    relay = threading.Thread(target=_relay, args=(main.stdout, lock), daemon=True)
    relay.start()
    status = main.wait()
    relay.join(0.2)  # the last lines it printed, unless a child keeps the pipe open
    _say(lock, f"exited {status}")


def main(socket_path: str, lifeline: int, argv: list[str], isolation: str) -> None:
    if os.getsid(0) != os.getpid():  # under proot; pod_root.py execs us as the leader already
        os.setsid()
    if isolation == "proot":
        refuse_newer_syscalls()
    threading.Thread(target=_watch, args=(lifeline,), daemon=True).start()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(64)
    lock = threading.Lock()
    _say(lock, f"ready {os.getpid()}")
    threading.Thread(target=_run_main, args=(argv, lock), daemon=True).start()
    while True:
        conn, _ = server.accept()
        threading.Thread(target=_serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4])
