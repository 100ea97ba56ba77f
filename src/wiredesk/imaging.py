"""Picture bytes: what they are (sniffed, never trusted from a name or a header), whether they
are safe to decode, and renditions made from them. Pure: bytes in, bytes out, no I/O.

Only JPEG, PNG, WebP, GIF and AVIF are taken; SVG (a document that can carry scripts) and
everything else is refused. A file is decoded whole once before it is kept, so a truncated
file or a decompression bomb is refused at the door, not on a reader's request. Nothing is
served as received: every rendition is decoded and encoded afresh without EXIF or XMP, so a
photographer's GPS position, or HTML riding in a polyglot, never leaves the house.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_BYTES = 40 * 1024 * 1024  # a press photo at full size is 5-25 MB
MAX_PIXELS = 60_000_000  # 60 MP: above any agency camera; a bomb is thousands of times more
WIDTHS = (320, 640, 1024)  # renditions; plus the original's width when it is narrower
FORMATS = {"webp": "image/webp", "jpg": "image/jpeg"}
JPEG_QUALITY = 82
WEBP_QUALITY = 78
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif",
        "AVIF": "image/avif"}
# Markup that has no business inside a picture: a polyglot a browser could be made to
# read as a page. (XMP's own `<?xpacket`/`<x:xmpmeta` are not in this list.)
_MARKUP = re.compile(rb"<(?:script|html|body|iframe|svg|!doctype\s+html)[\s>/]", re.I)


class PictureError(ValueError):
    """Bytes refused as a picture, with what was wrong in words an operator can act on."""


@dataclass(frozen=True, slots=True)
class Checked:
    """Picture bytes that passed every check."""

    data: bytes
    sha256: str
    mime: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The picture type the bytes themselves announce (PIL format name), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and (data[8:12] in (b"avif", b"avis")
                                 or b"avif" in data[16:int.from_bytes(data[:4], "big")]):
        return "AVIF"
    return None


def describe(data: bytes) -> str:
    """A few words on what refused bytes look like instead, for the message."""
    head = data[:512].lstrip().lower()
    if head.startswith(b"<?xml") and b"<svg" in data[:4096].lower() or head.startswith(b"<svg"):
        return "an SVG document"
    if head.startswith((b"<!doctype", b"<html")):
        return "an HTML page"
    if not data:
        return "an empty file"
    return f"bytes starting {data[:8].hex(' ')}"


def check(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Checked:
    """The bytes as a Checked picture, or PictureError naming the problem."""
    if len(data) > max_bytes:
        raise PictureError(f"{len(data)} bytes is over the picture limit of {max_bytes} bytes")
    kind = sniff(data)
    if kind is None:
        raise PictureError(f"not a JPEG, PNG, WebP, GIF or AVIF picture ({describe(data)})")
    if _MARKUP.search(data):
        raise PictureError(f"{kind} file carries HTML or script markup (a polyglot); refused")
    with warnings.catch_warnings():
        # Pillow warns past MAX_IMAGE_PIXELS and fails only at twice that: a warning here is
        # an error, and our own cap (lower, checked before any pixel is decoded) comes first.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[kind]) as im:
                width, height = im.size
                if width * height > max_pixels:
                    raise PictureError(f"{width}x{height} pixels is over the limit of "
                                       f"{max_pixels} pixels (a decompression bomb?)")
                if kind == "JPEG":  # every coded block is still read, at an 8th of the cost
                    im.draft(im.mode, (max(1, width // 8), max(1, height // 8)))
                im.load()  # the whole first frame: a truncated file fails here
        except PictureError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PictureError(f"decompression bomb refused: {exc}") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise PictureError(f"{kind} file cannot be decoded: {exc}") from None
    if width < 1 or height < 1:
        raise PictureError(f"{kind} file has no pixels ({width}x{height})")
    return Checked(data, hashlib.sha256(data).hexdigest(), MIME[kind], width, height)


def widths_for(width: int) -> tuple[int, ...]:
    """The rendition widths of a picture `width` pixels wide: never wider than it is."""
    return tuple(w for w in WIDTHS if w < width) + ((width,) if width <= WIDTHS[-1] else ())


def height_for(width: int, height: int, target: int) -> int:
    return max(1, round(height * target / width))


def render(data: bytes, width: int, fmt: str) -> tuple[bytes, int]:
    """A rendition `width` pixels wide in `fmt` (webp | jpg), and its height."""
    return render_all(data, [width], [fmt])[width, fmt]


def render_all(data: bytes, widths: list[int] | tuple[int, ...], fmts: list[str] | tuple[str, ...],
               ) -> dict[tuple[int, str], tuple[bytes, int]]:
    """Renditions at every width in every format, from one decode: {(width, fmt): (bytes,
    height)}. Decoded and encoded afresh: the camera's orientation applied, EXIF (GPS) and
    XMP left behind; the colour profile kept, so colours stay as the photographer saw them."""
    for fmt in fmts:
        if fmt not in FORMATS:
            raise ValueError(f"unknown rendition format {fmt!r}")
    widest = max(widths)
    with Image.open(io.BytesIO(data)) as im:
        icc = im.info.get("icc_profile")
        if im.format == "JPEG" and im.getexif().get(0x0112, 1) == 1:  # upright as stored
            # DCT scaling: decode at 1/2, 1/4 or 1/8 size when that is still wide enough.
            im.draft("RGB", (widest, height_for(im.width, im.height, widest)))
        im = ImageOps.exif_transpose(im)
        alpha = _alpha(im)
        base = im.convert("RGBA" if alpha else "RGB")
    out: dict[tuple[int, str], tuple[bytes, int]] = {}
    extra = {"icc_profile": icc} if icc else {}
    for width in sorted(widths, reverse=True):
        target = (width, height_for(base.width, base.height, width))
        sized = base if base.size == target else base.resize(
            target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        sized.info = {}  # nothing of the original's metadata rides along
        for fmt in fmts:
            buffer = io.BytesIO()
            if fmt == "webp":
                sized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
            else:
                flat = sized.convert("RGB") if alpha else sized
                flat.info = {}
                flat.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True,
                          **extra)
            out[width, fmt] = (buffer.getvalue(), target[1])
    return out


def _alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
