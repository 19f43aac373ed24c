"""The whole-sample view in a real JupyterLab (and Notebook 7): what a user opens, reads and
clicks, checked against what Python reads from the same logs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest_io import LOGS_DIR, generate_logs, require
from heatmap_page import click_cell, shown, wait_drawn
from lab import Notebook

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"
SAMPLE = ".el-detail .el-sample"
WIDGET = ".el-sample-widget"
MESSAGE = ".el-sv-msg[data-kind='message']"


def msg(index: int, scope: str = "") -> str:
    """The drawn message with 0-based ``index`` (shown as M{index+1})."""
    return f"{scope} {MESSAGE}[data-index='{index}']".strip()


def section(name: str, scope: str = "") -> str:
    return f"{scope} .el-sv-section[data-section='{name}']".strip()


# The top of an element is on screen: inside the window and every box that clips it.
IN_VIEW = """(sel) => {
    const el = document.querySelector(sel);
    if (!el) return false;
    const r = el.getBoundingClientRect();
    let top = 0, bottom = window.innerHeight;
    for (let p = el.parentElement; p; p = p.parentElement) {
        const b = p.getBoundingClientRect();
        if (!/(auto|scroll|hidden)/.test(getComputedStyle(p).overflowY) || !b.height) continue;
        top = Math.max(top, b.top);
        bottom = Math.min(bottom, b.bottom);
    }
    return r.height > 0 && r.top >= top - 1 && r.top < bottom - 10;
}"""


def in_view(nb: Notebook, selector: str) -> bool:
    return bool(nb.page.evaluate(IN_VIEW, selector))


def drawn_indices(nb: Notebook, scope: str) -> list[int]:
    return nb.page.eval_on_selector_all(
        f"{scope} .el-sv-msg", "els => els.map(e => Number(e.dataset.index))"
    )


# Messages that flashed (the highlight a citation gives), seen as it happens: it fades.
WATCH_FLASH = """(scope) => {
    window.__flashObserver?.disconnect();
    window.__flashed = [];
    window.__flashObserver = new MutationObserver((changes) => {
        for (const c of changes) {
            const began = !(c.oldValue || '').includes('el-sv-flash');
            if (began && c.target.classList.contains('el-sv-flash')) {
                window.__flashed.push(c.target.dataset.index);
            }
        }
    });
    window.__flashObserver.observe(document.querySelector(scope),
        {attributes: true, attributeFilter: ['class'], attributeOldValue: true, subtree: true});
}"""


def cite_and_check(nb: Notebook, scope: str, cite: str, index: int) -> None:
    """Click a citation button; the message it names is loaded, highlighted and on screen."""
    nb.page.evaluate(WATCH_FLASH, scope)
    nb.page.locator(cite).first.click()
    target = f"{msg(index, scope)}.el-sv-current"
    nb.page.wait_for_selector(target, timeout=30_000)
    nb.page.wait_for_function(IN_VIEW, arg=target, timeout=10_000)
    assert set(nb.page.evaluate("() => window.__flashed")) == {str(index)}
    # Only the cited message carries the highlight.
    assert nb.page.locator(f"{scope} .el-sv-current").count() == 1


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real logs with scanner-style scores ([M1]/[M2] citations) and a ViewerConfig."""
    return generate_logs(
        tmp_path_factory.mktemp("sample-view") / "logs",
        *("--models", "2", "--tasks", "2", "--samples", "6"),
        *("--scorers", "match,closeness,judge,scan_answer_check,scan_effort", "--viewer"),
    )


def explore_cell(logdir: Path) -> str:
    return f"import evallens\nui = evallens.explore({str(logdir)!r})\nui"


def row_key(nb: Notebook, pos: int) -> dict:
    """(log, id, epoch) of the row at view position ``pos``, as ``grid.opened`` names it."""
    return nb.value(f"ui.grid.visible_rows().select('log', 'id', 'epoch').row({pos}, named=True)")


def wait_title(nb: Notebook, key: dict) -> None:
    nb.page.wait_for_function(
        "(t) => document.querySelector('.el-detail-title')?.textContent === t",
        arg=f"Sample {key['id']}",
        timeout=20_000,
    )
    nb.page.wait_for_selector(msg(0, SAMPLE), timeout=20_000)


def first_message_text(nb: Notebook, key: dict) -> str:
    return nb.value(
        f"evallens.read_sample({key['log']!r}, {key['id']!r}, {key['epoch']})"
        "['messages'][0]['content']"
    )


def open_and_step(nb: Notebook, *, lab: bool) -> None:
    """The core path in either UI: cell, row, messages, scores, scans, citation, ] and [."""
    page = nb.page
    nb.wait_for(ROWS)
    wait_drawn(page)

    # A heatmap cell narrows the grid to that task and model.
    first = shown(page.locator(".el-heatmap"))[0]
    click_cell(page.locator(".el-heatmap"), first["task"], first["model"])
    selection = nb.eventually("ui.heatmap.selection", lambda v: len(v) == 1)
    assert len(selection) == 1
    page.wait_for_function(
        "() => document.querySelector('.el-grid .el-status')?.textContent.startsWith('6 of 24')",
        timeout=20_000,
    )

    # A sample row (one with a reply, not the last): the detail panel shows the whole sample.
    counts = nb.value(
        "[len(evallens.read_sample(*k)['messages'])"
        " for k in ui.grid.visible_rows().select('log', 'id', 'epoch').rows()]"
    )
    pos = next(p for p in range(1, len(counts) - 1) if counts[p] >= 2)
    page.click(f".el-row[data-pos='{pos}']")
    key = row_key(nb, pos)
    assert nb.wait_value("ui.grid.opened", key) == key
    wait_title(nb, key)
    sample = nb.value(f"evallens.read_sample({key['log']!r}, {key['id']!r}, {key['epoch']})")
    messages = sample["messages"]
    title = page.locator(section("messages", SAMPLE) + " .el-sv-section-title").inner_text()
    assert title.lower() == f"messages ({len(messages)})"
    labels = page.locator(f"{SAMPLE} {MESSAGE} .el-sv-num").all_inner_texts()
    assert labels == [f"M{i + 1}" for i in range(len(messages))]
    for i, m in enumerate(messages):
        body = page.locator(msg(i, SAMPLE) + " .el-sv-msg-body").inner_text()
        assert body.strip() == m["content"].strip()
        role = page.locator(msg(i, SAMPLE) + " .el-sv-role").inner_text()
        assert role.lower() == m["role"]

    # Scoring: the judge's explanation; Scans: the scanner's, its citations as buttons
    # under the ViewerConfig's label for the explanation ("Rationale").
    judge = page.locator(section("scoring", SAMPLE) + " .el-sv-score[data-score='judge']")
    assert sample["scores"]["judge"]["explanation"] in judge.inner_text()
    scan = page.locator(section("scans", SAMPLE) + " .el-sv-scan[data-scan='scan_answer_check']")
    explanation = scan.locator(".el-sv-block[data-kind='explanation']")
    assert explanation.locator(".el-sv-block-title").inner_text() == "Rationale"
    expected = sample["scores"]["scan_answer_check"]["explanation"]
    assert explanation.locator(".el-sv-md").inner_text().strip() == expected
    cites = explanation.locator("button.el-sv-cite")
    assert cites.all_inner_texts() == re.findall(r"M\d+", expected)
    assert scan.locator(".el-sv-block[data-key='confidence']").count() == 1

    # A citation: the message it names is highlighted and on screen.
    scans = section("scans", SAMPLE)
    cite_and_check(nb, SAMPLE, f"{scans} .el-sv-scan[data-scan='scan_answer_check'] "
                   "button.el-sv-cite[data-index='1']", 1)  # fmt: skip
    cite_and_check(nb, SAMPLE, f"{scans} button.el-sv-cite[data-index='0']", 0)

    # ] with the focus in the panel: the next sample in the grid's order; [ goes back.
    page.click(section("messages", SAMPLE) + " .el-sv-section-title")
    assert page.evaluate("() => !!document.activeElement?.closest('.el-detail')")
    page.keyboard.press("]")
    following = row_key(nb, pos + 1)
    assert nb.wait_value("ui.grid.opened", following) == following
    wait_title(nb, following)
    assert page.locator(msg(0, SAMPLE) + " .el-sv-msg-body").inner_text().strip() == (
        first_message_text(nb, following).strip()
    )
    page.keyboard.press("[")  # the focus stayed in the panel
    assert nb.wait_value("ui.grid.opened", key) == key
    wait_title(nb, key)

    # The panel's own buttons do the same.
    page.click(".el-detail-step[aria-label^='Next']")
    assert nb.wait_value("ui.grid.opened", following) == following
    wait_title(nb, following)

    if lab:
        # Python opens a sample: the panel shows it.
        other = row_key(nb, 0 if pos > 0 else len(counts) - 1)
        nb.execute(f"ui.grid.opened = {other!r}")
        wait_title(nb, other)
        assert page.locator(msg(0, SAMPLE) + " .el-sv-msg-body").inner_text().strip() == (
            first_message_text(nb, other).strip()
        )
        assert nb.value("ui.grid.opened") == other

    assert nb.external_requests() == []


def test_grid_detail_shows_the_whole_sample_and_steps_through_rows(notebook, logdir):
    nb = notebook([explore_cell(logdir)])
    open_and_step(nb, lab=True)


def test_grid_detail_sample_view_in_notebook7(lab, browser, logdir):
    nb = Notebook(lab, browser, [explore_cell(logdir)])
    try:
        nb.open_notebook7()
        open_and_step(nb, lab=False)
    finally:
        nb.close()


# -- a real agentic log ---------------------------------------------------------------------
AGENTIC = LOGS_DIR / "control_arena" / "bash_tm_honest_baseline.eval"


def test_tool_calls_and_results_in_a_real_agent_log(notebook):
    path = str(require(AGENTIC))
    cell = (
        "import evallens\n"
        "from inspect_ai.log import read_eval_log_sample_summaries\n"
        f"path = {path!r}\n"
        "first = read_eval_log_sample_summaries(path)[0]\n"
        "view = evallens.SampleView(path, first.id, first.epoch)\n"
        "view"
    )
    nb = notebook([cell])
    nb.wait_for(msg(0, WIDGET))
    page = nb.page
    messages = nb.value("evallens.read_sample(path, first.id, first.epoch)['messages']")
    title = page.locator(section("messages", WIDGET) + " .el-sv-section-title").inner_text()
    assert title.lower() == f"messages ({len(messages)})"

    # The first few tool calls: function name, arguments (as JSON), which message answers.
    calls = [
        (i, c) for i, m in enumerate(messages) if m["role"] == "assistant"
        for c in m.get("tool_calls") or []
    ][:3]  # fmt: skip
    assert calls
    results = {m.get("tool_call_id"): i for i, m in enumerate(messages) if m["role"] == "tool"}
    for i, call in calls:
        page.locator(msg(i, WIDGET)).scroll_into_view_if_needed()
        box = page.locator(msg(i, WIDGET) + " .el-sv-call").first
        assert box.locator(".el-sv-function").inner_text() == call["function"]
        assert json.loads(box.locator(".el-sv-args").inner_text()) == call["arguments"]
        answer = results[call["id"]]
        jump = box.locator("button.el-sv-jump")
        assert jump.inner_text() == f"→ result in M{answer + 1}"

        # The result says which call it answers, and links back to it.
        jump.click()
        result = msg(answer, WIDGET)
        page.wait_for_selector(f"{result}.el-sv-current")
        assert in_view(nb, result)
        answers = page.locator(f"{result} .el-sv-answers")
        assert answers.locator(".el-sv-function").inner_text() == call["function"]
        shown_args = answers.locator(".el-sv-call-args").inner_text()
        assert json.loads(shown_args) == call["arguments"]
        back = answers.locator("button.el-sv-jump")
        assert back.inner_text() == f"← call in M{i + 1}"
        back.click()
        page.wait_for_selector(f"{msg(i, WIDGET)}.el-sv-current")
        assert in_view(nb, msg(i, WIDGET))

    # The end of the transcript is reachable by scrolling, numbered as Inspect counts.
    # (Messages drawn taller than their estimate push the end further down as they are
    # measured: the scrollbar is dragged to the bottom again until it stays there.)
    last = msg(len(messages) - 1, WIDGET)
    for _ in range(10):
        page.eval_on_selector(f"{WIDGET} .el-sv-scroller", "s => { s.scrollTop = s.scrollHeight; }")
        page.wait_for_timeout(300)
        if page.locator(last).count():
            break
    page.wait_for_selector(last)
    assert page.locator(f"{last} .el-sv-num").inner_text() == f"M{len(messages)}"
    assert nb.external_requests() == []


# -- a sample with 100,000 messages -------------------------------------------------------
BIG = 100_000
FAR = 75_000  # a citation to M75000 in the scanner's explanation


def write_big_log(source: Path, out: Path) -> tuple[str, str]:
    """A copy of a generated log whose one sample has BIG messages: user, assistant with a
    tool call, tool result, repeated."""
    from inspect_ai.log import read_eval_log, write_eval_log
    from inspect_ai.model import ChatMessageAssistant, ChatMessageTool, ChatMessageUser
    from inspect_ai.tool import ToolCall

    log = read_eval_log(str(source))
    assert log.samples
    sample = log.samples[0]
    messages = []
    for k in range(BIG):
        text = f"message number {k + 1}"
        if k % 3 == 0:
            messages.append(ChatMessageUser(content=f"{text}: go on"))
        elif k % 3 == 1:
            call = ToolCall(id=f"c{k}", function="step", arguments={"n": k})
            messages.append(ChatMessageAssistant(content=text, tool_calls=[call]))
        else:
            messages.append(ChatMessageTool(content=f"{text}: ok", tool_call_id=f"c{k - 1}"))
    sample.messages = messages
    sample.events = []
    assert sample.scores
    sample.scores["scan_answer_check"].explanation = f"From [M1] to [M{FAR}]."
    log.samples = [sample]
    write_eval_log(log, str(out))
    return str(out), str(sample.id)


def test_a_sample_of_100k_messages_draws_few_and_scrolls_anywhere(notebook, logdir, tmp_path):
    path, sample_id = write_big_log(sorted(logdir.glob("*.eval"))[0], tmp_path / "big.eval")
    nb = notebook(
        [f"import evallens\nview = evallens.SampleView({path!r}, {sample_id!r}, 1)\nview"]
    )
    page = nb.page
    nb.wait_for(msg(0, WIDGET), timeout=120_000)
    assert (
        page.locator(msg(0, WIDGET) + " .el-sv-msg-body")
        .inner_text()
        .startswith("message number 1: go on")
    )
    title = page.locator(section("messages", WIDGET) + " .el-sv-section-title").inner_text()
    assert title.lower() == f"messages ({BIG:,})"
    assert 0 < page.locator(f"{WIDGET} .el-sv-msg").count() < 300

    # Drag the scroller to its middle: messages from the middle of the transcript load.
    page.eval_on_selector(
        f"{WIDGET} .el-sv-scroller",
        "s => { s.scrollTop = (s.scrollHeight - s.clientHeight) / 2; }",
    )
    page.wait_for_function(
        """(sel) => [...document.querySelectorAll(sel)].some(
            (e) => Math.abs(Number(e.dataset.index) - 50000) < 5000)""",
        arg=f"{WIDGET} {MESSAGE}",
        timeout=30_000,
    )
    indices = drawn_indices(nb, WIDGET)
    assert len(indices) < 300
    middle = [i for i in indices if abs(i - 50_000) < 5_000]
    assert middle and all(abs(i - 50_000) < 5_000 for i in indices)
    i = middle[0]
    assert page.locator(msg(i, WIDGET) + " .el-sv-num").inner_text() == f"M{i + 1}"
    body = page.locator(msg(i, WIDGET) + " .el-sv-msg-body").inner_text()
    assert f"message number {i + 1}" in body

    # A citation far beyond what is loaded: its window is fetched and it is shown.
    cite_and_check(nb, WIDGET, f"{WIDGET} button.el-sv-cite[data-index='{FAR - 1}']", FAR - 1)
    assert f"message number {FAR}" in page.locator(msg(FAR - 1, WIDGET)).inner_text()
    assert page.locator(f"{WIDGET} .el-sv-msg").count() < 300
    assert nb.external_requests() == []


# -- hostile content ----------------------------------------------------------------------
IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
MD_LINK = "[x](javascript:window.__xss=1)"
ANCHOR = '<a href="javascript:window.__xss=1">x</a>'
EVIL = f"{IMG} {SCRIPT} {MD_LINK} {ANCHOR}"


def write_hostile_log(source: Path, out: Path) -> tuple[str, str, dict]:
    """A copy of a generated log whose first sample carries EVIL in every text the sample
    view draws; its ViewerConfig labels the scans' sections with EVIL too."""
    from inspect_ai.log import EvalError, read_eval_log, write_eval_log
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageTool,
        ChatMessageUser,
        ContentImage,
        ContentReasoning,
        ContentText,
    )
    from inspect_ai.tool import ToolCall, ToolCallError

    log = read_eval_log(str(source))
    assert log.samples
    sample = log.samples[0]
    call = ToolCall(id="c1", function=EVIL, arguments={EVIL: EVIL, "cmd": EVIL})
    sample.messages = [
        ChatMessageSystem(content=EVIL),
        ChatMessageUser(
            content=[
                ContentText(text=f"# {EVIL}\n\n{EVIL} [M2] $x^2$"),
                ContentImage(image='x" onerror="window.__xss=1'),
                ContentImage(image="javascript:window.__xss=1"),
            ]
        ),
        ChatMessageAssistant(
            content=[ContentReasoning(reasoning=EVIL), ContentText(text=f"{EVIL} [M1]")],
            tool_calls=[call],
            model=EVIL,
        ),
        ChatMessageTool(
            content=EVIL,
            tool_call_id="c1",
            function=EVIL,
            error=ToolCallError(type="unknown", message=EVIL),
        ),
    ]
    sample.target = EVIL
    sample.metadata = {EVIL: EVIL, "nested": {EVIL: [EVIL]}}
    sample.error = EvalError(message=EVIL, traceback=EVIL, traceback_ansi=EVIL)
    assert sample.scores
    for name, score in sample.scores.items():
        score.explanation = f"{EVIL} see [M1] and [M2, M3] and [M99]"
        score.answer = EVIL
        if name.startswith("scan_"):
            refs = (score.metadata or {}).get("scanner_references", [])
            score.metadata = {
                "scanner_references": [{**r, "cite": EVIL} for r in refs],
                "label": EVIL,
                "confidence": EVIL,
                EVIL: EVIL,
            }
        else:
            score.metadata = {EVIL: EVIL}
    assert log.eval.viewer is not None
    viewer = log.eval.viewer.model_dump(mode="json", exclude_none=True)
    viewer["scanner_result_view"] = {
        "scan_*": {
            "fields": [
                {"kind": "builtin", "name": "explanation", "label": EVIL, "collapsed": False},
                {"kind": "builtin", "name": "label", "label": EVIL, "collapsed": False},
                {"kind": "metadata", "key": "confidence", "label": EVIL, "collapsed": False},
                {"kind": "metadata", "key": EVIL, "label": EVIL, "collapsed": True},
            ]
        }
    }
    log.eval.viewer = type(log.eval.viewer).model_validate(viewer)
    log.samples = [sample]
    write_eval_log(log, str(out))
    return str(out), str(sample.id), viewer


SAFE = """(root) => {
    const all = [...document.querySelectorAll(root + ' *')];
    return {
        xss: window.__xss === undefined ? null : window.__xss,
        scripts: all.filter((e) => e.localName === 'script').length,
        handlers: all.filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
        badImages: all.filter((e) => e.localName === 'img' && !/^data:image\\//.test(e.getAttribute('src') || '')).length,
        badLinks: all.filter((e) => e.localName === 'a'
            && !/^https?:/i.test((e.getAttribute('href') || '').trim())).length,
        frames: all.filter((e) => ['iframe', 'object', 'embed'].includes(e.localName)).length,
    };
}"""


def open_everything(nb: Notebook, root: str) -> None:
    """Open every folded block (reasoning, metadata, traceback), as a curious reader does."""
    page = nb.page
    for _ in range(20):
        closed = page.locator(f"{root} details:not([open]) > summary")
        if closed.count() == 0:
            return
        closed.first.click()


def test_hostile_text_never_runs_trusted_or_not(notebook, logdir, tmp_path):
    path, sample_id, viewer = write_hostile_log(
        sorted(logdir.glob("*.eval"))[0], tmp_path / "hostile.eval"
    )
    untrusted = {**viewer, "trust_content": False}
    nb = notebook(
        [
            "import evallens",
            f"evallens.SampleView({path!r}, {sample_id!r}, 1)",
            f"evallens.SampleView({path!r}, {sample_id!r}, 1, viewer_config={untrusted!r})",
        ]
    )
    page = nb.page
    # The second cell's view trusts the log (markdown on); the third's does not.
    trusted_root, untrusted_root = (
        f".jp-Cell[data-windowed-list-index='{cell}'] {WIDGET}" for cell in (1, 2)
    )
    nb.wait_for(msg(3, untrusted_root))
    page.wait_for_selector(msg(3, trusted_root))
    assert page.locator(f"{trusted_root} .el-sv-untrusted").count() == 0
    assert page.locator(f"{untrusted_root} .el-sv-untrusted").count() == 1

    for root in (trusted_root, untrusted_root):
        open_everything(nb, root)
        # Every section that carries the hostile text is there.
        for name in ("error", "messages", "scoring", "scans", "metadata"):
            assert page.locator(section(name, root)).count() == 1, name
        # Citations in hostile text still work.
        cite_and_check(nb, root, f"{section('scans', root)} button.el-sv-cite[data-index='2']", 2)
        page.wait_for_timeout(300)  # anything that would run has had its chance
        report = page.evaluate(SAFE, root)
        assert report == {
            "xss": None, "scripts": 0, "handlers": 0, "badImages": 0, "badLinks": 0, "frames": 0
        }, root  # fmt: skip

    # Untrusted: the raw text is what the reader sees, everywhere it was put.
    texts = [
        msg(0, untrusted_root),
        msg(1, untrusted_root),
        msg(2, untrusted_root) + " .el-sv-reasoning",
        msg(2, untrusted_root) + " .el-sv-function",
        msg(2, untrusted_root) + " .el-sv-model",
        msg(3, untrusted_root) + " .el-sv-answers",
        msg(3, untrusted_root) + " .el-sv-tool-error",
        section("error", untrusted_root),
        section("scoring", untrusted_root),
        section("scans", untrusted_root),
        section("metadata", untrusted_root),
        f"{untrusted_root} .el-sv-summary",
    ]
    for selector in texts:
        shown = page.locator(selector).first.inner_text()
        for piece in (IMG, SCRIPT, MD_LINK, ANCHOR):
            assert piece in shown, (selector, piece)
    # Tool call arguments are JSON text: the same text, with its quotes escaped.
    args = json.loads(page.locator(msg(2, untrusted_root) + " .el-sv-args").inner_text())
    assert args == {EVIL: EVIL, "cmd": EVIL}
    scans = page.locator(section("scans", untrusted_root)).inner_text()
    assert scans.count(EVIL) >= 4  # labels (section titles), label, confidence, the EVIL key
    # Images are withheld, not drawn.
    assert page.locator(f"{untrusted_root} img").count() == 0

    # Trusted: markdown, but HTML in it stays text and the javascript: link is no link.
    md = page.locator(msg(1, trusted_root) + " .el-sv-md")
    assert md.locator("h1").count() == 1
    assert md.locator("math").count() == 1
    assert IMG in md.inner_text() and ANCHOR in md.inner_text()
    assert page.locator(f"{trusted_root} img").count() == 0
    assert page.evaluate("() => window.__xss") is None
    # The broken image would have been a request to the server (src=x): none was made.
    assert not [u for u in nb.requests if u.rstrip("/").endswith("/x")]
    assert nb.external_requests() == []
