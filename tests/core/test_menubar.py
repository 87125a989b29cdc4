"""The main menu is rendered once per language, page and permissions, and reused."""

import re

from django.utils import translation

from shangyou.core.templatetags import shangyou as tags


def _menu(page: str) -> str:
    return page[page.index('<header class="navbar-expand-md sy-menubar">') :].split("</header>")[0]


def _active(menu: str) -> list[str]:
    return re.findall(r'class="dropdown-item active"[^>]*href="([^"]+)"', menu)


def test_the_menu_follows_the_page_and_the_permissions(tenant, settings):
    tags._MENUBARS.clear()
    owner, readonly = tenant.client("owner"), tenant.client("readonly")

    customers = _menu(owner.get("/customers/").content.decode())
    kanban = _menu(owner.get("/customers/kanban/").content.decode())
    read_only = _menu(readonly.get("/customers/").content.decode())

    assert _active(customers) == ["/customers/"] and _active(kanban) == ["/customers/kanban/"]
    assert "/accounts/members/" in customers and "/customers/import/" in customers
    assert "/accounts/members/" not in read_only and "/customers/import/" not in read_only
    assert len(tags._MENUBARS) == 3  # one per (page, permissions)

    with translation.override("zh-hans"):
        chinese = _menu(
            owner.get("/customers/", headers={"accept-language": "zh-hans"}).content.decode()
        )
    assert "客户" in chinese and chinese != customers


def test_a_reused_menu_is_what_a_fresh_rendering_gives(tenant, settings):
    tags._MENUBARS.clear()
    client = tenant.client("owner")
    first = _menu(client.get("/customers/").content.decode())
    key = next(iter(tags._MENUBARS))
    tags._MENUBARS[key] = tags._MENUBARS[key].replace("sy-menubar", "sy-menubar reused")
    assert "reused" in client.get("/customers/").content.decode()  # taken from the memo

    settings.DEBUG = True  # templates may change under a development server: never reused
    fresh = _menu(client.get("/customers/").content.decode())
    assert "reused" not in fresh and fresh == first
