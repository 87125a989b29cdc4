"""Browser fixtures: Playwright driving Debian's Chromium against pytest-django's live server.

We never download a browser (`playwright install`): the tests use `/usr/bin/chromium` from
Debian's `chromium` package and skip, with the reason, when it is absent. Under CI (`CI=true`)
a missing browser is an error instead, so the browser tests cannot silently stop running.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse ORM
# calls made from the test body ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("SHANGYOU_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SKIP_REASON = (
    f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
)


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return SKIP_REASON
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests need Playwright for Python (pip install -e '.[test]')"
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    reason = _browser_missing()
    if reason is None or _in_ci():
        return  # in CI the `browser` fixture fails loudly instead
    e2e_dir = Path(__file__).parent
    for item in items:
        if e2e_dir in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    if reason := _browser_missing():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """`new_page()` opens a page in a fresh browser context (own cookies: one user each)."""
    contexts = []

    def make(locale: str = "zh-CN"):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshots(tmp_path):
    """`shot(page, name)` saves a full-page PNG under this test's tmp dir (never the repo)."""
    directory = tmp_path / "screenshots"
    directory.mkdir()
    counter = iter(range(1, 1000))

    def shot(page, name: str) -> Path:
        path = directory / f"{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    shot.directory = directory
    return shot


@pytest.fixture
def site(settings, live_server):
    """Links in emails point at the live server."""
    settings.SITE_URL = live_server.url
    return live_server
