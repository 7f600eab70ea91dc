"""Every main page of every role on a phone (390 px), in English and Arabic: nothing scrolls
sideways (nor at 320 px or on a tablet, in French and Arabic), the console stays free of errors
(the CSP blocks inline styles and scripts), and the menu opens without JavaScript."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import DEFAULT_TIMEOUT_MS, sign_in
from .main_pages import MAIN_PAGES, ROLE_ACCOUNTS, demo_objects, main_paths

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
REFLOW = {"width": 320, "height": 640}
LANGUAGES = ["en", "ar"]
CASES = [(role, lang) for role in ROLE_ACCOUNTS for lang in LANGUAGES]
MENU = "nav details.portal-menu"


def _phone_page(chromium, live_server, role, lang, *, javascript=True, viewport=PHONE):
    context = chromium.new_context(base_url=live_server, locale=lang, viewport=viewport,
                                   java_script_enabled=javascript)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    if ROLE_ACCOUNTS[role]:
        # Signed in on a wide window, where the sign-out button shows without opening the menu.
        page.set_viewport_size({"width": 1280, "height": 800})
        sign_in(page, ROLE_ACCOUNTS[role], lang=lang)
        page.set_viewport_size(viewport)
    return context, page



def _visit(page, path, lang):
    response = page.goto(path + ("&" if "?" in path else "?") + f"lang={lang}")
    status = response.status if response is not None else None
    assert status == 200, f"{path}: {status}"
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# The tables that scroll sideways on purpose: the coverage matrix (country teams × entities),
# its row headers staying in sight, and the figures of a chart, years across, each in a region
# that the keyboard reaches and scrolls.
FITTING_TABLES = ("[...document.querySelectorAll('main table')].filter(table => "
                  "!table.matches('.coverage-matrix') "
                  "&& !table.closest('[role=region][tabindex]'))")

# Cells that lie outside the window, scrolled away inside their table's box.
HIDDEN_CELLS = "() => " + FITTING_TABLES + """
  .flatMap(table =>
  [...table.querySelectorAll('tbody td, tbody th')].filter(cell => {
    const box = cell.getBoundingClientRect();
    return box.width > 0 && (box.left < -1 || box.right > window.innerWidth + 1);
  }).slice(0, 1).map(cell => (table.caption ? table.caption.textContent.trim() + ': ' : '')
                               + cell.textContent.trim().slice(0, 40)))"""

# Cells whose text runs past their own edge (a line kept whole, a long word): on a phone the
# words are cut off at the card's side instead of wrapping.
CUT_OFF_CELLS = "() => " + FITTING_TABLES + """
  .flatMap(table =>
  [...table.querySelectorAll('tbody td, tbody th')].filter(cell =>
    cell.getBoundingClientRect().width > 0 && cell.scrollWidth > cell.clientWidth + 1)
  .slice(0, 1).map(cell => (table.caption ? table.caption.textContent.trim() + ': ' : '')
                           + cell.textContent.trim().slice(0, 40)))"""

# Stacked cells whose name (data-label) is not the header of their column.
MISLABELLED_CELLS = """() => [...document.querySelectorAll('main table.table-stack')]
  .flatMap(table => {
  const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  return [...table.querySelectorAll('tbody tr')].flatMap(row => {
    let column = 0;
    return [...row.cells].flatMap(cell => {
      const header = headers[column];
      column += cell.colSpan;
      return cell.dataset.label !== undefined && cell.dataset.label !== header
        ? [`${cell.dataset.label} under ${header}`] : [];
    });
  }).slice(0, 1);
})"""



def _layout_problems(page, where):
    problems = []
    overflow = _overflow(page)
    if overflow > 0:
        problems.append(f"{where}: {overflow}px wider than the window")
    problems.extend(f"{where}: a table cell out of sight: {cell}"
                    for cell in page.evaluate(HIDDEN_CELLS))
    problems.extend(f"{where}: a cell whose text is cut off: {cell}"
                    for cell in page.evaluate(CUT_OFF_CELLS))
    problems.extend(f"{where}: a cell named {cell}" for cell in page.evaluate(MISLABELLED_CELLS))
    return problems


@pytest.mark.parametrize("role, lang", CASES)
def test_no_page_scrolls_sideways_or_logs_an_error_on_a_phone(chromium, live_server, live_workdir,
                                                               role, lang):
    context, page = _phone_page(chromium, live_server, role, lang)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems = []
    try:
        for path in main_paths(page, role, lang, live_workdir / "portal.db"):
            errors.clear()
            _visit(page, path, lang)
            page.wait_for_load_state("load")
            problems += _layout_problems(page, path)
            if errors:
                problems.append(f"{path}: {len(errors)} console error(s), the first: {errors[0]}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("role", list(MAIN_PAGES))
def test_pages_fit_a_tablet_a_phone_and_the_reflow_width(chromium, live_server, live_workdir,
                                                         role, lang):
    """In French, the longest of the four languages, and in Arabic: at 768 px, where cards sit
    side by side in narrow columns, nothing scrolls sideways; at 390 px the checks of the phone
    test hold; at 320 px, the width at which WCAG's reflow criterion asks for no sideways
    scrolling (a small phone, or a page zoomed to 400 %), nothing scrolls sideways either."""
    context, page = _phone_page(chromium, live_server, role, lang, viewport=TABLET)
    problems = []
    try:
        for path in main_paths(page, role, lang, live_workdir / "portal.db"):
            _visit(page, path, lang)
            for viewport in (TABLET, PHONE, REFLOW):
                page.set_viewport_size(viewport)
                where = f"{path} at {viewport['width']}px"
                if viewport is PHONE:
                    problems += _layout_problems(page, where)
                elif (overflow := _overflow(page)) > 0:
                    problems.append(f"{where}: {overflow}px wider than the window")
            page.set_viewport_size(TABLET)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role, lang", CASES)
def test_menu_opens_without_javascript_on_a_phone(chromium, live_server, live_workdir, role, lang):
    context, page = _phone_page(chromium, live_server, role, lang, javascript=False)
    problems = []
    try:
        for path in main_paths(page, role, lang, live_workdir / "portal.db"):
            _visit(page, path, lang)
            menu = page.locator(MENU)
            links = menu.locator("#main-nav a.nav-link, #main-nav button[type=submit]")
            expect(links.first, f"{path}: the menu is closed").to_be_hidden()
            menu.locator("summary").first.click()
            expect(menu, f"{path}: the menu opens").to_have_attribute("open", "")
            # Navigation, the language switcher and signing out (or in) are all reachable.
            expect(links.first, f"{path}: navigation").to_be_visible()
            expect(menu.locator("details.language-switcher > summary"),
                   f"{path}: language switcher").to_be_visible()
            account = ("form[action$='/logout'] button" if ROLE_ACCOUNTS[role]
                       else "a.nav-link[href*='/login']")
            expect(menu.locator(account), f"{path}: sign out or in").to_be_visible()
            overflow = _overflow(page)
            if overflow > 0:
                problems.append(f"{path}: {overflow}px wider than the window with the menu open")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


REGISTRY_FILE_WITH_ERRORS = (b"email,given_name,family_name,entity\n"
                             b"not-an-email,Ana,Ruiz,NOPE\n,Bo,Li,UNDP\n")
TEAMS_REPORT = (Path(__file__).resolve().parents[1] / "attendance" / "fixtures"
                / "teams_attendance.tsv")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_import_previews_fit_a_phone(chromium, live_server, live_workdir, lang):
    """The registry's check of a file and the preview of a meeting report, each a table."""
    context, page = _phone_page(chromium, live_server, "coordinator", lang)
    attendance = f"/sessions/{demo_objects(live_workdir / 'portal.db')['past_session']}/attendance"
    problems = []
    try:
        _visit(page, "/registry/import", lang)
        form = page.locator("main form[enctype='multipart/form-data']")
        form.locator("input[type=file]").set_input_files(
            {"name": "people.csv", "mimeType": "text/csv", "buffer": REGISTRY_FILE_WITH_ERRORS})
        form.locator("[type=submit]").click()
        expect(page.locator("main table tbody tr").first).to_be_visible()

        problems += _layout_problems(page, "registry import check")
        _visit(page, attendance, lang)
        form = page.locator(f"main form[action$='{attendance}/import']")
        form.locator("input[type=file]").set_input_files(str(TEAMS_REPORT))
        form.locator("[type=submit]").click()
        expect(page.locator("main table tbody tr").first).to_be_visible()
        problems += _layout_problems(page, "meeting report preview")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_with_javascript_the_menu_closes_on_escape_or_a_click_elsewhere(chromium, live_server):
    context, page = _phone_page(chromium, live_server, "anonymous", "en")
    try:
        _visit(page, "/login", "en")
        menu = page.locator(MENU)
        summary = menu.locator("summary").first
        summary.click()
        expect(menu).to_have_attribute("open", "")
        switcher = menu.locator("details.language-switcher")
        switcher.locator("summary").click()
        expect(switcher).to_have_attribute("open", "")

        page.keyboard.press("Escape")  # the innermost menu first
        expect(switcher).not_to_have_attribute("open", "")
        expect(menu).to_have_attribute("open", "")
        page.keyboard.press("Escape")
        expect(menu).not_to_have_attribute("open", "")
        expect(summary).to_be_focused()

        summary.click()
        page.locator("main h1").click()
        expect(menu).not_to_have_attribute("open", "")
    finally:
        context.close()
