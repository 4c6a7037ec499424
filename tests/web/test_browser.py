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
        config = uvicorn.Config(create_app(Settings(db=db, max_stress_scenarios=5_000)),
                                host="127.0.0.1", port=self.port, log_level="warning")  # fmt: skip
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
        yield {"url": server.url, "token": token, "db": str(db)}


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


def test_overview_draws_the_graph_the_flows_and_the_timeline(page: tuple[Any, Watch]) -> None:
    tab, _ = page
    tab.goto("/")
    tab.wait_for_selector("#graph canvas")
    tab.wait_for_selector("#sankey .sankey")
    tab.wait_for_selector("#timeline .scatterlayer")
    assert "$500.0B" in tab.locator("#headline").inner_text()
    tab.select_option("#flow-year", "2027")
    tab.wait_for_selector("#sankey .gtitle:has-text('2027')")
    shot(tab, "overview")


def test_open_an_entity_and_follow_a_number_to_its_quote(page: tuple[Any, Watch]) -> None:
    tab, _ = page
    tab.goto("/entities")
    tab.fill("input[name=q]", "softbank")
    tab.press("input[name=q]", "Enter")
    tab.click("#entities a:text-is('SoftBank')")
    tab.wait_for_selector("#entity-name:has-text('SoftBank')")
    shot(tab, "entity-softbank")
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
    assert tab.locator("#losses tbody tr").count() > 0
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
