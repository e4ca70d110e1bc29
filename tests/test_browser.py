"""End to end in a real browser (Debian's headless Chromium, driven by Playwright): an editor logs in,
adds a claim to a transfer inline, saves, and finds the change in the transfer's history; a reader
goes through the public explorer over the article's data.

Screenshots go to $BROWSER_SCREENSHOTS (the system's temporary directory unless set);
`BROWSER_SCREENSHOTS=docs/screenshots make test ARGS=tests/test_browser.py` refreshes the README's.

Without Chromium the test is skipped with how to install it, unless REQUIRE_BROWSER=1 (CI sets it),
where a missing browser is a failure.
"""

import os
import shutil
import tempfile
from pathlib import Path

import networkx as nx
import pytest
from django.db import connections
from django.urls import reverse

from transfers import models

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", tempfile.gettempdir()))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def missing_browser() -> str | None:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` (or set CHROMIUM=path)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: `make venv-dev` installs it (no browser download needed)"
    return None


@pytest.fixture
def browser_page(monkeypatch):
    reason = missing_browser()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM (used by the test's
    # own queries) refuses to run beside one unless told it is safe, as it is here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()
            # The test's own queries ran beside Playwright's greenlets, on a connection of their own
            # (Django keeps one per context); closed here, or the test database could not be dropped.
            connections.close_all()


def test_an_editor_adds_a_claim_inline_and_sees_it_in_the_history(live_server, browser_page, editor, admin_world):
    page = browser_page
    transfer = admin_world["transfer"]
    change_path = reverse("admin:transfers_transfer_change", args=[transfer.pk])

    page.goto(f"{live_server.url}{reverse('admin:login')}?next={change_path}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{change_path}")
    assert page.locator("#claims-group").is_visible()

    page.click("#claims-group .add-row a")
    row = page.locator("#claims-2")
    row.locator("input[name='claims-2-slug']").fill("prk-shells-browser")
    row.locator("textarea[name='claims-2-quote']").fill("the shipment of rockets left the port")
    # The source is an autocomplete (select2): open it, type, pick the match.
    row.locator(".field-source .select2-selection").click()
    page.locator(".select2-search__field").fill("North Korea")
    page.locator(".select2-results__option", has_text="North Korea ships shells").click()
    page.fill("#id_change_reason", "Added the claim in a browser")
    page.screenshot(path=str(SCREENSHOTS / "admin-transfer-change.png"), full_page=True)
    page.click("input[name=_continue]")

    page.wait_for_selector("ul.messagelist li.success")
    claim = models.Claim.objects.get(slug="prk-shells-browser")
    assert claim.transfer_id == transfer.pk
    assert page.locator("#claims-2 .field-quote_status .readonly").inner_text().strip() == "✓ found"

    page.goto(f"{live_server.url}{reverse('admin:transfers_transfer_history', args=[transfer.pk])}")
    history = page.locator("#change-history")
    assert "Added the claim in a browser" in history.inner_text()
    assert "editor" in history.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "admin-transfer-history.png"), full_page=True)


LAPTOP = {"width": 1366, "height": 768}


def page_width(page) -> int:
    """How wide the page is, counting what a scrolling box inside it hides (the admin's result
    list scrolls inside its own box rather than widening the page)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, ...[...document.querySelectorAll('.results')]"
        ".map(e => e.scrollWidth - e.clientWidth + document.documentElement.clientWidth))"
    )


def test_the_admin_fits_a_1366_px_laptop_screen(live_server, browser_page, editor, admin_world):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}{reverse('admin:login')}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-pass-123")
    page.click("input[type=submit]")
    page.wait_for_selector("#content")

    page.goto(f"{live_server.url}{reverse('admin:transfers_transfer_changelist')}")
    headers = [h.strip().lower() for h in page.locator("#result_list thead th").all_inner_texts()]
    for column in ("supplier", "recipient", "materiel", "status", "route", "contested", "sanctioned", "reviewed",
                   "first reported"):
        assert column in headers, headers
    assert page_width(page) <= LAPTOP["width"], "the transfer list scrolls sideways"
    page.screenshot(path=str(SCREENSHOTS / "admin-transfer-list-1366.png"))
    # The year filter offers the years the data has.
    assert page.locator("#changelist-filter a", has_text="2022").count() == 1

    page.goto(f"{live_server.url}{reverse('admin:transfers_claim_changelist')}")
    headers = [h.strip().lower() for h in page.locator("#result_list thead th").all_inner_texts()]
    for column in ("stance", "claimant", "credibility"):
        assert column in headers, headers
    assert page_width(page) <= LAPTOP["width"], "the claims list scrolls sideways"

    transfer = admin_world["transfer"]
    page.goto(f"{live_server.url}{reverse('admin:transfers_transfer_change', args=[transfer.pk])}")
    page.wait_for_selector("#claims-group")
    page.screenshot(path=str(SCREENSHOTS / "admin-transfer-change-1366.png"), full_page=True)
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 1366)"
        ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    assert page_width(page) <= LAPTOP["width"], f"a transfer's page scrolls sideways: {wide}"


# --- The public explorer, as a reader sees it --------------------------------------------------------

SHELLS = "prk-rus-artillery-shells-2022"
SOURCE = "wapo-2022-11-02-dprk-shells"
EXPLORER_PAGES = {
    "overview": "/",
    "transfers": "/transfers/",
    "transfer": f"/transfers/{SHELLS}/",
    "source": f"/sources/{SOURCE}/",
    "state": "/states/PRK/",
    "actor": "/actors/north-korean-government/",
    "network": "/network/",
    "map": "/map/",
}
# A laptop's 1366 x 768 and a phone's 390 x 844 (the screenshots show the first screen of each page).
WINDOWS = {"wide": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def console_errors(browser_page):
    errors = []
    browser_page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    browser_page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_every_explorer_page_loads_without_a_console_error_at_both_widths(live_server, browser_page, console_errors,
                                                                          article):
    page = browser_page
    for width_name, (width, height) in WINDOWS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, path in EXPLORER_PAGES.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert page.locator("h1").first.is_visible(), path
            # Nothing wider than the window: no sideways scrolling of the whole page on a phone.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width_name)
            page.screenshot(path=str(SCREENSHOTS / f"explorer-{name}-{width_name}.png"))
    assert console_errors == []


def test_the_overview_shows_the_articles_four_pairs(live_server, browser_page, article):
    page = browser_page
    page.goto(live_server.url + "/")
    pairs = {row.get_attribute("data-pair") for row in page.locator("tr.pair").all()}
    assert pairs == {"PRK-RUS", "IRN-RUS", "PRK-SYR", "RUS-SYR"}
    edges = {(e.get_attribute("data-source"), e.get_attribute("data-target"))
             for e in page.locator("svg line.edge.supply").all()}
    assert edges == {("PRK", "RUS"), ("IRN", "RUS"), ("PRK", "SYR"), ("RUS", "SYR")}


def test_the_search_box_is_reachable_by_keyboard_and_searches(live_server, browser_page, article):
    page = browser_page
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.locator("#q").focus()
    page.keyboard.type("drones")
    page.keyboard.press("Enter")
    page.wait_for_url("**/transfers/?q=drones")
    # The API's selection for the same words (stemmed: "drones" finds "drone" too), row for row.
    found = page.request.get(live_server.url + "/api/v1/transfers/?q=drones").json()["results"]
    assert len(found) >= 2
    assert page.locator("table.transfers tbody tr").count() == len(found)


def test_the_shells_page_shows_the_denial_beside_the_assertion(live_server, browser_page, article):
    page = browser_page
    page.goto(f"{live_server.url}/transfers/{SHELLS}/")
    assertion = page.locator(".claims.asserts #claim-prk-rus-shells-white-house")
    denial = page.locator(".claims.denies #claim-prk-rus-shells-pyongyang-denial")
    assert assertion.is_visible() and denial.is_visible()
    assert "North Korean government" in denial.inner_text()
    a, d = assertion.bounding_box(), denial.bounding_box()
    assert d["x"] > a["x"] + a["width"] - 1 and abs(d["y"] - a["y"]) < 80  # side by side, level


def test_the_source_page_highlights_every_quote(live_server, browser_page, article):
    page = browser_page
    page.goto(f"{live_server.url}/sources/{SOURCE}/")
    claims = models.Claim.objects.filter(source__slug=SOURCE).values_list("slug", flat=True)
    highlighted = set(" ".join(m.get_attribute("data-claims") for m in page.locator("mark").all()).split())
    assert highlighted == set(claims) and len(highlighted) == 19
    # Each quote's number leads to its claim, whose link leads back to the highlighted passage.
    page.locator('a.claim-ref[href="#claim-prk-rus-shells-pyongyang-denial"]').click()
    assert page.evaluate("location.hash") == "#claim-prk-rus-shells-pyongyang-denial"


def test_the_network_holds_the_articles_states_and_its_gexf_parses(live_server, browser_page, article, tmp_path):
    page = browser_page
    page.goto(f"{live_server.url}/network/")
    nodes = {node.get_attribute("data-code") for node in page.locator("svg a.node").all()}
    assert nodes == {"PRK", "RUS", "IRN", "SYR"}
    with page.expect_download() as download:
        page.click("text=GEXF")
    path = tmp_path / "network.gexf"
    download.value.save_as(path)
    graph = nx.read_gexf(path)
    assert set(graph.nodes) == {"PRK", "RUS", "IRN", "SYR"}
    assert graph.edges["IRN", "RUS"]["weight"] == 4
