"""HTTP byte ranges (RFC 9110 section 14) for responses built from bytes in memory.

Media players seek by asking for part of a file (``Range: bytes=START-END``); Safari will not play
audio at all from a server that ignores the header. Only single ranges are served: a multi-range
request gets the whole body, which the standard allows.
"""

from __future__ import annotations

import re

_SINGLE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class RangeNotSatisfiable(ValueError):
    """The range lies wholly outside the body: the answer is 416 with ``Content-Range: bytes */size``."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) byte positions, inclusive, of a single satisfiable range; None to send it all."""
    if not header:
        return None
    match = _SINGLE_RANGE.match(header)
    if match is None:
        return None  # malformed, another unit, or several ranges: ignored, as RFC 9110 allows
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # "bytes=-500": the last 500 bytes
        suffix = int(last_text)
        if suffix == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size:
        raise RangeNotSatisfiable(header)
    if last < first:
        return None  # an invalid range is ignored, not refused
    return first, last


def is_first_read(header: str | None) -> bool:
    """Whether a request starts reading the body (no range, or one from byte 0): a player's later
    seeks and chunked reads are continuations of the same playback."""
    if not header:
        return True
    match = _SINGLE_RANGE.match(header)
    if match is None:
        return True  # served whole, like a request without a range
    first_text = match.group(1)
    return bool(first_text) and int(first_text) == 0
