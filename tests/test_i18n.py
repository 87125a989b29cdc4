"""Every page works in zh-Hans and English, and nothing is loaded from a CDN.

- the zh_Hans catalogue translates every message the code and templates contain (re-extracted
  into a temporary copy of the source tree, so a forgotten `makemessages` fails here);
- the committed `django.mo` is the compilation of the committed `django.po`;
- pages render in Chinese or English by cookie and by Accept-Language;
- templates, vendored CSS and rendered pages reference no remote asset.
"""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

import shangyou

PACKAGE = Path(shangyou.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
PO_PATH = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.mo"
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"


# --- a small PO reader (enough for catalogues written by GNU gettext tools) ----------------------
class Entry:
    def __init__(self) -> None:
        self.msgctxt: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.flags: set[str] = set()
        self.obsolete = False
        self.references: list[str] = []

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def __str__(self) -> str:
        where = f"  ({', '.join(self.references[:2])})" if self.references else ""
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"{context}{self.msgid!r}{where}"


def read_po(path: Path) -> list[Entry]:
    """Entries of a PO file; gettext tools separate entries by blank lines."""
    entries: list[Entry] = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")):
        entry, field, index = Entry(), None, 0
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
            if not line or line.startswith("#|"):
                continue
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#:"):
                entry.references.extend(line[2:].split())
                continue
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                value = ast.literal_eval(line)
            else:
                keyword, _, rest = line.partition(" ")
                value = ast.literal_eval(rest.strip())
                field, index = ("msgstr", int(keyword[7:-1])) if "[" in keyword else (keyword, 0)
                if field == "msgctxt":
                    entry.msgctxt = ""
                elif field == "msgid_plural":
                    entry.msgid_plural = ""
                elif field == "msgstr":
                    entry.msgstr[index] = ""
            if field == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif field == "msgid":
                entry.msgid += value
            elif field == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            elif field == "msgstr":
                entry.msgstr[index] += value
        if field is not None:
            entries.append(entry)
    return entries


def live_entries(entries: list[Entry]) -> list[Entry]:
    """Entries other than the header and obsolete (#~) ones."""
    return [e for e in entries if e.msgid and not e.obsolete]


# --- (a) every message translated --------------------------------------------------------------
def test_po_catalogue_is_committed():
    assert PO_PATH.exists(), f"missing {PO_PATH}; run makemessages -l zh_Hans"
    assert MO_PATH.exists(), f"missing {MO_PATH}; run compilemessages"


def test_committed_catalogue_has_no_untranslated_or_fuzzy_entries():
    problems = [
        f"{'fuzzy' if e.fuzzy else 'untranslated'}: {e}"
        for e in live_entries(read_po(PO_PATH))
        if e.fuzzy or not e.translated
    ]
    assert not problems, "zh_Hans catalogue incomplete:\n" + "\n".join(problems)


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msguniq")),
    reason="GNU gettext (xgettext, msgmerge, msguniq) is not installed: apt-get install gettext",
)
def test_every_message_in_the_source_is_translated(tmp_path, settings, monkeypatch):
    """Run makemessages on a copy of the package, so new strings nobody extracted are caught."""
    copy = tmp_path / "shangyou"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "static", "*.pyc", "*.mo"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command(
        "makemessages",
        locale=["zh_Hans"],
        ignore_patterns=["static/*"],
        no_obsolete=True,
        verbosity=0,
    )
    entries = live_entries(read_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert entries, "makemessages extracted nothing — is the copy complete?"
    problems = [
        f"{'fuzzy' if e.fuzzy else 'untranslated'}: {e}"
        for e in entries
        if e.fuzzy or not e.translated
    ]
    assert not problems, (
        "Messages missing from the zh_Hans catalogue. Run\n"
        "  cd src/shangyou && shangyou makemessages -l zh_Hans --ignore 'static/*'\n"
        "translate them in locale/zh_Hans/LC_MESSAGES/django.po (no fuzzy entries), then\n"
        "  shangyou compilemessages\n\n" + "\n".join(problems)
    )


# --- (b) the .mo matches the .po ---------------------------------------------------------------
def _po_catalogue(entries: list[Entry]) -> dict:
    """What msgfmt puts in the .mo: translated, non-fuzzy entries (plus the header)."""
    catalogue: dict = {}
    for e in entries:
        if e.obsolete or e.fuzzy or not e.translated:
            continue
        if e.msgid_plural is not None:
            for n, text in e.msgstr.items():
                catalogue[(e.key, n)] = text
        else:
            catalogue[e.key] = e.msgstr[0]
    return catalogue


def _mo_catalogue(path: Path) -> dict:
    with path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    return dict(translations._catalog)  # noqa: SLF001 — the parsed .mo, exactly as gettext sees it


def test_compiled_catalogue_is_up_to_date():
    entries = read_po(PO_PATH)
    expected = _po_catalogue(entries)
    actual = _mo_catalogue(MO_PATH)
    # The header ("" → metadata) is compared loosely: msgfmt keeps it as written.
    expected.pop("", None)
    actual.pop("", None)
    missing = sorted(str(k) for k in expected.keys() - actual.keys())
    stale = sorted(str(k) for k in actual.keys() - expected.keys())
    changed = sorted(str(k) for k in expected.keys() & actual.keys() if expected[k] != actual[k])
    assert not (missing or stale or changed), (
        "django.mo is out of date with django.po — run `shangyou compilemessages`.\n"
        f"missing from .mo: {missing[:20]}\nonly in .mo: {stale[:20]}\ndiffer: {changed[:20]}"
    )


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="msgfmt (GNU gettext) is not installed")
def test_po_catalogue_passes_msgfmt_checks(tmp_path):
    """Placeholders (%(name)s, {{ var }} in blocktranslate) must survive translation."""
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "check.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_blocktranslate_placeholders_are_kept():
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]")
    problems = []
    for e in live_entries(read_po(PO_PATH)):
        wanted = sorted(placeholder.findall(e.msgid))
        for text in e.msgstr.values():
            found = sorted(placeholder.findall(text))
            # Plural forms may drop the count in Chinese ("%(n)s 个客户" keeps it; fine either way).
            if e.msgid_plural is None and found != wanted:
                problems.append(f"{e}: {wanted} → {found}")
    assert not problems, "\n".join(problems)


# --- (c) pages render in the chosen language ---------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "unexpected"),
    [("zh-hans", "登录", "Sign in to your account"), ("en", "Sign in to your account", "登录")],
)
def test_login_page_follows_the_language_cookie(language, expected, unexpected):
    client = Client()
    client.cookies["django_language"] = language
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert expected in html
    assert unexpected not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "expected"),
    [("zh-CN,zh;q=0.9", "免费注册"), ("en-US,en;q=0.9", "Free registration")],
)
def test_register_page_follows_accept_language(accept, expected):
    response = Client(headers={"accept-language": accept}).get(reverse("accounts:register"))
    html = response.content.decode()
    assert expected in html
    if expected == "免费注册":
        # Member types as Chinese B2B platforms name them.
        assert "采购商" in html and "供应商" in html


@pytest.mark.django_db
def test_signed_in_pages_are_translated(tenant_factory):
    tenant = tenant_factory()
    client = tenant.client("owner")
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("contacts:customer_list")).content.decode()
    for word in ("客户", "回收站", "审计日志", "成员"):
        assert word in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("contacts:customer_list")).content.decode()
    for word in ("Customers", "Trash", "Audit log", "Members"):
        assert word in html


# --- (d) no CDN ---------------------------------------------------------------------------------
REMOTE = r"(?:https?:)?//"
ASSET_IN_HTML = re.compile(
    rf"<(?:script|img|iframe|source|video|audio|embed|track)\b[^>]*\bsrc\s*=\s*[\"']?\s*{REMOTE}"
    rf"|<link\b[^>]*\bhref\s*=\s*[\"']?\s*{REMOTE}",
    re.IGNORECASE,
)
ASSET_IN_CSS = re.compile(
    rf"url\(\s*[\"']?\s*{REMOTE}|@import\s+(?:url\()?\s*[\"']?\s*{REMOTE}", re.IGNORECASE
)


def _remote_assets(text: str, pattern: re.Pattern) -> list[str]:
    return [text[max(m.start() - 20, 0) : m.end() + 60] for m in pattern.finditer(text)]


def test_templates_reference_no_remote_assets():
    problems = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".txt", ".xml", ".svg"}:
            text = path.read_text(encoding="utf-8")
            for hit in _remote_assets(text, ASSET_IN_HTML) + _remote_assets(text, ASSET_IN_CSS):
                problems.append(f"{path.relative_to(PACKAGE)}: …{hit}…")
    assert not problems, "remote assets in templates (vendor them instead):\n" + "\n".join(problems)


def test_static_css_references_no_remote_urls():
    files = sorted(STATIC.rglob("*.css"))
    assert any("tabler" in str(p) for p in files), "vendored Tabler CSS is missing"
    problems = []
    for path in files:
        for hit in _remote_assets(path.read_text(encoding="utf-8"), ASSET_IN_CSS):
            problems.append(f"{path.relative_to(PACKAGE)}: …{hit}…")
    assert not problems, "remote url()/@import in CSS:\n" + "\n".join(problems)


def test_vendored_assets_are_listed_in_versions_file():
    versions = (STATIC / "vendor" / "VERSIONS.md").read_text(encoding="utf-8")
    for path in sorted((STATIC / "vendor").rglob("*")):
        if path.suffix in {".js", ".css"}:
            assert path.name in versions, f"{path.name} is not listed in static/vendor/VERSIONS.md"


def test_base_template_assets_exist():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    for name in re.findall(r"\{% static '([^']+)' %\}", base):
        assert (STATIC / name).is_file(), f"base.html references missing static file {name}"


@pytest.mark.django_db
def test_rendered_pages_load_only_local_assets(tenant_factory):
    client = tenant_factory().client("owner")
    pages = [reverse("core:home"), reverse("contacts:customer_list"), reverse("core:trash")]
    anonymous = Client()
    rendered = [client.get(url).content.decode() for url in pages]
    rendered.append(anonymous.get(reverse("accounts:login")).content.decode())
    for html in rendered:
        assert not _remote_assets(html, ASSET_IN_HTML)
        for src in re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html):
            assert src.startswith("/static/"), src
        for href in re.findall(r"<link\b[^>]*\bhref=\"([^\"]+)\"", html):
            assert href.startswith("/static/"), href


# --- every shell page renders in both languages ------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_shell_pages_render_in_both_languages(tenant_factory, language):
    """Pages with history, trash items and audit entries render (template errors show up here)."""
    from shangyou.contacts import services as contacts

    tenant = tenant_factory()
    actor = tenant.actor("owner")
    kept = contacts.customer_create(actor=actor, data={"name": "华东精密", "phone": "13800138000"})
    kept = contacts.customer_update(
        actor=actor, customer=kept, data={"name": "华东精密机械"}, version=kept.version
    )
    deleted = contacts.customer_create(actor=actor, data={"name": "Acme Trading"})
    contacts.customer_delete(actor=actor, customer=deleted)

    client = tenant.client("owner")
    client.cookies["django_language"] = language
    urls = [
        reverse("core:home"),
        reverse("contacts:customer_list"),
        reverse("contacts:customer_list") + "?q=zz-no-match",
        reverse("contacts:customer_detail", args=[kept.pk]),
        reverse("contacts:customer_edit", args=[kept.pk]),
        reverse("contacts:customer_create"),
        reverse("core:trash"),
        reverse("core:audit_log"),
        reverse("core:outbox"),
        reverse("accounts:members"),
        reverse("accounts:tokens"),
        reverse("accounts:profile"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url
    detail = client.get(reverse("contacts:customer_detail", args=[kept.pk])).content.decode()
    assert "华东精密机械" in detail
    history = client.get(reverse("contacts:customer_history", args=[kept.pk])).content.decode()
    assert 'id="history"' in history and "华东精密机械" in history
    missing = client.get(reverse("contacts:customer_detail", args=[kept.pk + 10_000]))
    assert missing.status_code == 404
    assert ("页面不存在" if language == "zh-hans" else "Page not found") in missing.content.decode()
    trash = client.get(reverse("core:trash")).content.decode()
    assert "Acme Trading" in trash
    assert ("客户" if language == "zh-hans" else "Customer") in trash
