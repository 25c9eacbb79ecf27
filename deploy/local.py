"""The whole deployment on one machine, for trying it and for the tests: one PostgreSQL
(Debian's package, a throwaway cluster), N Streamlit app servers sharing it, and HAProxy in
front with session affinity (`deploy/haproxy.py`).

    python deploy/local.py --servers 2 --port 8080    # or: bash deploy/run-local.sh

runs until Ctrl-C, then stops everything it started. `LocalDeployment` is the same set as a
Python object whose parts can be killed and restarted (`tests/browser/test_deploy.py`).
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT))

from haproxy import render  # noqa: E402

from dashboard.memory import server_environment  # noqa: E402

Process = subprocess.Popen  # type: ignore[type-arg]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(check, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {seconds:.0f} s")


def postgres_binaries() -> str | None:
    """The folder of initdb and pg_ctl (Debian's package), or None when PostgreSQL is not
    installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class Postgres:
    """A throwaway PostgreSQL cluster (initdb in a temporary folder) on a free local port;
    run as the postgres user when this runs as root (initdb refuses root)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        bin_dir = postgres_binaries()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
        self.bin = bin_dir
        self.port = port or free_port()
        self.data = folder / "postgres"
        self.data.mkdir(parents=True)
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(folder, "postgres")
            shutil.chown(self.data, "postgres")
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "planner")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/planner"

    def _run(self, tool: str, *args: str) -> None:
        command = [os.path.join(self.bin, tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        log = str(self.data / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", options, "start")

    def stop(self) -> None:
        """Stopped at once, as a crash would: open connections are cut."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def _kill_group(process: Process) -> None:
    """SIGKILL to `process`'s process group (it leads one: `start_new_session`), if any is
    left."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class LocalDeployment:
    """PostgreSQL, `servers` app servers and HAProxy on `port` (a free one when None).
    `script` and `server_args` (more `streamlit run` options) are for the load benchmark."""

    def __init__(
        self,
        servers: int = 2,
        port: int | None = None,
        *,
        extra_env: dict[str, str] | None = None,
        quiet: bool = True,
        script: Path = ROOT / "streamlit_app.py",
        server_args: tuple[str, ...] = (),
    ) -> None:
        if servers < 1:
            raise ValueError("--servers must be at least 1")
        self.folder = Path(tempfile.mkdtemp(prefix="planner-deploy-"))
        self.port = port or free_port()
        self.quiet = quiet
        self.script = script
        self.server_args = server_args
        # The allocator that keeps a server's memory near its idle level once sessions end:
        # jemalloc for every object where the machine has it, glibc with two arenas otherwise
        # (`dashboard/memory.py`; docs/deploy.md, "Sessions and memory").
        self.env = {**os.environ, **server_environment(), **(extra_env or {})}
        self.apps: dict[str, Process] = {}
        self.app_ports: dict[str, int] = {}
        self.balancer: Process | None = None
        self.postgres: Postgres | None = None
        try:
            self.postgres = Postgres(self.folder)
            self.env["PLANNER_DATABASE_URL"] = self.postgres.url
            for i in range(1, servers + 1):
                name = f"app{i}"
                self.app_ports[name] = free_port()
                self.start_app(name)
            for name in self.apps:
                self.wait_app(name)
            self._start_balancer()
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def app_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.app_ports[name]}/"

    def _output(self, name: str):  # type: ignore[no-untyped-def]
        if self.quiet:
            return open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        return None

    def start_app(self, name: str) -> None:
        """Start (or restart) one app server; `wait_app` waits until it is healthy."""
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(self.script),
            "--server.headless=true",
            f"--server.port={self.app_ports[name]}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
            *self.server_args,
        ]
        out = self._output(name)
        # A process group of its own: the server and the split curve's worker processes (and
        # their forkserver) die together (`kill_app`, `close`).
        self.apps[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )

    def wait_app(self, name: str, seconds: float = 90) -> None:
        url = self.app_url(name) + "_stcore/health"

        def up() -> bool:
            if self.apps[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.folder / (name + '.log')}")
            return healthy(url)

        wait_for(up, seconds, name)

    def kill_app(self, name: str) -> None:
        """The app server dies at once (SIGKILL), with its worker processes, as a crashed
        machine would."""
        process = self.apps[name]
        _kill_group(process)
        process.wait(timeout=10)

    def _start_balancer(self) -> None:
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not os.path.exists(haproxy):
            raise RuntimeError("HAProxy is not installed: apt-get install -y haproxy")
        servers = [(name, f"127.0.0.1:{port}") for name, port in self.app_ports.items()]
        config = self.folder / "haproxy.cfg"
        config.write_text(render(servers, f"127.0.0.1:{self.port}"), encoding="utf-8")
        out = self._output("haproxy")
        self.balancer = subprocess.Popen(
            [haproxy, "-db", "-f", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
        wait_for(lambda: healthy(self.url + "_stcore/health"), 30, "HAProxy")

    def close(self) -> None:
        for process in [*self.apps.values(), self.balancer]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [*self.apps.values(), self.balancer]:
            if process is None:
                continue
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in self.apps.values():  # worker processes left behind by their server
            _kill_group(process)
        if self.postgres is not None:
            try:
                self.postgres.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalDeployment:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=2, help="app servers (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="the balancer's port")
    args = parser.parse_args()
    print(f"Starting PostgreSQL, {args.servers} app servers and HAProxy...", flush=True)
    with LocalDeployment(args.servers, args.port, quiet=True) as deployment:
        print(f"The planner: {deployment.url}  (Ctrl-C stops everything)", flush=True)
        for name in deployment.apps:
            print(f"  {name}: {deployment.app_url(name)}", flush=True)
        print(f"  database: {deployment.env['PLANNER_DATABASE_URL']}", flush=True)
        print(f"  logs: {deployment.folder}", flush=True)
        stop = False

        def on_signal(*_: object) -> None:
            nonlocal stop
            stop = True

        signal.signal(signal.SIGTERM, on_signal)
        try:
            while not stop:
                for name, process in deployment.apps.items():
                    if process.poll() is not None:
                        print(f"{name} exited (code {process.returncode})", flush=True)
                        stop = True
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        print("Stopping...", flush=True)


if __name__ == "__main__":
    main()
