"""The plotly.js the browser gets: the partial bundle in assets/ (scripts/build_plotly.sh), the
same version as the project's plotly (whose full bundle the meeting pack inlines), holding every
trace type the figures draw."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.config import PROJECT_ROOT

ASSETS = PROJECT_ROOT / "assets"


def bundle() -> Path:
    found = sorted(ASSETS.glob("*plotly-*.min.js"))
    assert len(found) == 1, f"one plotly.js bundle in assets/, found {found}"
    return found[0]


def test_bundle_is_the_version_of_the_projects_plotly():
    from plotly.offline import get_plotlyjs_version

    head = bundle().read_text(encoding="utf-8")[:300]
    declared = re.search(r"plotly\.js \(trial: [a-z ]+ - minified\) v(\d+\.\d+\.\d+)", head)
    assert declared, head
    want = get_plotlyjs_version()
    assert declared.group(1) == want, (
        f"assets carry plotly.js {declared.group(1)}, plotly {want}: replace the bundle "
        "(scripts/build_plotly.sh builds it for the plotly version installed)"
    )
    assert bundle().name == f"05_plotly-trial-{want}.min.js"


def test_bundle_holds_every_trace_type_the_figures_draw():
    text = bundle().read_text(encoding="utf-8")
    kinds = set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))
    used: set[str] = set()
    for file in (PROJECT_ROOT / "dashboard" / "figures").glob("*.py"):
        used |= set(re.findall(r'"type": "(\w+)"', file.read_text(encoding="utf-8")))
    used -= {"line", "rect", "data", "date", "category", "log"}  # shapes and axis types
    assert used, "no trace type found in the figure builders"
    assert used <= kinds, f"traces the bundle lacks: {sorted(used - kinds)}"


def test_the_chinese_locale_of_the_same_major_version_is_served():
    locale = ASSETS / "20_plotly-locale-zh-cn.js"
    assert 'name:"zh-CN"' in locale.read_text(encoding="utf-8")
