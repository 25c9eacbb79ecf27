"""The load balancer's configuration (HAProxy 2.6+, Debian's `haproxy` package) for N app
servers: written from one template so that the local set (`deploy/local.py`), the compose file's
`deploy/haproxy.cfg` and the tests use the same rules. `python deploy/haproxy.py` prints the
compose file's configuration (app1..appN on port 8501), which is kept in the repository.

- **Session affinity**: the first response sets a cookie naming the app server
  (`PLANNER_SERVER`), and every later request of that browser, its websocket
  (`/_stcore/stream`) and its uploads go to that server. A Streamlit session lives in its
  server's memory: uploads and reconnects must reach it.
- **Health checks**: `GET /_stcore/health` every 2 s; two failures take a server out, two
  successes bring it back. A browser whose server is gone is sent to another (`redispatch`),
  where it starts a new session (saved scenarios are in PostgreSQL, so their links still open).
- **Websockets**: proxied as HTTP upgrades; `timeout tunnel` lets an idle page stay connected.
- **Upload size**: a request body larger than `server.maxUploadSize` (from the app's
  `.streamlit/config.toml`) is refused here with 413, as Streamlit itself refuses it.
- **New sessions per client address**: at most `SESSIONS_PER_MINUTE` websocket connections a
  minute from one address (429 beyond), so a script cannot open sessions in a loop to get round
  the per-session limits (`dashboard/limits.py`). An agency's office may share one address:
  the limit is well above what a team opens.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "PLANNER_SERVER"
SESSIONS_PER_MINUTE = 120


def max_upload_bytes(config: Path = ROOT / ".streamlit" / "config.toml") -> int:
    """The app's `server.maxUploadSize` (megabytes; Streamlit's default 200) in bytes, as
    Streamlit counts it."""
    settings = tomllib.loads(config.read_text(encoding="utf-8"))
    megabytes = settings.get("server", {}).get("maxUploadSize", 200)
    return int(megabytes) * 1024 * 1024


def render(
    servers: Sequence[tuple[str, str]],
    bind: str = "*:8080",
    *,
    stats: str | None = None,
    log: str = "stderr",
) -> str:
    """The configuration for app `servers` (name, host:port), listening on `bind`; `stats`:
    an address for HAProxy's status page (None: none)."""
    if not servers:
        raise ValueError("at least one app server is needed")
    lines = [
        "# Written by deploy/haproxy.py: edit that file, not this one.",
        "global",
        f"    log {log} format raw local0 notice",
        "    maxconn 4096",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option forwardfor",
        "    option redispatch  # a browser whose server is down goes to another",
        "    retries 2",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout http-request 30s",
        "    timeout tunnel 1h  # websockets: a page left open stays connected",
        "",
        "frontend planner",
        f"    bind {bind}",
        "    acl stream path_end /_stcore/stream",
        "    stick-table type ip size 100k expire 10m store http_req_rate(60s)",
        "    http-request track-sc0 src if stream",
        f"    http-request deny deny_status 429 if stream {{ sc_http_req_rate(0) gt "
        f"{SESSIONS_PER_MINUTE} }}",
        "    # The app's .streamlit/config.toml server.maxUploadSize, in bytes:",
        f"    http-request deny deny_status 413 if {{ req.hdr_val(content-length) gt "
        f"{max_upload_bytes()} }}",
        "    default_backend app",
        "",
        "backend app",
        "    balance leastconn",
        f"    cookie {COOKIE} insert indirect nocache httponly",
        "    option httpchk GET /_stcore/health",
        "    http-check expect status 200",
        "    default-server inter 2s fall 2 rise 2 init-addr libc,none  # may start before them",
    ]
    lines += [f"    server {name} {address} check cookie {name}" for name, address in servers]
    if stats:
        lines += ["", "listen stats", f"    bind {stats}", "    stats enable", "    stats uri /"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=2, help="app servers app1..appN")
    parser.add_argument("--port", type=int, default=8501, help="the app servers' port")
    parser.add_argument("--bind", default="*:8080")
    args = parser.parse_args()
    servers = [(f"app{i}", f"app{i}:{args.port}") for i in range(1, args.servers + 1)]
    print(render(servers, args.bind, log="stdout"), end="")


if __name__ == "__main__":
    main()
