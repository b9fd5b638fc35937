"""The playground in a real browser: Debian's Chromium, driven by Playwright.

The app runs as `bracketcloser app` in its own process on a free port. Each test leaves
screenshots in its tmp_path; with BRACKETCLOSER_SHOTS=folder they are also written there
(that is how the pictures in docs/ are made). Every test here is marked ``e2e``, so the
default run skips them: ``pytest -m e2e tests/test_app_browser.py`` runs them.

Chromium sees the system's fonts less every one that covers Japanese: the page is drawn as on
a machine with no Japanese font, in the font it serves itself.
"""

import base64
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from bracketcloser.app import Lab
from bracketcloser.architectures import ARCHS, DEFAULT_ARCH
from bracketcloser.data import DISTS, SUITES

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[1] / "bench" / "results"  # the Compare tab's committed results
CHROMIUM = "/usr/bin/chromium"
# headless, as root, with nothing reaching out to the network (this machine reaches only localhost)
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
TIMEOUT = 60_000  # ms: the first answers load every shipped model


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    models = tmp_path_factory.mktemp("models")
    port = _free_port()
    log = open(tmp_path_factory.mktemp("log") / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "bracketcloser", "app", "--port", str(port), "--models-dir",
                             str(models), "--results-dir", str(RESULTS)], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", timeout=90)
        yield f"http://127.0.0.1:{port}/", models
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def chromium_env(folder: Path) -> dict:
    """The environment Chromium runs in: fontconfig as the system has it, less every font that
    covers Japanese, so the Japanese page has only the font the app serves (as on a machine
    without a CJK font package)."""
    conf = folder / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont><pattern><patelt name="lang"><string>ja</string></patelt></pattern></rejectfont></selectfont>
  <cachedir>{folder / "fontconfig"}</cachedir>
</fontconfig>
""")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert Path(CHROMIUM).is_file(), "Chromium is not installed (apt-get install chromium; .ci/run does)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS,
                              env=chromium_env(tmp_path_factory.mktemp("fonts")))
        yield b
        b.close()


@pytest.fixture
def page(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(TIMEOUT)
    page.goto(server[0])
    page.locator("#prefix textarea").wait_for()
    yield page
    page.close()


def settled(page) -> None:
    """Wait until no update is pending, twice a second apart (an answer starts the pictures)."""
    idle = "!document.body.innerText.includes('processing')"
    for _ in range(20):
        page.wait_for_function(idle)
        page.wait_for_timeout(1000)
        if page.evaluate(idle):
            return


def shot(page, tmp_path, name: str) -> Path:
    settled(page)
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("BRACKETCLOSER_SHOTS"):
        folder = Path(os.environ["BRACKETCLOSER_SHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / path.name)
    assert path.stat().st_size > 10_000  # a real picture of a page, not an empty one
    return path


def table_text(page) -> str:
    return page.locator("#answers").inner_text()


def wait_for_text(page, selector: str, text: str, timeout: float = TIMEOUT) -> None:
    page.wait_for_function("([sel, text]) => (document.querySelector(sel)?.innerText ?? '').includes(text)",
                           arg=[selector, text], timeout=timeout)


def wait_for_answers(page, answer: str, count: int) -> list[str]:
    """Wait until ``count`` rows of the answers table say ``answer`` (the table follows every
    key typed, so earlier tables pass by first); return the table's lines."""
    page.wait_for_function("""([answer, count]) => (document.querySelector('#answers')?.innerText ?? '')
        .split('\\n').filter(line => line.trim() === answer).length === count""", arg=[answer, count])
    return [line.strip() for line in table_text(page).splitlines() if line.strip()]


def type_prefix(page, text: str) -> None:
    box = page.locator("#prefix textarea")
    box.fill("")
    box.type(text, delay=20)  # as a learner types: the answers follow every key


def test_typing_shows_the_solver_and_every_shipped_model(page, tmp_path):
    shipped = Lab().shipped()
    type_prefix(page, "{[(<>)]")
    rows = wait_for_answers(page, "}", 1 + len(shipped))  # the solver and every model close the one open brace
    assert "exact solver (a stack)" in rows
    for name in shipped:
        assert name in rows, name
    settled(page)
    page.locator("#inside img, #inside canvas, #inside svg").first.wait_for()  # the attention maps are drawn
    shot(page, tmp_path, "app_complete")


def test_enter_fills_the_table_too(page):
    box = page.locator("#prefix textarea")
    box.fill("(((")
    box.press("Enter")
    wait_for_answers(page, ")))", 1 + len(Lab().shipped()))


def test_a_bad_prefix_shows_the_error_and_the_page_keeps_working(page, tmp_path):
    type_prefix(page, "(]")
    wait_for_text(page, "#error", "error: ']' at position 1 does not close '('")
    shot(page, tmp_path, "app_error")
    type_prefix(page, "[[")
    wait_for_answers(page, "]]", 1 + len(Lab().shipped()))
    assert "error" not in page.locator("#error").inner_text()


def test_train_a_model_from_the_page_and_find_it_in_the_model_list(page, server, tmp_path):
    page.get_by_role("tab", name="Train").click()
    steps = page.locator("#train-steps input")
    steps.fill("40")
    page.locator("#train-start").click()
    wait_for_text(page, "#train-status", "Finished", timeout=3 * TIMEOUT)  # a shared CPU may be slow
    page.locator("#train-curve img, #train-curve canvas, #train-curve svg").first.wait_for()
    shot(page, tmp_path, "app_train")
    run = next(Path(server[1]).glob("gpt_*"))
    page.get_by_role("tab", name="Complete").click()
    wait_for_text(page, "#models", run.name)
    type_prefix(page, "((")
    wait_for_text(page, "#answers", run.name)


def picture(webp: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(webp)).convert("L"), dtype=float)


def drawn_by_the_lab(prefix: str, lang: str) -> np.ndarray:
    """The probabilities figure the page should show, drawn here and encoded as Gradio sends it (webp)."""
    buf = io.BytesIO()
    Lab().inspect(prefix, DEFAULT_ARCH, lang)[0].savefig(buf, format="webp")
    return picture(buf.getvalue())


def test_switch_to_japanese(page, tmp_path):
    page.get_by_text("日本語").click()
    page.get_by_role("tab", name="補完").wait_for()
    wait_for_text(page, "#prefix", "閉じたい括弧")
    type_prefix(page, "{[(<>)]")
    rows = wait_for_answers(page, "}", 1 + len(Lab().shipped()))
    assert "厳密解（スタック）" in rows
    # the figures speak Japanese too: the page's picture is the one the Lab draws in Japanese
    # (its titles and ticks in IPAex Gothic), not the English one
    expected = {lang: drawn_by_the_lab("{[(<>)]", lang) for lang in ("en", "ja")}
    deadline, away = time.monotonic() + TIMEOUT / 1000, {}
    while not away or away["ja"] > 0.5 or away["en"] < 2:
        assert time.monotonic() < deadline, f"the page's figure is not the Japanese one: {away}"
        page.wait_for_timeout(500)
        src = page.locator("#probs img").first.get_attribute("src") or ""
        shown = picture(base64.b64decode(src.partition(",")[2])) if src.startswith("data:image/webp") else None
        away = {lang: abs(shown - e).mean() if shown is not None and shown.shape == e.shape else np.inf
                for lang, e in expected.items()}
    page.locator("#inside img, #inside canvas, #inside svg").first.wait_for()
    shot(page, tmp_path, "app_complete_ja")
    page.get_by_text("English").click()
    page.get_by_role("tab", name="Complete").wait_for()


# ---- Japanese, on a machine without a Japanese font -------------------------------------------------

TABS = {"complete": "補完", "train": "学習", "compare": "比較", "data": "データ"}

# every text node the reader sees: its text, where it is (the nearest id), whether it is code, and
# the fonts it is drawn in
VISIBLE_TEXT = """() => {
    const out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const el = walker.currentNode.parentElement, text = walker.currentNode.textContent.trim();
        if (!text || !el || el.closest('script, style, template')) continue;
        if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
        const box = el.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1) continue;  // a screen reader's live region (Gradio's own), not seen
        out.push({text, where: `${el.closest('[id]')?.id ?? ''} ${el.tagName.toLowerCase()}.${el.className}`,
                  code: !!el.closest('code'), font: getComputedStyle(el).fontFamily});
    }
    return out;
}"""


def in_japanese(page) -> None:
    """Switch the page to Japanese, wait for the switch to reach the tabs, and fill every table
    (an answer, drawn examples), so that each tab shows all it can."""
    page.get_by_text("日本語").click()
    page.get_by_role("tab", name="補完").wait_for()
    wait_for_text(page, "#prefix", "閉じたい括弧")
    type_prefix(page, "{[(<>)]")
    wait_for_answers(page, "}", 1 + len(Lab().shipped()))
    page.locator("#inside img, #inside canvas, #inside svg").first.wait_for()
    settled(page)


def visible_texts(page, tab: str) -> list[dict]:
    page.get_by_role("tab", name=TABS[tab]).click()
    if tab == "data" and not page.locator("#data-table").inner_text().count("("):
        page.locator("#data-draw").click()
        page.wait_for_function("(document.querySelector('#data-table')?.innerText ?? '').includes('(')")
    settled(page)
    return page.evaluate(VISIBLE_TEXT)


def drawn_alike(page, a: str, b: str, font: str) -> bool:
    """Whether ``a`` and ``b`` come out as the same pixels in ``font`` (a CSS font): missing
    glyphs are the same empty box whatever the character."""
    return page.evaluate("""([a, b, font]) => {
        const pixels = text => {
            const canvas = document.createElement('canvas');
            canvas.width = 400; canvas.height = 60;
            const ctx = canvas.getContext('2d');
            ctx.font = font; ctx.fillText(text, 4, 44);
            return Array.from(ctx.getImageData(0, 0, 400, 60).data).join();
        };
        return pixels(a) === pixels(b);
    }""", [a, b, font])


def test_japanese_is_drawn_in_the_font_the_app_serves(browser, server, tmp_path):
    """On a browser that has no Japanese font, the Japanese page is drawn in IPAex Gothic, which
    the app serves itself: the face is loaded, every Japanese text on every tab is set in a
    family that names it, two different labels come out as different pictures (in the system's
    fonts alone, both are rows of the same empty box), and nothing is fetched from elsewhere."""
    from bracketcloser.app.page import FONT_FAMILY  # Gradio: imported when the test runs, not when it is collected

    url = server[0]
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    page.set_default_timeout(TIMEOUT)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        page.goto(url)
        page.locator("#prefix textarea").wait_for()
        in_japanese(page)
        faces = page.evaluate("""async () => { await document.fonts.ready;
            return [...document.fonts].map(face => [face.family.replaceAll('"', ''), face.status]); }""")
        assert [FONT_FAMILY, "loaded"] in faces, faces
        label = page.locator("#prefix").get_by_text("閉じたい括弧")
        font = label.evaluate("el => getComputedStyle(el).font")
        assert FONT_FAMILY in font
        assert drawn_alike(page, "閉じたい括弧", "答えるモデル", "32px sans-serif"), "this browser has a Japanese font"
        assert not drawn_alike(page, "閉じたい括弧", "答えるモデル", font), "the served font does not draw Japanese"
        for tab in TABS:
            japanese = [t for t in visible_texts(page, tab) if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t["text"])]
            assert japanese, tab
            assert [t for t in japanese if FONT_FAMILY not in t["font"]] == [], tab
            shot(page, tmp_path, f"app_{tab}_ja")
        assert [u for u in requests if not u.startswith((url, "data:", "blob:"))] == []
    finally:
        page.close()


# what the Japanese page may spell in Latin letters: names (the project, the models, the
# samplers and suites as the CLI and the docs in both languages name them, a run's folder and
# its path), the language switch's way back, and the original's Input:/Output: format
NAMES = {"bracketcloser", "English", *ARCHS, *DISTS, *SUITES, "input", "output", "Input", "Output"}
PATHS = re.compile(r"\S*/\S*|\b(?:" + "|".join(ARCHS) + r")_\d{8}_\d{6}\w*")


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", PATHS.sub("", text))) - NAMES  # len1000 is one name


def test_no_english_interface_word_is_left_in_japanese(page):
    """Every visible text of every tab in Japanese: no English word but names and code."""
    in_japanese(page)
    left = {}
    for tab in TABS:
        for t in visible_texts(page, tab):
            if english_words(t["text"]) and not t["code"]:
                left.setdefault(tab, []).append((t["where"], t["text"]))
    assert left == {}
    page.get_by_text("English").click()
    page.get_by_role("tab", name="Complete").wait_for()
