"""One paramiko SSH server per running pod, on 127.0.0.1 and an ephemeral port: the pod's sshd.

Like sshd in a Runpod official image: user root, only the keys in /root/.ssh/authorized_keys
(start.sh puts PUBLIC_KEY there). The port is mapped as soon as the container starts, but
until sshd is up (`answering()`, runtime.py) a connection is reset without an SSH banner, as a
port with nothing behind it is. An exec request runs `/bin/bash -c CMD` inside the pod's container
(container.py) with sshd's environment, not the container's: HOME=/root, USER, LOGNAME,
SHELL, PATH, MAIL, SSH_CLIENT, SSH_CONNECTION; cwd /root. A shell request (plain `ssh host`)
runs `/bin/bash` reading commands from stdin (there is no pty). SFTP: sftp.py.
"""

from __future__ import annotations

import base64
import logging
import os
import socket
import struct
import threading
from collections.abc import Callable

import paramiko

from .container import Container
from .image import PIP_GUARD, guarded_path
from .sftp import PodSFTPServer, handler_for

log = logging.getLogger("fake_runpod.ssh")
# Client hang-ups are normal here (a readiness probe reads the banner and goes). The runpod
# SDK sets paramiko's level back to WARNING when imported: keep its records away instead.
logging.getLogger("paramiko").addHandler(logging.NullHandler())
logging.getLogger("paramiko").propagate = False


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
        if username == "root" and key.asbytes() in self.pod_ssh.authorized_keys():
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
        return self.pod_ssh.spawn(channel, ["/bin/bash", "-c", text])

    def check_channel_shell_request(self, channel):
        return self.pod_ssh.spawn(channel, ["/bin/bash"])


class PodSSH:
    """The sshd of one pod. start() maps the port; stop() closes everything, quickly."""

    def __init__(
        self,
        host_key: paramiko.PKey,
        container: Container,
        refuse: Callable[[], bool],
        answering: Callable[[], bool],
    ) -> None:
        self.host_key = host_key
        self.container = container
        self.refuse = refuse  # asked once per TCP connection: reset it instead of serving?
        self.answering = answering  # is sshd up (does it send its banner)?
        self.port = 0
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._transports: set[paramiko.Transport] = set()
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
            transports = list(self._transports)
        for transport in transports:
            transport.close()

    def authorized_keys(self) -> set[bytes]:
        path = self.container.host_path("/root/.ssh/authorized_keys")
        try:
            with open(path, encoding="utf-8", errors="replace") as file:
                return authorized_blobs(file.read())
        except OSError:
            return set()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if not self.answering() or self.refuse():
                # RST instead of a banner: nothing listens behind the mapped port (yet)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        transport.add_server_key(self.host_key)
        transport.set_subsystem_handler("sftp", PodSFTPServer, handler_for(self.container))
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

    def session_env(self, channel: paramiko.Channel) -> dict[str, str]:
        """What sshd gives a session: not the container's environment."""
        client_ip, client_port = channel.get_transport().getpeername()[:2]
        return {
            "HOME": "/root",
            "USER": "root",
            "LOGNAME": "root",
            "SHELL": "/bin/bash",
            "PATH": guarded_path(os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")),
            **PIP_GUARD,
            "MAIL": "/var/mail/root",
            "SSH_CLIENT": f"{client_ip} {client_port} 22",
            "SSH_CONNECTION": f"{client_ip} {client_port} 127.0.0.1 22",
        }

    def spawn(self, channel: paramiko.Channel, argv: list[str]) -> bool:
        """Start argv in the pod for this channel; False when the pod cannot run it."""
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        try:
            session = self.container.run(
                argv, self.session_env(channel), "/root", (stdin_r, stdout_w, stderr_w)
            )
        except OSError:
            for fd in (stdin_r, stdin_w, stdout_r, stdout_w, stderr_r, stderr_w):
                os.close(fd)
            return False
        for fd in (stdin_r, stdout_w, stderr_w):  # the command holds them now
            os.close(fd)
        threading.Thread(
            target=self._run, args=(channel, session, stdin_w, stdout_r, stderr_r), daemon=True
        ).start()
        return True

    def _run(self, channel: paramiko.Channel, session, stdin_w, stdout_r, stderr_r) -> None:
        def pump_out(fd: int, send) -> None:
            with os.fdopen(fd, "rb", buffering=0) as stream:
                for chunk in iter(lambda: stream.read(65536), b""):
                    try:
                        send(chunk)
                    except OSError:
                        break

        def pump_in() -> None:
            with os.fdopen(stdin_w, "wb", buffering=0) as stream:
                try:
                    while True:
                        data = memoryview(channel.recv(65536))
                        if not data:
                            break
                        while data:
                            data = data[stream.write(data) :]
                except (OSError, EOFError):
                    pass

        threading.Thread(target=pump_in, daemon=True).start()
        out = threading.Thread(target=pump_out, args=(stdout_r, channel.sendall))
        err = threading.Thread(target=pump_out, args=(stderr_r, channel.sendall_stderr))
        out.start()
        err.start()
        status = session.wait_status()
        out.join()
        err.join()
        try:
            channel.send_exit_status(status)
            channel.shutdown_write()
            channel.close()
        except (OSError, EOFError):
            pass
