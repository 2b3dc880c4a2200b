"""The meeting pack: one click, an offline HTML file and a PDF, for the current filters."""

import base64
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from app import create_app
from tests.conftest import CHROMIUM, REQUIRE_BROWSER, browser_available
from tests.pages.helpers import call, logged_in


@pytest.fixture
def app(settings):
    return create_app(settings)


def test_meeting_pack_html_and_pdf(app, tmp_path):
    if not browser_available():
        if REQUIRE_BROWSER:
            pytest.fail(f"Chromium ({CHROMIUM}) is needed to print the PDF")
        pytest.skip("Chromium is needed to print the PDF")
    client = logged_in(app, "committee")
    out = call(
        client,
        app,
        "shell-pack-html.data",
        {"shell-pack-button.n_clicks": 1, "shell-url.search": "?center=SH1,PKU"},
        ["shell-pack-button.n_clicks"],
    )["response"]
    html_file = out["shell-pack-html"]["data"]
    pdf_file = out["shell-pack-pdf"]["data"]
    assert html_file["filename"].endswith(".html") and pdf_file["filename"].endswith(".pdf")
    html = html_file["content"]
    assert "Centers: SH1, PKU" in html and "Made 20" in html
    # Central monitoring: the quality tolerance limits and the indicators by center.
    assert "Quality tolerance limits" in html and 'id="risk-flags"' in html
    # Self-contained: plotly.js is inlined, nothing is fetched from elsewhere.
    assert "Plotly" in html and not re.search(r"<script[^>]+src=", html)
    # plotly.js carries URL strings (map tiles, attributions); the document itself, outside the
    # script bodies, must load nothing from the network.
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", markup)
    assert not re.search(r"\b(SH1|SMU3|PKU)-\d{3}\b", html)  # aggregates only
    pdf = base64.b64decode(pdf_file["content"])
    (tmp_path / "pack.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 6  # one section per page at least
    first = reader.pages[0].extract_text()
    assert "Meeting pack" in first and "Recruitment" in first
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "2",
                str(tmp_path / "pack.pdf"),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        assert list(tmp_path.glob("page*.png"))
    assert "ready" in out["shell-pack-status"]["children"]
