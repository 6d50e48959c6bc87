"""The HTML report of each real scenario, rendered by a real browser (headless Chromium):
the DOM after rendering holds the matrix, the timeline and every contested clause, and a
screenshot is taken.

Outside CI the test skips, saying why, when no Chromium is installed. `.ci/run` installs
Debian's chromium and sets FORCECHECK_REQUIRE_BROWSER=1, so there a missing browser fails.
Screenshots go to $FORCECHECK_SCREENSHOTS when set (CI keeps them), else to a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SCENARIOS

pytestmark = pytest.mark.slow  # a real browser

REAL = sorted((SCENARIOS / "real").glob("*.yaml"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-extensions"]


def _chromium() -> str | None:
    for name in (os.environ.get("FORCECHECK_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def chromium():
    found = _chromium()
    if found is None:
        if os.environ.get("FORCECHECK_REQUIRE_BROWSER"):
            pytest.fail("FORCECHECK_REQUIRE_BROWSER is set but no chromium is installed")
        pytest.skip("no chromium on this machine (CI installs Debian's chromium; "
                    "apt-get install chromium to run this test)")
    return found


class _Dom(HTMLParser):
    """Element ids, data attributes and text of the rendered DOM."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.roles: dict[str, str] = {}
        self.contested: list[str] = []
        self.verdict_cells = 0
        self.tags: list[str] = []
        self.rows_in: dict[str, int] = {}
        self._table: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "table" and "data-role" in a:
            self._table = a["data-role"]
            self.rows_in[self._table] = 0
        if tag == "tr" and self._table:
            self.rows_in[self._table] += 1
        if "data-contested" in a:
            self.contested.append(a["data-contested"])
        if "data-verdict" in a:
            self.verdict_cells += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None


def _run(chromium: str, *args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_html_report_renders_in_a_real_browser(cli, chromium, tmp_path, path):
    page = tmp_path / "report.html"
    assert cli("check", str(path), "--format", "html", "--output", str(page)).code in (0, 1)
    doc = json.loads(cli("check", str(path), "--format", "json").out)["scenarios"][0]

    dumped = _run(chromium, "--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = _Dom()
    dom.feed(dumped.stdout)
    # The matrix: a header row and a row per clause, a verdict cell per clause and account.
    assert dom.rows_in["matrix"] == 1 + len(doc["table"])
    assert dom.verdict_cells == len(doc["table"]) * len(doc["accounts"])
    # The timeline: a header row and a row per event, each event addressable.
    assert dom.rows_in["timeline"] == 1 + len(doc["events"])
    assert {f"s1-event-{e['id']}" for e in doc["events"]} <= dom.ids
    # Every contested clause is listed and has its card.
    contested = [c["clause"] for c in doc["contested"]]
    assert contested and dom.contested == contested
    assert {f"s1-clause-{c}" for c in contested} <= dom.ids
    assert "h1" in dom.tags and "details" in dom.tags

    folder = Path(os.environ.get("FORCECHECK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{path.stem}.png"
    taken = _run(chromium, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri(),
                 profile=tmp_path / "profile2")
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a rendered page, not a blank one


class _Bars(HTMLParser):
    """The corpus report's bars as the browser built them: clause -> [(status, count)]."""

    def __init__(self):
        super().__init__()
        self.bars: dict[str, list[tuple[str, int]]] = {}
        self._clause: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "data-clause" in a:
            self._clause = a["data-clause"]
            self.bars[self._clause] = []
        if tag == "rect" and self._clause:
            self.bars[self._clause].append((a["data-status"], int(a["data-count"])))


def test_corpus_report_charts_render_in_a_real_browser(cli, chromium, tmp_path):
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "scenarios"
    assert cli("import", str(root / "tests" / "fixtures" / "incidents.csv"), "--mapping",
               str(root / "mappings" / "wapo-2015.yaml"), "--output", str(out)).code == 0
    records = tmp_path / "records.jsonl"
    records.write_text(cli("check", str(out), "--format", "json").out, encoding="utf-8")
    page = tmp_path / "corpus.html"
    assert cli("corpus", str(records), "--format", "html", "--output", str(page)).code == 0

    dumped = _run(chromium, "--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    bars = _Bars()
    bars.feed(dumped.stdout)
    assert len(bars.bars) == 13  # a row per clause of the policy
    # each bar's segments add up to the records the clause applies to (or may)
    assert bars.bars["deadly-force-imminent-threat"] == [("breach_possible", 3), ("met", 2)]
    assert bars.bars["neck-restraint"] == []  # applies to no record: no bar
    folder = Path(os.environ.get("FORCECHECK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "corpus.png"
    taken = _run(chromium, f"--screenshot={shot}", "--window-size=1280,1400", page.as_uri(),
                 profile=tmp_path / "profile2")
    assert taken.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_side_by_side_report_renders_in_a_real_browser(cli, chromium, tmp_path):
    root = Path(__file__).resolve().parents[1]
    page = tmp_path / "compare.html"
    scenario = root / "scenarios" / "real" / "minneapolis-2026-01-07.yaml"
    run = cli("check", str(scenario), "--policy", "dhs", "--policy", "doj", "--policy", "cfr-287-8",
              "--format", "html", "--output", str(page))
    assert run.code == 1, run.err
    dumped = _run(chromium, "--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    # a table per policy, one for the shared concepts, and a section per difference, with the
    # wording of each policy quoted
    assert all(f'data-policy="{p}"' in dom for p in ("dhs-uof", "doj-uof", "cfr-287-8"))
    # On Minneapolis the texts do not differ (the regulation's necessity is DHS's and DOJ's
    # feasible-alternative rule: issue 20, G4), so no difference is drawn.
    assert dom.count('class="differs"') == dom.count('class="difference"') == 0
    # Where they do differ (DOJ's "moving out of the path of the vehicle"), a section says so and
    # quotes each policy's wording.
    page = tmp_path / "step-aside.html"
    run = cli("check", str(root / "scenarios" / "teaching" / "step-aside-possible.yaml"), "--policy", "dhs",
              "--policy", "doj", "--policy", "cfr-287-8", "--format", "html", "--output", str(page))
    dumped = _run(chromium, "--dump-dom", page.as_uri(), profile=tmp_path / "profile2")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert dumped.stdout.count('class="differs"') == dumped.stdout.count('class="difference"') >= 1
    assert "<q>Specifically, firearms may not be discharged at a moving vehicle" in dumped.stdout


def test_casebook_page_renders_in_a_real_browser_and_links_each_report(cli, chromium, tmp_path):
    real = Path(__file__).resolve().parents[1] / "scenarios" / "real"
    page = tmp_path / "casebook.html"
    assert cli("casebook", str(real), "--format", "html", "--output", str(page)).code == 0
    doc = json.loads(cli("casebook", str(real), "--format", "json").out)
    dumped = _run(chromium, "--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert dumped.returncode == 0, dumped.stderr[-2000:]

    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows: list[str] = []
            self.links: list[str] = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "tr" and "data-incident" in a:
                self.rows.append(a["data-incident"])
            if tag == "a":
                self.links.append(a["href"])

    rows = Rows()
    rows.feed(dumped.stdout)
    assert len(rows.rows) == sum(len(i["accounts"]) for i in doc["incidents"])  # a row per account
    assert sorted(rows.links) == sorted(f"{i['scenario']}.html" for i in doc["incidents"])
    assert all((tmp_path / link).is_file() for link in rows.links)


def _layout(chromium: str, page: Path, width: int, profile: Path) -> dict:
    """Where the browser puts things at a window `width` wide: the page is loaded into an
    iframe of that width (headless Chromium's own window is never narrower than 500 px), and
    a script writes the measurements into the DOM that --dump-dom prints."""
    import html as h
    import re

    probe = page.with_name(f"probe-{width}.html")
    source = h.escape(page.read_text(encoding="utf-8"), quote=True)
    probe.write_text(f"""<!doctype html><html><body style="margin:0">
<iframe id="f" style="width:{width}px;height:1000px;border:0" srcdoc="{source}"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {{
  var d = this.contentDocument, vw = d.documentElement.clientWidth;
  function box(e) {{ var r = e.getBoundingClientRect();
                    return [Math.round(r.left), Math.round(r.right), Math.round(r.top)]; }}
  var out = {{vw: vw, page: d.documentElement.scrollWidth, body: box(d.body),
             heads: Array.from(d.querySelectorAll("table.matrix thead th:not(:last-child)")).map(box),
             answer: Array.from(d.querySelectorAll("section.answer")).map(box),
             timeline: Array.from(d.querySelectorAll("section.timeline")).map(box),
             bars: Array.from(d.querySelectorAll("svg.bar")).map(box)}};
  document.body.setAttribute("data-layout", JSON.stringify(out));
}});
</script></body></html>""", encoding="utf-8")
    done = _run(chromium, "--window-size=1400,1200", "--virtual-time-budget=5000", "--dump-dom",
                probe.as_uri(), profile=profile)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-layout="([^"]*)"', done.stdout)
    assert found, done.stdout[-2000:]
    return json.loads(h.unescape(found.group(1)))


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_the_answer_and_every_account_column_fit_a_phone_and_a_desktop(cli, chromium, tmp_path, path):
    """At 390 px (a phone) and 1280 px: the page never scrolls sideways, every account's column of
    the verdict matrix is inside the screen, and the answer comes before the timeline."""
    page = tmp_path / "report.html"
    assert cli("check", str(path), "--format", "html", "--output", str(page)).code in (0, 1)
    for width in (390, 1280):
        got = _layout(chromium, page, width, tmp_path / f"profile-{width}")
        assert got["vw"] == width and got["page"] <= width, got
        assert len(got["heads"]) >= 3  # clause, and each account's column
        assert all(left >= 0 and right <= width for left, right, _ in got["heads"]), got["heads"]
        assert got["answer"] and got["answer"][0][2] < got["heads"][0][2] < got["timeline"][0][2]
        if width == 1280:  # the answer and the matrix's head on the first screen
            assert got["heads"][0][2] < 800


def test_corpus_bars_fit_the_page(cli, chromium, tmp_path):
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "scenarios"
    assert cli("import", str(root / "tests" / "fixtures" / "incidents.csv"), "--mapping",
               str(root / "mappings" / "wapo-2015.yaml"), "--output", str(out)).code == 0
    records = tmp_path / "records.jsonl"
    records.write_text(cli("check", str(out), "--format", "json").out, encoding="utf-8")
    page = tmp_path / "corpus.html"
    assert cli("corpus", str(records), "--format", "html", "--output", str(page)).code == 0
    for width in (390, 1280):
        got = _layout(chromium, page, width, tmp_path / f"profile-{width}")
        assert got["page"] <= width, got  # a wide table scrolls in its own box, not the page
        if width == 1280:
            assert got["bars"] and all(right <= got["body"][1] for _, right, _ in got["bars"]), got
