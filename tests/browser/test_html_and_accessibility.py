"""Every main page, for each role, in English and Arabic: no serious or critical accessibility
violation (axe-core, run in the page) and valid HTML (the Nu Html Checker, run once over all).

Both tools come from npm (`make node_modules`); the checker needs Java (Debian's
default-jre-headless). `.ci/run` installs all of them.
"""
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import DEFAULT_TIMEOUT_MS, REPO_ROOT
from .main_pages import MAIN_PAGES, ROLE_ACCOUNTS, main_paths, open_as, with_lang

pytestmark = pytest.mark.browser

AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ["en", "ar"]
BLOCKING_IMPACTS = {"serious", "critical"}
VNU_TIMEOUT = 300  # seconds


@dataclass
class CheckedPage:
    role: str
    lang: str
    url: str
    status: int | None
    file: Path | None = None
    violations: list = field(default_factory=list)

    def __str__(self):
        return f"{self.url} as {self.role} in {self.lang}"


def _require(path, what):
    if not path.is_file():
        pytest.fail(f"{what} is missing at {path.relative_to(REPO_ROOT)}: run `make node_modules` "
                    "(npm ci; .ci/run does).", pytrace=False)


def _axe_violations(page, axe_source):
    # Disclosures (the language menu…) are opened, so that what they hide is checked too.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.evaluate(axe_source)
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ["violations"]});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
        }));
    }""")


def _check_role(chromium, live_server, role, lang, database, html_dir, axe_source, checked):
    """Visits the main pages of `role` in `lang` in a browser context of their own."""
    contexts = []

    def new_page(*, width, height, locale):
        context = chromium.new_context(base_url=live_server, locale=locale,
                                       viewport={"width": width, "height": height})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        page = open_as(new_page, role, lang=lang)
        for path in main_paths(page, role, lang, database):
            url = with_lang(path, lang)
            response = page.goto(url)
            result = CheckedPage(role, lang, url, response.status if response else None)
            checked.append(result)
            if result.status != 200:
                continue
            result.file = html_dir / f"{len(checked):03d}-{role}-{lang}.html"
            result.file.write_text(response.text())
            result.violations = _axe_violations(page, axe_source)
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(scope="session")
def checked_pages(chromium, live_server, live_workdir, tmp_path_factory):
    """Visits every main page of every role in every language once: its status, its HTML as
    the server sent it (saved for the Nu checker) and axe's violations."""
    _require(AXE_JS, "axe-core")
    axe_source = AXE_JS.read_text()
    html_dir = tmp_path_factory.mktemp("html")
    checked = []
    for role in ROLE_ACCOUNTS:
        for lang in LANGUAGES:
            _check_role(chromium, live_server, role, lang, live_workdir / "portal.db", html_dir,
                        axe_source, checked)
    return checked


def _describe(violation):
    nodes = "; ".join(f"{node['target']}: {node['summary']}" for node in violation["nodes"][:3])
    return f"{violation['impact']} {violation['id']} ({violation['help']}) at {nodes}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ROLE_ACCOUNTS)
def test_main_pages_have_no_serious_accessibility_violation(checked_pages, role, lang):
    pages = [page for page in checked_pages if page.role == role and page.lang == lang]
    assert len(pages) == len(MAIN_PAGES[role])
    assert [str(page) for page in pages if page.status != 200] == []
    problems = [f"{page}: {_describe(violation)}" for page in pages
                for violation in page.violations if violation["impact"] in BLOCKING_IMPACTS]
    assert problems == [], "\n".join(problems)


def test_main_pages_are_valid_html(checked_pages):
    _require(VNU_JAR, "The Nu Html Checker (vnu-jar)")
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is missing: apt-get install default-jre-headless (.ci/run does).",
                    pytrace=False)
    by_file = {str(page.file.resolve()): page for page in checked_pages if page.file}
    assert by_file
    result = subprocess.run(  # noqa: S603
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
         *sorted(str(page.file) for page in by_file.values())],
        capture_output=True, text=True, timeout=VNU_TIMEOUT, check=False)
    # The checker writes its JSON report to standard error and exits 1 when it found errors.
    report = json.loads(result.stderr[result.stderr.index("{"):])
    errors = [message for message in report["messages"]
              if message["type"] == "error" or message.get("subType") == "fatal"]
    lines = []
    for message in errors:
        page = by_file.get(urlsplit(message.get("url", "")).path, message.get("url"))
        lines.append(f"{page} line {message.get('lastLine')}: {message['message']}")
    assert lines == [], f"{len(lines)} HTML errors:\n" + "\n".join(lines)

