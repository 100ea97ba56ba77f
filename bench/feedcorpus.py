"""A corpus of real-world-shaped RSS and Atom feeds, generated at bench time (no data committed).

Each shape follows what the named publishers' feeds look like in the wild: the namespaces,
the markup their editors emit (Gutenberg blocks, Blogger's inline styles, Substack's image
widgets with SVG icons and subscribe forms, Medium's tracking pixel, Twitter/YouTube
embeds with scripts and iframes), the date styles, the entity habits and the sizes (podcast
feeds with hundreds of episodes, a full-archive news feed of thousands of items). Also the
damage feeds arrive with: latin-1 bytes declared as UTF-8, byte-order marks, windows-1252,
and one feed that is not well-formed XML at all (a bare ampersand, as a few percent of real
feeds are). Text is random words from a fixed seed, so every run parses the same bytes.

    feeds(scale) -> [(name, bytes)]   scale 1.0 is about 16 MB in 26 feeds
"""

from __future__ import annotations

from collections.abc import Callable
from xml.sax.saxutils import escape

from feedbodies import (
    Text,
    blogger_body,
    medium_body,
    news_body,
    podcast_notes,
    substack_body,
    wordpress_body,
)


def rfc822(i: int, zone: str = "+0000") -> str:
    day = 1 + i % 28
    return f"{('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[i % 7]}, {day:02d} " \
           f"{('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun')[i % 6]} 2026 {i % 24:02d}:{i % 60:02d}:07 {zone}"


def iso(i: int, zone: str = "Z") -> str:
    return f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{i % 59:02d}{zone}"


def cdata(markup: str) -> str:
    return f"<![CDATA[{markup}]]>"


# ---- feeds --------------------------------------------------------------------------------

RSS_NS = ('xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb'
          '.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.'
          'org/2005/Atom" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" xmlns:slash="http'
          '://purl.org/rss/1.0/modules/slash/" xmlns:media="http://search.yahoo.com/mrss/"')


def rss(channel_head: str, items: list[str], ns: str = RSS_NS, encoding: str = "UTF-8") -> str:
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0" {ns}>\n<channel>\n'
            f'{channel_head}\n' + "\n".join(items) + "\n</channel>\n</rss>\n")


def wordpress(seed: int, n: int, site: str = "news.example.org") -> str:
    t = Text(seed)
    head = (f"<title>{site} &#8211; Local news</title>\n<atom:link href=\"https://{site}/feed/\" "
            f'rel="self" type="application/rss+xml" />\n<link>https://{site}</link>\n<description>'
            f"News you can use</description>\n<lastBuildDate>{rfc822(0)}</lastBuildDate>\n<language>"
            f"en-US</language>\n<sy:updatePeriod>\n\thourly\t</sy:updatePeriod>\n<sy:updateFrequency>"
            f"\n\t1\t</sy:updateFrequency>\n<generator>https://wordpress.org/?v=6.7.1</generator>")
    items = []
    for i in range(n):
        slug = t.slug()
        title = t.title().replace(" s ", "&#8217;s ").replace(" and ", " &amp; ", 1)
        cats = "".join(f"\n\t\t<category><![CDATA[{t.words(1, 2).title()}]]></category>"
                       for _ in range(t.r.randint(1, 5)))
        body = wordpress_body(t, site, i)
        items.append(
            f"\t<item>\n\t\t<title>{title}</title>\n\t\t<link>https://{site}/2026/01/{slug}/</link>\n"
            f"\t\t<comments>https://{site}/2026/01/{slug}/#respond</comments>\n\t\t<dc:creator>"
            f"<![CDATA[{t.name()}]]></dc:creator>\n\t\t<pubDate>{rfc822(i)}</pubDate>{cats}\n"
            f'\t\t<guid isPermaLink="false">https://{site}/?p={10000 + i}</guid>\n\t\t<description>'
            f"<![CDATA[{t.para(1, 2)} [&#8230;]]]></description>\n\t\t<content:encoded>"
            f"{cdata(body)}</content:encoded>\n\t\t<wfw:commentRss>https://{site}/2026/01/{slug}/"
            f"feed/</wfw:commentRss>\n\t\t<slash:comments>{i % 7}</slash:comments>\n\t</item>")
    return rss(head, items)


def blogger(seed: int, n: int) -> str:
    t = Text(seed)
    entries = []
    for i in range(n):
        body = escape(blogger_body(t))
        entries.append(
            f"<entry><id>tag:blogger.com,1999:blog-1234567890.post-{8 * 10 ** 17 + i}</id><published>"
            f"{iso(i, '.003-08:00')}</published><updated>{iso(i + 1, '.117-08:00')}</updated><category "
            f'scheme="http://www.blogger.com/atom/ns#" term="{t.words(1, 1)}"/><title type=\'text\'>'
            f"{escape(t.title())}</title><content type='html'>{body}</content><link rel='replies' "
            f"type='text/html' href='https://example.blogspot.com/2026/01/{t.slug()}.html#comment-"
            f"form' title='0 Comments'/><link rel='alternate' type='text/html' href='https://example"
            f".blogspot.com/2026/01/{t.slug()}.html' title='{escape(t.title())}'/><author><name>"
            f"{t.name()}</name><uri>http://www.blogger.com/profile/0123456789</uri><email>noreply@"
            f"blogger.com</email><gd:image rel='http://schemas.google.com/g/2005#thumbnail' width="
            f"'16' height='16' src='https://img1.blogblog.com/img/b16-rounded.gif'/></author><media:"
            f"thumbnail xmlns:media='http://search.yahoo.com/mrss/' url='https://blogger.googleuser"
            f"content.com/img/s72-c/photo.jpg' height='72' width='72'/><thr:total>{i % 5}</thr:total>"
            f"</entry>")
    return (
        "<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' xmlns:"
        "openSearch='http://a9.com/-/spec/opensearchrss/1.0/' xmlns:blogger='http://schemas.google"
        ".com/blogger/2008' xmlns:georss='http://www.georss.org/georss' xmlns:gd='http://schemas."
        "google.com/g/2005' xmlns:thr='http://purl.org/syndication/thread/1.0'><id>tag:blogger.com,"
        f"1999:blog-1234567890</id><updated>{iso(0, '.000-08:00')}</updated><title type='text'>A "
        "Blogger blog</title><subtitle type='html'></subtitle><link rel='http://schemas.google.com/"
        "g/2005#feed' type='application/atom+xml' href='https://example.blogspot.com/feeds/posts/"
        "default'/><generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>"
        f"<openSearch:totalResults>{n}</openSearch:totalResults>" + "".join(entries) + "</feed>")


def medium(seed: int, n: int) -> str:
    t = Text(seed)
    items = []
    for i in range(n):
        cats = "".join(f"<category><![CDATA[{t.words(1, 1)}]]></category>" for _ in range(3))
        items.append(
            f"<item><title><![CDATA[{t.title()}]]></title><link>https://medium.com/@writer/{t.slug()}"
            f"-{i:012x}?source=rss-{i:x}------2</link><guid isPermaLink=\"false\">https://medium.com/"
            f"p/{i:012x}</guid>{cats}<dc:creator><![CDATA[{t.name()}]]></dc:creator><pubDate>"
            f"{rfc822(i, 'GMT')}</pubDate><atom:updated>{iso(i, '.512Z')}</atom:updated><content:"
            f"encoded>{cdata(medium_body(t, i))}</content:encoded></item>")
    head = ("<title><![CDATA[Stories by a writer on Medium]]></title><description><![CDATA[Stories"
            " on Medium]]></description><link>https://medium.com/@writer?source=rss</link><image>"
            "<url>https://cdn-images-1.medium.com/fit/c/150/150/1*x.jpeg</url><title>Stories</title>"
            "<link>https://medium.com/@writer</link></image><generator>Medium</generator>"
            f"<lastBuildDate>{rfc822(1, 'GMT')}</lastBuildDate><webMaster><![CDATA[yourfriends@medium"
            ".com]]></webMaster>")
    return rss(head, items)


def substack(seed: int, n: int, site: str = "writer.substack.com") -> str:
    t = Text(seed)
    items = []
    for i in range(n):
        items.append(
            f"<item><title><![CDATA[{t.title()}]]></title><description><![CDATA[{t.sentence()}]]>"
            f"</description><link>https://{site}/p/{t.slug()}</link><guid isPermaLink=\"false\">"
            f"https://{site}/p/{t.slug()}</guid><dc:creator><![CDATA[{t.name()}]]></dc:creator>"
            f"<pubDate>{rfc822(i, 'GMT')}</pubDate><enclosure url=\"https://substack-post-media.s3."
            f"amazonaws.com/public/images/{i:08x}.jpeg\" length=\"0\" type=\"image/jpeg\"/><content:"
            f"encoded>{cdata(substack_body(t, site))}</content:encoded></item>")
    head = (f"<title><![CDATA[A newsletter]]></title><description><![CDATA[Essays]]></description>"
            f"<link>https://{site}</link><image><url>https://substackcdn.com/image/fetch/w_256/x.png"
            f"</url><title>A newsletter</title><link>https://{site}</link></image><generator>Substack"
            f"</generator><lastBuildDate>{rfc822(2, 'GMT')}</lastBuildDate><atom:link href=\"https"
            f"://{site}/feed\" rel=\"self\" type=\"application/rss+xml\"/><copyright><![CDATA[A "
            f"writer]]></copyright><language><![CDATA[en]]></language><webMaster><![CDATA[writer@"
            f"substack.com]]></webMaster><itunes:owner><itunes:email><![CDATA[writer@substack.com]]>"
            f"</itunes:email></itunes:owner><itunes:author><![CDATA[A writer]]></itunes:author>"
            f"<googleplay:owner><![CDATA[writer@substack.com]]></googleplay:owner>")
    ns = (RSS_NS + ' xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:googleplay='
          '"http://www.google.com/schemas/play-podcasts/1.0"')
    return rss(head, items, ns)


def youtube(seed: int, n: int) -> str:
    t = Text(seed)
    entries = []
    for i in range(n):
        vid = f"v{i:010d}"
        desc = escape("\n\n".join(t.para(1, 3) for _ in range(t.r.randint(2, 5))))
        entries.append(
            f"<entry><id>yt:video:{vid}</id><yt:videoId>{vid}</yt:videoId><yt:channelId>UC1234567890"
            f"</yt:channelId><title>{escape(t.title())}</title><link rel=\"alternate\" href=\"https:"
            f"//www.youtube.com/watch?v={vid}\"/><author><name>News Channel</name><uri>https://www."
            f"youtube.com/channel/UC1234567890</uri></author><published>{iso(i, '+00:00')}</published>"
            f"<updated>{iso(i + 3, '+00:00')}</updated><media:group><media:title>{escape(t.title())}"
            f"</media:title><media:content url=\"https://www.youtube.com/v/{vid}?version=3\" type=\""
            f"application/x-shockwave-flash\" width=\"640\" height=\"390\"/><media:thumbnail url=\""
            f"https://i1.ytimg.com/vi/{vid}/hqdefault.jpg\" width=\"480\" height=\"360\"/><media:"
            f"description>{desc}</media:description><media:community><media:starRating count=\"{i}\""
            f" average=\"5.00\" min=\"1\" max=\"5\"/><media:statistics views=\"{i * 97}\"/></media:"
            f"community></media:group></entry>")
    return ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns:yt="http://www.youtube.com/xml/schemas'
            '/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">'
            '<link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=UC1234567890"/>'
            "<id>yt:channel:1234567890</id><yt:channelId>1234567890</yt:channelId><title>News Channel"
            "</title><link rel=\"alternate\" href=\"https://www.youtube.com/channel/UC1234567890\"/>"
            "<author><name>News Channel</name><uri>https://www.youtube.com/channel/UC1234567890</uri>"
            f"</author><published>{iso(0, '+00:00')}</published>" + "".join(entries) + "</feed>")


def podcast(seed: int, n: int, site: str = "podcast.example.com") -> str:
    t = Text(seed)
    items = []
    for i in range(n):
        notes = podcast_notes(t, site)
        items.append(
            f"<item><title><![CDATA[#{n - i}: {t.title()}]]></title><description>{cdata(notes)}"
            f"</description><link>https://{site}/episodes/{t.slug()}</link><guid isPermaLink=\"false"
            f"\">{i:08x}-aaaa-bbbb-cccc-{i:012x}</guid><dc:creator><![CDATA[{t.name()}]]></dc:creator>"
            f"<pubDate>{rfc822(i)}</pubDate><enclosure url=\"https://sphinx.acast.com/p/open/s/abc/e/"
            f"{i:x}/media.mp3\" length=\"{40_000_000 + i}\" type=\"audio/mpeg\"/><itunes:summary>"
            f"{cdata(notes)}</itunes:summary><itunes:explicit>false</itunes:explicit><itunes:duration>"
            f"{1000 + i * 7 % 3000}</itunes:duration><itunes:image href=\"https://assets.pippa.io/"
            f"shows/abc/{i}.jpg\"/><itunes:episode>{n - i}</itunes:episode><itunes:episodeType>full"
            f"</itunes:episodeType><podcast:transcript url=\"https://{site}/t/{i}.vtt\" type=\"text"
            f"/vtt\"/></item>")
    head = (f"<title>The Daily Wire Podcast</title><link>https://{site}</link><language>en</language>"
            f"<copyright>&#169; 2026 Example Media</copyright><itunes:author>Example Media</itunes:"
            f"author><itunes:owner><itunes:name>Example</itunes:name><itunes:email>pod@example.com"
            f"</itunes:email></itunes:owner><itunes:category text=\"News\"><itunes:category text=\""
            f"Daily News\"/></itunes:category><itunes:image href=\"https://{site}/cover.jpg\"/><itunes"
            f":type>episodic</itunes:type><description>{cdata(t.para())}</description>")
    ns = ('xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:dc="http://purl.org/dc/'
          'elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:podcast="https://podcast'
          'index.org/namespace/1.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"')
    return rss(head, items, ns)


def news_site(seed: int, n: int, full: bool, site: str = "www.example-news.com") -> str:
    """A newspaper's section feed (NYT and BBC shapes): short teasers, media:content, bylines;
    `full` puts the whole story in content:encoded (as full-archive feeds do)."""
    t = Text(seed)
    items = []
    for i in range(n):
        body = f"<content:encoded>{cdata(news_body(t))}</content:encoded>" if full else ""
        items.append(
            f"<item><title>{escape(t.title())}</title><link>https://{site}/2026/01/15/world/"
            f"{t.slug()}.html</link><guid isPermaLink=\"true\">https://{site}/2026/01/15/world/"
            f"{t.slug()}.html</guid><atom:link href=\"https://{site}/2026/01/15/world/{t.slug()}.html"
            f"\" rel=\"standout\"/><description>{escape(t.sentence())}</description><dc:creator>"
            f"{t.name()} and {t.name()}</dc:creator><pubDate>{rfc822(i, '-0500')}</pubDate><category"
            f" domain=\"http://www.nytimes.com/namespaces/keywords/des\">{t.words(1, 3).title()}"
            f"</category><category domain=\"http://www.nytimes.com/namespaces/keywords/nyt_geo\">"
            f"{t.words(1, 1).title()}</category><media:content height=\"1350\" medium=\"image\" url"
            f"=\"https://static01.example.com/images/2026/01/15/{i}-mediumSquareAt3X.jpg\" width=\""
            f"1350\"/><media:credit>{t.name()} for The Times</media:credit><media:description>"
            f"{escape(t.sentence())}</media:description>{body}</item>")
    head = (f"<title>World News</title><link>https://{site}/section/world</link><atom:link href=\""
            f"https://{site}/svc/collections/v1/publish/world/rss.xml\" rel=\"self\" type=\"application"
            f"/rss+xml\"/><description/><language>en-us</language><copyright>Copyright 2026 The Example"
            f" Company</copyright><lastBuildDate>{rfc822(3, '-0500')}</lastBuildDate><pubDate>"
            f"{rfc822(3, '-0500')}</pubDate>")
    return rss(head, items)


def rdf(seed: int, n: int) -> str:
    """RSS 1.0 (Slashdot shape): dc:date, dc:subject, escaped HTML descriptions."""
    t = Text(seed)
    seq = "".join(f'<rdf:li rdf:resource="https://example.org/story/{i}"/>' for i in range(n))
    items = "".join(
        f"<item rdf:about=\"https://example.org/story/{i}\"><title>{escape(t.title())}</title><link>"
        f"https://example.org/story/{i}</link><description>{escape(news_body(t)[:1500])}</description>"
        f"<dc:creator>{t.name()}</dc:creator><dc:date>{iso(i, '+00:00')}</dc:date><dc:subject>"
        f"{t.words(1, 1)}</dc:subject><slash:department>{t.slug()}</slash:department><slash:section>"
        f"news</slash:section><slash:comments>{i}</slash:comments></item>\n" for i in range(n))
    return ('<?xml version="1.0" encoding="ISO-8859-1"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            '02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elem'
            'ents/1.1/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/" xmlns:syn="http://purl.'
            'org/rss/1.0/modules/syndication/"><channel rdf:about="https://example.org/"><title>Examp'
            'le: News for nerds</title><link>https://example.org/</link><description>stuff that matte'
            f'rs</description><dc:language>en-us</dc:language><items><rdf:Seq>{seq}</rdf:Seq></items>'
            f'</channel>\n{items}</rdf:RDF>\n')


def dc_dates(seed: int, n: int) -> str:
    """RSS 2.0 dated by dc:date alone (no pubDate), with dc:subject and dc:rights."""
    t = Text(seed)
    items = [f"<item><title>{escape(t.title())}</title><link>https://jp.example.net/a/{i}</link>"
             f"<description>{escape(news_body(t))}</description><dc:date>{iso(i, '+09:00')}</dc:date>"
             f"<dc:subject>{t.words(1, 2)}</dc:subject><dc:creator>{t.name()}</dc:creator><dc:rights>"
             f"(c) Example Shimbun</dc:rights></item>" for i in range(n)]
    return rss("<title>Example Shimbun</title><link>https://jp.example.net/</link><description>news"
               "</description><dc:language>ja</dc:language>", items)


def entity_titles(seed: int, n: int) -> str:
    """Titles carrying HTML the way feeds really do: double-escaped entities, numeric
    references, escaped tags; Atom titles of type html."""
    t = Text(seed)
    forms = ("{} &amp;amp; {}", "{} &#8217;s {}", "&lt;b&gt;{}&lt;/b&gt; {}", "{} &#x2014; {}",
             "{} &amp;quot;{}&amp;quot;", "{} &#233;t&#233; {}")
    entries = "".join(
        f"<entry><id>urn:uuid:{i:08x}-1111-2222-3333-444444444444</id><title type=\"html\">"
        f"{forms[i % len(forms)].format(escape(t.title()), escape(t.words(1, 4)))}</title><updated>"
        f"{iso(i)}</updated><author><name>{t.name()}</name></author><link href=\"https://ent.example"
        f".com/{i}\"/><summary type=\"html\">{escape(news_body(t)[:800])}</summary></entry>"
        for i in range(n))
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title'
            ' type="html">Caf&amp;eacute; &amp;amp; Culture</title><id>urn:ent</id><updated>'
            f'{iso(0)}</updated>{entries}</feed>')


def atom_xhtml(seed: int, n: int) -> str:
    """Atom with type="xhtml" content and xml:base on the feed and the entries (relative links
    in the XHTML resolve against them): the shape of hand-rolled blog engines and W3C feeds."""
    t = Text(seed)
    entries = []
    for i in range(n):
        paras = "".join(f"<p>{escape(t.para())} <a href=\"../{t.slug()}/\">{t.words(2, 4)}</a></p>"
                        for _ in range(t.r.randint(3, 9)))
        code = f"<pre><code>x = {i}\nprint(x &lt; 2)</code></pre>" if i % 3 == 0 else ""
        img = f'<p><img src="img/{i}.png" alt="{t.words(2, 3)}"/></p>' if i % 2 else ""
        entries.append(
            f'<entry xml:base="/{2026 - i % 5}/{1 + i % 12:02d}/"><title type="xhtml"><div xmlns="'
            f'http://www.w3.org/1999/xhtml">{escape(t.title())} <code>{t.words(1, 1)}</code></div>'
            f'</title><link href="{t.slug()}"/><id>tag:blog.example.com,2026:{i}</id><published>'
            f'{iso(i, "-05:00")}</published><updated>{iso(i + 1, "-05:00")}</updated><category term'
            f'="{t.words(1, 1)}"/><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
            f'{paras}{img}{code}</div></content></entry>')
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            'xml:base="https://blog.example.com/" xml:lang="en"><title>Notes</title><subtitle>'
            f'Weblog</subtitle><id>tag:blog.example.com,2026:feed</id><updated>{iso(0)}</updated>'
            '<link rel="self" href="/index.atom"/><link href="/"/><author><name>A. Writer</name>'
            '</author><rights>Copyright 2026 A. Writer</rights>' + "".join(entries) + "</feed>\n")


def malformed(seed: int, n: int) -> str:
    """Not well-formed: a bare ampersand in titles and links, as hand-edited feeds carry."""
    t = Text(seed)
    items = [f"<item><title>{t.title()} & {t.words(1, 3)}</title><link>https://bad.example.com/?"
             f"id={i}&ref=rss</link><description>{escape(t.para())}</description><pubDate>"
             f"{rfc822(i)}</pubDate></item>" for i in range(n)]
    return rss("<title>Bad & broken</title><link>https://bad.example.com/</link><description>x"
               "</description>", items, ns="")


def latin1_as_utf8(text: str) -> bytes:
    """Declared UTF-8, sent as windows-1252 (curly quotes, accents): a CMS that never re-encoded."""
    smart = text.replace(" said ", " said \u201cthat\u201d ").replace(" minister ", " ministre ")
    return smart.replace(" city ", " cit\u00e9 ").encode("cp1252", "replace")


def feeds(scale: float = 1.0) -> list[tuple[str, bytes]]:
    """The corpus: (name, bytes) for each feed; counts shrink with `scale` (never below 2)."""
    def n(full: int) -> int:
        return max(2, int(full * scale))

    def utf8(build: Callable[[], str]) -> bytes:
        return build().encode("utf-8")

    out: list[tuple[str, bytes]] = [
        ("wordpress-news", utf8(lambda: wordpress(1, n(10)))),
        ("wordpress-magazine", utf8(lambda: wordpress(2, n(30), "magazine.example.com"))),
        ("wordpress-bom", b"\xef\xbb\xbf" + utf8(lambda: wordpress(3, n(20), "bom.example.net"))),
        ("wordpress-latin1-as-utf8", latin1_as_utf8(wordpress(4, n(15), "cms.example.fr"))),
        ("wordpress-cp1252", wordpress(5, n(15), "win.example.com").replace(
            'encoding="UTF-8"', 'encoding="windows-1252"').encode("cp1252", "replace")),
        ("blogger", utf8(lambda: blogger(6, n(25)))),
        ("medium", utf8(lambda: medium(7, n(10)))),
        ("substack", utf8(lambda: substack(8, n(20)))),
        ("substack-2", utf8(lambda: substack(9, n(20), "other.substack.com"))),
        ("youtube", utf8(lambda: youtube(10, n(15)))),
        ("podcast", utf8(lambda: podcast(11, n(300)))),
        ("podcast-2", utf8(lambda: podcast(12, n(120), "pods.example.org"))),
        ("news-section", utf8(lambda: news_site(13, n(50), full=False))),
        ("news-section-2", utf8(lambda: news_site(14, n(30), full=False, site="bbc.example.co.uk"))),
        ("news-full-archive", utf8(lambda: news_site(15, n(2000), full=True))),
        ("wordpress-huge", utf8(lambda: wordpress(16, n(1000), "archive.example.org"))),
        ("rss1-rdf", rdf(17, n(40)).encode("iso-8859-1", "replace")),
        ("dc-dates", utf8(lambda: dc_dates(18, n(40)))),
        ("entity-titles", utf8(lambda: entity_titles(19, n(60)))),
        ("atom-xhtml-xmlbase", utf8(lambda: atom_xhtml(20, n(40)))),
        ("atom-xhtml-2", utf8(lambda: atom_xhtml(21, n(15)))),
        ("malformed-ampersand", utf8(lambda: malformed(22, n(20)))),
    ]
    return out


if __name__ == "__main__":
    total = 0
    for name, data in feeds():
        total += len(data)
        print(f"{name:<26} {len(data):>10,} bytes")
    print(f"{'total':<26} {total:>10,} bytes")
