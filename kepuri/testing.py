"""The site served by gunicorn on this machine, for the tests and benchmarks that need real app servers.

The server reads its settings from the environment it is given, as in
production; nothing here changes them. Used by ``bench/load.py`` and
``tests/test_scale_out.py``. ``database_url`` hands the database of this process
(a test's, a benchmark's) to the processes they start: workers, beat, scripts.
Nothing here needs the development requirements (the bench runs without them).
"""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the virtualenv's scripts (gunicorn)

# The production settings (DEBUG off) relaxed only where plain HTTP on 127.0.0.1 needs it;
# SECRET_KEY, ALLOWED_HOSTS and the services come on top.
PLAIN_HTTP_PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
}


def database_url(name: str | None = None) -> str:
    """The ``DATABASE_URL`` of this process's database (or of database ``name`` on the same server).

    User and password are quoted whole, so that ``@``, ``:`` or ``/`` in them cannot
    break the URL; a server given by no host is reached over TCP on this machine.
    """
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{name or db['NAME']}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, *, env: dict, workers: int, threads: int, log=None, timeout: float = 60):
    """gunicorn serving ``kepuri.wsgi`` on 127.0.0.1:``port``, returned once it answers HTTP.

    ``env`` is the server's whole environment; its output goes to ``log`` (a
    file; None: this process's). Gunicorn's control socket is left off: two
    servers started from one folder would share it.
    """
    command = [
        str(BIN / "gunicorn"),
        "kepuri.wsgi",
        "--no-control-socket",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    output = {"stdout": log, "stderr": subprocess.STDOUT} if log else {}
    server = subprocess.Popen(command, cwd=ROOT, env=env, **output)  # noqa: S603 -- our own command line
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10):
                return server
        except urllib.error.HTTPError:  # an answer all the same: the site serves
            return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"gunicorn on port {port} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Ask ``process`` to end (SIGTERM), and kill it if it has not after ``timeout`` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
