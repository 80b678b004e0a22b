"""Content-Encoding decoders that never produce more than the bytes a feed is still allowed.

httpx would inflate a whole network chunk at once (64 KiB of gzipped zeros is 64 MB), so
``fetch`` reads the raw stream and hands each chunk to one of these, with the room left under
``FEEDS.MAX_BYTES``; a compression bomb costs at most that much memory.

``deflate`` is meant to be zlib-wrapped (RFC 9110, 8.4.1.2), but some servers send a raw
deflate stream with no header, as old IIS did. The first two bytes tell which: a zlib header
is a 16-bit number divisible by 31 whose low nibble is 8, which a compressor's raw deflate
stream never starts with (it would be a stored block with non-zero padding bits).

``br`` is offered only when a Brotli decoder that can cap its output is installed (the
optional ``brotli`` or ``brotlicffi`` package, 1.2 or later; ``pip install -e '.[brotli]'``),
so a server never sends us an encoding we cannot read.
"""

from __future__ import annotations

import zlib
from typing import Any, Protocol

CORRUPT = "the feed's compressed body is corrupt"
CUT_SHORT = "the compressed feed was cut short"


class CorruptBody(Exception):
    """The compressed body cannot be decoded; the message says why, for people triaging."""


class Decoder(Protocol):
    """Feed ``decode`` the raw chunks in order, then call ``finish`` once."""

    @property
    def pending(self) -> bool:
        """Output is still waiting: call ``decode(b"", room)`` before the next chunk."""
        ...

    def decode(self, data: bytes, room: int) -> bytes:
        """Decode ``data``, producing about ``room`` bytes at most."""
        ...

    def finish(self) -> bytes:
        """The last bytes; raise CorruptBody if the stream stopped before its end."""
        ...


def _load_brotli() -> Any:
    """The installed Brotli decoder module (brotli, else brotlicffi), if it can cap its output.

    Only releases from 1.2 take ``output_buffer_limit``; an older one would turn 160 bytes into
    100 MB in one call, so it is treated as absent and ``br`` is not offered.
    """
    try:
        import brotli as module
    except ImportError:
        try:
            import brotlicffi as module
        except ImportError:
            return None
    try:
        module.Decompressor().process(b"", output_buffer_limit=1)
    except (TypeError, AttributeError):
        return None
    return module


BROTLI = _load_brotli()


def accept_encoding(brotli: Any = BROTLI) -> str:
    """The Accept-Encoding header: only encodings we can decode under the size cap."""
    return "gzip, deflate, br" if brotli is not None else "gzip, deflate"


class ZlibDecoder:
    """gzip, or deflate with a zlib or gzip header (``wbits`` as for ``zlib.decompressobj``)."""

    def __init__(self, wbits: int) -> None:
        self._inflate = zlib.decompressobj(wbits)
        self._tail = b""

    @property
    def pending(self) -> bool:
        return bool(self._tail) and not self._inflate.eof

    def decode(self, data: bytes, room: int) -> bytes:
        if self._inflate.eof:  # anything after the end of the stream is ignored
            return b""
        try:
            out = self._inflate.decompress(self._tail + data, room)
        except zlib.error as exc:
            raise CorruptBody(CORRUPT) from exc
        self._tail = self._inflate.unconsumed_tail
        return out

    def finish(self) -> bytes:
        try:
            out = self._inflate.flush()
        except zlib.error as exc:
            raise CorruptBody(CORRUPT) from exc
        if not self._inflate.eof:
            raise CorruptBody(CUT_SHORT)
        return out


class DeflateDecoder:
    """``Content-Encoding: deflate``, zlib-wrapped or raw: chosen on the first two bytes."""

    def __init__(self) -> None:
        self._head = b""
        self._inner: ZlibDecoder | None = None

    @property
    def pending(self) -> bool:
        return self._inner is not None and self._inner.pending

    def decode(self, data: bytes, room: int) -> bytes:
        if self._inner is None:
            self._head += data
            if len(self._head) < 2:
                return b""
            data, self._head = self._head, b""
            self._inner = ZlibDecoder(_deflate_wbits(data))
        return self._inner.decode(data, room)

    def finish(self) -> bytes:
        if self._inner is None:
            raise CorruptBody(CUT_SHORT)
        return self._inner.finish()


def _deflate_wbits(head: bytes) -> int:
    """zlib (or gzip) header → auto-detect; anything else is a raw deflate stream."""
    if head[:2] == b"\x1f\x8b":
        return 32 + zlib.MAX_WBITS
    first, second = head[0], head[1]
    if first & 0x0F == 8 and first >> 4 <= 7 and (first << 8 | second) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS


class BrotliDecoder:
    """``Content-Encoding: br`` through brotli or brotlicffi (1.2 or later)."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self._decompress = module.Decompressor()

    @property
    def pending(self) -> bool:
        return not self._decompress.can_accept_more_data()

    def decode(self, data: bytes, room: int) -> bytes:
        if self._decompress.is_finished():
            return b""
        try:
            return self._decompress.process(data, output_buffer_limit=room)
        except self._module.error as exc:
            raise CorruptBody(CORRUPT) from exc

    def finish(self) -> bytes:
        if not self._decompress.is_finished():
            raise CorruptBody(CUT_SHORT)
        return b""


def decoder_for(encoding: str) -> Decoder | None:
    """The decoder for a Content-Encoding value, None for identity; ValueError if unknown
    (or ``br`` when no Brotli decoder is installed, in which case we never offered it)."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip"):
        return ZlibDecoder(16 + zlib.MAX_WBITS)
    if name == "deflate":
        return DeflateDecoder()
    if name == "br" and BROTLI is not None:
        return BrotliDecoder(BROTLI)
    raise ValueError(encoding)
