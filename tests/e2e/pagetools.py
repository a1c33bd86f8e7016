"""Reading the dashboard's state from the browser: the DOM and the Bokeh document."""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request

# The bound on a wait for something that follows from a click (a page update, a message):
# it only ends a hang. Such a wait returns as soon as its condition holds, so a generous
# bound costs nothing when all is well; a tight one fails the test on a busy machine.
WAIT_S = 90
# The bound on a wait for training (epochs to pass): training threads run at a lower CPU
# priority than the page (TRAINING_NICE), so on a loaded machine they are what slows
# first. Measured: with two CPU hogs beside the browser tests on 2 cores, the default
# model's second epoch took over 120 s.
TRAIN_WAIT_S = 300

# All (x, y) of the latent scatter: the Bokeh sources whose columns are the latent axes.
LATENT_JS = """() => {
  const xs = [], ys = [];
  for (const m of Bokeh.documents[0].all_models) {
    const d = m.data;
    if (d && typeof d === 'object' && 'latent_x' in d && 'latent_y' in d) {
      xs.push(...Array.from(d.latent_x)); ys.push(...Array.from(d.latent_y));
    }
  }
  return [xs, ys];
}"""
# Rows drawn in the data preview (series stretch and pattern).
PREVIEW_JS = """() => {
  let series = 0, pattern = 0;
  for (const m of Bokeh.documents[0].all_models) {
    const d = m.data;
    if (d && typeof d === 'object') {
      if ('series_value' in d) series += d.series_value.length;
      if ('pattern_value' in d) pattern += d.pattern_value.length;
    }
  }
  return [series, pattern];
}"""


def status(page) -> dict:
    el = page.locator(".tsvae-status")
    keys = ("tab", "status", "epoch", "n-epochs", "batch", "n-batches")
    values = {k: el.get_attribute(f"data-{k}") for k in keys}
    for k in ("epoch", "n-epochs", "batch", "n-batches"):
        values[k] = int(values[k])
    return values


def latent(page) -> tuple[list, list]:
    return page.evaluate(LATENT_JS)


def preview_rows(page) -> tuple[int, int]:
    return tuple(page.evaluate(PREVIEW_JS))


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def epochs_pass(page, n: int, timeout: float = TRAIN_WAIT_S) -> None:
    """Until the tab ``page`` has trained ``n`` more epochs: a clock made of training.
    Tests that check that something does *not* happen (a paused run stays still) watch
    for as long as another run takes to train ``n`` epochs on the same server, however
    busy the machine, instead of a fixed sleep."""
    start = status(page)["epoch"]
    wait_until(lambda: status(page)["epoch"] >= start + n, timeout,
               f"{n} more epochs in tab {status(page)['tab']}")


def server_run(server_url: str, tab: str) -> dict | None:
    """The server's own record of the tab's newest run (GET /debug/sessions)."""
    with urllib.request.urlopen(f"{server_url}debug/sessions", timeout=30) as r:
        runs = [run for run in json.load(r)["runs"] if run["tab"] == tab]
    return runs[-1] if runs else None


def click(page, action: str) -> None:
    page.locator(f".tsvae-{action} button").click()


def set_input(page, label: str, value) -> None:
    box = page.locator(".bk-input-group", has_text=label).locator("input").first
    box.fill(str(value))
    box.press("Enter")


def set_checkbox(page, label: str, checked: bool) -> None:
    page.locator(".bk-Checkbox", has_text=label).locator("input").set_checked(checked)


# The browser's copy of the Bokeh models that carry a CSS class.
MODELS_JS = """css => Array.from(Bokeh.documents[0].all_models)
  .filter(m => Array.isArray(m.css_classes) && m.css_classes.includes(css))
  .map(m => ({id: m.id, type: m.type, disabled: m.disabled ?? null}))"""


def model_states(page, css: str) -> dict:
    """A widget's state in the browser's Bokeh document and in the server's (GET
    /debug/models): tells a missed update (they differ) from a server that never made it."""
    href = page.evaluate("() => window.location.href")
    base = href.split("?")[0]
    tab = status(page)["tab"]
    url = f"{base}debug/models?tab={urllib.parse.quote(tab)}&css={urllib.parse.quote(css)}"
    with urllib.request.urlopen(url, timeout=30) as r:
        server = json.load(r)
    return {"browser": page.evaluate(MODELS_JS, css), "server": server,
            "browser errors": getattr(page, "tsvae_errors", [])[-5:]}


# Whether the card with this CSS class is folded, from the browser's Bokeh document.
CARD_FOLDED_JS = """css => Array.from(Bokeh.documents[0].all_models)
  .some(m => Array.isArray(m.css_classes) && m.css_classes.includes(css) && m.collapsed)"""


def open_card(page, title: str) -> None:
    """Open the folded card ``title`` (its body is built on this first open, see
    app.cards.lazy) and wait until the body replaced the placeholder."""
    slug = "-".join("".join(c if c.isalnum() else " " for c in title.lower()).split())
    css = f"tsvae-card-{slug}"
    card = page.locator(f".{css}").first
    if page.evaluate(CARD_FOLDED_JS, css):
        card.locator(".card-header").first.click()
    card.locator(".tsvae-deferred").wait_for(state="detached", timeout=WAIT_S * 1000)


# The ancestors (through shadow roots) that hide part of an element: those that clip
# their overflow and end before it does, and the window itself.
CUT_JS = """el => {
  const r = el.getBoundingClientRect(), cut = [];
  if (r.right > window.innerWidth + 1) cut.push(`the window (${Math.round(r.right)} > ${window.innerWidth})`);
  for (let n = el.parentNode || el.host; n; n = n.parentNode || n.host) {
    if (n.nodeType !== 1) continue;
    const s = getComputedStyle(n);
    if (s.overflowX === 'visible') continue;
    const a = n.getBoundingClientRect();
    if (r.right > a.right + 1 || r.left < a.left - 1)
      cut.push(`${n.tagName.toLowerCase()}.${String(n.className).split(' ')[0]} ` +
               `(${Math.round(r.left)}-${Math.round(r.right)} outside ${Math.round(a.left)}-${Math.round(a.right)})`);
  }
  if (el.scrollWidth > el.clientWidth + 1) cut.push(`itself (${el.scrollWidth} > ${el.clientWidth})`);
  return cut;
}"""


def cut_off(locator) -> list[str]:
    """What hides part of the element ``locator`` (empty: it is shown whole)."""
    return locator.evaluate(CUT_JS)
