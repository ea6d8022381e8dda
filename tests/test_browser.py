"""conformance.html in a real browser: headless Chromium (Debian's chromium and
chromium-driver packages, which .ci/run installs) driven by Selenium.

Rendered from a real run with one failure, and checked as a person uses it: the matrix
shows, the filters hide what they should, a click opens the cell's details.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.report import coverage
from tests.real_results import UNLISTED, altered_expectations, real_run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip(
        "headless Chromium is not installed (apt-get install chromium chromium-driver; "
        ".ci/run does): the browser self-test needs a real browser",
        allow_module_level=True,
    )
webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')"
)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

WAIT = 20  # seconds for the browser to start, load or update the page


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("browser")
    expectations_dir = altered_expectations(directory / "expectations")
    real_run(directory, "--transport", "http", "--expectations", str(expectations_dir))
    return directory / "conformance.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1400,1000")
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT)
    driver.set_script_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def visible(driver: Any, selector: str) -> list[Any]:
    return [node for node in driver.find_elements(By.CSS_SELECTOR, selector) if node.is_displayed()]


@pytest.fixture
def page(browser: Any, report: Path) -> Any:
    browser.get(report.as_uri())
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "f-count").text)
    return browser


def test_matrix_shows(page: Any) -> None:
    cells = page.execute_script("return cells.length")
    assert cells > 0
    assert len(visible(page, "td.c")) == cells
    assert visible(page, "#overview table.scores tr[data-impl='stdlib-threading']")
    assert visible(page, "table.matrix td.c.s-fail")
    assert visible(page, "table.matrix td.c.s-known")


def test_search_filters_case_rows(page: Any) -> None:
    box = page.find_element(By.ID, "f-search")
    box.send_keys("head.no_body")
    WebDriverWait(page, WAIT).until(lambda d: d.find_element(By.ID, "f-count").text[0] == "1")
    rows = visible(page, "table.matrix tbody tr")
    assert [row.get_attribute("data-case") for row in rows] == ["methods.head.no_body"]


def test_implementation_and_failure_filters(page: Any) -> None:
    Select(page.find_element(By.ID, "f-impl")).select_by_visible_text("http.client")
    WebDriverWait(page, WAIT).until(lambda d: not visible(d, "th.col[data-impls~='requests']"))
    assert all("http.client" in td.get_attribute("data-impls") for td in visible(page, "td.c"))
    page.find_element(By.ID, "f-failures").click()
    # http.client has no failure in this run: nothing is left, and the page says so.
    WebDriverWait(page, WAIT).until(lambda d: d.find_element(By.ID, "empty").is_displayed())
    Select(page.find_element(By.ID, "f-impl")).select_by_visible_text("requests")
    WebDriverWait(page, WAIT).until(lambda d: visible(d, "table.matrix tbody tr"))
    rows = visible(page, "table.matrix tbody tr")
    assert [row.get_attribute("data-case") for row in rows] == [UNLISTED[1]]


def test_a_click_opens_the_cell_detail(page: Any) -> None:
    visible(page, "td.c.s-fail")[0].click()
    detail = page.find_element(By.ID, "detail")
    WebDriverWait(page, WAIT).until(lambda d: detail.is_displayed())
    text = detail.text
    assert UNLISTED[1] in text and "stdlib-threading x requests, http" in text
    assert "expected\nthe method to arrive as sent 'get' (RFC 9110 §9.1)" in text
    assert "> get /echo HTTP/1.1" in detail.find_element(By.TAG_NAME, "pre").text
    page.find_element(By.CSS_SELECTOR, "#detail .close").click()
    WebDriverWait(page, WAIT).until(lambda d: not detail.is_displayed())


def test_filters_live_in_the_url_and_reload_as_they_were(page: Any, report: Path) -> None:
    Select(page.find_element(By.ID, "f-impl")).select_by_visible_text("requests")
    page.find_element(By.ID, "f-failures").click()
    WebDriverWait(page, WAIT).until(lambda d: "failures=1" in d.current_url)
    visible(page, "td.c.s-fail")[0].click()
    WebDriverWait(page, WAIT).until(lambda d: "cell=" in d.current_url)
    linked = page.current_url
    assert "#impl=requests&failures=1&cell=" in linked
    # The link, opened afresh, shows the same filtered view with the same cell open.
    page.get("about:blank")
    page.get(linked)
    WebDriverWait(page, WAIT).until(lambda d: d.find_element(By.ID, "detail").is_displayed())
    assert page.find_element(By.ID, "f-impl").get_attribute("value") == "requests"
    assert page.find_element(By.ID, "f-failures").is_selected()
    rows = visible(page, "table.matrix tbody tr")
    assert [row.get_attribute("data-case") for row in rows] == [UNLISTED[1]]
    assert UNLISTED[1] in page.find_element(By.ID, "detail").text
    page.find_element(By.CSS_SELECTOR, "#detail .close").click()
    WebDriverWait(page, WAIT).until(lambda d: "cell=" not in d.current_url)
    assert page.current_url.endswith("#impl=requests&failures=1")


def test_a_partial_run_shows_its_note(page: Any) -> None:
    notes = visible(page, "#notes")
    assert notes and notes[0].text.startswith("Partial run (suites/test_methods.py ")


def test_coverage_page_filters_and_links_to_the_matrix(browser: Any, report: Path) -> None:
    # The run's cells tied to a requirement here, so that the page has a covered row
    # whatever the suites tie (RFC 9110 §9.1: "All general-purpose servers MUST support the
    # methods GET and HEAD.").
    document = json.loads((report.parent / "results.json").read_text(encoding="utf-8"))
    for cell in document["cells"]:
        cell["requirement_ids"] = ["9110-9.1-1"] if cell["case"] == "methods.get" else []
    page = report.with_name("coverage-tied.html")
    page.write_text(coverage.render(document, conformance=report.name), encoding="utf-8")
    browser.get(page.as_uri())
    assert visible(browser, "tr[id='9110-9.1-1'].covered")
    assert visible(browser, "tr.outside") and visible(browser, "tr.untested")
    browser.find_element(By.ID, "f-untested").click()
    WebDriverWait(browser, WAIT).until(lambda d: not visible(d, "tr.covered"))
    assert not visible(browser, "tr.outside") and visible(browser, "tr.untested")
    assert all(row.get_attribute("class") == "untested" for row in visible(browser, "tbody tr[id]"))
    browser.find_element(By.ID, "f-untested").click()
    WebDriverWait(browser, WAIT).until(lambda d: visible(d, "tr.covered"))
    # A case opens the matrix filtered to its rows.
    visible(browser, "tr[id='9110-9.1-1'] a.case")[0].click()
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "f-count").text)
    assert browser.find_element(By.ID, "f-search").get_attribute("value") == "methods.get"
    rows = visible(browser, "table.matrix tbody tr")
    assert [row.get_attribute("data-case") for row in rows] == ["methods.get"]
