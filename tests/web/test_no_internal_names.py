"""No internal identifiers where people read (issue 23): every page reachable from the
menu, as each role, shows no raw field name, English business-line code or figure id in
its visible text. The API docs and the report template editor (where figure ids are
what an editor types) are the places that keep them."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.conftest import login
from zhujian.core.lines import LINES
from zhujian.core.registry import registry
from zhujian.figures import catalog

pytestmark = pytest.mark.django_db

ROLES = ["admin", "leader", "chengjian", "town01"]

# Pages whose readers are programmers or template editors, and downloads.
KEEP_IDS = ("/api/", "/report/templates/", "/admin/", "/static/", "/media/")
SKIP_NAMES = {"logout", "ledger_export", "ledger_template", "ledger_file", "job_result"}

LINE_CODES = {line.code for line in LINES}
FIELD_NAMES = {
    f.name
    for ledger in registry
    for f in ledger.model._meta.get_fields()
    if len(f.name) > 3 and not f.auto_created
}
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_\-./@])[A-Za-z_][A-Za-z0-9_.]*(?![A-Za-z0-9_\-@])")


class _Text(HTMLParser):
    """The text a person sees: no scripts, styles, templates or attribute values."""

    HIDDEN = {"script", "style", "template", "noscript", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.menu_links: list[str] = []
        self._hidden = 0
        self._nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag in ("nav", "header"):
            self._nav += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href)
            if self._nav:
                self.menu_links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in ("nav", "header") and self._nav:
            self._nav -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def read(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def internal_names(text: str) -> list[str]:
    """Raw field names, English line codes and figure ids standing alone in ``text``."""
    found = []
    for token in IDENTIFIER.findall(text):
        token = token.rstrip(".")
        if (
            token in LINE_CODES
            or token in FIELD_NAMES
            or catalog.exists(token)
            or ("_" in token and token.lower() == token and len(token) > 3)
        ):
            found.append(token)
    return found


def test_the_check_finds_what_the_issue_saw():
    shown = read(
        "<p>按 household_code 识别</p><td>general</td><p>指标编号 gas.supply_volume</p>"
        "<script>var party = 1;</script><a title='party'>党建</a>"
    )
    text = " ".join(shown.parts)
    assert internal_names(text) == ["household_code", "general", "gas.supply_volume"]
    assert internal_names("PM2.5 浓度、JH-CWBY、城关CNG加气站、town01、报表.xlsx") == []


def _page_key(path: str) -> tuple[str, str] | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name, match.kwargs.get("ledger", "")


def _walk(client, start: str = "/", deep: bool = False) -> dict[str, list[str]]:
    """The menu's pages, then one step from each (one page of each kind), and what each
    shows that it should not."""
    home = client.get(start)
    assert home.status_code == 200
    menu = [h for h in read(home.content.decode()).menu_links if h.startswith("/")]
    seen: set[tuple[str, str]] = set()
    queue = [(h, True) for h in dict.fromkeys(menu)]
    problems: dict[str, list[str]] = {}
    visited = 0
    while queue:
        href, from_menu = queue.pop(0)
        path = urlsplit(href).path
        if path.startswith(KEEP_IDS):
            continue
        key = _page_key(path)
        if key is None or key[0].split(":")[-1] in SKIP_NAMES:
            continue
        if not from_menu and not deep:
            key = (key[0], "")
        if key in seen:
            continue
        seen.add(key)
        response = client.get(href)
        visited += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = read(response.content.decode())
        bad = internal_names(" ".join(page.parts))
        if bad:
            problems[href] = sorted(set(bad))
        if from_menu:
            queue += [(h, False) for h in page.links if h.startswith("/")]
    assert visited > (150 if deep else 40), visited  # the menu's pages, and one step beyond
    return problems


@pytest.mark.parametrize("username", ROLES)
def test_no_internal_names_on_any_page_reachable_from_the_menu(client, user, username):
    login(client, user(username))
    problems = _walk(client, deep=username == "admin")
    assert problems == {}, "\n".join(f"{page}: {names}" for page, names in problems.items())
