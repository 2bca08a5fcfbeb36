"""The report, built from the marts of the real dataset and looked at as a person would: opened
in headless Chromium (Debian's package, driven by Playwright; nothing is downloaded), every
chart drawn, no JavaScript error, no network request. A screenshot lands in reports/.

Without /usr/bin/chromium or the playwright package the browser test is skipped, saying why.
Set SPARKIFY_UPDATE_README_SCREENSHOT=1 to also refresh docs/report.png (the README's).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import REPO_ROOT, run_script

from sparkify.settings import ConnectionSettings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTIONS = 7  # six business questions and the data-quality section
SCREENSHOT = REPO_ROOT / "reports" / "sparkify_report.png"
README_SCREENSHOT = REPO_ROOT / "docs" / "report.png"

Warehouse = tuple[ConnectionSettings, dict[str, str]]


@pytest.fixture(scope="module")
def report(warehouse: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the real dataset, written by scripts/build_report.py."""
    settings, _ = warehouse
    out = tmp_path_factory.mktemp("report") / "sparkify_report.html"
    result = run_script("build_report.py", "--out", str(out), settings=settings)
    assert result.returncode == 0, result.stderr
    assert f"report written to {out}" in result.stdout
    return out


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Any]:
    """A page of headless Chromium, offline, with a profile of its own."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium package to run this test")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed: pip install -e '.[dev]'")
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1360, "height": 900},
            offline=True,
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def test_the_report_is_one_offline_file_with_a_section_per_question(report: Path) -> None:
    page = report.read_text(encoding="utf-8")

    assert page.count("<script type='text/javascript'>") == 1  # plotly.js, inlined once
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", page)
    for number in range(1, QUESTIONS + 1):
        assert f"<div class='chart' data-question='{number}'>" in page
    assert "6,820 plays by 96 users" in page


def test_the_readings_are_computed_from_the_marts(report: Path, warehouse: Warehouse) -> None:
    settings, _ = warehouse
    with psycopg.connect(settings.conninfo()) as conn:
        state = conn.execute(
            "select state_name, plays from marts.listening_by_state order by plays desc limit 1"
        ).fetchone()
        upgrades = conn.execute(
            "select count(distinct user_id) from marts.level_changes where change_type = 'upgrade'"
        ).fetchone()
    assert state is not None and upgrades is not None
    page = report.read_text(encoding="utf-8")

    assert f"Top state by plays: {state[0]}" in page
    assert f"{state[1]:,} plays" in page
    assert f"{upgrades[0]} users upgraded" in page
    assert "Dwight Yoakam" in page


def test_the_header_names_no_connection(report: Path, warehouse: Warehouse) -> None:
    settings, _ = warehouse
    page = report.read_text(encoding="utf-8")

    assert "from the marts in schema <code>marts</code>" in page
    assert f"{settings.host}:{settings.port}" not in page
    assert settings.database not in page


def test_every_chart_renders_in_chromium(browser_page: Any, report: Path) -> None:
    problems: list[str] = []
    browser_page.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    browser_page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    browser_page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith(("file:", "data:", "blob:", "about:"))
            else problems.append(f"network request: {request.url}")
        ),
    )

    browser_page.goto(report.as_uri(), wait_until="load")
    browser_page.wait_for_function(
        f"document.querySelectorAll('.chart .main-svg').length >= {QUESTIONS}", timeout=30_000
    )
    charts = browser_page.evaluate(
        """[...document.querySelectorAll('.chart')].map(chart => ({
            question: chart.dataset.question,
            svgs: chart.querySelectorAll('.main-svg').length,
            traces: chart.querySelectorAll('.main-svg .trace').length,
            width: chart.getBoundingClientRect().width,
            height: chart.getBoundingClientRect().height,
        }))"""
    )

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    browser_page.screenshot(path=str(SCREENSHOT), full_page=True)
    if os.environ.get("SPARKIFY_UPDATE_README_SCREENSHOT") == "1":
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCREENSHOT, README_SCREENSHOT)
    print(f"screenshot: {SCREENSHOT}")

    assert problems == []
    assert [chart["question"] for chart in charts] == [str(n) for n in range(1, QUESTIONS + 1)]
    for chart in charts:
        assert chart["svgs"] >= 1, chart
        assert chart["traces"] >= 1, chart
        assert chart["width"] > 600 and chart["height"] > 300, chart


def test_missing_marts_are_one_line_that_says_what_to_do(
    pg_settings: ConnectionSettings, tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    result = run_script(
        "build_report.py", "--out", str(out), "--schema", "no_marts_here", settings=pg_settings
    )

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("build_report.py: error: ")
    assert "run `make build` first" in result.stderr
    assert not out.exists()


def test_the_data_quality_section_and_header_name_the_build_and_the_last_load(
    report: Path, warehouse: Warehouse
) -> None:
    settings, _ = warehouse
    with psycopg.connect(settings.conninfo()) as conn:
        rejected = conn.execute("select count(*) from raw.rejected_records").fetchone()[0]
        load_id, records = conn.execute(
            "select load_id, records_loaded from raw.load_runs order by load_id desc limit 1"
        ).fetchone()
        build_id, passed = conn.execute(
            "select build_id, passed from publish.builds where status = 'published' "
            "order by build_id desc limit 1"
        ).fetchone()
    page = report.read_text(encoding="utf-8")

    assert rejected == 0 and "The loader rejected no record." in page
    assert "The data rules quarantined no record." in page  # the real data breaks no rule
    assert f"Last load: run {load_id}, completed" in page and f"({records:,} records loaded" in page
    assert f"The marts are build {build_id}, published" in page
    assert f"{passed:,} checks passed" in page
