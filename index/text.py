"""Text from tags and file names made safe to print on a terminal or to write as one line of a file."""
from __future__ import annotations

import re

# C0 controls (newline and tab too), DEL, C1 controls (CSI, OSC, NEL...), the Unicode line and paragraph separators,
# and lone surrogates (undecodable bytes of a file name), which no terminal or UTF-8 file can take
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    code = ord(match[0])
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """`text` with every control character shown as a visible escape such as \\x1b: it cannot move the cursor,
    clear the screen, retitle the window, or start a new line."""
    return _UNSAFE.sub(_escape, str(text))
