"""Every colour of the dashboard in one place: arms, centers, categories, states, grades.

Each identity keeps one colour whatever the filter: arms and centers take theirs from the
protocol (else a default by their position in the protocol), never from their position in a
filtered list. Categories (response classes, MDA, data-quality checks) have palettes of their
own that reuse neither an arm nor a center colour.
"""

from __future__ import annotations

# Okabe-Ito, colour-blind safe: arm colours by position when the protocol gives none.
ARM_DEFAULTS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#B44C00",  # vermillion, darkened so that white text on it passes WCAG AA
)

# Paul Tol's "muted" scheme (colour-blind safe) for centers, in protocol order; beyond nine
# centers colours repeat and the line dash (and the label) tells centers apart.
CENTER_DEFAULTS: tuple[str, ...] = (
    "#332288",  # indigo
    "#117733",  # green
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
    "#88CCEE",  # cyan
    "#DDCC77",  # sand
    "#CC6677",  # rose
)
CENTER_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

TEXT = "#1f2328"
MUTED = "#57606a"  # 6.4:1 on white: WCAG AA for small text
GRID = "#e5e7eb"
WARN = "#9a3412"  # 7.3:1 on white
BAND = "rgba(87, 96, 106, 0.18)"

# Pain response (ordinal): greens for response, grey for indeterminate, magenta for progression.
RESPONSE_COLOURS: dict[str, str] = {
    "complete": "#276419",
    "partial": "#7fbc41",
    "indeterminate": "#e0e0e0",
    "progression": "#c51b7d",
}
# MD Anderson categories (ordinal, same logic); NE white with a hatch, unknown codes grey.
MDA_COLOURS: dict[str, str] = {
    "CR": "#276419",
    "PR": "#7fbc41",
    "SD": "#d9f0a3",
    "PD": "#c51b7d",
    "NE": "#ffffff",
    "other": "#8c959f",
}
# NRS severity bands: a grey ramp (ordinal, no hue of its own).
BAND_COLOURS: dict[str, str] = {
    "none": "#f6f8fa",
    "mild": "#d0d7de",
    "moderate": "#8c959f",
    "severe": "#424a53",
}
# Data-quality check categories (ColorBrewer Dark2 without its orange and yellow, darkened
# where needed so that the counts written on the bars pass WCAG AA).
CHECK_COLOURS: dict[str, str] = {
    "eligibility": "#6a64a8",
    "range": "#8c6318",
    "dates": "#c0166f",
    "sbrt": "#66a61e",
    "safety": "#1f5f8b",
    "structure": "#666666",
}
# SBRT schemes: greys for allowed schemes, the warning colour (hatched) for any other.
SCHEME_GREYS: tuple[str, ...] = ("#d0d7de", "#afb8c1", "#8c959f", "#6e7781")
# CTCAE grades: light (1) to dark (4) purple, grade 5 black (UX.md).
GRADE_COLOURS: dict[int, str] = {
    1: "#dadaeb",
    2: "#9e9ac8",
    3: "#6a51a3",
    4: "#3f007d",
    5: "#000000",
}
# Visit states: colour AND symbol, never colour alone (UX.md).
STATE_STYLE: dict[str, tuple[str, str]] = {
    "done": ("#1a7f37", "circle"),
    "done_early": ("#bf8700", "diamond"),
    "done_late": ("#bf8700", "diamond"),
    "missed": ("#cf222e", "x"),
    "due": ("#0969da", "square"),
    "upcoming": ("#afb8c1", "circle-open"),
    "not_expected": ("#424a53", "line-ew-open"),
    "no_day_zero": ("#424a53", "asterisk-open"),
}
# Risk flags (Center risk page): colour AND symbol; amber and red pass AA as text on white.
FLAG_STYLE: dict[str, tuple[str, str]] = {
    "green": ("#1a7f37", "circle"),
    "amber": ("#9a6700", "diamond"),
    "red": ("#cf222e", "x"),
    "none": ("#8c959f", "circle-open"),
}
# Cell backgrounds of the risk table and the flag trend (dark text stays readable: AA).
FLAG_FILL: dict[str, str] = {
    "green": "#dafbe1",
    "amber": "#fff1c2",
    "red": "#ffd8d3",
    "none": "#f6f8fa",
}
# Compliance heatmap: white at 100 %, orange by 50 % or less; dark text stays readable (AA).
COMPLIANCE_SCALE = [[0.0, "#fc8d59"], [0.5, "#fdd49e"], [1.0, "#ffffff"]]


def arm_default(position: int) -> str:
    """The default colour of the arm at this position in the protocol."""
    return ARM_DEFAULTS[position % len(ARM_DEFAULTS)]


def center_default(position: int) -> str:
    """The default colour of the center at this position in the protocol."""
    return CENTER_DEFAULTS[position % len(CENTER_DEFAULTS)]


CENTER_PATTERNS: tuple[str, ...] = ("", "/", "x", ".", "\\", "-", "|", "+")


def center_pattern(position: int) -> str:
    """The bar fill pattern of the center at this position (as the dash, for bars)."""
    return CENTER_PATTERNS[(position // len(CENTER_DEFAULTS)) % len(CENTER_PATTERNS)]


def center_dash(position: int) -> str:
    """The line dash of the center at this position (tells centers apart when colours repeat)."""
    return CENTER_DASHES[(position // len(CENTER_DEFAULTS)) % len(CENTER_DASHES)]


def rgba(hex_colour: str, alpha: float) -> str:
    """A #RRGGBB colour with transparency."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text(background: str) -> str:
    """Dark or white text, whichever contrasts more with the background (WCAG formula)."""
    return TEXT if contrast(TEXT, background) >= contrast("#ffffff", background) else "#ffffff"
