#!/usr/bin/env python
"""A soak under faults (issue 22): national-scale mixed traffic while the database, Redis, a worker,
an app server and the media disk fail in turn; then the invariants, each with its figure.

    .venv/bin/python bench/soak.py                 # 60 minutes
    .venv/bin/python bench/soak.py --minutes 5     # the short run
    .venv/bin/python bench/soak.py --minutes 3 --faults redis,app   # some faults only

Everything runs on this machine, as root (or as a user who may run PostgreSQL's
tools and mount a tmpfs), and the script starts all of it itself, on ports of
its own, so that its faults touch nothing else:

- its own PostgreSQL cluster (initdb into a temporary folder, owned by the
  postgres user, on a free port), holding bench/dataset.py's data set (100,000
  activities). The first run fills it (a few minutes) and keeps a copy of the
  stopped cluster (``--template``, default /tmp/kepuri-soak-pg<major>-<N>); later
  runs start from a copy of that copy, so each run begins from the same data;
- its own redis-server (no persistence: a restart loses everything, as it may
  in production);
- two gunicorn app servers (production settings, DJANGO_DEBUG=0) behind nginx
  (``apt-get install nginx-light`` when missing) on 127.0.0.1, which passes
  X-Forwarded-For and names the app server that answered (X-Upstream);
- two Celery workers and one beat, the reminders' and digests' time
  (REMINDER_HOUR / REMINDER_MINUTE) moved into the run, the SMS provider the
  database backend with a provider's latency (bench/soak_sms.py);
- the media folder on a tmpfs of ``--media-mb`` megabytes;
- the load generator (bench/soak_load.py) in a process of its own, at a fixed
  arrival rate, with the issue's mix.

The data set's campaign is moved in time so that today is 24 September of it:
the report window open, its deadline tomorrow, activities under way that can be
checked in to; 300 organisers hold a 草稿 (owed a reminder today).

Faults, spread over the run (each logged with its time): Redis restarted; PostgreSQL
restarted fast (``pg_ctl restart -m fast``, as ``pg_ctlcluster … restart`` does for a
Debian cluster); one app server killed (SIGKILL to its whole process group) and
started again; one worker killed the same way in the middle of the reminders'
SMS batch and started again; the media disk filled to its quota for a minute;
PostgreSQL stopped for 30 s. Then the load stops, the SMS queue is left to drain,
and the invariants are checked from SQL and the load's log (bench/soak_checks.py).
Exit status 0 when every invariant holds.
"""

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kepuri.testing import BIN, PLAIN_HTTP_PRODUCTION, free_port

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The day of the 2020 campaign that the run plays: the report deadline (25 September) is tomorrow.
VIRTUAL_TODAY = date(2020, 9, 24)
DATABASE = "kepuri_soak"
QUEUE = "soak"
STATIC_ROOT = Path(tempfile.gettempdir()) / "kepuri-soak-static"
SECRET_KEY = "soak-" + "x" * 50
CSRF_SECRET = "soak" + "0123456789abcdef" * 2
CSRF_SECRET = CSRF_SECRET[:32]
LOGIN_CODE = "135790"
REMINDER_DRAFTS = 300
FAULTS = ("redis", "pg-fast", "app", "worker", "disk", "pg-outage")

# The mix: (kind, weight in % of operations). Groups as in issue 22: page views 70, list and search
# 10, 点赞/收藏/打卡 8, comments 2, logins and SMS codes 2, organisers' reports 4, reviewers 4.
MIX = {
    "活动页（匿名）": 52,
    "首页（匿名）": 6,
    "API：活动详情": 12,
    "列表：按城市": 4,
    "列表：关键词": 3,
    "API：列表按城市": 2,
    "API：列表关键词": 1,
    "点赞（站点）": 3,
    "点赞（API）": 1.5,
    "收藏（站点）": 1.5,
    "打卡（站点）": 1,
    "打卡（API）": 1,
    "评论（站点）": 1.5,
    "评论（API）": 0.5,
    "获取验证码": 1,
    "验证码登录": 1,
    "填报暂存（站点）": 1,
    "填报提交（站点）": 1,
    "填报暂存（API）": 1,
    "填报提交（API）": 1,
    "审核队列（站点）": 1,
    "审核队列（API）": 0.5,
    "审核页面": 1,
    "审核通过": 1.5,
}
GROUPS = {
    "页面浏览": ("活动页（匿名）", "首页（匿名）", "API：活动详情"),
    "列表与搜索": ("列表：按城市", "列表：关键词", "API：列表按城市", "API：列表关键词"),
    "点赞/收藏/打卡": ("点赞（站点）", "点赞（API）", "收藏（站点）", "打卡（站点）", "打卡（API）"),
    "评论": ("评论（站点）", "评论（API）"),
    "登录与验证码": ("获取验证码", "验证码登录"),
    "填报": ("填报暂存（站点）", "填报提交（站点）", "填报暂存（API）", "填报提交（API）"),
    "审核": ("审核队列（站点）", "审核队列（API）", "审核页面", "审核通过"),
}


def log(message: str) -> None:
    print(f"[{datetime.now(tz=SHANGHAI):%H:%M:%S}] {message}", flush=True)


def as_postgres() -> list[str]:
    """PostgreSQL's tools refuse to run as root: as root, run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def pg_bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    if not pg_ctl:
        raise SystemExit("PostgreSQL's server tools are missing: apt-get install postgresql")
    return Path(pg_ctl).parent


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing: apt-get install nginx-light")
    log("nginx is missing: apt-get install nginx-light")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "nginx-light"]
    subprocess.run(install, check=True, env=environment)
    return shutil.which("nginx") or "/usr/sbin/nginx"


# --- processes ----------------------------------------------------------------------------------


def group_pids(pgid: int) -> list[int]:
    """The processes of a process group (a server's master and workers, a worker and its pool)."""
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def rss_mb(pgid: int) -> float:
    """The resident memory of a process group, in MB (the sum of its processes' VmRSS)."""
    total = 0
    for pid in group_pids(pgid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


class Child:
    """A process of the run in a session of its own, so that a fault can kill all of it at once."""

    def __init__(self, name: str, command: list[str], *, env: dict, log_path: Path, cwd=ROOT):
        self.name, self.command, self.env, self.log_path, self.cwd = name, command, env, log_path, cwd
        self.process = None
        self.started = []

    def start(self):
        output = open(self.log_path, "ab")  # noqa: SIM115 -- the child's own, closed with it
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env=self.env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        output.close()
        self.started.append(time.time())
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill_group(self) -> None:
        """SIGKILL to every process of the group: the machine's power cord, for this process."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            self._reap()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)
        self._reap()

    def _reap(self) -> None:
        """Whatever is left of the group (a worker's pool child) goes too."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def rss(self) -> float:
        return rss_mb(self.process.pid) if self.process and self.process.poll() is None else 0.0


def wait_http(url: str, timeout: float = 60, process: Child | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited with status {process.process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10):  # noqa: S310 -- http://127.0.0.1 only
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


class Postgres:
    """A PostgreSQL cluster of the run's own: a data folder, a port, pg_ctl."""

    def __init__(self, bindir: Path, data: Path, port: int, log_path: Path):
        self.bindir, self.data, self.port, self.log_path = bindir, data, port, log_path

    def _ctl(self, *args) -> None:
        command = [*as_postgres(), str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def initdb(self) -> None:
        self.data.mkdir(parents=True)
        _own_by_postgres(self.data)
        command = [*as_postgres(), str(self.bindir / "initdb"), "-D", str(self.data), "--auth=trust"]
        subprocess.run(
            [*command, "-E", "UTF8", "--locale=C.UTF-8", "-U", "postgres"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def configure(self) -> None:
        """This run's port and socket folder (a copied cluster gets them anew)."""
        settings = (
            f"\n# bench/soak.py\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.data}'\nmax_connections = 200\n"
            "shared_buffers = 256MB\nlogging_collector = off\n"
        )
        (self.data / "postgresql.auto.conf").write_text(settings)
        _own_by_postgres(self.data / "postgresql.auto.conf")

    def start(self) -> None:
        if not self.log_path.exists():
            self.log_path.touch()
            _own_by_postgres(self.log_path)
        self._ctl("-l", str(self.log_path), "-w", "-t", "300", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "-t", "300", "stop")

    def restart(self) -> None:
        self._ctl("-l", str(self.log_path), "-m", "fast", "-w", "-t", "300", "restart")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"


def _own_by_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


class Redis:
    def __init__(self, port: int, folder: Path, log_path: Path):
        self.port, self.folder, self.log_path = port, folder, log_path
        folder.mkdir(exist_ok=True)
        self.child = None

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.folder), "--daemonize", "no", "--protected-mode", "no",
        ]  # fmt: skip
        self.child = Child("redis", command, env=os.environ.copy(), log_path=self.log_path).start()
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.child:
            self.child.stop()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


NGINX_CONF = """\
{user}worker_processes 1;
error_log {folder}/error.log warn;
pid {folder}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    log_format soak '$msec $status "$upstream_status" "$upstream_addr" $request_time "$request_method $uri"';
    access_log {folder}/access.log soak;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    client_max_body_size 60m;
    client_body_buffer_size 1m;
    upstream kepuri {{
        server 127.0.0.1:{first} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{second} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://kepuri;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


# --- the run --------------------------------------------------------------------------------------


class Soak:
    def __init__(self, args):
        self.args = args
        self.seconds = args.minutes * 60
        self.faults_wanted = [f for f in (args.faults or ",".join(FAULTS)).split(",") if f]
        unknown = set(self.faults_wanted) - set(FAULTS)
        if unknown:
            raise SystemExit(f"unknown faults: {', '.join(sorted(unknown))} (known: {', '.join(FAULTS)})")
        self.folder = Path(tempfile.mkdtemp(prefix="kepuri-soak-"))
        self.folder.chmod(0o755)  # PostgreSQL (another user) reaches its data folder inside
        self.logs = self.folder / "logs"
        self.logs.mkdir()
        self.media = self.folder / "media"
        self.fault_log = []
        self.children: dict[str, Child] = {}
        self.rss = {}
        self.rss_restarted = {}
        self.mounted = False
        self.pg = Postgres(pg_bindir(), self.folder / "pg", free_port(), self.logs / "postgresql.log")
        self.redis = Redis(free_port(), self.folder / "redis", self.logs / "redis.log")
        self.ports = {"lb": free_port(), "app1": free_port(), "app2": free_port()}
        self.reminder_at = None
        self.snapshot = {}

    # --- the environment every process shares -------------------------------------------------

    def environment(self, **extra) -> dict:
        return {
            **os.environ,
            **PLAIN_HTTP_PRODUCTION,
            "DJANGO_SETTINGS_MODULE": "kepuri.settings",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.pg.url,
            "REDIS_URL": self.redis.url,
            "CACHE_KEY_PREFIX": "soak",
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "CELERY_BEAT_SCHEDULE_FILENAME": str(self.folder / "celerybeat-schedule"),
            **self.reminder_time(),
            "STATIC_ROOT": str(STATIC_ROOT),
            "MEDIA_ROOT": str(self.media),
            "PRIVATE_MEDIA_ROOT": str(self.folder / "private"),
            "SITE_URL": f"http://127.0.0.1:{self.ports['lb']}",
            "LOG_LEVEL": "INFO",
            "SMS_BACKEND": "bench.soak_sms.SmsBackend",
            "SOAK_SMS_DELAY": str(self.args.sms_delay),
            # A CDN and the balancer in front: the visitor's address is the second from the right.
            "TRUSTED_PROXY_COUNT": "2",
            **extra,
        }

    # --- PostgreSQL and the data ----------------------------------------------------------------

    def template_path(self) -> Path:
        if self.args.template:
            return Path(self.args.template)
        major = self.pg.bindir.parent.name
        return Path(tempfile.gettempdir()) / f"kepuri-soak-pg{major}-{self.args.activities}"

    def start_database(self) -> None:
        template = self.template_path()
        if (template / "SOAK_READY").exists():
            log(f"PostgreSQL: a copy of {template}")
            subprocess.run(["cp", "-a", str(template), str(self.pg.data)], check=True)  # noqa: S607
            (self.pg.data / "SOAK_READY").unlink()
            with contextlib.suppress(FileNotFoundError):
                (self.pg.data / "postmaster.pid").unlink()
            self.pg.configure()
            self.pg.start()
            return
        log(f"PostgreSQL: a new cluster, filled with the data set (kept as {template} for later runs)")
        self.pg.initdb()
        self.pg.configure()
        self.pg.start()
        subprocess.run(
            [
                *as_postgres(),
                str(self.pg.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.pg.port),
                DATABASE,
            ],
            check=True,
        )
        self.django()
        from django.core.management import call_command

        from bench.dataset import generate

        began = time.monotonic()
        call_command("migrate", verbosity=0)
        generate(self.args.activities)
        log(f"Data set ready in {time.monotonic() - began:.0f} s")
        from django.db import connections

        connections.close_all()
        self.pg.stop()
        if template.exists():
            shutil.rmtree(template)
        subprocess.run(["cp", "-a", str(self.pg.data), str(template)], check=True)  # noqa: S607
        (template / "SOAK_READY").write_text("bench/soak.py\n")
        self.pg.start()

    def django(self) -> None:
        """Django in this process, on the run's database and Redis (the invariants use the models)."""
        if getattr(self, "_django", False):
            return
        os.environ.update(self.environment())
        import django

        django.setup()
        self._django = True

    # --- media on a disk of its own --------------------------------------------------------------

    def mount_media(self) -> None:
        self.media.mkdir()
        if os.geteuid() == 0:
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={self.args.media_mb}m", "tmpfs", str(self.media)],  # noqa: S607
                check=True,
            )
            self.mounted = True
        else:
            log("not root: the media folder is an ordinary folder (the disk-full fault is skipped)")

    # --- the processes --------------------------------------------------------------------------

    def start_app(self, name: str) -> Child:
        port = self.ports[name]
        command = [
            str(BIN / "gunicorn"), "kepuri.wsgi:application", "--no-control-socket",
            "--bind", f"127.0.0.1:{port}", "--workers", str(self.args.workers), "--worker-class", "gthread",
            "--threads", str(self.args.threads), "--timeout", "30", "--log-level", "warning",
        ]  # fmt: skip
        child = Child(name, command, env=self.environment(), log_path=self.logs / f"{name}.log").start()
        # Known before it answers: a run interrupted while it starts still stops it.
        self.children[name] = child
        wait_http(f"http://127.0.0.1:{port}/health/live/", timeout=90, process=child)
        return child

    def start_worker(self, name: str) -> Child:
        command = [
            str(BIN / "celery"), "-A", "kepuri", "worker", "-Q", QUEUE, "-n", f"{name}@%h",
            "--concurrency", str(self.args.concurrency), "--loglevel", "INFO",
        ]  # fmt: skip
        child = Child(name, command, env=self.environment(), log_path=self.logs / f"{name}.log").start()
        self.children[name] = child
        return child

    def start_beat(self) -> Child:
        command = [str(BIN / "celery"), "-A", "kepuri", "beat", "--loglevel", "INFO"]
        child = Child("beat", command, env=self.environment(), log_path=self.logs / "beat.log").start()
        self.children["beat"] = child
        return child

    def start_nginx(self) -> Child:
        folder = self.folder / "nginx"
        folder.mkdir()
        conf = NGINX_CONF.format(
            user="user root;\n" if os.geteuid() == 0 else "",
            folder=folder,
            port=self.ports["lb"],
            first=self.ports["app1"],
            second=self.ports["app2"],
        )
        (folder / "nginx.conf").write_text(conf)
        command = [nginx_binary(), "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]
        child = Child("nginx", command, env=os.environ.copy(), log_path=self.logs / "nginx.log").start()
        wait_http(f"http://127.0.0.1:{self.ports['lb']}/health/live/", timeout=30, process=child)
        self.children["nginx"] = child
        return child

    # --- faults ------------------------------------------------------------------------------------

    def record_fault(self, name: str, start: float, end: float, **detail) -> None:
        entry = {"fault": name, "start": start, "end": end, **detail}
        self.fault_log.append(entry)
        began = datetime.fromtimestamp(start, tz=SHANGHAI)
        recovered = detail.get("recovered")
        log(
            f"FAULT {name} at {began:%H:%M:%S} (+{start - self.load_start:.1f} s), {end - start:.1f} s"
            + (f", ready {recovered:.1f} s after" if recovered is not None else "")
            + f": {detail.get('what', '')}"
        )

    def ready_after(self, end: float, port: int | None = None) -> float | None:
        """Seconds from a fault's end until ``/health/ready/`` (database, cache, migrations) answers 200,
        through the balancer or from one app server; asked every 0.1 s for two minutes at most."""
        url = f"http://127.0.0.1:{port or self.ports['lb']}/health/ready/"
        while time.time() - end < 120:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    if answer.status == 200:
                        return time.time() - end
            except OSError:
                pass
            time.sleep(0.1)
        return None

    def fault_redis(self) -> None:
        start = time.time()
        self.redis.stop()
        self.redis.start()
        end = time.time()
        self.record_fault(
            "redis",
            start,
            end,
            recovered=self.ready_after(end),
            what="redis-server stopped and started again, empty",
        )

    def fault_pg_fast(self) -> None:
        start = time.time()
        self.pg.restart()
        end = time.time()
        self.record_fault(
            "pg-fast", start, end, recovered=self.ready_after(end), what="pg_ctl restart -m fast"
        )

    def fault_pg_outage(self) -> None:
        start = time.time()
        self.pg.stop()
        time.sleep(30)
        self.pg.start()
        end = time.time()
        self.record_fault(
            "pg-outage",
            start,
            end,
            recovered=self.ready_after(end),
            what="pg_ctl stop -m fast; 30 s; pg_ctl start",
        )

    def fault_app(self) -> None:
        start = time.time()
        self.children["app2"].kill_group()
        time.sleep(5)
        self.start_app("app2")
        end = time.time()
        self.measure_restarted("app2")
        self.record_fault(
            "app", start, end, recovered=self.ready_after(end, self.ports["app2"]),
            what="kill -9 of app server 2 (its process group), started again 5 s later",
            upstream=f"127.0.0.1:{self.ports['app2']}",
        )  # fmt: skip

    def fault_worker(self) -> None:
        """Wait for the reminders' SMS batch, then kill worker 1 in the middle of it."""
        from django.db import close_old_connections

        from sms.models import SentSms

        close_old_connections()
        before = SentSms.objects.count()
        deadline = time.time() + 120
        seen = 0
        while time.time() < deadline:
            seen = SentSms.objects.filter(template__in=["deadline_reminder", "review_digest"]).count()
            if seen >= 20:
                break
            time.sleep(0.25)
        start = time.time()
        self.children["worker1"].kill_group()
        time.sleep(5)
        self.start_worker("worker1")
        self.measure_restarted("worker1")
        self.record_fault(
            "worker", start, time.time(),
            what="kill -9 of worker 1 (its process group) in the reminders' SMS batch, started again 5 s later",
            batch_sent_when_killed=seen, sms_before_batch=before,
        )  # fmt: skip

    def fault_disk(self) -> None:
        if not self.mounted:
            log("FAULT disk skipped: the media folder is not a disk of its own")
            return
        filler = self.media / "soak-filler"
        start = time.time()
        with open(filler, "wb") as file:
            block = b"\0" * (1 << 20)
            with contextlib.suppress(OSError):  # ENOSPC: the disk is full
                while True:
                    file.write(block)
                    file.flush()
        usage = shutil.disk_usage(self.media)
        time.sleep(60)
        filler.unlink()
        self.record_fault(
            "disk",
            start,
            time.time(),
            what="media tmpfs filled to its quota for 60 s",
            free_bytes_while_full=usage.free,
        )

    # --- reminders -------------------------------------------------------------------------------

    def owed_now(self) -> dict:
        """Who is owed a reminder or a digest today, by the product's own selectors."""
        from django.db import close_old_connections
        from django.utils import timezone

        from activities import reminders
        from reviews.services import digest_notices

        close_old_connections()
        today = timezone.localdate()
        owed = {}
        for _name, kind in reminders.KINDS.items():
            owed[kind.message_kind] = sorted(
                f"{a.owner_id}:{a.pk}:{a.deadline.isoformat()}:{(a.deadline - today).days}"
                for a in reminders.due(kind, today)
            )
        owed["review_digest"] = sorted(str(notice.recipient_id) for notice in digest_notices(today))
        return {"at": time.time(), "day": today.isoformat(), "owed": owed}

    def snapshot_owed(self, label: str) -> None:
        self.snapshot[label] = self.owed_now()
        counts = {kind: len(keys) for kind, keys in self.snapshot[label]["owed"].items()}
        log(f"Owed reminders ({label}): {counts}")

    # --- measuring ---------------------------------------------------------------------------------

    def warm_delay(self) -> float:
        """How long after its start a process counts as warm (its caches filled): 20 % of the run,
        between one and five minutes."""
        return min(max(60.0, 0.2 * self.seconds), 300.0)

    def measure_restarted(self, name: str) -> None:
        """The RSS of a process started again by a fault, once it is warm (a timer's thread)."""

        def measure():
            child = self.children.get(name)
            if child is not None and time.time() < self.load_start + self.seconds - 10:
                self.rss_restarted[name] = round(child.rss(), 1)
                log(f"RSS ({name}, warm after its restart): {self.rss_restarted[name]:.0f} MB")

        timer = threading.Timer(self.warm_delay(), measure)
        timer.daemon = True
        timer.start()

    def measure_rss(self, label: str) -> None:
        figures = {name: round(child.rss(), 1) for name, child in self.children.items() if name != "nginx"}
        self.rss[label] = {"at": time.time(), "mb": figures}
        log(f"RSS ({label}): " + ", ".join(f"{n} {mb:.0f} MB" for n, mb in figures.items()))

    # --- the run itself ------------------------------------------------------------------------------

    def schedule(self) -> list[tuple[float, str]]:
        """(seconds after the load's start, event): the faults spread over the run, one at a time."""
        d = self.seconds
        # Memory at start: once the processes are warm (their caches filled), 20 % into the run.
        events = [(self.warm_delay(), "rss-start")]
        fractions = {"redis": 0.12, "pg-fast": 0.22, "app": 0.32, "disk": 0.56, "pg-outage": 0.80}
        for fault, fraction in fractions.items():
            if fault in self.faults_wanted:
                events.append((fraction * d, fault))
        reminder = self.reminder_at.timestamp() - self.load_start
        # The disk fault (a minute long) comes after the worker's, so that the worker dies in the batch.
        events = [
            (max(offset, reminder + 10) if event == "disk" else offset, event) for offset, event in events
        ]
        events.append((reminder - 25, "owed-before"))
        if "worker" in self.faults_wanted:
            events.append((reminder, "worker"))
        events.append((d - 8, "rss-end"))
        return sorted(events)

    def reminder_time(self) -> dict:
        """REMINDER_HOUR and REMINDER_MINUTE of the run, for every process once chosen."""
        if self.reminder_at is None:
            return {}
        local = self.reminder_at.astimezone(SHANGHAI)
        return {"REMINDER_HOUR": str(local.hour), "REMINDER_MINUTE": str(local.minute)}

    def choose_reminder_time(self) -> None:
        """The reminders' minute: the first whole minute after 42 % of the run (and 90 s of it)."""
        start = time.time() + self.args.startup_allowance
        at = start + max(90.0, 0.42 * self.seconds)
        minute = math.ceil(at / 60) * 60
        self.reminder_at = datetime.fromtimestamp(minute, tz=SHANGHAI)

    def run(self) -> int:
        from bench import soak_checks, soak_plan

        args = self.args
        try:
            self.start_database()
            if args.prepare_only:
                return 0
            self.redis.start()
            self.django()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            log("collectstatic")
            call_command("collectstatic", verbosity=0, interactive=False)
            self.mount_media()
            began = time.monotonic()
            plan = soak_plan.build(self, MIX)
            plan_path = self.folder / "plan.json"
            plan_path.write_text(json.dumps(plan, ensure_ascii=False))
            log(f"Plan ready in {time.monotonic() - began:.0f} s")

            # Every process knows the reminders' minute: beat asks every minute, the workers decide.
            self.choose_reminder_time()
            log(f"Reminders and digests at {self.reminder_at:%H:%M} Asia/Shanghai")
            self.start_app("app1")
            self.start_app("app2")
            self.start_nginx()
            self.start_worker("worker1")
            self.start_worker("worker2")
            self.start_beat()
            base = f"http://127.0.0.1:{self.ports['lb']}"

            self.load_start = time.time() + 0.2
            self.run_started = datetime.now(tz=SHANGHAI)
            loader = Child(
                "load",
                [
                    sys.executable, str(ROOT / "bench" / "soak_load.py"), "--plan", str(plan_path),
                    "--log", str(self.folder / "load.jsonl"), "--base", base, "--rate", str(args.rate),
                    "--seconds", str(self.seconds), "--seed", str(args.seed),
                ],
                env=os.environ.copy(),
                log_path=self.logs / "load.log",
            ).start()  # fmt: skip
            self.children_load = loader
            log(f"Load: {args.rate:g} operations/s for {args.minutes:g} min through {base}")
            # A fault starts once the one before it has ended and the site has had a moment to settle.
            settle = min(15.0, 0.02 * self.seconds)
            for offset, event in self.schedule():
                at = self.load_start + offset
                if event in FAULTS and self.fault_log:
                    at = max(
                        at, self.fault_log[-1]["end"] + (self.fault_log[-1].get("recovered") or 0) + settle
                    )
                wait = at - time.time()
                if wait > 0:
                    time.sleep(wait)
                if loader.process.poll() is not None:
                    raise RuntimeError(f"the load generator exited early (see {loader.log_path})")
                if event == "rss-start":
                    self.measure_rss("start")
                elif event == "rss-end":
                    self.measure_rss("end")
                elif event == "owed-before":
                    self.snapshot_owed("before")
                else:
                    getattr(self, "fault_" + event.replace("-", "_"))()
            loader.process.wait(timeout=self.seconds + 300)  # its last operations may be retrying
            self.load_end = time.time()
            log("Load done; waiting for the SMS queue to drain")
            drained = soak_checks.drain(timeout=args.drain)
            log(f"Drained in {drained:.0f} s" if drained is not None else "The SMS queue did not drain")
            self.snapshot_owed("after")
        finally:
            self.shutdown_services()
        report = soak_checks.report(self)
        print(report.text, flush=True)
        (self.folder / "report.md").write_text(report.text)
        if args.results:
            soak_checks.write_results(Path(args.results), report.text)
        return 0 if report.ok else 1

    def shutdown_services(self) -> None:
        loader = getattr(self, "children_load", None)
        if loader is not None and loader.process.poll() is None:
            loader.stop(timeout=40)
        for name in ("beat", "worker1", "worker2", "nginx", "app1", "app2"):
            if name in self.children:
                self.children[name].stop(timeout=20)
        self.redis.stop()

    def cleanup(self) -> None:
        from django.db import connections

        with contextlib.suppress(Exception):
            connections.close_all()
        if self.pg.running:
            with contextlib.suppress(subprocess.CalledProcessError):
                self.pg.stop()
        if self.mounted:
            subprocess.run(["umount", str(self.media)], check=False)  # noqa: S607
        if self.args.keep:
            log(f"Kept: {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60, help="length of the load (default 60)")
    parser.add_argument("--rate", type=float, default=25, help="operations per second, fixed (default 25)")
    parser.add_argument("--faults", help=f"comma-separated, default all: {','.join(FAULTS)}")
    parser.add_argument("--activities", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--concurrency", type=int, default=2, help="processes per Celery worker")
    parser.add_argument(
        "--sms-delay", type=float, default=0.05, help="seconds the SMS provider takes per message"
    )
    parser.add_argument(
        "--media-mb", type=int, default=None,
        help="size of the media disk (tmpfs); default 40 MB a minute of the run, at least 256 "
        "(an upload keeps some 0.7 MB: the 60-minute run filled 256 MB after 12 minutes)",
    )  # fmt: skip
    parser.add_argument(
        "--drain", type=float, default=180, help="seconds to wait for the SMS queue after the load"
    )
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument(
        "--template", help="the prepared cluster's folder (default /tmp/kepuri-soak-pg<major>-<N>)"
    )
    parser.add_argument("--startup-allowance", type=float, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--results", help="write the report into this file (between <!-- soak --> markers)")
    parser.add_argument(
        "--prepare-only", action="store_true", help="only make the prepared cluster (--template), then stop"
    )
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs, load log, cluster)")
    args = parser.parse_args()
    if args.media_mb is None:
        args.media_mb = max(256, math.ceil(40 * args.minutes))
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is missing: apt-get install redis-server")
    nginx_binary()
    soak = Soak(args)

    def interrupted(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        status = soak.run()
    finally:
        soak.cleanup()
    sys.exit(status)


if __name__ == "__main__":
    main()
