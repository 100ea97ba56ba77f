"""Linux inotify through ctypes, for drop folders: the kernel says when a file is complete.

A file is complete when the writer closes it (IN_CLOSE_WRITE) or when it is renamed into the
folder (IN_MOVED_TO: the write-then-rename protocol of FTP/SFTP servers and rsync). Those
two events are all a drop folder needs, so this is the few lines of the syscalls rather
than a library: `watchfiles` (rust-notify) batches events behind a debounce, and taking a
file on close-write is the point here.

Not every file system tells: NFS, SMB/CIFS and FUSE mounts (sshfs, s3fs...) see only what
this host writes, never what another host (the agency's upload server) writes. `has_events`
reads the folder's file-system type from /proc/self/mountinfo so such folders are scanned.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import struct
from dataclasses import dataclass
from pathlib import Path

IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_FROM = 0x00000040
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE_SELF = 0x00000400
IN_MOVE_SELF = 0x00000800
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_ONLYDIR = 0x01000000
IN_ISDIR = 0x40000000
_NONBLOCK = 0o4000
_CLOEXEC = 0o2000000
_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len

# File systems whose changes by other hosts inotify never hears of.
NO_EVENTS = frozenset({"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "afs",
                       "ceph", "glusterfs", "davfs", "fuse", "fuseblk", "vboxsf", "virtiofs",
                       "lustre", "gpfs", "beegfs", "ocfs2", "gfs2"})


class Unavailable(OSError):
    """This system has no inotify (not Linux, or the instance limit is reached)."""


@dataclass(frozen=True, slots=True)
class Event:
    mask: int
    name: str

    @property
    def complete(self) -> bool:
        """A file closed after writing, or renamed into the folder."""
        return bool(self.mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) and not self.mask & IN_ISDIR

    @property
    def overflow(self) -> bool:
        """The kernel's queue overflowed: events were lost, look at the folder."""
        return bool(self.mask & IN_Q_OVERFLOW)

    @property
    def gone(self) -> bool:
        """The watched folder itself was removed or moved away."""
        return bool(self.mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))


def _libc() -> ctypes.CDLL:
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name, use_errno=True)
    if not hasattr(libc, "inotify_init1"):
        raise Unavailable(errno.ENOSYS, "inotify is not available on this system")
    return libc


class Inotify:
    """One inotify instance watching one folder for complete files."""

    MASK = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF

    def __init__(self, folder: Path) -> None:
        libc = _libc()
        self.fd = libc.inotify_init1(_NONBLOCK | _CLOEXEC)
        if self.fd < 0:
            code = ctypes.get_errno()
            raise Unavailable(code, f"inotify_init1: {os.strerror(code)}")
        wd = libc.inotify_add_watch(self.fd, os.fsencode(folder), self.MASK | IN_ONLYDIR)
        if wd < 0:
            code = ctypes.get_errno()
            os.close(self.fd)
            raise Unavailable(code, f"cannot watch {folder}: {os.strerror(code)}")

    def read(self, timeout: float) -> list[Event]:
        """The events that arrived, waiting up to `timeout` seconds for the first."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return []
        try:
            data = os.read(self.fd, 64 * 1024)
        except BlockingIOError:
            return []
        events, at = [], 0
        while at + _HEADER.size <= len(data):
            _wd, mask, _cookie, length = _HEADER.unpack_from(data, at)
            at += _HEADER.size
            name = os.fsdecode(data[at:at + length].rstrip(b"\0"))
            at += length
            events.append(Event(mask, name))
        return events

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Inotify:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def fs_type(path: Path, mountinfo: str | None = None) -> str | None:
    """The file-system type of the mount holding `path` (None if it cannot be told)."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text()
        except OSError:
            return None
    target = os.path.realpath(path)
    best, found = -1, None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields = left.split()
        if not sep or len(fields) < 5 or not right.split():
            continue
        point = _unescape(fields[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= best:  # the last of equal mounts is the one on top
            best, found = len(point), right.split()[0]
    return found


def _unescape(field: str) -> str:
    # mountinfo writes space, tab, newline and backslash as octal escapes (\040...)
    for code in ("\\040", "\\011", "\\012", "\\134"):
        field = field.replace(code, chr(int(code[1:], 8)))
    return field


def has_events(path: Path, mountinfo: str | None = None) -> bool:
    """Does inotify hear of every change to files in `path`, whoever makes it?"""
    kind = fs_type(path, mountinfo)
    if kind is None:
        return False
    return kind not in NO_EVENTS and not kind.startswith("fuse.")
