"""The load balancer's configuration (`deploy/haproxy.py`): one template for the local set,
the compose file and the tests; HAProxy itself accepts what it writes. The deployment running
is tested in tests/browser/test_deploy.py (another basename: pytest imports test files by
name)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))

from haproxy import COOKIE, max_upload_bytes, render  # noqa: E402


def test_the_kept_compose_config_is_what_the_script_writes():
    kept = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    assert kept == render([("app1", "app1:8501"), ("app2", "app2:8501")], log="stdout")


def test_the_upload_limit_is_the_apps(tmp_path):
    assert max_upload_bytes() == 20 * 1024 * 1024  # .streamlit/config.toml: maxUploadSize = 20
    config = tmp_path / "config.toml"
    config.write_text("[server]\nmaxUploadSize = 7\n", encoding="utf-8")
    assert max_upload_bytes(config) == 7 * 1024 * 1024
    config.write_text("[theme]\n", encoding="utf-8")
    assert max_upload_bytes(config) == 200 * 1024 * 1024  # Streamlit's default
    written = render([("a", "127.0.0.1:1")])
    assert f"req.hdr_val(content-length) gt {20 * 1024 * 1024} }}" in written


def test_every_server_is_health_checked_and_sticky():
    written = render([(f"app{i}", f"10.0.0.{i}:8501") for i in range(1, 4)])
    for i in range(1, 4):
        assert f"server app{i} 10.0.0.{i}:8501 check cookie app{i}" in written
    assert f"cookie {COOKIE} insert indirect nocache" in written
    assert "option httpchk GET /_stcore/health" in written
    assert "timeout tunnel" in written  # websockets stay open
    with pytest.raises(ValueError):
        render([])


def test_haproxy_accepts_the_configuration(tmp_path):
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(haproxy):
        reason = "HAProxy is not installed (apt-get install -y haproxy)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)  # CI installs it
        pytest.skip(reason)
    path = tmp_path / "haproxy.cfg"
    path.write_text(render([("app1", "127.0.0.1:8501"), ("app2", "127.0.0.1:8502")]))
    checked = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
