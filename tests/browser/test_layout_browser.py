"""The layout check: every page x {pi, site, committee} x {en, zh} x {normal, presentation} at
1280x720 in headless Chromium, failing on what a shared screen would show wrong:

overlapping text (DOM and Plotly SVG text boxes, getBoundingClientRect), text cut by an ellipsis
or hidden overflow, a table wider than its card, a horizontal scrollbar, an English word left in
Chinese mode (outside the allow-list of codes, units and data values), a chart drawn with no data
and no empty-state message. The check itself is tests/browser/layout_check.js.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from benchmarks.browser import SETTLED
from dashboard.protocol import load_protocol
from tests.pages.helpers import browser_login

CHECK = (Path(__file__).with_name("layout_check.js")).read_text(encoding="utf-8")
# Installed in every new document before its own scripts: every task that blocks the main
# thread for more than 50 ms is kept, for the check's "main thread blocked" measure.
LONG_TASKS = """
window.__longTasks = [];
try {
  new PerformanceObserver(function (list) {
    for (const e of list.getEntries()) {
      window.__longTasks.push({start: e.startTime, duration: e.duration});
    }
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""


def watch_long_tasks(driver: Any) -> None:
    """Have Chromium record long tasks in every page it opens from now on."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LONG_TASKS})


PAGES = (
    "/",
    "/randomization",
    "/visits",
    "/pain",
    "/local-control",
    "/safety",
    "/data-quality",
    "/risk",
)
VIEWS = 4 * len(PAGES)  # English and Chinese, normal and presentation
ROLES = ("pi", "site-pku", "committee")
COUNTS: dict[str, int] = {}

# Words that stay as they are in Chinese: codes, units, abbreviations, method names.
TECHNICAL = """
NRS PAFI OMED MDA SBRT CTCAE SAE SAEs AE AEs CSV PDF PNG Gy mg day0 CR PR SD PD NE RFA PVA
MedDRA Kaplan Meier Clopper Pearson Greenwood Welch Anderson English CI DCR ITT Chow Gajewski
Okabe Ito Wilson log CONSORT cuts label access risk qtl gsm ICH Spiegelhalter Poisson
Steering committee
"""


def allowed_words(db_url: str, protocol_file: Path | None = None) -> list[str]:
    """Codes, labels and data values that are not translated (data stay as recorded)."""
    from sqlalchemy import create_engine, text

    p = load_protocol(protocol_file)
    words = set(TECHNICAL.split())
    words |= set(p.center_codes) | {c.short_name for c in p.centers}
    for a in p.arms:
        words |= set(re.findall(r"[A-Za-z]+", a.label))
    words |= set(p.visit_codes) | set(p.arm_codes)
    for code in (*p.visit_codes, *p.arm_codes, *p.center_codes):
        words |= set(re.findall(r"[A-Za-z]+", code))
    words |= set(re.findall(r"[A-Za-z]+", p.short_title))
    engine = create_engine(db_url)
    with engine.connect() as conn:
        for sql in (
            "SELECT DISTINCT term FROM adverse_events",
            "SELECT DISTINCT soc FROM adverse_events WHERE soc IS NOT NULL",
            "SELECT DISTINCT subject_id FROM subjects",
            "SELECT DISTINCT treated_levels FROM subjects WHERE treated_levels IS NOT NULL",
            # What sites typed stays as typed.
            "SELECT DISTINCT description FROM deviations WHERE description IS NOT NULL",
        ):
            for (value,) in conn.execute(text(sql)):
                words |= set(re.findall(r"[A-Za-z][A-Za-z'’]{2,}", str(value)))
    engine.dispose()
    words |= {"pku", "committee", "site"}  # user names shown as they are
    return sorted(words)


GRIDS_FILLED = (
    "if (!(function () {"
    + SETTLED
    + """})()) return false;
for (const slot of document.querySelectorAll('.grid-slot')) {
    if (!slot.querySelector('.ag-row, .ag-overlay-no-rows-center')) return false;
}
return true;
"""
)


def settle(driver: Any, timeout: float = 25, script: str = SETTLED) -> None:
    """Wait until Dash is idle, every graph is drawn and every grid in view has its rows."""
    deadline = time.monotonic() + timeout
    stable = 0
    while time.monotonic() < deadline:
        stable = stable + 1 if driver.execute_script(script) else 0
        if stable >= 3:
            return
        time.sleep(0.15)
    raise AssertionError("the page did not settle in time")


def check_views(
    dash_duo: Any, words: list[str], langs: tuple[str, ...], modes: tuple[bool, ...]
) -> tuple[int, list[str]]:
    """Run the check on every page in the given languages and modes; (boxes, problems)."""
    driver = dash_duo.driver
    watch_long_tasks(driver)
    found: list[str] = []
    boxes = 0
    for lang in langs:
        for present in modes:
            for path in PAGES:
                query = f"?lang={lang}" + ("&present=1" if present else "")
                driver.get(dash_duo.server.url + path + query)
                settle(driver)
                # Every grid, also those below the fold (they wait until scrolled to).
                driver.execute_script("window.grids.openAll()")
                settle(driver, script=GRIDS_FILLED)
                time.sleep(0.3)  # fonts and the last Plotly relayout
                mode = "presentation" if present else "normal"
                for where, out in (
                    presentation_views(driver, lang, words)
                    if present
                    else [("", driver.execute_script(CHECK, lang, words))]
                ):
                    boxes += out["boxes"]
                    found += [f"{path} {lang} {mode}{where}: {p}" for p in out["problems"]]
    return boxes, found


def presentation_views(driver: Any, lang: str, words: list[str]) -> list[tuple[str, Any]]:
    """The check on every screen of every panel of a page in presentation mode."""
    out = []
    panels = driver.execute_script("return window.presentation.count()")
    assert panels, "presentation mode shows no panel"
    for i in range(panels):
        driver.execute_script(f"window.presentation.show({i})")
        time.sleep(0.35)  # charts take their size once shown
        settle(driver)
        screens = driver.execute_script("return window.presentation.screens()")
        for k in range(min(screens, 8)):
            if k:
                if not driver.execute_script("return window.presentation.down()"):
                    break
                time.sleep(0.15)
            out.append(
                (
                    f" panel {i + 1}/{panels} screen {k + 1}",
                    driver.execute_script(CHECK, lang, words),
                )
            )
    return out


@pytest.mark.parametrize("role", ROLES)
def test_layout_matrix(dash_duo, settings, role):
    dash_duo.start_server(create_app(settings), navigate=False)
    dash_duo.driver.set_window_size(1280, 720)
    browser_login(dash_duo, role, "/")
    boxes, found = check_views(
        dash_duo, allowed_words(settings.db_url), ("en", "zh"), (False, True)
    )
    COUNTS[role] = boxes
    report = (
        Path(os.environ.get("TRIAL_LAYOUT_REPORT", ""))
        if os.environ.get("TRIAL_LAYOUT_REPORT")
        else None
    )
    if report is not None:
        with report.open("a", encoding="utf-8") as f:
            f.write(f"# {role}: {boxes} text boxes, {len(found)} problems\n")
            f.writelines(line + "\n" for line in found)
    print(
        f"\nlayout check, {role}: {VIEWS} views, {boxes} text boxes measured, {len(found)} problems"
    )
    assert not found, "\n".join(found[:80]) + f"\n({len(found)} problems)"


@pytest.mark.parametrize("trial", ["dose3", "sixty_centers"])
def test_layout_of_other_trials(dash_duo, tmp_path, trial):
    """DOSE-3 (3 arms, 17 centers, from its CSV bundle) and a generated trial of 60 centers
    and 4 arms: the same check, as the PI, both languages, normal and presentation."""
    from dashboard.cli import main
    from tests import trials
    from tests.conftest import make_settings
    from tests.pages.test_any_trial import FIXTURE, PROTOCOL, generated

    if trial == "dose3":
        url = f"sqlite:///{tmp_path / 'dose3.sqlite'}"
        assert main(["import", "csv", str(FIXTURE), "--db", url]) == 0
        protocol = PROTOCOL
    else:
        protocol, rows = generated(tmp_path, 60, 4)
        url = trials.sqlite(tmp_path, rows, "2026-06-30").url
    settings = make_settings(url, tmp_path / "app", protocol_file=protocol)
    dash_duo.start_server(create_app(settings), navigate=False)
    dash_duo.driver.set_window_size(1280, 720)
    browser_login(dash_duo, "pi", "/")
    words = allowed_words(url, protocol)
    boxes, found = check_views(dash_duo, words, ("en", "zh"), (False, True))
    print(f"\nlayout check, {trial}: {VIEWS} views, {boxes} text boxes, {len(found)} problems")
    report = os.environ.get("TRIAL_LAYOUT_REPORT")
    if report:
        with Path(report).open("a", encoding="utf-8") as f:
            f.write(f"# {trial}: {boxes} text boxes, {len(found)} problems\n")
            f.writelines(line + "\n" for line in found)
    assert not found, "\n".join(found[:80]) + f"\n({len(found)} problems)"


@pytest.mark.parametrize("role", ["pi", "site-704", "committee"])
def test_layout_of_the_gallery(dash_duo, tmp_path, role):
    """The gallery trial (tests/gallery.py: numeric site codes, 17 centers, 3 arms with long
    labels, ~240 AE terms, 13 visits, enrolment closed): every page for pi, a site and the
    committee, both languages, normal and presentation; 0 problems, including charts and
    swatches that draw, a header within 108 px and no task blocking the page for 2 s."""
    from dashboard.auth import UserStore
    from tests import gallery
    from tests.conftest import make_settings
    from tests.pages.helpers import EXTRA_PASSWORDS

    url = f"sqlite:///{tmp_path / 'gallery.sqlite'}"
    gallery.write(url)
    settings = make_settings(url, tmp_path / "app", protocol_file=gallery.PROTOCOL)
    UserStore(settings.resolved_users_db_url).add("site-704", "site-704-password", "site", ["704"])
    EXTRA_PASSWORDS["site-704"] = "site-704-password"
    dash_duo.start_server(create_app(settings), navigate=False)
    dash_duo.driver.set_window_size(1280, 720)
    browser_login(dash_duo, role, "/")
    words = allowed_words(url, gallery.PROTOCOL)
    boxes, found = check_views(dash_duo, words, ("en", "zh"), (False, True))
    print(
        f"\nlayout check, gallery {role}: {VIEWS} views, {boxes} text boxes, {len(found)} problems"
    )
    report = os.environ.get("TRIAL_LAYOUT_REPORT")
    if report:
        with Path(report).open("a", encoding="utf-8") as f:
            f.write(f"# gallery {role}: {boxes} text boxes, {len(found)} problems\n")
            f.writelines(line + "\n" for line in found)
    assert not found, "\n".join(found[:80]) + f"\n({len(found)} problems)"
