"""Story bodies as each publisher's editor writes them, for the feed corpus (feedcorpus.py):
WordPress Gutenberg blocks, Blogger's inline styles, Medium's tracking pixel, Substack's image
widgets with SVG icons and subscribe forms, podcast show notes, newspaper paragraphs; and the
random but repeatable words they are made of."""

from __future__ import annotations

import random
from xml.sax.saxutils import escape

WORDS = (
    "the of and to in a is that for on with as by at from government minister said "
    "storm coast officials police city council election vote market shares percent "
    "company report week year people country president court ruling energy prices "
    "climate water school hospital health workers union strike talks agreement deal "
    "border security investigation statement spokesperson Tuesday Wednesday Thursday "
    "according announced expected including between million billion early late"
).split()
NAMES = ("Maria Lopes", "John Okafor", "Ana Ferreira", "Kenji Sato", "Lena Vogel",
         "Priya Nair", "Tom O'Brien", "Chloé Martin", "Søren Kjær", "Zoë Müller")


class Text:
    """Random but repeatable words, sentences and paragraphs."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(lo, hi)))

    def sentence(self) -> str:
        s = self.words(8, 24)
        return s[0].upper() + s[1:] + self.r.choice((".", ".", ".", "?", ","))

    def para(self, lo: int = 2, hi: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.r.randint(lo, hi)))

    def title(self) -> str:
        t = self.words(4, 11)
        return t[0].upper() + t[1:]

    def name(self) -> str:
        return self.r.choice(NAMES)

    def slug(self) -> str:
        return "-".join(self.words(3, 6).split())


def wordpress_body(t: Text, site: str, i: int) -> str:
    parts = []
    for n in range(t.r.randint(6, 16)):
        kind = t.r.random()
        if kind < 0.12:
            w = t.r.choice((768, 1024, 1200))
            src = f"https://{site}/wp-content/uploads/2026/01/{t.slug()}"
            srcset = ", ".join(f"{src}-{x}x{x * 2 // 3}.jpg {x}w" for x in (300, 768, 1024, 1536))
            parts.append(
                f'<figure class="wp-block-image size-large"><img loading="lazy" decoding="async" '
                f'width="{w}" height="{w * 2 // 3}" src="{src}.jpg" alt="{t.words(3, 7)}" '
                f'class="wp-image-{9000 + i * 10 + n}" srcset="{srcset}" '
                f'sizes="(max-width: {w}px) 100vw, {w}px" /><figcaption class="wp-element-caption">'
                f'{t.sentence()} <em>Photo: {t.name()}</em></figcaption></figure>')
        elif kind < 0.2:
            parts.append(f'<h2 class="wp-block-heading" id="{t.slug()}">{t.title()}</h2>')
        elif kind < 0.26:
            items = "".join(f"<li>{t.sentence()}</li>" for _ in range(t.r.randint(3, 6)))
            parts.append(f'<ul class="wp-block-list">{items}</ul>')
        elif kind < 0.3:
            parts.append(f'<blockquote class="wp-block-quote is-layout-flow"><p>&#8220;'
                         f'{t.para(1, 2)}&#8221;</p><cite>{t.name()}</cite></blockquote>')
        elif kind < 0.33:
            parts.append(
                '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-'
                'youtube"><div class="wp-block-embed__wrapper"><iframe title="' + t.title() +
                '" width="640" height="360" src="https://www.youtube.com/embed/dQw4w9WgXcQ?feature'
                '=oembed" frameborder="0" allow="accelerometer; autoplay; clipboard-write" '
                'allowfullscreen></iframe></div></figure>')
        elif kind < 0.35:
            parts.append(
                '<figure class="wp-block-embed is-type-rich is-provider-twitter"><div class="wp-'
                f'block-embed__wrapper"><blockquote class="twitter-tweet" data-width="550"><p '
                f'lang="en" dir="ltr">{t.sentence()} <a href="https://t.co/abc{n}">pic.twitter.com/'
                f'abc{n}</a></p>&mdash; {t.name()} (@wire) <a href="https://twitter.com/wire/status/'
                f'{10 ** 17 + i}">January 15, 2026</a></blockquote><script async src="https://'
                'platform.twitter.com/widgets.js" charset="utf-8"></script></div></figure>')
        else:
            p = t.para()
            if t.r.random() < 0.3:
                p += f' <a href="https://{site}/{t.slug()}/">{t.words(2, 5)}</a> &#8212; {t.sentence()}'
            if t.r.random() < 0.2:
                p = p.replace(" the ", " <strong>the</strong> ", 1).replace(" said ", " said&nbsp;", 1)
            parts.append(f"<p>{p}</p>")
    parts.append(f'<p>The post <a href="https://{site}/{t.slug()}/">{t.title()}</a> appeared '
                 f'first on <a href="https://{site}">{site}</a>.</p>')
    return "\n".join(parts)


def blogger_body(t: Text) -> str:
    parts = ['<div dir="ltr" style="text-align: left;" trbidi="on">']
    for _ in range(t.r.randint(4, 10)):
        if t.r.random() < 0.2:
            parts.append(
                '<div class="separator" style="clear: both; text-align: center;"><a href="https://'
                'blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsE/s1600/photo.jpg" style="margin-'
                'left: 1em; margin-right: 1em;"><img border="0" data-original-height="1067" data-'
                'original-width="1600" height="427" src="https://blogger.googleusercontent.com/img/'
                'b/R29vZ2xl/AVvXsE/s640/photo.jpg" width="640" /></a></div>')
        parts.append(f'<span style="font-family: &quot;verdana&quot; , sans-serif;">{t.para()}'
                     '</span><br /><br />')
    parts.append("</div>")
    return "".join(parts)


def medium_body(t: Text, i: int) -> str:
    parts = [f"<h3>{t.title()}</h3>"]
    for n in range(t.r.randint(8, 20)):
        kind = t.r.random()
        if kind < 0.12:
            parts.append(f'<figure><img alt="" src="https://cdn-images-1.medium.com/max/1024/1*'
                         f'{t.slug()}.png" /><figcaption>{t.sentence()}</figcaption></figure>')
        elif kind < 0.2:
            parts.append(f"<pre>def handler(event):\n    return {{&quot;n&quot;: {n}}}\n</pre>")
        elif kind < 0.25:
            parts.append(f"<blockquote>{t.sentence()}</blockquote>")
        else:
            parts.append(f"<p>{t.para()} <em>{t.words(2, 4)}</em> <strong>{t.words(1, 3)}</strong></p>")
    parts.append(f'<img src="https://medium.com/_/stat?event=post.clientViewed&amp;referrerSource='
                 f'full_rss&amp;postId={i:012x}" width="1" height="1" alt="">')
    return "".join(parts)


_SVG_EXPAND = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" viewBox="0 0 24 24" fill="none"'
    ' stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" class="'
    'lucide lucide-maximize2"><polyline points="15 3 21 3 21 9"></polyline><polyline points="9 21 3'
    ' 21 3 15"></polyline><line x1="21" x2="14" y1="3" y2="10"></line><line x1="3" x2="10" y1="21"'
    ' y2="14"></line></svg>')


def substack_body(t: Text, site: str) -> str:
    parts = []
    for n in range(t.r.randint(10, 24)):
        kind = t.r.random()
        if kind < 0.1:
            img = f"https://substackcdn.com/image/fetch/$s_!{t.slug()}!,w_1456,c_limit,f_auto/photo.jpeg"
            srcset = ", ".join(f"{img.replace('w_1456', f'w_{w}')} {w}w" for w in (424, 848, 1272, 1456))
            attrs = escape('{"src":"' + img + '","width":1456,"height":970,"type":"image/jpeg",'
                           '"bytes":301234,"alt":null,"internalRedirect":null}', {'"': "&quot;"})
            parts.append(
                f'<div class="captioned-image-container"><figure><a class="image-link image2 is-viewa'
                f'ble-img" target="_blank" href="{img}" data-component-name="Image2ToDOM"><div class='
                f'"image2-inset"><picture><source type="image/webp" srcset="{srcset}" sizes="100vw">'
                f'<img src="{img}" width="1456" height="970" data-attrs="{attrs}" class="sizing-norma'
                f'l" alt="" srcset="{srcset}" sizes="100vw" loading="lazy"></picture><div class="imag'
                f'e-link-expand"><div class="pencraft pc-display-flex pc-gap-8 pc-reset"><button tabi'
                f'ndex="0" type="button" class="pencraft pc-reset pencraft icon-container restack-ima'
                f'ge"><svg role="img" width="20" height="20" viewBox="0 0 20 20" fill="none" stroke-w'
                f'idth="1.5" stroke="var(--color-fg-primary)"><g><title></title><path d="M2.53 7.15C1'
                f'.67 6.31 1.5 5 2.2 4l1.3-1.9"></path></g></svg></button><button tabindex="0" type="'
                f'button" class="pencraft pc-reset pencraft icon-container view-image">{_SVG_EXPAND}'
                f'</button></div></div></div></a><figcaption class="image-caption">{t.sentence()}'
                f'</figcaption></figure></div>')
        elif kind < 0.14:
            parts.append(
                '<div class="subscription-widget-wrap-editor" data-attrs="{&quot;url&quot;:&quot;'
                f'https://{site}/subscribe?&quot;,&quot;text&quot;:&quot;Subscribe&quot;}}" data-'
                'component-name="SubscribeWidgetToDOM"><div class="subscription-widget show-subscrib'
                'e"><div class="preamble"><p class="cta-caption">Thanks for reading! Subscribe for '
                'free to receive new posts and support my work.</p></div><form class="subscription-'
                'widget-subscribe"><input type="email" class="email-input" name="email" placeholder='
                '"Type your email…" tabindex="-1"><input type="submit" class="button primary" value='
                '"Subscribe"><div class="fake-input-wrapper"><div class="fake-input"></div><div clas'
                's="fake-button"></div></div></form></div></div>')
        elif kind < 0.2:
            parts.append(f'<h2 class="header-anchor-post">{t.title()}<div class="pencraft pc-display'
                         f'-flex pc-alignItems-center pc-position-absolute pc-reset header-anchor-par'
                         f'ent"><div class="pencraft pc-display-contents pc-reset pubTheme-yiXxQA"><d'
                         f'iv id="§{t.slug()}" class="pencraft pc-reset header-anchor offset-top"></d'
                         f'iv><button tabindex="0" type="button" aria-label="Link" class="pencraft pc'
                         f'-reset pencraft header-anchor-button">{_SVG_EXPAND}</button></div></div></h2>')
        else:
            fn = f'<a class="footnote-anchor" data-component-name="FootnoteAnchorToDOM" id="footnote-' \
                 f'anchor-{n}" href="#footnote-{n}" target="_self">{n}</a>' if t.r.random() < 0.15 else ""
            parts.append(f"<p>{t.para(2, 7)}{fn}</p>")
    return "".join(parts)


def podcast_notes(t: Text, site: str) -> str:
    links = "".join(f'<li><a href="https://{site}/{t.slug()}">{t.words(2, 6)}</a></li>'
                    for _ in range(t.r.randint(2, 8)))
    return (f"<p>{t.para(2, 5)}</p><p>{t.para(1, 3)}</p><p><strong>Links:</strong></p><ul>{links}"
            f"</ul><p>Hosted on Acast. See <a href=\"https://acast.com/privacy\">acast.com/privacy"
            f"</a> for more information.</p>")


def news_body(t: Text) -> str:
    return "".join(f"<p>{t.para(1, 4)}</p>" for _ in range(t.r.randint(4, 12)))
