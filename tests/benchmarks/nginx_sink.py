"""A throw-away nginx WebDAV PUT sink on loopback, for the transfer benchmark (STACK-NOTES §5).

nginx is started in the foreground (``daemon off``) with a generated config in a temporary
directory: it listens on 127.0.0.1 on a free port, accepts ``PUT`` into a document root on
tmpfs (``/dev/shm``) and serves ``GET`` from there with ``sendfile``. ``master_process off``
keeps it to one process, so its CPU time can be read from ``/proc/<pid>/stat`` around each
transfer. It is stopped by its PID.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "nginx is not installed; the transfer benchmark needs it as a local WebDAV PUT sink. "
    "On Debian/Ubuntu: `sudo apt-get install -y nginx-light` (or `nginx`); it does not need "
    "to run as a service, the benchmark starts its own instance on 127.0.0.1."
)

_NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
_START_TIMEOUT_SECONDS = 10.0
_STOP_TIMEOUT_SECONDS = 10.0


def find_nginx() -> str | None:
    """The nginx binary: ``$PATH`` first, then the usual sbin locations (not always on PATH)."""
    found = shutil.which("nginx")
    if found:
        return found
    for candidate in _NGINX_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def nginx_config(*, workdir: Path, root: Path, body_temp: Path, port: int) -> str:
    """The config of STACK-NOTES §5: WebDAV PUT into tmpfs, sendfile for GET."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""\
{user}daemon off;
master_process off;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{
    worker_connections 64;
}}
http {{
    default_type application/octet-stream;
    access_log off;
    log_not_found off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 60s;
    client_body_temp_path {body_temp};
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        location / {{
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 0;
            client_body_buffer_size 1m;
        }}
    }}
}}
"""


@dataclass
class NginxSink:
    """A running nginx; ``url(name)`` is the URL of ``root/name``."""

    process: subprocess.Popen[bytes]
    port: int
    root: Path
    workdir: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def cpu_seconds(self) -> float:
        """nginx's own user+system CPU time so far (it is a single process here)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return ticks / os.sysconf("SC_CLK_TCK")

    def error_log(self) -> str:
        try:
            return (self.workdir / "error.log").read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop this nginx by its PID: QUIT (graceful), then KILL if it lingers."""
        if self.process.poll() is not None:
            return
        try:
            os.kill(self.pid, signal.SIGQUIT)
            self.process.wait(timeout=_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=_STOP_TIMEOUT_SECONDS)
        except ProcessLookupError:
            self.process.wait(timeout=_STOP_TIMEOUT_SECONDS)


def start_nginx(nginx: str, *, workdir: Path, root: Path) -> NginxSink:
    """Start nginx serving ``root`` (which should be on tmpfs); wait until it accepts."""
    workdir.mkdir(parents=True, exist_ok=True)
    root.mkdir(parents=True, exist_ok=True)
    # Request bodies are spooled next to the root (same file system), then rename()d into it.
    body_temp = root.parent / f"{root.name}.client_body_temp"
    body_temp.mkdir(exist_ok=True)
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_config(workdir=workdir, root=root, body_temp=body_temp, port=port))
    # -p: prefix for relative paths; -e: the start-up error log (else /var/log/nginx).
    process = subprocess.Popen(
        [nginx, "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "error.log")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sink = NginxSink(process=process, port=port, root=root, workdir=workdir)
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}: {sink.error_log()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return sink
        except OSError:
            if time.monotonic() > deadline:
                sink.stop()
                raise RuntimeError(
                    f"nginx did not accept connections on port {port}: {sink.error_log()}"
                ) from None
            time.sleep(0.05)
