import re

import pytest

from dashboard.i18n import MESSAGES, format_date, format_month, number, pct, signed, t, tn


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (en, zh) in MESSAGES.items():
        assert en.strip() and zh.strip(), key
        assert set(re.findall(r"{(\w+)", en)) == set(re.findall(r"{(\w+)", zh)), key


def test_translation_and_fallback():
    assert t("nav.recruitment", "zh") == "入组"
    assert t("nav.recruitment", "fr") == "Recruitment"
    assert t("rec.kpi.pct", "en", pct=pct(0.655)) == "66% of target"
    assert tn("n.subjects", 1, "en") == "1 subject" and tn("n.subjects", 2, "en") == "2 subjects"
    assert tn("n.subjects", 1, "zh") == "1 例受试者"
    assert signed(0) == "0" and signed(-0.4) == "0" and signed(3) == "+3" and signed(-2) == "−2"
    assert number(-0.04, 1) == "0.0" and pct(None) == "–"
    with pytest.raises(KeyError):
        t("no.such.key")


def test_dates():
    assert format_month("2026-11-15", "en") == "Nov 2026"
    assert format_month("2026-11-15", "zh") == "2026年11月"
    assert format_date("2026-11-05", "en") == "5 Nov 2026"
    assert format_date("2026-11-05", "zh") == "2026年11月5日"


def test_every_key_used_in_code_exists():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "dashboard"
    used = set()
    for f in root.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.0-9]+)["']""", f.read_text()))
    assert used, "no t() calls found"
    assert sorted(used - set(MESSAGES)) == []


def test_text_on_arm_colours_passes_wcag_aa():
    from dashboard.palette import (
        ARM_DEFAULTS,
        CHECK_COLOURS,
        MDA_COLOURS,
        RESPONSE_COLOURS,
        TEXT,
        readable_text,
    )
    from dashboard.palette import contrast as ratio

    for colour in (
        *ARM_DEFAULTS,
        *CHECK_COLOURS.values(),
        *RESPONSE_COLOURS.values(),
        *MDA_COLOURS.values(),
        "#9a3412",
    ):
        assert ratio(readable_text(colour), colour) >= 4.5, colour
    assert readable_text("#0072B2") == "#ffffff" and readable_text("#E69F00") == TEXT
    assert ratio("#57606a", "#ffffff") >= 4.5  # muted text on white
