"""Bytes to text the way agency copy really arrives: BOMs, cp1252 mislabelled as UTF-8."""

from __future__ import annotations

import codecs

from wiredesk.formats.errors import FormatError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_BYTES = tuple(bom for bom, _ in _BOMS)  # one test for the usual file without a BOM


def decode(data: bytes, fmt: str, declared: str | None = None) -> str:
    """Decode agency bytes. A BOM wins, then the declared charset, then UTF-8, then cp1252.

    Text that claims UTF-8 but is not (the usual Windows-1252 export) is read as cp1252
    rather than refused; NUL bytes (binary junk) end in a FormatError.
    """
    for bom, encoding in _BOMS if data.startswith(_BOM_BYTES) else ():
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise FormatError(fmt, f"byte {exc.start}", f"invalid {encoding} after BOM") from exc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FormatError(fmt, f"byte {nul}", "binary data (a NUL byte), expected text")
    candidates = [declared] if declared else []
    candidates += ["utf-8", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return text
    return data.decode("latin-1")  # every byte maps: the last resort never fails
