"""One paramiko SSH server per running pod, on 127.0.0.1 and an ephemeral port.

Like a Runpod official image: user root, only the keys from the pod's PUBLIC_KEY env var.
An exec request runs `/bin/bash -c CMD` on this machine with the pod's env, HOME and cwd; a
shell request (plain `ssh host`) runs `/bin/bash` reading commands from stdin. SFTP is
served by paramiko's stock SFTP server rooted at "/" (so scp -s / sftp work too).
"""

from __future__ import annotations

import base64
import logging
import os
import signal
import socket
import struct
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import paramiko
from paramiko.sftp_server import SFTPServer
from paramiko.sftp_si import SFTPServerInterface

log = logging.getLogger("fake_runpod.ssh")
logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # client hang-ups are normal here


def authorized_blobs(public_keys: str) -> set[bytes]:
    """Key blobs from authorized_keys-style text ("ssh-ed25519 AAAA... comment" per line)."""
    blobs = set()
    for line in public_keys.splitlines():  # like `echo "$PUBLIC_KEY" >> authorized_keys`
        parts = line.split()
        for index, part in enumerate(parts[:-1]):
            if part.startswith(("ssh-", "ecdsa-", "sk-")):
                try:
                    blobs.add(base64.b64decode(parts[index + 1], validate=True))
                except ValueError:
                    pass
                break
    return blobs


class _PodServerInterface(paramiko.ServerInterface):
    def __init__(self, pod_ssh: PodSSH) -> None:
        self.pod_ssh = pod_ssh

    def get_allowed_auths(self, username):
        return "publickey"

    def check_auth_publickey(self, username, key):
        if username == "root" and key.asbytes() in self.pod_ssh.allowed:
            return paramiko.AUTH_SUCCESSFUL
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, *args):
        return True  # accepted but no real pty: output is plain pipes

    def check_channel_env_request(self, channel, name, value):
        return False  # like a default sshd (AcceptEnv unset): LANG etc. are dropped

    def check_channel_exec_request(self, channel, command):
        text = command.decode("utf-8", "replace") if isinstance(command, bytes) else command
        self.pod_ssh.spawn(channel, ["/bin/bash", "-c", text])
        return True

    def check_channel_shell_request(self, channel):
        self.pod_ssh.spawn(channel, ["/bin/bash"])
        return True


class _SFTPServer(SFTPServer):
    def finish_subsystem(self):
        # OpenSSH's sshd reports exit status 0 when sftp ends; scp treats "none" as failure
        try:
            self.sock.send_exit_status(0)
        except (OSError, EOFError):
            pass
        super().finish_subsystem()


class _RootSFTP(SFTPServerInterface):
    """paramiko's SFTP server over the real filesystem, starting in the pod's HOME."""

    def __init__(self, server, *args, home: str = "/", **kwargs):
        super().__init__(server, *args, **kwargs)
        self.home = home

    def canonicalize(self, path):
        if not os.path.isabs(path):
            path = os.path.join(self.home, path)
        return os.path.normpath(path)


def _sftp_handler(home: str):
    class Handler(_RootSFTP):
        def __init__(self, server, *args, **kwargs):
            super().__init__(server, *args, home=home, **kwargs)

    return Handler


def _stub_sftp_methods() -> None:
    """Give SFTPServerInterface real filesystem behaviour (paramiko ships only stubs)."""
    from paramiko import SFTPAttributes, SFTPHandle
    from paramiko.sftp import SFTP_OK

    class Handle(SFTPHandle):
        def stat(self):
            return SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))

        def chattr(self, attr):  # fsetstat: scp sets mode and times after writing
            try:
                _apply_attrs(self.filename, attr)
            except OSError as error:
                return SFTPServer.convert_errno(error.errno)
            return SFTP_OK

    def _apply_attrs(path, attr):
        if attr._flags & attr.FLAG_PERMISSIONS:
            os.chmod(path, attr.st_mode)
        if attr._flags & attr.FLAG_AMTIME:
            os.utime(path, (attr.st_atime, attr.st_mtime))

    def convert(fn):
        def wrapper(self, *args):
            try:
                return fn(self, *args)
            except OSError as error:
                return SFTPServer.convert_errno(error.errno)

        return wrapper

    def list_folder(self, path):
        path = self.canonicalize(path)
        out = []
        for name in os.listdir(path):
            attr = SFTPAttributes.from_stat(os.lstat(os.path.join(path, name)))
            attr.filename = name
            out.append(attr)
        return out

    def open_(self, path, flags, attr):
        path = self.canonicalize(path)
        fd = os.open(path, flags, 0o644)
        mode = "rb"
        if flags & os.O_WRONLY:
            mode = "ab" if flags & os.O_APPEND else "wb"
        elif flags & os.O_RDWR:
            mode = "a+b" if flags & os.O_APPEND else "r+b"
        handle = Handle(flags)
        fobj = os.fdopen(fd, mode)
        handle.filename = path
        handle.readfile = fobj
        handle.writefile = fobj
        return handle

    def simple(op):
        def method(self, path, *rest):
            op(self.canonicalize(path), *rest)
            return SFTP_OK

        return method

    def setstat(self, path, attr):
        _apply_attrs(self.canonicalize(path), attr)
        return SFTP_OK

    def rename(self, old, new):
        os.rename(self.canonicalize(old), self.canonicalize(new))
        return SFTP_OK

    methods = {
        "list_folder": list_folder,
        "stat": lambda self, p: SFTPAttributes.from_stat(os.stat(self.canonicalize(p))),
        "lstat": lambda self, p: SFTPAttributes.from_stat(os.lstat(self.canonicalize(p))),
        "open": open_,
        "remove": simple(os.remove),
        "rename": rename,
        "posix_rename": rename,
        "mkdir": lambda self, p, attr: (os.mkdir(self.canonicalize(p)), SFTP_OK)[1],
        "rmdir": simple(os.rmdir),
        "chattr": setstat,
        "readlink": lambda self, p: os.readlink(self.canonicalize(p)),
    }
    for name, fn in methods.items():
        setattr(_RootSFTP, name, convert(fn))


_stub_sftp_methods()


class PodSSH:
    """The SSH server of one pod. start() binds; stop() closes everything, quickly."""

    def __init__(
        self,
        host_key: paramiko.PKey,
        public_keys: str,
        env: dict[str, str],
        home: Path,
        refuse: Callable[[], bool],
    ) -> None:
        self.host_key = host_key
        self.allowed = authorized_blobs(public_keys)
        self.env = env
        self.home = home
        self.refuse = refuse  # asked once per TCP connection: reset it instead of serving?
        self.port = 0
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._transports: set[paramiko.Transport] = set()
        self._procs: set[subprocess.Popen] = set()
        self._groups: set[int] = set()  # process groups started here (background jobs too)
        self._stopped = threading.Event()

    def start(self) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        self._sock = sock
        self.port = sock.getsockname()[1]
        threading.Thread(target=self._accept_loop, name=f"ssh-{self.port}", daemon=True).start()
        return self.port

    def stop(self) -> None:
        self._stopped.set()
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._sock.close()
        with self._lock:
            transports, groups = list(self._transports), list(self._groups)
        for group in groups:  # a terminated pod leaves no process behind
            try:
                os.killpg(group, signal.SIGKILL)
            except OSError:
                pass
        for transport in transports:
            transport.close()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self.refuse():
                # RST instead of a banner, like a port whose sshd is not up yet
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        transport.add_server_key(self.host_key)
        transport.set_subsystem_handler("sftp", _SFTPServer, _sftp_handler(str(self.home)))
        with self._lock:
            if self._stopped.is_set():
                transport.close()
                return
            self._transports.add(transport)
        try:
            transport.start_server(server=_PodServerInterface(self))
        except (paramiko.SSHException, EOFError, OSError):
            transport.close()
        # the transport runs in its own thread from here; forget it once it is gone
        threading.Thread(target=self._reap, args=(transport,), daemon=True).start()

    def _reap(self, transport: paramiko.Transport) -> None:
        transport.join()
        with self._lock:
            self._transports.discard(transport)

    def spawn(self, channel: paramiko.Channel, argv: list[str]) -> None:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.home,
            env=self.env,
            start_new_session=True,
        )
        with self._lock:
            self._procs.add(proc)
            self._groups.add(proc.pid)  # start_new_session: pgid == pid
        threading.Thread(target=self._run, args=(channel, proc), daemon=True).start()

    def _run(self, channel: paramiko.Channel, proc: subprocess.Popen) -> None:
        def pump_out(stream, send) -> None:
            for chunk in iter(lambda: stream.read1(65536), b""):
                try:
                    send(chunk)
                except OSError:
                    break

        def pump_in() -> None:
            try:
                while True:
                    data = channel.recv(65536)
                    if not data:
                        break
                    proc.stdin.write(data)
                    proc.stdin.flush()
            except (OSError, EOFError):
                pass
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        threading.Thread(target=pump_in, daemon=True).start()
        out = threading.Thread(target=pump_out, args=(proc.stdout, channel.sendall))
        err = threading.Thread(target=pump_out, args=(proc.stderr, channel.sendall_stderr))
        out.start()
        err.start()
        status = proc.wait()
        out.join()
        err.join()
        with self._lock:
            self._procs.discard(proc)
        try:
            channel.send_exit_status(status if status >= 0 else 128 - status)
            channel.shutdown_write()
            channel.close()
        except (OSError, EOFError):
            pass
