"""Start the shipped Varnish setup in front of a wiredesk port: for the tests and the bench.

Uses deploy/varnish/wiredesk.vcl with its backend port line replaced, and the -p settings of
deploy/varnish/varnishd.params (the same files the systemd unit uses), with a working
directory of its own (-n) so several can run at once.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "wiredesk.vcl"
PARAMS = ROOT / "deploy" / "varnish" / "varnishd.params"
_PORT_LINE = re.compile(r'^(\s*\.port\s*=\s*)"\d+";', re.MULTILINE)


def varnishd() -> str | None:
    return shutil.which("varnishd") or next(
        (p for p in ("/usr/sbin/varnishd",) if Path(p).exists()), None)


def read_params(path: Path = PARAMS) -> list[tuple[str, str]]:
    """name=value a line; blank lines and # comments skipped; anything else is an error."""
    found = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"{path}:{number}: expected name=value, got {line!r}")
        found.append((name.strip(), value.strip()))
    return found


def vcl_for(backend_port: int, path: Path = VCL) -> str:
    text, count = _PORT_LINE.subn(rf'\g<1>"{backend_port}";', path.read_text(), count=1)
    if count != 1:
        raise ValueError(f"{path}: no backend `.port = \"...\";` line to set")
    return text


@dataclass(frozen=True)
class Edge:
    url: str  # http://127.0.0.1:PORT
    pid: int  # varnishd's manager process (its cache process is a child)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(backend_port: int, *, port: int | None = None, cpus: str | None = None,
            extra: tuple[str, ...] = ()) -> Iterator[Edge]:
    """varnishd in the foreground on 127.0.0.1:`port` (free when not given), in front of
    127.0.0.1:`backend_port`; yields its URL and pid. `cpus`: pin it with taskset."""
    binary = varnishd()
    if binary is None:
        raise RuntimeError("varnishd not found: apt-get install varnish varnish-modules")
    port = port or free_port()
    folder = Path(tempfile.mkdtemp(prefix="wiredesk-varnish-"))
    folder.chmod(0o755)  # varnishd's workers drop privileges and must read the vcl
    vcl = folder / "wiredesk.vcl"
    vcl.write_text(vcl_for(backend_port))
    vcl.chmod(0o644)
    command = [binary, "-F", "-n", str(folder / "state"), "-a", f"127.0.0.1:{port}",
               "-f", str(vcl), "-s", "malloc,256m", "-T", "none"]
    for name, value in read_params():
        command += ["-p", f"{name}={value}"]
    command += list(extra)
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    log = open(folder / "varnishd.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        _wait(port, process, folder / "varnishd.log")
        yield Edge(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"varnishd exited ({process.returncode}): "
                               + log.read_text(errors="replace")[-2000:])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"varnishd did not listen on {port} within {timeout} s")
