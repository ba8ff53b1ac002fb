"""The SFTP subsystem of a fake pod's sshd (what `scp` and VS Code use): paramiko's SFTP
server over the pod's paths, starting in its HOME (/root). paramiko's SFTPServerInterface is
only stubs; the methods below give it real file operations, each turning an OSError into the
SFTP status it stands for."""

from __future__ import annotations

import functools
import os

from paramiko import SFTPAttributes, SFTPHandle
from paramiko.sftp import SFTP_OK
from paramiko.sftp_server import SFTPServer
from paramiko.sftp_si import SFTPServerInterface

from .container import Container


class PodSFTPServer(SFTPServer):
    def finish_subsystem(self):
        # OpenSSH's sshd reports exit status 0 when sftp ends; scp treats "none" as failure
        try:
            self.sock.send_exit_status(0)
        except (OSError, EOFError):
            pass
        super().finish_subsystem()


def _sftp_status(method):
    """An OSError becomes the SFTP status it stands for, as sshd's sftp-server answers."""

    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            return method(self, *args)
        except OSError as error:
            return SFTPServer.convert_errno(error.errno)

    return wrapper


def _apply_attrs(path: str, attr: SFTPAttributes) -> None:
    if attr._flags & attr.FLAG_PERMISSIONS:
        os.chmod(path, attr.st_mode)
    if attr._flags & attr.FLAG_AMTIME:
        os.utime(path, (attr.st_atime, attr.st_mtime))


class _Handle(SFTPHandle):
    def stat(self):
        return SFTPAttributes.from_stat(os.fstat(self.readfile.fileno()))

    @_sftp_status
    def chattr(self, attr):  # fsetstat: scp sets mode and times after writing
        _apply_attrs(self.filename, attr)
        return SFTP_OK


def _mode(flags: int) -> str:
    if flags & os.O_WRONLY:
        return "ab" if flags & os.O_APPEND else "wb"
    if flags & os.O_RDWR:
        return "a+b" if flags & os.O_APPEND else "r+b"
    return "rb"


class PodFiles(SFTPServerInterface):
    """The pod's file system for SFTP. `container` is set by handler_for()."""

    container: Container

    def canonicalize(self, path):
        """The path as the pod sees it."""
        return os.path.normpath(os.path.join("/root", path))

    def local(self, path):
        """Where that path is on this machine."""
        return self.container.host_path(self.canonicalize(path))

    @_sftp_status
    def list_folder(self, path):
        folder = self.local(path)
        found = []
        for name in os.listdir(folder):
            attr = SFTPAttributes.from_stat(os.lstat(os.path.join(folder, name)))
            attr.filename = name
            found.append(attr)
        return found

    @_sftp_status
    def stat(self, path):
        return SFTPAttributes.from_stat(os.stat(self.local(path)))

    @_sftp_status
    def lstat(self, path):
        return SFTPAttributes.from_stat(os.lstat(self.local(path)))

    @_sftp_status
    def open(self, path, flags, attr):
        local = self.local(path)
        stream = os.fdopen(os.open(local, flags, 0o644), _mode(flags))
        handle = _Handle(flags)
        handle.filename, handle.readfile, handle.writefile = local, stream, stream
        return handle

    @_sftp_status
    def remove(self, path):
        os.remove(self.local(path))
        return SFTP_OK

    @_sftp_status
    def rename(self, oldpath, newpath):
        os.rename(self.local(oldpath), self.local(newpath))
        return SFTP_OK

    posix_rename = rename

    @_sftp_status
    def mkdir(self, path, attr):
        os.mkdir(self.local(path))
        return SFTP_OK

    @_sftp_status
    def rmdir(self, path):
        os.rmdir(self.local(path))
        return SFTP_OK

    @_sftp_status
    def chattr(self, path, attr):
        _apply_attrs(self.local(path), attr)
        return SFTP_OK

    @_sftp_status
    def readlink(self, path):
        return os.readlink(self.local(path))


def handler_for(container: Container) -> type[PodFiles]:
    """PodFiles bound to one pod's container (paramiko makes one per SFTP session)."""
    return type("PodFilesOfOnePod", (PodFiles,), {"container": container})
