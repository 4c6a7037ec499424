"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright): load the
overview, open an entity, follow a number to its quote, review a claim with a token (and fail
without one), run a small stress scenario and see its chart. Every page is checked for console
errors, and every request must stay on the loopback server. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from stargate.ledger.store import Store
from stargate.web.app import Settings, create_app

CHROMIUM = os.environ.get("STARGATE_CHROMIUM", "/usr/bin/chromium")
RESULTS = 300  # scenarios per cached built-in result in these tests
JS_BUDGET = 1_500_000  # bytes of JavaScript transferred on the overview
ARTIFACTS = Path(os.environ.get("STARGATE_TEST_ARTIFACTS", "test-artifacts"))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("STARGATE_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing; `make test` installs Debian's chromium")
    pytest.skip(f"no Chromium at {CHROMIUM} (make test installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The real app under uvicorn on a loopback port, in a thread."""

    def __init__(self, db: str) -> None:
        self.port = _free_port()
        settings = Settings(db=db, max_stress_scenarios=5_000, results_scenarios=RESULTS,
                            time_travel_scenarios=60)  # fmt: skip
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port,
                                log_level="warning")  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def site(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    db = tmp_path_factory.mktemp("browser") / "store.sqlite"
    shutil.copy(demo_file, db)
    with Store.open(str(db)) as store:
        token = store.tokens.create("browser-reviewer")
    with Server(str(db)) as server:
        _wait_for_results(server.url)
        yield {"url": server.url, "token": token, "db": str(db)}


def _wait_for_results(url: str, timeout: float = 300.0) -> None:
    """The overview's results and the time travel, computed in the background."""
    import json
    from urllib.request import urlopen

    deadline = time.monotonic() + timeout
    while True:
        with urlopen(f"{url}/api/scenarios") as response:
            statuses = {item["status"] for item in json.load(response)}
        with urlopen(f"{url}/api/timetravel") as response:
            statuses.add(json.load(response)["status"])
        if statuses == {"ready"}:
            return
        assert "failed" not in statuses
        assert time.monotonic() < deadline, statuses
        time.sleep(0.5)


@pytest.fixture(scope="module")
def browser(site: dict[str, Any]) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


class Watch:
    """Console errors, page errors and any request that leaves the machine."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _request(self, request: Any) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            return
        self.outside.append(request.url)

    def check(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside


@pytest.fixture
def page(browser: Any, site: dict[str, Any]) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(base_url=site["url"], viewport={"width": 1400, "height": 1000})

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    opened = context.new_page()
    watch = Watch(opened)
    yield opened, watch
    watch.check()
    context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page: Any, token: str) -> None:
    page.goto("/login")
    page.fill("#token", token)
    page.click("#login")
    page.wait_for_url("**/")
    assert "browser-reviewer" in page.locator("#user").inner_text()


# Figures a visitor reads as numbers: money ($1.2B), power (1.2 GW) and probabilities (42.2%;
# a confidence level such as "90% band" is a label, not a figure).
FIGURES = r"\$\d[\d,]*(?:\.\d+)?[TBM]?|\d+(?:\.\d+)? GW|\d+\.\d%"
# Not figures of the page: quotes of the sources, the curators' prose, charts, code, forms.
PROSE = "script, pre, code, blockquote, mark, .quote, [data-prose], .chart, select, textarea"
COUNT_FIGURES = """([pattern, prose]) => {
  const re = new RegExp(pattern, "g");
  const out = {money: 0, money_linked: 0, other: 0, other_linked: 0, unlinked: []};
  const walker = document.createTreeWalker(document.querySelector("main"), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(prose)) continue;
    for (const match of node.textContent.matchAll(re)) {
      const linked = parent.closest("a[href]") !== null;
      const kind = match[0].startsWith("$") ? "money" : "other";
      out[kind] += 1;
      if (linked) out[kind + "_linked"] += 1;
      else out.unlinked.push(match[0] + " in <" + parent.tagName.toLowerCase() + " "
                             + (parent.id || parent.className) + ">");
    }
  }
  return out;
}"""
JS_SENT = """() => performance.getEntriesByType("resource")
  .filter((e) => e.initiatorType === "script" || e.name.endsWith(".js") || e.name.includes(".js?"))
  .reduce((sum, e) => sum + e.transferSize, 0)"""
ALL_SENT = """() => performance.getEntriesByType("navigation")
  .concat(performance.getEntriesByType("resource"))
  .reduce((sum, e) => sum + e.transferSize, 0)"""
TIMING = """() => { const n = performance.getEntriesByType("navigation")[0];
  return {server_ms: n.responseStart - n.requestStart, load_ms: n.loadEventEnd - n.startTime}; }"""


def measure(tab: Any, path: str, ready: str) -> dict[str, Any]:
    """Open ``path`` in a fresh state (no cache), wait for ``ready``, and count: figures and
    the links among them, JavaScript and everything transferred (the page, its scripts, styles
    and data), server and browser times."""
    tab.context.clear_cookies()
    started = time.monotonic()
    tab.goto(path)
    tab.wait_for_selector(ready)
    tab.wait_for_load_state("networkidle")
    drawn_ms = (time.monotonic() - started) * 1000
    figures = tab.evaluate(COUNT_FIGURES, [FIGURES, PROSE])
    return {"path": path, **figures, "js_bytes": tab.evaluate(JS_SENT),
            "all_bytes": tab.evaluate(ALL_SENT), **tab.evaluate(TIMING),
            "height_px": tab.evaluate("() => document.documentElement.scrollHeight"),
            "drawn_ms": round(drawn_ms)}  # fmt: skip


def record(rows: list[dict[str, Any]], name: str) -> None:
    import json

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(rows, indent=1), encoding="utf-8")


def test_overview_without_a_token_says_who_loses_and_draws_its_charts(
    page: tuple[Any, Watch],
) -> None:
    tab, _ = page
    tab.goto("/")
    assert tab.locator("#login-link").is_visible()  # nobody is logged in
    tab.wait_for_selector("#who-loses[data-status='ready']")
    tab.wait_for_selector("#fan-a .scatterlayer .trace")
    tab.wait_for_selector("#fan-b .scatterlayer .trace")
    head = tab.locator("#risk thead").inner_text()
    assert "baseline" in head
    assert "bubble-bursts" in head
    rows = tab.locator("#risk tbody tr")
    assert rows.count() >= 5
    assert tab.locator("#risk tbody tr[data-entity='softbank'] a.fig").count() >= 4
    tab.wait_for_selector("#graph canvas")
    tab.wait_for_selector("#sankey svg.sankey .node")
    tab.wait_for_selector("#timeline .scatterlayer")
    assert "$500.0B" in tab.locator("#headline").inner_text()
    labels = tab.locator("#sankey .node-label").all_text_contents()
    assert any("OpenAI" in label and "$" in label for label in labels)  # names and values
    tab.select_option("#flow-year", "2027")
    tab.wait_for_selector("#sankey .gtitle:has-text('2027')")
    warning = tab.evaluate("""() => Array.from(document.querySelectorAll('#timeline .legendtext'))
        .map((t) => t.textContent)""")  # fmt: skip
    assert "scale-back" in warning
    # amounts on every edge of the graph; one colour per entity on the graph and the Sankey
    edges = tab.evaluate("() => window.stargateGraph.edges().map((e) => e.style('label'))")
    assert edges
    assert all(label.startswith("$") for label in edges), edges[:5]
    graph_colour = tab.evaluate(
        "() => window.stargateGraph.getElementById('openai').style('background-color')"
    )
    sankey_colour = tab.evaluate("""() => getComputedStyle(
        document.querySelector("#sankey g.node[data-entity='openai'] rect")).fill""")
    assert graph_colour.replace(" ", "") == sankey_colour.replace(" ", "")
    shot(tab, "overview")
    # sort the risk table by the bubble-bursts probability, filter it, and say when none match
    tab.click("#risk th:nth-child(4)")
    tab.click("#risk th:nth-child(4)")
    first = float(tab.locator("#risk tbody tr >> nth=0").locator("td >> nth=3").get_attribute(
        "data-value"))  # fmt: skip
    assert first == max(float(v) for v in tab.locator("#risk tbody tr td:nth-child(4)")
                        .evaluate_all("cells => cells.map((c) => c.dataset.value)"))  # fmt: skip
    tab.fill(".table-filter[data-table='risk']", "oracle")
    assert tab.locator("#risk tbody tr:visible").count() == 1
    tab.fill(".table-filter[data-table='risk']", "no such entity")
    assert tab.locator(".table-tools[data-table='risk'] .table-empty").is_visible()
    with tab.expect_download() as download:
        tab.fill(".table-filter[data-table='risk']", "")
        tab.click(".table-csv[data-table='risk']")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("entity,")
    assert len(text.splitlines()) == rows.count() + 1


def test_open_an_entity_and_follow_a_number_to_its_quote(page: tuple[Any, Watch]) -> None:
    tab, _ = page
    tab.goto("/entities")
    tab.fill("input[name=q]", "SoftBank")
    tab.press("input[name=q]", "Enter")
    tab.click("#entities a:text-is('SoftBank')")
    tab.wait_for_selector("#entity-name:has-text('SoftBank')")
    assert tab.locator("#scenario-risk tbody tr").count() >= 2
    assert tab.locator("#waterfall tbody tr").count() > 3  # why: its cash, item by item
    shot(tab, "entity-softbank")
    tab.click("#claims summary")
    figure = tab.locator("article.claim a.figure").first
    claim_id = figure.get_attribute("href").rsplit("/", 1)[-1]
    figure.click()
    tab.wait_for_url(f"**/claims/{claim_id}")
    quote = tab.request.get(f"/api/claims/{claim_id}").json()["claim"]["quote"]
    assert tab.locator("blockquote mark").first.inner_text() == quote
    tab.click(f"#claim-{claim_id} .meta a >> nth=0")
    tab.wait_for_url(f"**/sources/*#claim-{claim_id}")
    highlighted = tab.locator(f"#document a[data-claims~='{claim_id}']")
    assert highlighted.count() >= 1
    assert tab.locator(f"aside #claim-{claim_id}").is_visible()
    shot(tab, "source-with-claims")
    # an agreement's amount leads to the quotes behind it
    tab.goto("/agreements/openai-oracle")
    tab.click("#agreement-amount a.fig")
    tab.wait_for_url("**/claims/**")
    assert "300" in tab.locator("main").inner_text()


PAGES_WITH_FIGURES = [
    ("/", "#who-loses[data-status='ready']", "overview"),
    ("/agreements", "#agreements tbody tr", "agreements"),
    ("/sites", "#site-map svg .site-dot", "sites"),
    ("/entities/openai", "#waterfall", "entity-openai"),
    ("/entities/oracle", "#waterfall", "entity-oracle"),
    ("/agreements/openai-oracle", "#payments", "agreement-openai-oracle"),
    ("/agreements/stargate-jv", "#payments", "agreement-stargate-jv"),
    ("/compare?a=baseline&b=bubble-bursts", "#comparison tbody tr", "compare"),
    ("/timetravel", "#travel-chart .scatterlayer", "timetravel"),
    ("/sites/abilene-site", "#site-power .scatterlayer", "site-abilene"),
]


def test_every_figure_is_a_link_and_pages_are_light(page: tuple[Any, Watch]) -> None:
    """On each page every money figure is a link (to its claims and quotes, or to the page
    that explains a model figure); the counts, the JavaScript each page transfers and its load
    times are kept in test-artifacts/pages.json (the figures of docs/web.md)."""
    tab, _ = page
    rows = []
    for path, ready, name in PAGES_WITH_FIGURES:
        row = measure(tab, path, ready)
        shot(tab, f"page-{name}")
        rows.append(row)
        assert row["money"] + row["other"] > 0, path
        assert row["money_linked"] == row["money"], (path, row["unlinked"][:10])
        assert row["other_linked"] == row["other"], (path, row["unlinked"][:10])
    record(rows, "pages.json")
    overview = rows[0]
    assert 0 < overview["js_bytes"] <= JS_BUDGET, overview["js_bytes"]
    for row in rows:  # the page, its scripts, styles and data together, as transferred
        assert row["js_bytes"] < row["all_bytes"] <= JS_BUDGET, row
    entity = next(r for r in rows if r["path"] == "/entities/openai")
    assert entity["js_bytes"] < 50_000  # no chart library where no chart is drawn
    tab.goto("/entities/openai")  # its own figures and agreements first, not 5,450 px down
    top = tab.evaluate("() => document.querySelector('#agreement-table').getBoundingClientRect()"
                       ".top + window.scrollY")  # fmt: skip
    assert top < 2_500, top
    entity["agreements_top_px"] = round(top)
    record(rows, "pages.json")


def test_compare_two_scenarios_and_travel_in_time(page: tuple[Any, Watch]) -> None:
    tab, _ = page
    tab.goto("/compare")
    tab.select_option("#compare-form select[name=a]", "demand-shortfall")
    tab.select_option("#compare-form select[name=b]", "power-crunch")
    tab.click("#compare-form button")
    tab.wait_for_url("**/compare?a=demand-shortfall*b=power-crunch*")
    tab.wait_for_selector("#compare[data-status='ready']")
    tab.wait_for_selector("#fan-b .scatterlayer .trace")
    assert tab.locator("#name-a").inner_text() == "demand-shortfall"
    shot(tab, "compare-demand-shortfall-power-crunch")
    tab.goto("/timetravel")
    tab.wait_for_selector("#travel-chart .scatterlayer .trace")
    assert tab.locator("#steps tbody tr").count() >= 12
    document = tab.locator("#steps tbody td:nth-child(5) a").first
    href = document.get_attribute("href")
    document.click()
    tab.wait_for_url(f"**{href}")
    tab.wait_for_selector("#document")


def test_a_bad_field_is_shown_beside_its_input_with_the_edits_kept(
    page: tuple[Any, Watch], site: dict[str, Any]
) -> None:
    tab, watch = page
    login(tab, site["token"])
    tab.goto("/stress?scenario=bubble-bursts")
    tab.fill("#stress-form input[name=scenarios]", "321")
    tab.fill("#stress-form input[name='clearing.alpha']", "2")
    tab.click("#run")
    tab.wait_for_selector("#form-errors")
    watch.errors.clear()  # the browser logs the 422 itself; the page is the answer
    assert "clearing.alpha" in tab.locator("#form-errors").inner_text()
    assert tab.locator("#field-clearing-alpha .field-error").is_visible()
    assert tab.input_value("#stress-form input[name='clearing.alpha']") == "2"
    assert tab.input_value("#stress-form input[name=scenarios]") == "321"  # the edits kept
    shot(tab, "stress-form-error")


def test_review_a_claim_with_a_token_and_fail_without(
    page: tuple[Any, Watch], site: dict[str, Any]
) -> None:
    tab, watch = page
    claim = tab.request.get("/api/claims?size=1&entity=openai").json()["items"][0]
    tab.goto(f"/claims/{claim['id']}")
    assert tab.locator("details.review").count() == 0  # no forms without a token
    status = tab.evaluate(
        """id => fetch(`/api/claims/${id}/review`, {method: "POST",
             headers: {"Content-Type": "application/json"},
             body: JSON.stringify({action: "reject"})}).then(r => r.status)""",
        claim["id"],
    )
    assert status == 401
    watch.errors.clear()  # the browser logs the refused fetch; that refusal is the point
    login(tab, site["token"])
    tab.goto(f"/claims/{claim['id']}")
    tab.click("details.review summary")
    tab.select_option(".review-form select[name=action]", "reject")
    tab.fill(".review-form input[name=reason]", "checked in the browser test")
    tab.click(".review-form button")
    tab.wait_for_selector(f"#claim-{claim['id']} .tag.rank-deprecated")
    assert tab.request.get(f"/api/claims/{claim['id']}").json()["claim"]["rank"] == "deprecated"
    shot(tab, "claim-reviewed")


def test_run_a_small_stress_scenario_and_see_its_chart(
    page: tuple[Any, Watch], site: dict[str, Any]
) -> None:
    tab, _ = page
    login(tab, site["token"])
    tab.goto("/stress?scenario=bubble-bursts")
    assert tab.locator("#chosen").inner_text() == "bubble-bursts"
    tab.fill("#stress-form input[name=scenarios]", "300")
    tab.click("#run")
    tab.wait_for_url("**/stress/runs/*")
    tab.wait_for_selector("#fan .scatterlayer", timeout=60_000)
    assert tab.locator("#status").inner_text() == "done"
    assert tab.locator("#losses-table tbody tr").count() > 0
    shot(tab, "stress-run")


@pytest.mark.parametrize(
    ("path", "selector"),
    [
        ("/agreements", "#agreements tbody tr"),
        ("/agreements/openai-oracle", "#agreement-name"),
        ("/claims", "#claims tbody tr"),
        ("/sites", "#sites tbody tr"),
        ("/sites/abilene-site", "#timeline tbody tr"),
        ("/sources", "#sources tbody tr"),
        ("/calculators?power_gw=1.2&chip=GB200&active_params=3.7e10&tokens=1.48e13",
         "#capacity-result"),
        ("/stress", "#stress-form"),
        ("/entities", "#entities tbody tr"),
        ("/review", "#review"),
        ("/api", "#routes tbody tr"),
        ("/entities/nobody", "#error-message"),
    ],
)  # fmt: skip
def test_every_other_page_renders_cleanly(
    page: tuple[Any, Watch], path: str, selector: str
) -> None:
    tab, watch = page
    response = tab.goto(path)
    tab.wait_for_selector(selector)
    if path == "/entities/nobody":
        assert response.status == 404
        watch.errors.clear()  # the browser logs the 404 itself
    else:
        assert response.status == 200
    name = path.strip("/").split("?")[0].replace("/", "-") or "index"
    shot(tab, f"page-{name}")


def test_a_javascript_address_is_no_link_and_logout_ends_the_session(
    page: tuple[Any, Watch], site: dict[str, Any]
) -> None:
    """A source whose address is ``javascript:`` (once a link only the CSP stopped) is shown as
    text; logging out in the browser ends the session, so its cookie no longer writes."""
    from stargate.evidence.documents import read_document

    tab, watch = page
    hostile = Path(__file__).parents[1] / "fixtures" / "hostile" / "documents"
    source = read_document(hostile / "address-javascript.txt").source
    with Store.open(site["db"]) as store:
        store.add_document(source)
    deadline = time.monotonic() + 10  # another process's write shows within a second or so
    while tab.request.get(f"/api/sources/{source.id}").status != 200:
        assert time.monotonic() < deadline, "the server never saw the new source"
        time.sleep(0.2)
    tab.goto(f"/sources/{source.id}")
    assert tab.locator("a[href^='javascript' i], a[href^='data' i]").count() == 0
    assert "javascript:alert" in tab.locator(".lede .address").inner_text()
    login(tab, site["token"])
    cookie = next(c for c in tab.context.cookies() if c["name"] == "stargate_session")
    assert cookie["value"] != site["token"]
    assert cookie["httpOnly"]
    tab.click("header form[action='/logout'] button")
    tab.wait_for_url("**/")
    assert tab.locator("#login-link").is_visible()
    tab.context.add_cookies([cookie])  # the old session's cookie, replayed
    status = tab.evaluate(
        """() => fetch("/api/entities/merge", {method: "POST", credentials: "same-origin",
             headers: {"Content-Type": "application/json"},
             body: JSON.stringify({left: "openai", right: "oracle"})}).then(r => r.status)"""
    )
    assert status == 401
    watch.errors.clear()  # the refused fetch is logged by the browser; that is the point
