"""A private PostgreSQL server that a test may stop and start again: the deployment's own
(`deploy/local.py`), in a temporary folder removed when it closes."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from deploy.local import Postgres, postgres_binaries

binaries = postgres_binaries


class PostgresServer(Postgres):
    """initdb in a temporary folder, then `start` and `stop` at will; `url` for SQLAlchemy."""

    def __init__(self, bin_dir: str | None = None) -> None:  # (the folder is found again)
        self.folder = Path(tempfile.mkdtemp(prefix="planner-pg-"))
        super().__init__(self.folder)

    def close(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.folder, ignore_errors=True)
