"""The whole-sample view in real headless JupyterLab: a 1 GB log, and a 100k-message sample.

Logs are built once into CACHE (reused while present), all written by inspect_ai's
`write_eval_log`, from a small template log made by the shared mockllm generator:
- BIG: ~1 GB `.eval`, 3,400 agent samples (4-18 turns, tool outputs of 5-65 kB of
  random text that compresses poorly, so the zip is as large as it looks).
- LONG: one sample of 100,000 messages (system, user, assistant with a tool call, tool
  result; texts of 60-1,500 characters), plus one small sample.

Measures, median of RUNS (times in the page with performance.now(), ending one
animation frame after the first message element of the sample view is in the DOM):
1. BIG in a SampleGrid: click a row → its sample's first messages in the detail panel,
   split into page → kernel, the kernel's `detail` (read the sample, build its model,
   the first 50 messages), kernel → DOM (reply serialized, sent, parsed, the view built)
   and the last frame. Different rows each click; the log is in the OS page cache.
2. LONG: `evallens.SampleView(LONG, id, 1)` run as a cell → first message painted (each
   run a new widget, the last one closed first), split into page → kernel, building the
   widget (read, parse, model, first 50 messages) and widget → DOM; JS heap growth
   (Chromium's own count via the DevTools protocol, after a forced GC; also without GC)
   and the kernel socket's bytes to the page until the view is quiet, before any
   scrolling (by message type; the widget's JS and CSS bundle is part of them). Then
   frame times (rAF deltas) while the messages' scroller is scrolled by SCROLL_STEP px
   per animation frame, SCROLL_PASSES passes of SCROLL_MESSAGES messages, each deeper;
   the idle page's frames beside them. The same sample opened by a click in a SampleGrid.
   Frames land on the 60 Hz clock: a p95 of 16.7-16.8 ms is every frame on time (rAF
   timestamps jitter by 0.1 ms); a late frame is 33 ms or more. When the idle page or the
   plain copy scrolled the same way (`static_copy_scrolled_frames`) show late frames too,
   the machine is too busy for the figure to say anything about the list.

Prints JSON. Run: .venv/bin/python bench/bench_sample_browser.py [--quick]
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import struct
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

QUICK = "--quick" in sys.argv
RUNS = 3 if QUICK else 7
CACHE = Path("/tmp/evallens-bench/sample-browser")
GEN_LOGS = ROOT.parent / "shared" / "tools" / "gen_logs.py"

BIG_SAMPLES = 3_400
BIG = CACHE / f"big-{BIG_SAMPLES}-v1.eval"
LONG_MESSAGES = 100_000
LONG = CACHE / f"long-{LONG_MESSAGES}-v1.eval"
LONG_ID = "long-100k"
SCROLL_MESSAGES = 1_000 if QUICK else 5_000
SCROLL_PASSES = 2 if QUICK else 3
SCROLL_STEP = 300  # px per frame: a fast fling (18,000 px/s at 60 frames/s)


# -- the logs ------------------------------------------------------------------------------
def _template() -> Path:
    out = CACHE / "template"
    found = sorted(out.glob("*.eval"))
    if not found:
        subprocess.run(
            [sys.executable, str(GEN_LOGS), "--out", str(out), "--models", "1", "--tasks", "1",
             "--samples", "20", "--fast", "--clean"],
            check=True, capture_output=True,
        )  # fmt: skip
        found = sorted(out.glob("*.eval"))
    return found[0]


# Random bytes → text: 62 letters and digits, spaces (1 in 8) and newlines (1 in 128).
_ALNUM = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_TABLE = bytes(
    (b"\n"[0] if i < 2 else b" "[0] if i < 32 else _ALNUM[i % len(_ALNUM)]) for i in range(256)
)


def _noise(n: int) -> str:
    """``n`` characters that compress poorly (zstd keeps ~80% of them)."""
    return os.urandom(n).translate(_TABLE).decode("ascii")


def _write(log: Any, path: Path) -> None:
    from inspect_ai.log import write_eval_log

    partial = path.with_suffix(".partial.eval")
    write_eval_log(log, str(partial))
    partial.rename(path)  # only a whole log is ever reused


def build_big() -> dict[str, Any]:
    from inspect_ai.log import read_eval_log
    from inspect_ai.model import ChatMessageAssistant, ChatMessageTool, ChatMessageUser
    from inspect_ai.tool import ToolCall

    started = time.perf_counter()
    log = read_eval_log(str(_template()))
    template = log.samples or []
    rng = random.Random(1)
    samples = []
    for i in range(BIG_SAMPLES):
        base = template[i % len(template)]
        messages: list[Any] = [ChatMessageUser(content=_noise(rng.randint(1_000, 3_000)))]
        for t in range(rng.randint(4, 18)):
            call = ToolCall(id=f"call_{t}", function="bash", arguments={"cmd": f"cat out_{t}.txt"})
            messages.append(
                ChatMessageAssistant(
                    content=_noise(rng.randint(300, 2_500)), tool_calls=[call], model=log.eval.model
                )
            )
            messages.append(
                ChatMessageTool(
                    content=_noise(rng.randint(5_000, 65_000)),
                    tool_call_id=call.id,
                    function="bash",
                )
            )
        samples.append(base.model_copy(update={"id": f"big-{i:05d}", "messages": messages}))
    log.samples = samples
    _write(log, BIG)
    return {"built_s": round(time.perf_counter() - started, 1)}


_WORDS = (
    "the file directory listing error output process returned value config test build "
    "server request response module function class import install package version path "
    "found missing check run step next result flag token memory cache index query data"
).split()


def _words(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    n = 0
    while n < chars:
        word = rng.choice(_WORDS)
        out.append(word)
        n += len(word) + 1
    return " ".join(out)


def build_long() -> dict[str, Any]:
    from inspect_ai.log import read_eval_log
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageTool,
        ChatMessageUser,
    )
    from inspect_ai.tool import ToolCall

    started = time.perf_counter()
    log = read_eval_log(str(_template()))
    template = log.samples or []
    rng = random.Random(2)
    messages: list[Any] = [
        ChatMessageSystem(content="You are an agent with a bash tool. " + _words(rng, 400)),
        ChatMessageUser(content="Find the flag. " + _words(rng, 300)),
    ]
    turn = 0
    while len(messages) < LONG_MESSAGES:
        if turn and turn % 50 == 0:
            messages.append(ChatMessageUser(content="Keep going. " + _words(rng, 120)))
        else:
            call = ToolCall(
                id=f"call_{turn}", function="bash", arguments={"cmd": f"ls -la /srv/{turn}"}
            )
            messages.append(
                ChatMessageAssistant(
                    content=_words(rng, rng.randint(60, 400)),
                    tool_calls=[call],
                    model=log.eval.model,
                )
            )
            if len(messages) < LONG_MESSAGES:
                messages.append(
                    ChatMessageTool(
                        content=_words(rng, rng.randint(150, 1_500)),
                        tool_call_id=call.id,
                        function="bash",
                    )
                )
        turn += 1
    long = template[0].model_copy(update={"id": LONG_ID, "messages": messages[:LONG_MESSAGES]})
    log.samples = [long, template[1]]
    _write(log, LONG)
    return {"built_s": round(time.perf_counter() - started, 1)}


def ensure_logs() -> dict[str, Any]:
    from inspect_ai.log import read_eval_log

    import evallens

    CACHE.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {}
    for name, path, build in (("big", BIG, build_big), ("long", LONG, build_long)):
        info = {"path": str(path), "reused": path.exists()}
        if not path.exists():
            info.update(build())
        # A valid log: inspect_ai reads its header, evallens its samples and one whole sample.
        header = read_eval_log(str(path), header_only=True)
        frame = evallens.read_samples(path)
        first = frame.row(0, named=True)
        whole = evallens.read_sample(path, first["id"], first["epoch"])
        info.update(
            size_mb=round(path.stat().st_size / 1e6, 1),
            status=header.status,
            samples=frame.height,
            messages_in_first_sample=len(whole["messages"]),
        )
        out[name] = info
    return out


# -- in the page -----------------------------------------------------------------------------
# Click a grid row; resolve one frame after the first new message element of the sample view
# is in the detail panel. Also the wall-clock times of the click and of that element showing.
CLICK_ROW = """
async ([pos]) => {
  const grid = document.querySelector('.el-grid');
  for (const m of document.querySelectorAll('.el-sv-msg')) m.setAttribute('data-bench-old', '');
  const fresh = () => grid.querySelector('.el-detail article.el-sv-msg:not([data-bench-old])');
  const row = grid.querySelector(`.el-row[data-pos="${pos}"]`);
  const t0 = performance.now();
  const wall = Date.now();
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (!fresh()) return;
      obs.disconnect();
      const seen = Date.now();
      requestAnimationFrame(() => resolve({
        ms: performance.now() - t0, wall, seen,
        title: grid.querySelector('.el-sv-title')?.textContent ?? '',
      }));
    });
    obs.observe(grid, { childList: true, subtree: true });
  });
  row.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  return await done;
}
"""

# Run a cell; resolve one frame after a message element of a new sample view is in the DOM.
RUN_CELL = """
async ([index]) => {
  for (const m of document.querySelectorAll('.el-sv-msg')) m.setAttribute('data-bench-old', '');
  const fresh = () => document.querySelector('.el-sample-widget article.el-sv-msg:not([data-bench-old])');
  const app = window.jupyterapp;
  app.shell.currentWidget.content.activeCellIndex = index;
  const t0 = performance.now();
  const wall = Date.now();
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (!fresh()) return;
      obs.disconnect();
      const seen = Date.now();
      requestAnimationFrame(() => resolve({ ms: performance.now() - t0, wall, seen }));
    });
    obs.observe(document.body, { childList: true, subtree: true });
  });
  app.commands.execute('notebook:run-cell');
  return await done;
}
"""

# Animation frame times of the page doing nothing: the machine's frame clock, for reference.
IDLE_FRAMES = """
async ([n]) => await new Promise((resolve) => {
  const deltas = [];
  let last = null;
  const tick = (now) => {
    if (last !== null) deltas.push(now - last);
    last = now;
    if (deltas.length >= n) resolve(deltas);
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})
"""

# Scroll the sample view's messages by `step` px each animation frame until the first message
# drawn is `target` or later; the frames' times (rAF timestamps), and how many frames showed a
# message still loading.
SCROLL = """
async ([target, step, maxFrames]) => {
  const scroller = document.querySelector('.el-sample-widget .el-sv-scroller');
  const layer = scroller.querySelector('.el-sv-layer');
  const first = () => Number(layer.firstElementChild?.dataset.index ?? 0);
  const deltas = [];
  let loading = 0;
  return await new Promise((resolve) => {
    let last = null;
    const tick = (now) => {
      if (last !== null) deltas.push(now - last);
      last = now;
      if (layer.querySelector('.el-sv-placeholder')) loading++;
      if (first() >= target || deltas.length >= maxFrames) {
        resolve({ deltas, loading, reached: first(), scrollTop: scroller.scrollTop });
        return;
      }
      scroller.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

# For reference: the same scroll over a plain copy of the messages drawn now (no virtual
# list, nothing added or measured as it goes), in a box of the same height beside the view.
STATIC_SCROLL = """
async ([frames, step]) => {
  const scroller = document.querySelector('.el-sample-widget .el-sv-scroller');
  const drawn = [...scroller.querySelectorAll('article.el-sv-msg')];
  const height = Math.max(1, drawn.reduce((sum, el) => sum + el.offsetHeight, 0));
  const box = document.createElement('div');
  box.className = 'el-sv-scroller';
  box.style.height = `${scroller.clientHeight}px`;
  box.innerHTML = drawn.map((el) => el.outerHTML).join('').repeat(Math.ceil((frames * step) / height) + 1);
  scroller.parentElement.append(box);
  box.scrollIntoView({ block: 'center' });
  await new Promise((r) => setTimeout(r, 500));
  const deltas = [];
  let last = null;
  return await new Promise((resolve) => {
    const tick = (now) => {
      if (last !== null) deltas.push(now - last);
      last = now;
      if (deltas.length >= frames || box.scrollTop + box.clientHeight >= box.scrollHeight) {
        box.remove();
        resolve(deltas);
        return;
      }
      box.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""

# The kernel side of a click: wall-clock stamps around the grid's `detail` handler and its send.
STAMP = """
import time
def _stamped(widget, stamps):
    handler = widget._handlers["detail"]
    send = widget.send
    def detail(msg, buffers):
        stamps["in"] = time.time() * 1000
        reply = handler(msg, buffers)
        stamps["out"] = time.time() * 1000
        return reply
    def sent(*args, **kwargs):
        send(*args, **kwargs)
        stamps.setdefault("sent", time.time() * 1000)  # the reply, not the pages after it
    widget._handlers["detail"] = detail
    widget.send = sent
"""


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"


def _ms(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


class KernelBytes:
    """Bytes the page receives on its kernel sockets, by message type (Jupyter's v1
    websocket protocol: offsets, then channel, header, parent, metadata, content, buffers)."""

    def __init__(self, page: Any) -> None:
        self.by_type: Counter[str] = Counter()
        page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        if "/api/kernels/" in ws.url:
            ws.on("framereceived", self._count)

    def _count(self, payload: Any) -> None:
        data = payload.encode() if isinstance(payload, str) else bytes(payload or b"")
        self.by_type[self._kind(data)] += len(data)

    @staticmethod
    def _kind(data: bytes) -> str:
        try:
            if data[:1] == b"{":  # the older JSON protocol
                msg = json.loads(data)
                header, content = msg.get("header", {}), msg.get("content", {})
            else:
                (n,) = struct.unpack_from("<Q", data)
                offsets = struct.unpack_from(f"<{n}Q", data, 8)
                part = [data[offsets[i] : offsets[i + 1]] for i in range(min(n - 1, 5))]
                header, content = json.loads(part[1]), json.loads(part[4])
        except (ValueError, IndexError, struct.error):
            return "other"
        kind = str(header.get("msg_type", "other"))
        if kind == "comm_msg":
            data_ = content.get("data", {})
            inner = data_.get("content", {}) if data_.get("method") == "custom" else {}
            kind += f":{data_.get('method')}" + (f":{inner.get('type')}" if inner else "")
        return kind

    def total(self) -> int:
        return sum(self.by_type.values())

    def snapshot(self) -> Counter[str]:
        return Counter(self.by_type)


def main_thread_seconds(cdp: Any) -> dict[str, float]:
    """The renderer's main-thread time so far: all tasks, scripts, layout, style."""
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    names = {"TaskDuration": "tasks", "ScriptDuration": "script", "LayoutDuration": "layout",
             "RecalcStyleDuration": "style"}  # fmt: skip
    return {label: float(metrics[name]) for name, label in names.items()}


def heap_mb(cdp: Any, collect: bool) -> float:
    if collect:
        cdp.send("HeapProfiler.collectGarbage")
    return float(cdp.send("Runtime.getHeapUsage")["usedSize"]) / 1e6


def click_runs(nb: Any, positions: list[int], close_between: bool) -> dict[str, Any]:
    """Click grid rows at ``positions``, one at a time; the times and where they went."""
    page = nb.page
    total, to_kernel, in_kernel, send, to_dom = [], [], [], [], []
    titles = []
    for pos in positions:
        if close_between and page.locator(".el-detail:not([hidden]) .el-detail-close").count():
            page.click(".el-detail-close")
        page.wait_for_timeout(300)
        nb.execute("stamps.clear()")
        got = page.evaluate(CLICK_ROW, [pos])
        page.wait_for_timeout(200)
        stamps = nb.value("stamps")
        total.append(got["ms"])
        titles.append(got["title"])
        to_kernel.append(stamps["in"] - got["wall"])
        in_kernel.append(stamps["out"] - stamps["in"])
        send.append(stamps["sent"] - stamps["out"])
        to_dom.append(got["seen"] - stamps["sent"])
    return {
        "click_to_first_messages_median": _ms(total),
        # Where a click's time goes (page and kernel clocks are this machine's, ms apart):
        "page_to_kernel_median": _ms(to_kernel),
        "kernel_detail_median": _ms(in_kernel),
        "kernel_send_median": _ms(send),
        "kernel_to_messages_in_dom_median": _ms(to_dom),
        "runs": [round(v, 1) for v in total],
        "samples_opened": titles,
    }


def kernel_phases() -> dict[str, Any]:
    """Opening LONG in this process, phase by phase (ms, best and median of RUNS): what a
    kernel does before the first message can go to the page."""
    from evallens.io._lazy_json import parse_lazily
    from evallens.io._sample import _eval_sample_bytes, whole_sample
    from evallens.sample.model import SampleModel
    from evallens.sample.opened import INITIAL_MESSAGES

    path = str(LONG)
    times: dict[str, list[float]] = {}

    def timed(name: str, fn: Any) -> Any:
        started = time.perf_counter()
        value = fn()
        times.setdefault(name, []).append((time.perf_counter() - started) * 1000)
        return value

    for _ in range(RUNS):
        data, _ = timed("read_and_decompress_member", lambda: _eval_sample_bytes(path, LONG_ID, 1))
        sample = timed("parse_lazily", lambda d=data: parse_lazily(d))
        timed("resolve_attachments", lambda s=sample: whole_sample(path, s, lazy=True))
        model = timed("sample_model", lambda s=sample: SampleModel(s))
        timed("first_window", lambda m=model: m.messages(0, INITIAL_MESSAGES))
        del data, sample, model
    out: dict[str, Any] = {
        "member_json_mb": round(len(_eval_sample_bytes(path, LONG_ID, 1)[0] or b"") / 1e6, 1)
    }
    for name, values in times.items():
        out[name] = {"best": round(min(values), 1), "median": _ms(values)}
    return out


def big_log_figures(lab: Any, browser: Any) -> dict[str, Any]:
    from lab import Notebook

    setup = (
        f"import evallens\n{STAMP}\nstamps = {{}}\n"
        f"grid = evallens.SampleGrid(evallens.read_samples({str(BIG)!r}))\n"
        "_stamped(grid, stamps)\n"
        "import time; t0 = time.perf_counter(); "
        f"_ = evallens.read_sample({str(BIG)!r}, 'big-00100'); "
        "read_one_s = time.perf_counter() - t0"
    )
    nb = Notebook(lab, browser, [setup, "grid"])
    try:
        nb.open()
        nb.run_all()
        nb.wait_for(".el-grid .el-row[data-pos='6']", timeout=300_000)
        nb.wait_idle(timeout=300_000)
        out = {"read_one_sample_in_kernel_ms": round(nb.value("read_one_s") * 1000, 1)}
        # Rows 0-6 are on screen with the panel open; each click opens another sample.
        out.update(click_runs(nb, [i % 7 for i in range(RUNS)], close_between=False))
        out["external_requests"] = nb.external_requests()
        return out
    finally:
        nb.close()


def frame_figures(deltas: list[float]) -> dict[str, Any]:
    return {
        "frames": len(deltas),
        "p50_frame_ms": _percentile(deltas, 0.5),
        "p95_frame_ms": _percentile(deltas, 0.95),
        "p99_frame_ms": _percentile(deltas, 0.99),
        "max_frame_ms": round(max(deltas), 1),
        # A frame that took more than one refresh (60 Hz here) showed late.
        "frames_over_20ms": sum(1 for d in deltas if d > 20),
    }


def long_sample_figures(lab: Any, browser: Any) -> dict[str, Any]:
    from lab import Notebook

    cells = [
        f"import evallens, time\nLONG = {str(LONG)!r}\nsv = None\nstamps = {{}}",
        # Stamps (wall clock) around building the widget, to split the cell's time.
        "stamps = {'in': time.time() * 1000}\n"
        f"sv = evallens.SampleView(LONG, {LONG_ID!r}, 1)\n"
        "stamps['built'] = time.time() * 1000\n"
        "display(sv)",
    ]
    nb = Notebook(lab, browser, cells)
    sockets = KernelBytes(nb.page)
    cdp = nb.context.new_cdp_session(nb.page)
    page = nb.page
    out: dict[str, Any] = {}
    try:
        nb.open()
        page.evaluate(
            "() => { const app = window.jupyterapp;"
            " app.shell.currentWidget.content.activeCellIndex = 0;"
            " app.commands.execute('notebook:run-cell'); }"
        )
        nb.wait_idle()
        page.wait_for_timeout(1_000)
        paints, to_kernel, build, to_dom = [], [], [], []
        heap_gc, heap_raw, sent = [], [], []
        kinds: Counter[str] = Counter()
        for run in range(RUNS):
            if run:
                nb.execute("sv.close()")  # the view on the page goes, as the next run replaces it
                page.wait_for_timeout(500)
            before_heap = heap_mb(cdp, collect=True)
            page.wait_for_timeout(300)
            before = sockets.snapshot()
            got = page.evaluate(RUN_CELL, [1])
            heap_raw.append(heap_mb(cdp, collect=False) - before_heap)
            nb.wait_idle()
            page.wait_for_timeout(1_500)  # the view asks for its next page at once: let it come
            heap_gc.append(heap_mb(cdp, collect=True) - before_heap)
            delta = sockets.snapshot()
            delta.subtract(before)
            sent.append(sum(delta.values()))
            if run == 0:
                kinds = +delta
            stamps = nb.value("stamps")
            paints.append(got["ms"])
            to_kernel.append(stamps["in"] - got["wall"])
            build.append(stamps["built"] - stamps["in"])
            to_dom.append(got["seen"] - stamps["built"])
        bundle = sum((ROOT / "src" / "evallens" / "static" / f).stat().st_size
                     for f in ("sample.js", "sample.css"))  # fmt: skip
        held = page.evaluate(
            "() => document.querySelectorAll('.el-sample-widget .el-sv-msg').length"
        )
        out["cell_to_first_messages_ms"] = {
            "median": _ms(paints),
            "page_to_kernel_median": _ms(to_kernel),
            "kernel_builds_sample_view_median": _ms(build),
            "widget_to_messages_in_dom_median": _ms(to_dom),
            "runs": [round(v, 1) for v in paints],
        }
        out["heap_growth_mb"] = {
            "after_gc_median": round(statistics.median(heap_gc), 2),
            "after_gc_first_open": round(heap_gc[0], 2),
            "at_first_paint_no_gc_median": round(statistics.median(heap_raw), 2),
            "after_gc_runs": [round(v, 2) for v in heap_gc],
            "how": "Runtime.getHeapUsage over the DevTools protocol; GC by HeapProfiler",
        }
        out["bytes_to_page_before_scrolling"] = {
            "median": int(statistics.median(sent)),
            "runs": sent,
            "widget_js_and_css_bundle": bundle,
            "first_run_by_message_type": dict(kinds.most_common()),
            "messages_in_dom": held,
        }
        # Scroll the last view: SCROLL_PASSES passes, each SCROLL_MESSAGES further down.
        page.evaluate(
            "() => document.querySelector('.el-sample-widget .el-sv-scroller')"
            ".scrollIntoView({block: 'center'})"
        )
        page.wait_for_timeout(500)
        idle = page.evaluate(IDLE_FRAMES, [120])
        before_scroll = heap_mb(cdp, collect=True)
        passes, loading, reached = [], 0, 0
        cdp.send("Performance.enable")
        work = main_thread_seconds(cdp)
        for run in range(SCROLL_PASSES):
            got = page.evaluate(SCROLL, [(run + 1) * SCROLL_MESSAGES, SCROLL_STEP, 60 * 300])
            passes.append(got["deltas"])
            loading += got["loading"]
            reached = got["reached"]
            page.wait_for_timeout(1_000)
        pooled = [d for deltas in passes for d in deltas]
        work = {k: v - work[k] for k, v in main_thread_seconds(cdp).items()}
        static = page.evaluate(STATIC_SCROLL, [300, SCROLL_STEP])
        out["scroll"] = {
            "px_per_frame": SCROLL_STEP,
            "passes": SCROLL_PASSES,
            "messages_per_pass": SCROLL_MESSAGES,
            "reached_message": reached,
            "p95_frame_ms_median_of_passes": round(
                statistics.median(_percentile(d, 0.95) for d in passes), 2
            ),
            "p95_frame_ms_by_pass": [_percentile(d, 0.95) for d in passes],
            "all_passes": frame_figures(pooled),
            "frames_showing_a_message_loading": loading,
            # Chromium's own sums over the passes (pauses between them included), per frame.
            "main_thread_ms_per_frame": {
                k: round(v * 1000 / len(pooled), 2) for k, v in work.items()
            },
            "idle_page_frames": frame_figures(idle),
            "static_copy_scrolled_frames": frame_figures(static),
            "heap_growth_after_gc_mb": round(heap_mb(cdp, collect=True) - before_scroll, 2),
        }
        out["external_requests"] = nb.external_requests()
        return out
    finally:
        cdp.detach()
        nb.close()


def long_grid_figures(lab: Any, browser: Any) -> dict[str, Any]:
    from lab import Notebook

    setup = (
        f"import evallens\n{STAMP}\nstamps = {{}}\n"
        f"grid = evallens.SampleGrid(evallens.read_samples({str(LONG)!r}))\n"
        "_stamped(grid, stamps)\n"
        f"long_pos = grid.visible_rows(2)['id'].to_list().index({LONG_ID!r})"
    )
    nb = Notebook(lab, browser, [setup, "grid"])
    try:
        nb.open()
        nb.run_all()
        nb.wait_for(".el-grid .el-row[data-pos='1']", timeout=120_000)
        nb.wait_idle()
        pos = nb.value("long_pos")
        return click_runs(nb, [pos] * RUNS, close_between=True)
    finally:
        nb.close()


def main() -> None:
    from lab import lab_and_browser

    out: dict[str, Any] = {
        "benchmark": "sample_view_browser",
        "runs": RUNS,
        "quick": QUICK,
        "machine": _machine(),
        # Other jobs share this machine; the kernel → server → browser hop slows under load.
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
    }
    out["logs"] = ensure_logs()
    out["long_sample_kernel_phases_ms"] = kernel_phases()
    out["load_average_after_logs"] = [round(v, 2) for v in os.getloadavg()]
    with lab_and_browser() as (lab, browser):
        out["big_log_grid_click_ms"] = big_log_figures(lab, browser)
        out["long_sample_view"] = long_sample_figures(lab, browser)
        out["long_sample_grid_click_ms"] = long_grid_figures(lab, browser)
    big = out["big_log_grid_click_ms"]
    view = out["long_sample_view"]
    grid = out["long_sample_grid_click_ms"]
    # [figure, target] each
    out["figures_vs_targets"] = {
        "big_log_click_to_first_messages_ms": [big["click_to_first_messages_median"], 300],
        "long_sample_first_paint_cell_ms": [view["cell_to_first_messages_ms"]["median"], 500],
        "long_sample_first_paint_grid_click_ms": [grid["click_to_first_messages_median"], 500],
        "long_sample_scroll_p95_frame_ms": [
            view["scroll"]["p95_frame_ms_median_of_passes"],
            16.7,
        ],
        "long_sample_heap_growth_mb": [view["heap_growth_mb"]["after_gc_median"], 20],
        "long_sample_bytes_to_page_before_scrolling_mb": [
            round(view["bytes_to_page_before_scrolling"]["median"] / 1e6, 3),
            1,
        ],
    }
    out["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
