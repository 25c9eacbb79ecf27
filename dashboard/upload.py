"""Reading an uploaded roster file with a time and memory limit, so that one upload can neither
slow the other users' pages nor grow the server. No Streamlit in here: `ui/roster.py` calls
`read_upload`.

The checks that need no parsing (`planner.roster.check_upload`: the file's bytes; for an .xlsx
file its zip directory, parts, unzipped sizes, compression ratios and the first sheet's saved
size) run here first and refuse a zip bomb in milliseconds. The file is then parsed by
`planner.roster.read_table` in a child process started from the forkserver (Linux) at a lower
priority, with `MEMORY_LIMIT` bytes of address space on top of what it starts with, and killed
when it has not answered within `TIME_LIMIT` seconds. Where there is no forkserver the file is
read here: the checks and `read_table`'s row cap still bound it."""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import os
import pickle
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any

import pandas as pd

from planner import Problem, RosterError, read_table
from planner.roster import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_XLSX_UNZIPPED,
    check_upload,
    limits_sentence,
)

TIME_LIMIT = 60.0  # seconds to read a file: a genuine 100,000-row .xlsx takes ~25 s here
MEMORY_LIMIT = 512 * 2**20  # bytes of address space a reader may add to what it starts with
READERS = 2  # files read at once (server-wide); another upload waits for one to finish


def limits_text(seconds: float = TIME_LIMIT) -> str:
    """The upload limits as one sentence, for the uploader's help and the messages."""
    return (
        f"Uploads are limited to {MAX_BYTES / 2**20:.0f} MB, {MAX_ROWS:,} rows below the header "
        f"row and {MAX_COLUMNS} columns (an .xlsx file to {MAX_XLSX_UNZIPPED / 1e6:.0f} MB "
        f"unzipped), and must be read within {seconds:g} seconds."
    )


_slots = threading.BoundedSemaphore(READERS)


def read_upload(
    raw: bytes,
    filename: str,
    *,
    timeout: float = TIME_LIMIT,
    memory: int = MEMORY_LIMIT,
) -> pd.DataFrame:
    """The table of an uploaded CSV or .xlsx file (as `planner.read_table` reads it), or
    `RosterError` saying what is wrong with it, how to fix it and the limits.

    `timeout`: seconds the reading may take; `memory`: bytes of address space it may add."""
    try:
        check_upload(raw, filename)
    except RosterError as error:
        raise _with_time(error, timeout) from None
    context = _forkserver()
    if context is None:  # no time or memory limit here: the checks and the row cap bound it
        return read_table(raw, filename=filename)
    if not _slots.acquire(timeout=timeout):
        raise _error(
            "The server is busy reading other uploads and this file could not be started "
            f"within {timeout:g} seconds. Try again in a minute.",
            timeout,
        )
    try:
        return _read_in_child(context, raw, filename, timeout, memory)
    finally:
        _slots.release()


def _forkserver() -> Any | None:
    if sys.platform != "linux":
        return None
    try:
        return multiprocessing.get_context("forkserver")
    except ValueError:  # pragma: no cover - not on Linux
        return None


def _error(message: str, timeout: float) -> RosterError:
    return RosterError([Problem(f"{message} {limits_text(timeout)}")])


def _with_time(error: RosterError, timeout: float) -> RosterError:
    """`error` with the limits its messages state (`planner.roster.limits_sentence`) given as
    an upload's, the time limit included."""
    sentence = limits_sentence()
    if not any(sentence in problem.message for problem in error.problems):
        return error
    problems = [
        dataclasses.replace(p, message=p.message.replace(sentence, limits_text(timeout)))
        for p in error.problems
    ]
    return RosterError(problems, missing_prices=error.missing_prices)


def _read_in_child(
    context: Any, raw: bytes, filename: str, timeout: float, memory: int
) -> pd.DataFrame:
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child,
        args=(sender, raw, filename, memory, timeout),
        name="upload-reader",
        daemon=True,
    )
    try:
        process.start()
    except OSError:  # pragma: no cover - no process to be had: the checks still bound it
        receiver.close()
        sender.close()
        return read_table(raw, filename=filename)
    sender.close()  # the child's end: a child that dies is seen as the end of the pipe
    try:
        if not receiver.poll(timeout):
            process.kill()
            raise _error(
                f"Reading this file took longer than {timeout:g} seconds, so it was stopped. "
                "Delete what the roster does not need (other sheets, unused rows and columns) "
                "or save it as CSV, which reads much faster, and upload it again.",
                timeout,
            )
        try:
            message = pickle.loads(receiver.recv_bytes(MAX_BYTES + memory))
        except (EOFError, OSError):
            message = ("stopped", None)
    finally:
        receiver.close()
        exitcode = _stop(process)
    kind = message[0]
    if kind == "table":
        return message[1]
    if kind == "problems":
        raise _with_time(RosterError(message[1], missing_prices=message[2]), timeout)
    if kind == "memory":
        raise _error(
            "This file is too large to read: reading it needed more than the "
            f"{memory / 2**20:,.0f} MB of memory an upload may use. Delete what the roster "
            "does not need (other sheets, unused rows and columns), split it, or save it as "
            "CSV, and upload it again.",
            timeout,
        )
    reason = (
        f"the reader stopped unexpectedly, exit code {exitcode}"
        if kind == "stopped"
        else message[1]
    )
    raise _error(
        f"This file could not be read ({reason}). Open it in Excel or a spreadsheet app, save it "
        "again as .xlsx or CSV, and upload it again.",
        timeout,
    )


def _stop(process: Any) -> int | None:
    """Wait for the child to end (kill it after a second) and release it; its exit code."""
    process.join(1.0)
    if process.is_alive():
        process.kill()
        process.join()
    exitcode = process.exitcode
    process.close()
    return exitcode


def _child(connection: Connection, raw: bytes, filename: str, memory: int, timeout: float) -> None:
    """The child process: limit itself, read the file and send back what came of it."""
    message: tuple[Any, ...]
    try:
        _limit_self(memory, timeout)
        message = ("table", read_table(raw, filename=filename))
    except RosterError as error:
        message = ("problems", error.problems, error.missing_prices)
    except MemoryError:
        message = ("memory",)
    except BaseException as error:  # noqa: BLE001 - anything else is reported, not raised
        message = ("failed", f"{type(error).__name__}: {error}"[:300])
    try:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        message = ()
        payload = pickle.dumps(("memory",))
    connection.send_bytes(payload)
    connection.close()


def _limit_self(memory: int, timeout: float) -> None:
    """At most `memory` more bytes of address space, CPU time a little past the parent's
    deadline (should the parent not kill it), and a lower priority than the app's."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    limit = _address_space() + memory
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    cpu = math.ceil(timeout) + 5
    if cpu_hard == resource.RLIM_INFINITY or cpu < cpu_hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu_hard))
    # Niceness 10 or more: the forkserver may already run at 10 (`CurveJobs` starts it so).
    os.nice(max(0, 10 - os.nice(0)))


def _address_space() -> int:
    """This process's address space now, bytes (VmSize)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmSize in /proc/self/status")  # pragma: no cover
