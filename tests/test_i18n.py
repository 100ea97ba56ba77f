"""The site's own words in the site's language (web/i18n.py): every marked word has a
translation in each catalogue, pages render in each language, stories keep their own."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from lxml import html as lxml_html
from starlette.testclient import TestClient

from helpers import deliver, later, ninjs_item
from wiredesk import desk
from wiredesk.config import Settings
from wiredesk.store import Store
from wiredesk.values import BadValue
from wiredesk.web import i18n
from wiredesk.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = ("fr", "de", "es")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


def marked_msgids() -> set[str | tuple[str, str]]:
    """Every msgid `make i18n` would extract (babel.cfg), straight from the sources."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={
                "_": None, "gettext": None, "ngettext": (1, 2), "N_": None}):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


def test_the_sources_mark_the_site_words():
    msgids = marked_msgids()
    for word in ("Now Reading", "Published", "Updated", "Text size", "Smaller text",
                 "Larger text", "This story is no longer available", "Also reported by",
                 "Earlier on this story", "Older", "All agencies", "Version history",
                 "As received", "Correction", "More from <a href=\"%(path)s\">%(title)s</a>",
                 "This story has been withdrawn and is no longer available.",
                 "Agency stories on {site}", "Something went wrong", "Largest"):
        assert word in msgids, word


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_word_has_a_reviewed_translation(language):
    with i18n.catalogue(language).open("rb") as po:
        catalogue = read_po(po, locale=language)
    assert not catalogue.fuzzy, "the catalogue's header is marked fuzzy"
    missing, fuzzy, broken = [], [], []
    for msgid in marked_msgids():
        message = catalogue.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        if message is None or not all(message.string if isinstance(message.string, tuple)
                                      else [message.string]):
            missing.append(msgid)
            continue
        if message.fuzzy:
            fuzzy.append(msgid)
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        broken += [s for s in strings if set(PLACEHOLDER.findall(s)) != wanted]
    assert not missing, f"{language}: no translation for {missing}"
    assert not fuzzy, f"{language}: fuzzy (not shown) {fuzzy}"
    assert not broken, f"{language}: placeholders differ from the msgid in {broken}"


def test_languages_are_english_and_every_catalogue():
    assert set(i18n.languages()) >= {"en", "fr", "de", "es"}


def test_an_unknown_site_language_is_a_clear_startup_error():
    with pytest.raises(BadValue) as err:
        Settings.from_env({"WIREDESK_SITE_LANGUAGE": "xx"})
    message = str(err.value)
    assert "WIREDESK_SITE_LANGUAGE" in message and "'xx'" in message
    assert "de, en, es, fr" in message
    assert Settings.from_env({"WIREDESK_SITE_LANGUAGE": "de"}).site_language == "de"
    assert Settings.from_env({}).site_language == "en"
    with pytest.raises(ValueError, match="WIREDESK_SITE_LANGUAGE"):
        create_app(Settings(site_language="klingon"), store=None, cache=False)


def test_the_cli_refuses_an_unknown_language_in_one_line(monkeypatch, capsys):
    from wiredesk.cli.main import main

    monkeypatch.setenv("WIREDESK_SITE_LANGUAGE", "pt-xx")
    assert main(["parse", str(ROOT / "README.md")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wiredesk: WIREDESK_SITE_LANGUAGE 'pt-xx'") and "fr" in err


def test_dates_and_numbers_follow_the_site_language():
    moment = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)
    assert i18n.Words("en").when(moment) == "2 Dec 2026, 13:05 UTC"
    assert i18n.Words("fr").when(moment) == "2 déc. 2026, 13:05 UTC"
    assert i18n.Words("de").when(moment) == "2 Dez. 2026, 13:05 UTC"
    assert i18n.Words("es").when(moment) == "2 dic 2026, 13:05 UTC"
    for language in i18n.languages():
        words = i18n.Words(language)
        for month in range(1, 13):
            moment = datetime(2026, month, 9, 7, 5, tzinfo=UTC)
            assert words.when(moment) == words.when_by_babel(moment), (language, month)
    assert i18n.Words("en").number(12345) == "12,345"
    assert i18n.Words("de").number(12345) == "12.345"


# What each language's pages must say, and an English word that must be gone.
EXPECTED = {
    "en": ("Now Reading:", "Published", "Text size", "This story is no longer available"),
    "fr": ("En cours de lecture :", "Publié le", "Taille du texte",
           "Cette dépêche n’est plus disponible"),
    "de": ("Sie lesen:", "Veröffentlicht", "Schriftgröße",
           "Diese Meldung ist nicht mehr verfügbar"),
    "es": ("Leyendo ahora:", "Publicado", "Tamaño del texto",
           "Esta noticia ya no está disponible"),
}
MONTH = {"en": "Nov 2026", "fr": "nov. 2026", "de": "Nov. 2026", "es": "nov 2026"}


@pytest.fixture
def sqlite_store(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'wiredesk.db'}")
    yield store
    store.close()


def site(store: Store, clock, language: str) -> TestClient:
    settings = Settings(site_name="Example News", base_url="https://news.example",
                        site_language=language)
    return TestClient(create_app(settings, store=store, clock=clock))


@pytest.mark.parametrize("language", ["en", *TRANSLATED])
def test_pages_render_in_the_site_language(sqlite_store, clock, now, language):
    store = sqlite_store
    deliver(store, ninjs_item("urn:a", at=now, headline="Storm hits coast", language="en"), now)
    deliver(store, ninjs_item("urn:a", version=2, at=later(now, minutes=9),
                              headline="Storm hits coast", language="en"), now)
    deliver(store, ninjs_item("urn:b", at=now, headline="Sturm an der Küste", language="de",
                              by="Anna Example"), now)
    deliver(store, ninjs_item("urn:c", at=now, headline="Doomed"), now)
    words = EXPECTED[language]
    with site(store, clock, language) as client:
        english = store.story_by_uri("urn:a")
        page = client.get(f"/story/{english.id}")
        doc = lxml_html.fromstring(page.text)
        assert doc.get("lang") == language  # the site's language...
        assert doc.xpath("//article")[0].get("lang") == "en"  # ...the story keeps its own
        text = doc.text_content()
        for word in words[:3]:
            assert word in text, word
        assert MONTH[language] in doc.xpath("//*[@class='times']/time")[0].text
        status = doc.xpath("//*[@id='live-status']")[0]
        assert status.get("data-msg-withdrawn") and status.get("data-msg-show-new")
        assert len(doc.xpath("//form[@class='textsize']")[0].get("data-labels").split("|")) == 5
        if language != "en":
            assert "Now Reading" not in text and "Text size" not in text
            assert status.get("data-msg-withdrawn") != (
                "This story has been withdrawn and is no longer available.")
        german = store.story_by_uri("urn:b")
        assert lxml_html.fromstring(client.get(f"/story/{german.id}").text).xpath(
            "//article")[0].get("lang") == "de"

        doomed = store.story_by_uri("urn:c")
        desk.kill(store, "urn:c", reason="test", actor="t", now=now)
        gone = client.get(f"/story/{doomed.id}")
        assert gone.status_code == 410 and words[3] in gone.text

        front = lxml_html.fromstring(client.get("/").text)
        assert front.get("lang") == language
        assert "Storm hits coast" in front.text_content()
        found = client.get("/search?q=storm")
        assert found.status_code == 200
        assert lxml_html.fromstring(found.text).get("lang") == language
        assert client.get("/no/such/page").status_code == 404
        assert client.get("/?page=x").status_code == 404  # the front page has numbered pages
        assert client.get("/search?q=storm&page=x").status_code == 400


def test_french_search_counts_and_errors(sqlite_store, clock, now):
    deliver(sqlite_store, ninjs_item("urn:a", at=now, headline="Storm hits coast"), now)
    with site(sqlite_store, clock, "fr") as client:
        found = lxml_html.fromstring(client.get("/search?q=storm").text)
        assert found.xpath("string(//*[@class='count'])") == "1 article trouvé pour storm."
        dated = client.get("/search?q=storm&from=yesterday").text
        assert "Date de début : utilisez la forme 2026-01-31." in dated
        assert found.xpath("//title")[0].text.startswith("storm : recherche")
        bad = client.get("/search?q=storm&page=x")
        assert "Requête incorrecte" in bad.text and "numérotées de 1 à 1000" in bad.text


def test_user_words_in_translated_sentences_stay_escaped(sqlite_store, clock, now):
    """A trans block's values are escaped like any other (the msgid's own markup is ours)."""
    trap = '<img src=x onerror="window.__pwned=1">'
    deliver(sqlite_store, ninjs_item("urn:a", at=now, headline=f"Storm {trap}",
                                     by=f"Anna {trap}"), now)
    with site(sqlite_store, clock, "de") as client:
        found = client.get("/search", params={"q": f'storm "{trap}"'})
        page = client.get(f"/story/{sqlite_store.story_by_uri('urn:a').id}")
        for text in (found.text, page.text):
            assert trap not in text
            assert not lxml_html.fromstring(text).xpath("//img")
        assert "&lt;img src=x" in page.text


def test_feeds_say_the_site_words_in_its_language(sqlite_store, clock, now):
    deliver(sqlite_store, ninjs_item("urn:a", at=now), now)
    desk.kill(sqlite_store, "urn:a", reason="test", actor="t", now=now)
    with site(sqlite_store, clock, "es") as client:
        assert "Noticias de agencia en Example News" in client.get("/feeds/rss.xml").text
        assert "Esta noticia ha sido retirada." in client.get("/feeds/atom.xml").text


def test_the_catalogues_ship_as_package_data():
    """A pip install carries the .po files (compiled at start, so no .mo is needed)."""
    import fnmatch
    import tomllib

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["wiredesk"]
    package = ROOT / "src" / "wiredesk"
    shipped = [p for p in (package / "web" / "locale").rglob("*.po*")]
    assert len(shipped) >= 4
    for path in shipped:
        name = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(name, g) for g in globs), name


def test_the_default_notice_is_translated_and_a_publishers_own_is_not(sqlite_store, clock, now):
    deliver(sqlite_store, ninjs_item("urn:a", at=now), now)
    path = f"/story/{sqlite_store.story_by_uri('urn:a').id}"
    with site(sqlite_store, clock, "de") as client:
        notice = lxml_html.fromstring(client.get(path).text).xpath("string(//*[@class='notice'])")
        assert notice.startswith("Example News bietet") and "von AP" in notice
    own = Settings(site_name="Example News", site_language="de",
                   site_notice="Von {agency}, unbearbeitet, auf {site}.")
    with TestClient(create_app(own, store=sqlite_store, clock=clock)) as client:
        notice = lxml_html.fromstring(client.get(path).text).xpath("string(//*[@class='notice'])")
        assert notice == "Von AP, unbearbeitet, auf Example News."


def test_a_french_site_says_its_words_around_corrections_history_proof_and_lists(
        sqlite_store, clock, now, monkeypatch):
    """The merged features' words (correction notice, history, "As received", pager, "More
    from") follow the site's language; the agency's own words stay as sent."""
    from wiredesk.web import pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    samples = ROOT / "samples"
    deliver(sqlite_store, (samples / "04-reuters-markets.txt").read_bytes(), now,
            source="reuters")
    deliver(sqlite_store, (samples / "05-reuters-markets-corrected.txt").read_bytes(),
            later(now, minutes=20), source="reuters")
    for n in range(4):
        deliver(sqlite_store, ninjs_item(f"urn:n:{n}", at=later(now, minutes=n),
                                         headline=f"Story {n}"), now)
    clock.now = later(now, minutes=30)
    corrected = next(r for r in sqlite_store.live_stories(clock.now) if r.story.agency != "AP")
    ap_story = sqlite_store.story_by_uri("urn:n:0")
    with site(sqlite_store, clock, "fr") as client:
        article = lxml_html.fromstring(client.get(f"/story/{corrected.id}").text)
        (notice,) = article.xpath("//aside[@class='correction-notice']")
        assert notice.xpath("string(.//h2)") == "Rectificatif"
        meta = notice.xpath("string(.//p[@class='correction-meta'])")
        assert meta.startswith(f"Corrigé par {corrected.story.agency} le ") and "Voir ce qui a changé" in meta
        assert "Corrects index level" in notice.xpath("string(.//p[@class='correction-words'])")
        assert article.xpath("string(//p[@class='history-link'])") == "Historique des versions"
        assert article.xpath("//p[@class='history-link']/@lang") == ["fr"]

        history = lxml_html.fromstring(client.get(f"/story/{corrected.id}/history").text)
        assert history.xpath("string(//section[@class='history']/h1)") == "Historique des versions"
        assert history.xpath("//title")[0].text.startswith("Historique des versions : ")
        labels = history.xpath("//h2[@class='version-label']/text()")
        assert labels[-1] == "Première version" and labels[0] == "CORRECTED"  # the agency's own

        proof = lxml_html.fromstring(client.get(f"/story/{ap_story.id}").text)
        (block,) = proof.xpath("//details[@class='as-received']")
        assert block.xpath("string(./summary)") == "Tel que reçu"
        assert block.xpath(".//dt/text()")[:2] == ["Agence", "Format"]
        (more,) = proof.xpath("//nav[@class='more-from']/h2")
        assert more.text_content() == "Autres dépêches : AP" and more.xpath("./a/@href")

        front = lxml_html.fromstring(client.get("/").text)
        (pager,) = front.xpath("//nav[@class='pager']")
        assert pager.get("aria-label") == "Pages"
        assert pager.xpath("string(./a[@rel='next'])") == "Plus anciennes"
        second = lxml_html.fromstring(client.get("/?page=2").text)
        assert second.xpath("string(//nav[@class='pager']/a[@rel='prev'])") == "Plus récentes"
        text = front.text_content() + proof.text_content() + history.text_content()
        for english in ("Older", "Newer", "As received", "More from", "Version history",
                        "First version"):
            assert english not in text, english


POLITICS = [{"name": "politics", "uri": "http://cv.iptc.org/newscodes/mediatopic/11000000"}]


def test_the_default_sections_are_named_in_the_site_language_and_a_publishers_are_not(
        sqlite_store, clock, now):
    from wiredesk.store.sections import defaults
    from wiredesk.web.section_words import DEFAULT_TITLES

    assert DEFAULT_TITLES == {s.slug: s.title for s in defaults()}
    assert set(DEFAULT_TITLES.values()) <= marked_msgids()
    sqlite_store.sections.add("weather", "Health", ["medtop:17000000"])  # theirs, not ours
    sqlite_store.sections.add("local", "Ma région", ["local news"])
    deliver(sqlite_store, ninjs_item("urn:a", at=now, headline="Vote today",
                                     subjects=POLITICS), now)
    with site(sqlite_store, clock, "fr") as client:
        front = lxml_html.fromstring(client.get("/").text)
        nav = front.xpath("//nav[@class='sections-nav']//a/text()")
        assert "Politique" in nav and "Sport" in nav and "Ma région" in nav
        assert "Politics" not in nav and "Santé" in nav
        assert "Health" in nav  # the publisher's own title for /sections/weather stays
        assert front.xpath("//section[@class='section-block']/h2/a/text()") == ["Politique"]
        listing = lxml_html.fromstring(client.get("/sections/politics").text)
        assert listing.xpath("string(//h1)") == "Politique"
        assert "Example News: Politique" in client.get("/sections/politics/atom.xml").text
        story = sqlite_store.story_by_uri("urn:a")
        article = lxml_html.fromstring(client.get(f"/story/{story.id}").text)
        assert article.xpath("//ul[@class='section-links']//a/text()") == ["Politique"]
