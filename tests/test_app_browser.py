"""The playground in a real browser: Debian's Chromium, driven by Playwright.

The app runs as `bracketcloser app` in its own process on a free port. Each test leaves
screenshots in its tmp_path; with BRACKETCLOSER_SHOTS=folder they are also written there
(that is how the pictures in docs/ are made). Every test here is marked ``e2e``, so the
default run skips them: ``pytest -m e2e tests/test_app_browser.py`` runs them.
"""

import base64
import io
import os
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
from bracketcloser.app.figures import japanese_font
from bracketcloser.architectures import DEFAULT_ARCH

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
    """The environment Chromium runs in: fontconfig as the system has it, plus IPAex Gothic from
    matplotlib_fontja (the figures' font), so the Japanese page is drawn without a CJK font package."""
    conf = folder / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{japanese_font().parent}</dir>
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
    assert "厳密解 (スタック)" in rows
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
