"""A publisher's look (web/branding.py, docs/branding.md): WIREDESK_TEMPLATES overrides the
packaged templates and static files, one block at a time if need be; WIREDESK_CSP_EXTRA lets
an analytics host in, never by default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound
from lxml import html as lxml_html
from starlette.testclient import TestClient

from helpers import deliver, ninjs_item
from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.values import BadValue
from wiredesk.web.app import create_app
from wiredesk.web.render import Renderer
from wiredesk.web.security import CSP

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "templates"


@pytest.fixture
def sqlite_store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'wiredesk.db'}")
    yield store
    store.close()


def site(store: Store, clock, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(site_name="Example News",
                                          base_url="https://news.example", **settings),
                                 store=store, clock=clock))


def test_the_example_folder_changes_logo_nav_footer_and_colours(sqlite_store, clock, now):
    deliver(sqlite_store, ninjs_item("urn:a", at=now, headline="Storm hits coast"), now)
    record = sqlite_store.story_by_uri("urn:a")
    with site(sqlite_store, clock, templates=str(EXAMPLE)) as client:
        front = lxml_html.fromstring(client.get("/").text)
        logo = front.xpath("//header//a[contains(@class,'brand')]/img")[0]
        assert re.fullmatch(r"/static/logo\.[0-9a-f]{10}\.svg", logo.get("src"))
        assert logo.get("alt") == "Example News"
        served = client.get(logo.get("src"))
        assert served.status_code == 200 and b"The Daily Example" in served.content
        nav = front.xpath("//header//nav[contains(@class,'publisher-nav')]//a/text()")
        assert nav == ["Latest", "Search", "About us"]
        assert "The Daily Example" in front.xpath("string(//footer)")
        sheets = front.xpath("//link[@rel='stylesheet']/@href")
        assert len(sheets) == 2 and re.fullmatch(r"/static/brand\.[0-9a-f]{10}\.css", sheets[1])
        assert b"--accent: #fca311" in client.get(sheets[1]).content
        assert front.xpath("//script[@src='https://stats.example.com/script.js']")
        # The rest of the page is wiredesk's: stories, search box, the site's own footer line.
        assert "Storm hits coast" in front.text_content()
        assert front.xpath("//form[@role='search']")
        assert "republishes agency stories unedited" in front.xpath("string(//footer)")

        article = lxml_html.fromstring(client.get(f"/story/{record.id}").text)
        assert article.xpath("//header//a[contains(@class,'brand')]/img")
        assert "Now Reading:" in article.text_content()
        # An article's footer words (the notice) come through the override's footer.
        assert "does not edit the articles it publishes" in article.xpath("string(//footer[contains(@class,'publisher-foot')])")


def test_without_a_folder_nothing_changes(sqlite_store, clock):
    with site(sqlite_store, clock) as client:
        front = lxml_html.fromstring(client.get("/").text)
        assert front.xpath("//header//a[@class='brand']/text()") == ["Example News"]
        assert len(front.xpath("//link[@rel='stylesheet']")) == 1
        assert client.get("/static/logo.svg").status_code == 404
        assert client.get("/").headers["content-security-policy"] == CSP
        assert "stats.example.com" not in client.get("/").text


def _without(page: str, *patterns: str) -> str:
    for pattern in patterns:
        page = re.sub(pattern, "", page, flags=re.S)
    return page


def test_overriding_one_block_keeps_every_other_byte(sqlite_store, clock, now, tmp_path):
    deliver(sqlite_store, ninjs_item("urn:a", at=now, headline="Storm hits coast"), now)
    record = sqlite_store.story_by_uri("urn:a")
    folder = tmp_path / "brand"
    folder.mkdir()
    (folder / "base.html").write_text(
        '{% extends "wiredesk/base.html" %}\n'
        '{% block logo %}<a class="brand" href="/">Only The Logo Changed</a>{% endblock %}\n')
    logo = r'<a class="brand" href="/">[^<]*</a>'
    for path in ("/", f"/story/{record.id}", "/search?q=storm", "/story/999"):
        with site(sqlite_store, clock) as plain_client:
            plain = plain_client.get(path)
        with site(sqlite_store, clock, templates=str(folder)) as branded_client:
            branded = branded_client.get(path)
        assert branded.status_code == plain.status_code
        assert "Only The Logo Changed" in branded.text
        assert _without(branded.text, logo) == _without(plain.text, logo)


def test_a_whole_template_can_be_replaced(sqlite_store, clock, tmp_path):
    (tmp_path / "notfound.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Nothing here, says the publisher</h1>'
        '{% endblock %}')
    with site(sqlite_store, clock, templates=str(tmp_path)) as client:
        page = client.get("/story/424242")
        assert page.status_code == 404 and "Nothing here, says the publisher" in page.text
        assert 'class="masthead"' in page.text  # still inside the site's frame


def test_static_files_override_the_packaged_ones(sqlite_store, clock, tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("body { color: rebeccapurple; }")
    with site(sqlite_store, clock, templates=str(tmp_path)) as client:
        href = lxml_html.fromstring(client.get("/").text).xpath(
            "//link[@rel='stylesheet']/@href")[0]
        answer = client.get(href)
        assert answer.text == "body { color: rebeccapurple; }"
        assert "immutable" in answer.headers["cache-control"]
        assert client.get("/static/site.css").text == "body { color: rebeccapurple; }"
        assert "EventSource" in client.get("/static/live.js").text  # the rest stay packaged


def test_a_missing_folder_is_a_clear_startup_error(tmp_path, sqlite_store):
    missing = tmp_path / "no-such-folder"
    with pytest.raises(BadValue) as err:
        Settings.from_env({"WIREDESK_TEMPLATES": str(missing)})
    assert str(err.value).startswith(f"WIREDESK_TEMPLATES '{missing}' is not a folder")
    a_file = tmp_path / "file.html"
    a_file.write_text("x")
    with pytest.raises(BadValue, match="WIREDESK_TEMPLATES"):
        Settings.from_env({"WIREDESK_TEMPLATES": str(a_file)})
    with pytest.raises(BadValue, match="WIREDESK_TEMPLATES"):
        create_app(Settings(templates=str(missing)), store=sqlite_store, cache=False)
    assert Settings.from_env({"WIREDESK_TEMPLATES": str(EXAMPLE)}).templates == str(EXAMPLE)


def test_the_cli_names_the_variable(monkeypatch, capsys, tmp_path):
    from wiredesk.cli.main import main

    monkeypatch.setenv("WIREDESK_TEMPLATES", str(tmp_path / "gone"))
    assert main(["parse", __file__]) == 2
    assert capsys.readouterr().err.startswith("wiredesk: WIREDESK_TEMPLATES ")


def test_static_overrides_cannot_reach_outside_their_folder(sqlite_store, clock, tmp_path):
    folder = tmp_path / "brand"
    (folder / "static").mkdir(parents=True)
    (folder / "secret.txt").write_text("TOP SECRET")  # beside static/, not in it
    (tmp_path / "outside.txt").write_text("TOP SECRET")
    (folder / "static" / "link.txt").symlink_to(tmp_path / "outside.txt")
    (folder / "static" / "ok.txt").write_text("public")
    with site(sqlite_store, clock, templates=str(folder)) as client:
        assert client.get("/static/ok.txt").text == "public"  # the folder is served...
        for path in ("/static/../secret.txt", "/static/..%2fsecret.txt",
                     "/static/%2e%2e/secret.txt", "/static/%2e%2e%2fsecret.txt",
                     "/static/..%5csecret.txt", "/static/....//secret.txt",
                     "/static/%2e%2e/%2e%2e/outside.txt", "/static/link.txt",
                     f"/static/{tmp_path}/outside.txt", "/static//etc/passwd"):
            answer = client.get(path)
            assert "TOP SECRET" not in answer.text, path  # ...and nothing beyond it
            assert answer.status_code in (400, 404), (path, answer.status_code)


def test_template_names_cannot_leave_the_folder(tmp_path):
    folder = tmp_path / "brand"
    folder.mkdir()
    (tmp_path / "secret.html").write_text("TOP SECRET")
    renderer = Renderer(Settings(templates=str(folder)))
    for name in ("../secret.html", "wiredesk/../../secret.html", str(tmp_path / "secret.html")):
        with pytest.raises(TemplateNotFound):
            renderer.env.get_template(name)


def test_an_analytics_host_is_allowed_only_by_configuration(sqlite_store, clock):
    with site(sqlite_store, clock, templates=str(EXAMPLE)) as client:
        assert client.get("/").headers["content-security-policy"] == CSP  # never by default
    extra = Settings.from_env({"WIREDESK_CSP_EXTRA": "https://stats.example.com"}).csp_extra
    with site(sqlite_store, clock, templates=str(EXAMPLE), csp_extra=extra) as client:
        policy = client.get("/").headers["content-security-policy"]
        assert "script-src 'self' https://stats.example.com;" in policy
        assert "connect-src 'self' https://stats.example.com" in policy
        assert "object-src 'none'" in policy and "'unsafe-inline'" not in policy
        assert client.get("/no/such").headers["content-security-policy"] == policy


@pytest.mark.parametrize("value", ["'unsafe-inline'", "*", "http://stats.example.com",
                                   "https://stats.example.com; script-src *", "https://*",
                                   "https://stats.example.com/x.js", "data:"])
def test_csp_extra_takes_only_https_origins(value):
    with pytest.raises(BadValue, match="WIREDESK_CSP_EXTRA"):
        Settings.from_env({"WIREDESK_CSP_EXTRA": value})
