import re

import pytest

from dashboard.i18n import MESSAGES, PLURALS, format_date, format_month, number, pct, signed, t, tn


def test_every_message_is_translated_with_the_same_placeholders():
    """Fails on a message the Chinese catalog lacks, or whose English changed since."""
    from dashboard import catalog

    assert catalog.problems("zh") == []
    entries = catalog.load("zh").entries
    for key, en in MESSAGES.items():
        zh = entries[key].text
        assert isinstance(zh, str) and en.strip() and zh.strip(), key
        assert set(re.findall(r"{(\w+)", en)) == set(re.findall(r"{(\w+)", zh)), key


def test_an_untranslated_message_is_caught(monkeypatch):
    from dashboard import catalog

    monkeypatch.setitem(MESSAGES, "zz.new", "A message nobody translated")
    monkeypatch.setitem(MESSAGES, "nav.recruitment", "Enrolment")  # English changed
    found = catalog.problems("zh")
    assert "zh: zz.new: not translated" in found
    assert "zh: nav.recruitment: the English changed since it was translated" in found
    assert t("nav.recruitment", "zh") == "Enrolment"  # stale: the English shows


def test_template_is_extracted_from_the_code(tmp_path):
    """locale/messages.pot is what `python -m dashboard i18n extract` writes now."""
    from dashboard import catalog

    fresh = catalog.extract(tmp_path / "messages.pot").read_text(encoding="utf-8")
    kept = (catalog.LOCALE_DIR / "messages.pot").read_text(encoding="utf-8")

    def body(text: str) -> str:
        return "\n".join(x for x in text.splitlines() if "POT-Creation-Date" not in x)

    assert body(fresh) == body(kept), "run: python -m dashboard i18n extract && ... i18n update"


def test_counts_in_messages_go_through_plurals():
    """A message that puts a data count before a countable noun needs tn(), not t()."""
    noun = r"(events?|subjects?|days?|findings?|visits?|fractions?|reads?|images?)\b"
    for key, en in MESSAGES.items():
        for var in re.findall(r"{(n|k|events|count|fractions)} " + noun, en):
            raise AssertionError(f"{key}: '{{{var[0]}}} {var[1]}' is a plural; move it to PLURALS")


def test_translation_and_fallback():
    assert t("nav.recruitment", "zh") == "入组"
    assert t("nav.recruitment", "fr") == "Recruitment"
    assert t("rec.kpi.pct", "en", pct=pct(0.655)) == "66% of target"
    assert tn("n.subjects", 1, "en") == "1 subject" and tn("n.subjects", 2, "en") == "2 subjects"
    assert tn("n.subjects", 1, "zh") == "1 例受试者" and tn("n.subjects", 5, "zh") == "5 例受试者"
    assert tn("fmt.scheme", 1, "en", dose="24") == "24 Gy in 1 fraction"
    assert tn("lc.legend.km", 1, "en", arm="A", subjects=6) == "A (1 event / 6)"
    assert (
        tn("fmt.days_ago", 1, "en") == "1 day ago" and tn("fmt.days_ago", 0, "en") == "0 days ago"
    )
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
    plural = set()
    for f in root.rglob("*.py"):
        plural |= set(re.findall(r"""\btn\(\s*["']([a-z_.0-9]+)["']""", f.read_text()))
    assert plural and sorted(plural - set(PLURALS)) == []
    from dashboard import catalog

    entries = catalog.load("zh").entries
    for key, (one, other) in PLURALS.items():
        zh = entries[key].text
        assert isinstance(zh, tuple) and len(zh) == 1, key  # Chinese: one plural form
        names = [set(re.findall(r"{(\w+)", x)) for x in (one, other, zh[0])]
        assert names[0] == names[1] == names[2] and "n" in names[0], key
        assert key not in MESSAGES, key


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


def test_the_grid_paging_reads_as_chinese():
    """AG Grid puts its paging words between numbers in a fixed order ("1 to 15 of 123",
    "Page 1 of 9"): the Chinese words must read in that order."""
    from dashboard.components.grid import locale_text

    zh = locale_text("zh")
    assert f"1 {zh['to']} 15 {zh['of']} 123" == "1 至 15 / 共 123"
    assert f"{zh['page']} 1 {zh['of']} 9" == "页码 1 / 共 9"
    assert locale_text("en") == {}


def test_month_bars_are_labelled_once_per_month():
    """Ticks on month starts, every k-th month with k as small as the labels allow.

    'Sep 2026' at 14 px: 8 characters of 0.62 em = 69.4 px, plus a 14 px gap = 83.4 px; a
    half-row chart has 590 − 5 × 14 = 520 px: 6 labels, so 20 months take every 4th. In
    presentation mode (20 px, the whole row: 1,100 px for 119.2 px labels) 9 labels: every 3rd.
    '2026年10月' (2 square characters and 6 of 0.62 em: 80.1 + 14 px) fits 5: every 4th.
    """
    from dashboard.figures.theme import month_ticks

    three = ["2026-02-01", "2026-03-01", "2026-04-01"]
    assert month_ticks(three) == {"tick0": "2026-02-01", "dtick": "M1"}
    months = [f"{2024 + (m // 12)}-{m % 12 + 1:02d}-01" for m in range(20)]
    assert month_ticks(months)["dtick"] == "M4"
    assert month_ticks(months, present=True)["dtick"] == "M3"
    assert month_ticks(months, "zh")["dtick"] == "M4"
    assert month_ticks(months[:6])["dtick"] == "M1"
    assert month_ticks([]) == {}
