"""A process tree's CPU time, read from /proc (Linux): for the benchmarks that measure an app
server with its worker processes (`load.py`) or a browser beside it
(`browser_responsiveness.py`), and the deployment test that waits for workers to exit."""

from __future__ import annotations

import os


def stat(pid: int) -> list[str]:
    """The fields of `/proc/<pid>/stat` after the command name (which may hold spaces and
    brackets): the parent's pid is [1], user and system CPU ticks [11] and [12]. OSError when
    the process is gone."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants (a server's curve workers and their forkserver; a
    browser's processes)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(stat(int(entry))[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_seconds(fields: list[str]) -> float:
    """User and system CPU seconds of a process so far, from its `stat` fields."""
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def total_cpu_seconds(pids: list[int]) -> float:
    """CPU seconds of `pids` so far, those that have ended counting 0."""
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(stat(pid))
        except OSError:
            continue
    return total
