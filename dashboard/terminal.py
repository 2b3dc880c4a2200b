r"""Text from users (names, comments, labels) made safe to print on a terminal.

A comment with a newline would print as a second, forged line of a history or an audit trail;
an escape sequence would reach the terminal and repaint it. Every character that is not
printable (C0 and C1 controls, DEL, line and paragraph separators) is shown as an escape
instead: `\n`, `\t`, `\x1b`, `\u2028`.
"""

from __future__ import annotations

from typing import Any

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def printable(value: Any) -> str:
    """The text with every control character escaped (None as '-')."""
    if value is None:
        return "-"
    out = []
    for ch in str(value):
        code = ord(ch)
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif code < 32 or 127 <= code < 160:
            out.append(f"\\x{code:02x}")
        elif code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
