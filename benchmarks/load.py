"""Many marketers at once: S concurrent sessions moving the budget slider at a marketer's pace,
speaking Streamlit's own websocket protocol (the `BackMsg`/`ForwardMsg` protobufs that ship
with the installed streamlit; no browser), against one app server, against two behind HAProxy
(`deploy/local.py`), and against a bare Streamlit page on one server (the reference).

    python benchmarks/load.py [--levels 1,5,10,25,50] [--moves 6] [--think 2,4]
                              [--targets app,pair,bare] [--uploads 0.5] [--cache-ttl 60]
                              [--chromium-check 10]

A session is what a browser does: it connects to `/_stcore/stream`, asks for the first run
(`rerun_script` with the page's query string), sends the trigger the app's page sends once its
first chart is drawn (the plan table follows it), then, `--moves` times, waits a marketer's
think time (uniform in `--think` seconds) and moves the budget slider to a new value (a
`rerun_script` carrying the slider's widget state, as the browser sends it). A share
`--uploads` of the planner's sessions first upload a roster of their own (400 to 2,000 rows
shaped like the sample roster, each different), as the page's file uploader does: the cookies
from `/_stcore/health` (the XSRF token, and the balancer's affinity cookie), a `file_urls_request`
on the websocket, the file PUT to the URL it answers, then a run with the uploader's state; the
page must then say the file is in use. For each move it
times the new headline: from sending the move to the "Spend" metric of the run it started
(what the browser test `benchmarks/browser_responsiveness.py` times from the key press), and
to the run's end.

Per target and S: p50/p95 of move -> headline and move -> run finished, page open to its first
headline, errors (an exception on the page, a refused or dropped connection, no answer in 60 s),
the app servers' memory (PSS of each server with its worker processes; sampled every second:
idle (after a warm-up session has come and gone), peak, at the moment the sessions close, and
after `--settle` seconds and one more visitor; with `--cache-ttl`, once more after the caches'
entries have expired) and their CPU (seconds used while the sessions ran, and the share of the
machine's cores), with the machine's load average at the level's start and end (the machine is
shared), and the anonymous part of the memory (column *anon -idle*: the higher of *after* and
*expired* against idle, leaving out mapped files' pages, see `usage`).

The servers keep a closed session for `server.disconnectedSessionTTL` seconds (Streamlit's
default: 120) in case its browser reconnects; the benchmark runs them with `--session-ttl`
(default 10) so that "after the sessions close" comes within the run.

`--chromium-check N` first checks the client against a browser: one session in headless
Chromium and one with this client, open together on the same fresh app server, move the budget
by $1,000 in turn, N times each. For Chromium it times the key press to the rerun request on
its websocket, that request to the frame carrying the new "Spend" (the server's part: what this
client measures), and the key press to the figure shown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(1, str(ROOT))  # the planner, for the rosters sessions upload

import procs  # noqa: E402
import websockets  # noqa: E402  # a dependency of streamlit
from local import LocalDeployment  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ClientState_pb2 import ClientState  # noqa: E402
from streamlit.proto.Common_pb2 import (  # noqa: E402
    FileUploaderState,
    FileURLsRequest,
    UploadedFileInfo,
)
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates  # noqa: E402

from dashboard.memory import server_environment  # noqa: E402

HEADLINE = "Spend"
PLANNER_HEADLINE = "Expected spend"  # the planner's headline shows the budget under it
TIMEOUT = 60.0
BUDGETS = (20_000, 1_000_000)  # the moves' range; the slider's step is $1,000
REFERENCE_APP = """
import streamlit as st

budget = st.slider("Budget", 1_000.0, 1_000_000.0, 100_000.0, 1_000.0)
cols = st.columns(4)
cols[0].metric("Spend", f"${budget:,.0f}")
cols[1].metric("Half", f"{budget / 2:,.0f}")
cols[2].metric("Double", f"{budget * 2:,.0f}")
cols[3].metric("Square root", f"{budget ** 0.5:,.0f}")
"""


class LoadError(Exception):
    """A session failed: the page showed an exception, the connection dropped, or no answer."""


@dataclass
class Run:
    """What one script run sent: when its first headline came and when it finished."""

    started: float = 0.0
    headline: float | None = None
    headline_text: str | None = None
    finished: float | None = None
    exception: str | None = None
    sliders: list[tuple[tuple[int, ...], object]] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    uploaders: list[str] = field(default_factory=list)  # the file uploaders' widget ids
    texts: list[str] = field(default_factory=list)  # the markdown shown
    alerts: list[str] = field(default_factory=list)  # the errors and warnings shown


class Session:
    """One browser's conversation with a Streamlit server, over its websocket."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.ws_url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.ws: websockets.ClientConnection | None = None
        self.widgets: dict[str, WidgetState] = {}
        self.slider_id: str | None = None
        self.uploader_id: str | None = None
        self.session_id: str | None = None
        self.budget = 100_000.0
        self.query_string = ""
        self.cookies: dict[str, str] = {}

    async def open(self, cookies: bool = False) -> float:
        """Connect and run the page as a browser first opens it; seconds to the headline.
        `cookies`: first ask the server (through the balancer) for its cookies, as a browser
        loading the page does, and send them from then on: the XSRF token an upload needs and
        the balancer's affinity cookie, which sends the upload to the session's server."""
        started = time.perf_counter()
        if cookies:
            await asyncio.to_thread(self._get_cookies)
        headers = {"Cookie": self._cookie_header()} if self.cookies else None
        self.ws = await websockets.connect(
            self.ws_url,
            subprotocols=["streamlit"],
            max_size=None,
            open_timeout=TIMEOUT,
            additional_headers=headers,
        )
        run = await self._rerun()
        if run.headline is None:
            raise LoadError("the first run sent no headline")
        opened = run.headline - started
        budget = next((s for path, s in run.sliders if path[:1] == (1,)), None)  # the sidebar's
        budget = budget or (run.sliders[0][1] if run.sliders else None)
        if budget is None:
            raise LoadError("no slider on the page")
        self.slider_id = budget.id  # type: ignore[attr-defined]
        self.budget = float(budget.value[0] if budget.value else budget.default[0])  # type: ignore[attr-defined]
        self.uploader_id = run.uploaders[0] if run.uploaders else None
        for trigger in run.triggers:  # the page asks for the plan table once a chart is drawn
            state = WidgetState(id=trigger, json_trigger_value=json.dumps([{"event": "drawn"}]))
            await self._rerun({trigger: state})
        return opened

    def _get_cookies(self) -> None:
        with urllib.request.urlopen(self.url + "/_stcore/health", timeout=TIMEOUT) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()

    def _cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    async def upload(self, name: str, data: bytes) -> float:
        """Upload a roster file as the page's file uploader does (the session must have been
        opened with `cookies`): ask the server for the file's URL, PUT the file there, then
        rerun with the uploader's new state; seconds from asking to the end of that run.
        LoadError unless the page then says the file is the roster in use."""
        if self.ws is None or self.uploader_id is None or self.session_id is None:
            raise LoadError("no file uploader on the page")
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        ask = FileURLsRequest(request_id=request_id, file_names=[name], session_id=self.session_id)
        await self.ws.send(BackMsg(file_urls_request=ask).SerializeToString())
        urls = None
        deadline = time.monotonic() + TIMEOUT
        while urls is None:
            msg = await self._receive(deadline)
            if msg.WhichOneof("type") == "file_urls_response":
                response = msg.file_urls_response
                if response.response_id == request_id:
                    if response.error_msg:
                        raise LoadError(f"upload refused: {response.error_msg}")
                    urls = response.file_urls[0]
        await asyncio.to_thread(self._put, urls.upload_url, name, data)
        info = UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data), file_urls=urls)
        state = WidgetState(
            id=self.uploader_id,
            file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]),
        )
        self.widgets[self.uploader_id] = state  # a browser sends it with every later run
        run = await self._rerun()
        shown = (text.replace("\\", "").replace("**", "") for text in run.texts)  # markdown
        if not any(f"In use: {name}" in text for text in shown):
            said = " / ".join(" ".join(a.split())[:160] for a in run.alerts) or "no error shown"
            raise LoadError(f"the uploaded roster {name} is not the roster in use ({said})")
        return time.perf_counter() - started

    def _put(self, path: str, name: str, data: bytes) -> None:
        boundary = uuid.uuid4().hex
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        )
        body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.url + path,
            data=body,
            method="PUT",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Cookie": self._cookie_header(),
                "X-Xsrftoken": self.cookies.get("_streamlit_xsrf", ""),
            },
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            if response.status != 204:
                raise LoadError(f"upload answered {response.status}")

    async def _receive(self, deadline: float) -> ForwardMsg:
        assert self.ws is not None
        try:
            data = await asyncio.wait_for(self.ws.recv(), deadline - time.monotonic())
        except (TimeoutError, websockets.ConnectionClosed) as error:
            raise LoadError(f"no answer: {type(error).__name__}") from None
        msg = ForwardMsg()
        msg.ParseFromString(data)
        return msg

    async def move(self, budget: float) -> tuple[float, float]:
        """Move the budget slider; seconds to the headline and to the run's end."""
        assert self.slider_id is not None
        state = WidgetState(id=self.slider_id)
        state.double_array_value.data.append(budget)
        self.widgets[self.slider_id] = state
        self.budget = budget
        sent = time.perf_counter()
        run = await self._rerun()
        if run.headline is None or run.finished is None:
            raise LoadError("the run sent no headline")
        return run.headline - sent, run.finished - sent

    async def _rerun(self, triggers: dict[str, WidgetState] | None = None) -> Run:
        """Ask for a run with the widgets' states (and one-off triggers) and read its messages
        until it has finished."""
        assert self.ws is not None
        states = WidgetStates()
        states.widgets.extend([*self.widgets.values(), *(triggers or {}).values()])
        message = BackMsg(
            rerun_script=ClientState(
                query_string=self.query_string, widget_states=states, page_script_hash=""
            )
        )
        await self.ws.send(message.SerializeToString())
        run = Run(started=time.perf_counter())
        started = False
        deadline = time.monotonic() + TIMEOUT
        while True:
            msg = await self._receive(deadline)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                started = True
                run = Run(started=time.perf_counter())
            elif kind == "delta" and started:
                self._read_delta(msg, run)
            elif kind == "script_finished" and started:
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the app started the run again (`st.rerun`): its next run counts
                run.finished = time.perf_counter()
                if run.exception:
                    raise LoadError(f"exception on the page: {run.exception[:120]}")
                return run

    @staticmethod
    def _read_delta(msg: ForwardMsg, run: Run) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "metric" and run.headline is None:
            label = element.metric.label.strip().strip("*")
            if label == HEADLINE:  # the reference app: the budget is the figure
                run.headline = time.perf_counter()
                run.headline_text = element.metric.body
            elif label == PLANNER_HEADLINE:  # the planner: "of <budget>" under the figure
                run.headline = time.perf_counter()
                run.headline_text = element.metric.delta.removeprefix("of ")
        elif kind == "slider":
            run.sliders.append((tuple(msg.metadata.delta_path), element.slider))
        elif kind == "file_uploader":
            run.uploaders.append(element.file_uploader.id)
        elif kind == "markdown":
            run.texts.append(element.markdown.body)
        elif kind == "alert":
            run.alerts.append(element.alert.body)
        elif kind == "bidi_component":
            run.triggers.append(f"$$STREAMLIT_INTERNAL_KEY_{element.bidi_component.id}__events")
        elif kind == "exception":
            run.exception = element.exception.message or element.exception.type

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


# ---------------------------------------------------------------- server resources


def usage(pid: int) -> tuple[float, float, float]:
    """(memory in MB, CPU seconds used so far, anonymous memory in MB) of a server with its
    worker processes. Memory is the sum of their PSS (`/proc/*/smaps_rollup`): the workers are
    forked from one process and share much of it, which a sum of RSS would count once per
    process. The anonymous part (`Pss_Anon`: heaps, Python's objects, arrays) leaves out the
    pages of mapped files (libraries), whose share moves by tens of MB with how many other
    processes on the machine map the same files and with the page cache."""
    memory = cpu = anon = 0.0
    for p in procs.tree(pid):
        try:
            fields = procs.stat(p)
            with open(f"/proc/{p}/smaps_rollup") as f:
                kb = {line.split()[0]: int(line.split()[1]) for line in f if line[:1] == "P"}
            pss, pss_anon = kb["Pss:"], kb["Pss_Anon:"]
        except (OSError, IndexError, ValueError, KeyError):
            continue
        cpu += procs.cpu_seconds(fields)
        memory += pss / 1024
        anon += pss_anon / 1024
    return memory, cpu, anon


class Sampler:
    """RSS of each server every second, in a thread, for the memory-over-time figures."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            at = time.monotonic() - self._started
            self.samples.append((at, {n: usage(p)[0] for n, p in self.pids.items()}))
            self._stop.wait(1.0)

    def peak(self, since: float) -> dict[str, float]:
        rows = [s for at, s in self.samples if at >= since]
        return {n: max(r[n] for r in rows) for n in self.pids} if rows else {}

    def now(self) -> float:
        return time.monotonic() - self._started

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# ---------------------------------------------------------------- one level of load


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def roster_csv(rows: int, seed: int) -> bytes:
    """A roster file shaped like the sample roster (`data/make_sample_roster.py`), `rows` rows."""
    from planner.synthetic import synthetic_roster

    return synthetic_roster(rows, seed=seed, macro_fraction=0.03).to_csv(index=False).encode()


async def marketer(
    url: str,
    moves: int,
    think: tuple[float, float],
    rng: random.Random,
    budgets: list[float],
    roster: tuple[str, bytes] | None = None,
) -> dict:
    """One marketer: opens the page, uploads `roster` (name, file) if given, moves the budget."""
    session = Session(url)
    result: dict = {"open": None, "upload": None, "headline": [], "finished": [], "error": None}
    try:
        await asyncio.sleep(rng.uniform(0, 2))  # sessions arrive over two seconds
        result["open"] = await session.open(cookies=roster is not None)
        if roster is not None:
            await asyncio.sleep(rng.uniform(*think))
            result["upload"] = await session.upload(*roster)
        for budget in budgets[:moves]:
            await asyncio.sleep(rng.uniform(*think))
            headline, finished = await session.move(budget)
            result["headline"].append(headline)
            result["finished"].append(finished)
    except (LoadError, OSError, websockets.WebSocketException) as error:
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        try:
            await session.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
    return result


def level(
    url: str,
    pids: dict[str, int],
    sessions: int,
    args: argparse.Namespace,
    seed: int,
    idle: dict[str, float],
    offset: int,
    uploads: float = 0.0,
    idle_anon: float = 0.0,
) -> dict:
    """S sessions at once; a share `uploads` of them upload a roster of their own (400 to
    2,000 rows, each different) before moving the budget."""
    pick = random.Random(seed)
    rosters: list[tuple[str, bytes] | None] = [
        (f"roster_{seed}_{i}.csv", roster_csv(pick.randint(400, 2_000), seed * 1000 + i))
        if pick.random() < uploads
        else None
        for i in range(sessions)
    ]
    sampler = Sampler(pids)
    load_before = os.getloadavg()[0]
    try:
        cpu_before = {n: usage(p)[1] for n, p in pids.items()}
        began = time.perf_counter()
        since = sampler.now()

        async def everyone() -> list[dict]:
            rngs = [random.Random(seed * 1000 + i) for i in range(sessions)]
            # Every move of every session to a budget nobody has asked for yet (none from a
            # cache shared with another session): marketers plan their own rosters.
            span = (BUDGETS[1] - BUDGETS[0]) // 1_000 + 1
            budgets = [
                float(BUDGETS[0] + 1_000 * ((offset + i) % span))
                for i in range(sessions * args.moves)
            ]
            random.Random(seed).shuffle(budgets)
            return await asyncio.gather(
                *(
                    marketer(url, args.moves, args.think, r, budgets[i::sessions], rosters[i])
                    for i, r in enumerate(rngs)
                )
            )

        results = asyncio.run(everyone())
        elapsed = time.perf_counter() - began
        load_after = os.getloadavg()[0]
        cpu = {n: usage(p)[1] - cpu_before[n] for n, p in pids.items()}
        closed = {n: usage(p)[0] for n, p in pids.items()}
        peak = sampler.peak(since)
        time.sleep(args.settle)
        # Streamlit drops a closed session once its TTL has passed, but only when its session
        # storage is next touched: by the next visitor. One comes, and leaves, before measuring.
        probe(url)
        time.sleep(3)  # the memory freed is handed back half a second after (ui/cache.py)
        after = {n: usage(p)[0] for n, p in pids.items()}
        anon = {"after": sum(usage(p)[2] for p in pids.values())}
        expired: dict[str, float] = {}
        if args.cache_ttl:  # once the caches' entries have expired too, and one more visitor
            time.sleep(max(0.0, args.cache_ttl + 2 - (time.perf_counter() - began - elapsed)))
            probe(url)
            time.sleep(3)
            expired = {n: usage(p)[0] for n, p in pids.items()}
            anon["expired"] = sum(usage(p)[2] for p in pids.values())
        trace = [(round(at - since), s) for at, s in sampler.samples if at >= since]
    finally:
        sampler.stop()
    headline = [h for r in results for h in r["headline"]]
    finished = [f for r in results for f in r["finished"]]
    opens = [r["open"] for r in results if r["open"] is not None]
    errors = [r["error"] for r in results if r["error"]]
    return {
        "sessions": sessions,
        "uploads": sum(r is not None for r in rosters),
        "upload": [r["upload"] for r in results if r["upload"] is not None],
        "moves": len(headline),
        "errors": errors,
        "headline": headline,
        "finished": finished,
        "open": opens,
        "idle": idle,
        "peak": peak,
        "closed": closed,
        "after": after,
        "expired": expired,
        "anon": {"idle": idle_anon, **anon},
        "cpu": cpu,
        "elapsed": elapsed,
        "trace": trace,
        "load": (load_before, load_after),
    }


def show(target: str, row: dict, cores: int) -> str:
    def pct(values: list[float]) -> str:
        if not values:
            return "     -      -"
        return f"{statistics.median(values) * 1000:6.0f} {percentile(values, 0.95) * 1000:6.0f}"

    idle = sum(row["idle"].values())
    after = sum(row["after"].values())
    expired = sum(row.get("expired", {}).values())
    once_expired = f"{100 * (expired - idle) / idle:+6.1f}%" if expired else "      -"
    cpu = sum(row["cpu"].values())
    anon = row.get("anon", {})
    anon_after = (
        f"{100 * (max(anon.get('expired', 0), anon['after']) - anon['idle']) / anon['idle']:+6.1f}%"
        if anon.get("idle")
        else "      -"
    )
    return (
        f"{target:5} {row['sessions']:3d} {row.get('uploads', 0):3d} {row['moves']:5d} "
        f"{len(row['errors']):4d}  "
        f"{pct(row['headline'])}  {pct(row['finished'])}  {pct(row['open'])}  "
        f"{idle:6.0f} {sum(row['peak'].values()):6.0f} {sum(row['closed'].values()):6.0f} "
        f"{after:6.0f} {100 * (after - idle) / idle:+5.1f}% {once_expired}  "
        f"{cpu:6.1f} {100 * cpu / (row['elapsed'] * cores):4.0f}%  "
        f"{row['load'][0]:4.1f}-{row['load'][1]:4.1f}  {anon_after}"
    )


HEADER = (
    "target  S  up moves errs  headline ms  finished ms  open ms       memory MB (PSS, all "
    "servers)                       CPU        load       anon\n"
    "                          p50    p95   p50    p95   p50    p95   idle   peak closed  after"
    "  after-idle expired    s  share  (1 min)  -idle"
)


def probe(url: str) -> None:
    """A visitor opens the page and leaves."""

    async def once() -> None:
        session = Session(url)
        await session.open()
        await session.close()

    asyncio.run(once())


def warm(url: str, upload: bool = False) -> None:
    """One session opened, moved and closed (with an `upload` of a roster first): the server
    has loaded everything it loads once."""

    async def once() -> None:
        session = Session(url)
        await session.open(cookies=upload)
        if upload:
            await session.upload("warm_up_roster.csv", roster_csv(400, 1))
        await session.move(99_000)
        await session.close()

    asyncio.run(once())


def chromium_check(moves: int, args: argparse.Namespace) -> None:
    """One session in Chromium and one with this client, open together on the same fresh
    server, moving in turn: Chromium's key press to the first websocket frame carrying the new
    "Spend" (what this client measures) and to the figure shown; then this client's move."""
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from browser_responsiveness import SHOWS_BUDGET
    from helpers import CHROMIUM_ARGS, budget_slider, chromium_path, open_app
    from playwright.sync_api import sync_playwright

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    def call(coroutine):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=120)

    framed: list[float] = []
    sent: list[float] = []
    replayed: list[ClientState] = []  # what Chromium sent, for the client to send the same

    def on_sent(payload: object) -> None:
        if isinstance(payload, bytes):
            message = BackMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "rerun_script":
                sent.append(time.perf_counter())
                replayed.append(message.rerun_script)

    def on_frame(payload: object) -> None:
        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") == "delta":
            run = Run()
            Session._read_delta(msg, run)
            if run.headline is not None:
                framed.append(run.headline)

    figures: dict[str, list[float]] = {
        key: [] for key in ("sent", "server", "frame", "shown", "client", "replay")
    }
    with LocalDeployment(1, server_args=args.server_args, extra_env=args.server_env) as deployment:
        url = deployment.app_url("app1")
        warm(url)
        session = Session(url)
        call(session.open())
        browser_like = Session(url)
        call(browser_like.open())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.on(
                "websocket",
                lambda ws: (ws.on("framesent", on_sent), ws.on("framereceived", on_frame)),
            )
            open_app(page, url)
            budget_slider(page).focus()
            for i in range(moves):
                budget = 100_000 - 1_000 * (i + 1)
                time.sleep(0.5)
                framed.clear()
                sent.clear()
                pressed = time.perf_counter()
                page.keyboard.press("ArrowLeft")
                page.wait_for_function(SHOWS_BUDGET, arg=f"${budget:,.0f}", polling="raf")
                figures["shown"].append(time.perf_counter() - pressed)
                page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
                figures["frame"].append(framed[0] - pressed if framed else float("nan"))
                figures["sent"].append(sent[0] - pressed if sent else float("nan"))
                figures["server"].append(framed[0] - sent[0] if framed and sent else float("nan"))
                time.sleep(0.5)
                # Up where Chromium goes down: neither finds the other's plan in the cache.
                figures["client"].append(call(session.move(200_000.0 - budget))[0])
                # The same again with every widget state and the query string Chromium sent.
                if replayed:
                    time.sleep(0.5)
                    browser_like.query_string = replayed[-1].query_string
                    browser_like.widgets = {
                        w.id: w
                        for w in replayed[-1].widget_states.widgets
                        if not (w.WhichOneof("value") or "").endswith("trigger_value")
                    }
                    figures["replay"].append(call(browser_like.move(300_000.0 - budget))[0])
            browser.close()
        call(session.close())
        call(browser_like.close())
    loop.call_soon_threadsafe(loop.stop)
    print(f"\nOne session in Chromium and one with this client, {moves} moves each, in turn:")
    for name, key in (
        ("Chromium: key press -> rerun request sent", "sent"),
        ("Chromium: request sent -> frame with Spend", "server"),
        ("Chromium: key press -> frame with Spend", "frame"),
        ("Chromium: key press -> Spend shown", "shown"),
        ("this client: move -> Spend received", "client"),
        ("  the same, sending Chromium's widget states", "replay"),
    ):
        values = figures[key]
        print(
            f"  {name:42} p50 {statistics.median(values) * 1000:5.0f} ms  "
            f"p95 {percentile(values, 0.95) * 1000:5.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,5,10,25,50")
    parser.add_argument("--moves", type=int, default=6, help="moves per session")
    parser.add_argument("--think", default="2,4", help="seconds between moves (min,max)")
    parser.add_argument("--targets", default="app,pair,bare")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds after closing")
    parser.add_argument("--session-ttl", type=int, default=10)
    parser.add_argument(
        "--cache-ttl",
        type=int,
        default=0,
        metavar="SECONDS",
        help="run the servers with the planner's caches kept this long "
        "(PLANNER_CACHE_TTL_SECONDS; default: the app's 15 minutes) and measure memory again "
        "once they have expired (the 'expired' column)",
    )
    parser.add_argument("--chromium-check", type=int, default=0, metavar="MOVES")
    parser.add_argument(
        "--uploads",
        type=float,
        default=0.5,
        help="share of the planner's sessions that upload a roster of their own (0 to 1)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the servers (e.g. MALLOC_ARENA_MAX=2)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as Ctrl-C does: clean up
    args.think = tuple(float(x) for x in args.think.split(","))
    args.server_args = (f"--server.disconnectedSessionTTL={args.session_ttl}",)
    args.server_env = dict(item.split("=", 1) for item in args.env)
    if args.cache_ttl:
        args.server_env["PLANNER_CACHE_TTL_SECONDS"] = str(args.cache_ttl)
    levels = [int(x) for x in args.levels.split(",")]
    cores = os.cpu_count() or 1
    print(
        f"{cores} cores (shared with other work), moves {args.moves} per session, think "
        f"{args.think[0]:g}-{args.think[1]:g} s, disconnectedSessionTTL {args.session_ttl} s, "
        f"settle {args.settle:g} s, servers' environment: {server_environment()} "
        f"(deploy/local.py) and {args.server_env or 'nothing more'}"
    )
    if args.chromium_check:
        chromium_check(args.chromium_check, args)

    bare = Path(tempfile.mkdtemp(prefix="planner-load-")) / "bare.py"
    bare.write_text(REFERENCE_APP, encoding="utf-8")
    rows: dict[str, list[dict]] = {}
    for target in filter(None, args.targets.split(",")):
        servers = 2 if target == "pair" else 1
        script = bare if target == "bare" else ROOT / "streamlit_app.py"
        with LocalDeployment(
            servers, script=script, server_args=args.server_args, extra_env=args.server_env
        ) as deployment:
            url = deployment.url if target == "pair" else deployment.app_url("app1")
            pids = {name: process.pid for name, process in deployment.apps.items()}
            for name in deployment.apps:
                warm(deployment.app_url(name), upload=target != "bare" and args.uploads > 0)
            time.sleep(args.settle)  # the warm-up sessions expire (see `level`)
            for name in deployment.apps:
                probe(deployment.app_url(name))
            time.sleep(2)
            idle = {n: usage(p)[0] for n, p in pids.items()}  # the baseline for every level
            idle_anon = sum(usage(p)[2] for p in pids.values())
            print(f"\n{target}: {url}\n{HEADER}", flush=True)
            rows[target] = []
            used = 0
            for i, sessions in enumerate(levels):
                uploads = 0.0 if target == "bare" else args.uploads  # the bare page has none
                row = level(
                    url, pids, sessions, args, args.seed + i, idle, used, uploads, idle_anon
                )
                used += sessions * args.moves  # the next level's budgets are new ones
                rows[target].append(row)
                print(show(target, row, cores), flush=True)
                for error in sorted(set(row["errors"]))[:5]:
                    print(f"      error: {error}")
    out = Path(tempfile.gettempdir()) / "planner-load.json"
    out.write_text(json.dumps(rows), encoding="utf-8")
    print(f"\nEvery figure, with memory every second: {out}")


if __name__ == "__main__":
    main()
