"""The published HTML in a real browser: headless Chromium (Debian package `chromium`),
driven by Playwright with the system browser (no browser download).

The page must load from a file URL without console errors, show a fiche card, and print
to A4 PDF. A screenshot is kept as a test artifact in test-artifacts/. In CI (CI=true) a
missing browser is a failure, not a skip: .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ctgkit import load_plan
from ctgkit.rendering import render_documents

from .conftest import PLANS, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; .ci/run must install the `chromium` package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


def test_plan_document_loads_cleanly_and_shows_a_fiche(browser, tmp_path: Path) -> None:
    html = render_documents(load_plan(PLANS / "civraisien-2019"), ("html",))["plan.html"]
    page_file = tmp_path / "plan.html"
    page_file.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.type}: {message.text}")
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.goto(page_file.as_uri())
    assert problems == []
    assert page.title() == "Convention Territoriale Globale du Civraisien en Poitou"
    card = page.locator("#fiche-5")
    card.scroll_into_view_if_needed()
    assert card.is_visible()
    assert "Développer les dispositifs de mobilité" in card.locator("h3").inner_text()
    assert card.get_by_role("table").first.is_visible()
    # In-page navigation works: the table of contents jumps to the fiche.
    page.locator("nav.toc a[href='#fiche-18']").click()
    assert page.evaluate("location.hash") == "#fiche-18"
    ARTIFACTS.mkdir(exist_ok=True)
    card.screenshot(path=str(ARTIFACTS / "fiche-5.png"))
    page.screenshot(path=str(ARTIFACTS / "plan-top.png"))
    assert (ARTIFACTS / "fiche-5.png").stat().st_size > 10_000
    # Print to PDF (what a coordinator does to hand it to elected members).
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 20
    page.close()


def test_working_document_banner_is_seen_on_screen_and_in_print(browser, tmp_path: Path) -> None:
    html = render_documents(load_plan(PLANS / "tarn-agout"), ("html",))["plan.html"]
    page_file = tmp_path / "plan.html"
    page_file.write_text(html, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(page_file.as_uri())
    for media in ("screen", "print"):
        page.emulate_media(media=media)
        banner = page.locator(".draft-banner")
        assert banner.is_visible(), media
        assert banner.inner_text() == "Document de travail — proposition du 24 janvier 2023"
        box = banner.bounding_box()
        assert box is not None and box["y"] < 100, media  # at the top, before the title
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tarn-agout-print.png"))
    page.close()
