"""A document's bytes → its text: the declared or detected encoding (as browsers read it),
and a clear refusal of files that are not text at all."""

from __future__ import annotations

import codecs
import re

from audiogen.errors import SourceError

_BINARY_SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"\x1f\x8b": "gzip-compressed data",
    b"RIFF": "a RIFF file (audio, video or image)",
    b"ID3": "an MP3 file",
    b"OggS": "an Ogg file",
    b"fLaC": "a FLAC file",
    b"\x7fELF": "a program",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


def describe_binary(data: bytes) -> str | None:
    """What kind of non-text file ``data`` is, or None if it may be text."""
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            return kind
    if data[4:8] == b"ftyp":
        return "an MP4/M4A file"
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary data"
    return None


def decode_document(data: bytes, *, charset: str | None = None, where: str = "the document") -> str:
    """Bytes → text: byte-order mark, then the declared charset (HTTP header or
    ``<meta>``), then UTF-8, then detection. Raises ``SourceError`` for binary data."""
    kind = describe_binary(data)
    if kind:
        raise SourceError(
            f"{where} is {kind}, not an article", hint="give an HTML, Markdown or text file, or a web page"
        )
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    declared = [charset] if charset else []
    match = _META_CHARSET.search(data[:4096])
    if match:
        declared.append(match.group(1).decode("ascii"))
    for name in declared:
        try:
            return data.decode(_python_codec(name))
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise SourceError(f"cannot tell the text encoding of {where}", hint="save it as UTF-8 and try again")
    # Short pages often decode cleanly in several codecs (cp1250 and cp1252; cp949 and
    # cp932); among the near-ties take the one the Web uses most.
    least = min(match.chaos for match in matches)
    tied = [match for match in matches if match.chaos <= least + 0.05]
    tied.sort(key=lambda match: _WEB_USAGE.index(match.encoding) if match.encoding in _WEB_USAGE else len(_WEB_USAGE))
    return str(tied[0])


#: legacy encodings by how common they are on the Web, most common first
_WEB_USAGE = [
    "cp1252",
    "latin_1",
    "cp1251",
    "cp932",
    "shift_jis",
    "euc_jp",
    "gb18030",
    "gb2312",
    "cp949",
    "euc_kr",
    "big5",
    "cp1250",
    "iso8859_2",
    "cp1256",
    "cp1253",
    "cp1254",
    "cp1255",
    "koi8_r",
    "cp874",
]


def _python_codec(name: str) -> str:
    name = name.strip().lower()
    # WHATWG: pages labelled Latin-1 are decoded as Windows-1252.
    return {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252"}.get(name, name)
