"""Pages printed on paper, in English and in Arabic: the coverage matrix whole, the roster and
the attendance register as tables (not the phone's cards), and none of the controls that do
nothing on paper (filters, tabs, buttons, the forms beside the content).

A printed A4 page is 718 CSS pixels wide inside the browser's margins (210 mm less 2 × 0.4 in),
narrower than a tablet: a rule meant for narrow screens must not reach it. The tests lay the page
out at that width with the print media type, as a browser does for paper, then print it."""
import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .main_pages import demo_objects

pytestmark = pytest.mark.browser

A4_PRINTABLE_WIDTH = 718

# Controls that do nothing on paper (of the tabs, the one shown names what is printed).
CONTROLS = ("main :is(.btn, button, [role=search], .nav-tabs .nav-link:not(.active), .pagination, "
            "textarea, input[type=file])")


def _as_printed(page, artifacts_dir, name):
    page.set_viewport_size({"width": A4_PRINTABLE_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(artifacts_dir / f"print-{name}.png"), full_page=True)
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def _shown(page, selector):
    """The elements matching `selector` that are drawn (in print: not hidden from the paper)."""
    return page.evaluate("""selector => [...document.querySelectorAll(selector)]
        .filter(element => element.checkVisibility())
        .map(element => element.outerHTML.slice(0, 120))""", selector)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_coverage_matrix_prints_whole(page, artifacts_dir, lang):
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/coverage/?lang={lang}")
    expect(page.locator("table.coverage-matrix").first).to_be_visible()
    _as_printed(page, artifacts_dir, f"coverage-{lang}")

    main = page.locator("main").bounding_box()
    wraps = page.locator(".coverage-matrix-wrap")
    assert wraps.count() >= 5
    for index in range(wraps.count()):
        wrap = wraps.nth(index)
        # Nothing to scroll: every column is on the paper, on the left in English as in Arabic.
        scroll, client = wrap.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scroll <= client, (index, scroll, client)
        table = wrap.locator("table").bounding_box()
        assert table["x"] >= main["x"] - 1, (index, table, main)
        assert table["x"] + table["width"] <= main["x"] + main["width"] + 1, (index, table, main)
    assert _shown(page, CONTROLS) == []
    expect(page.locator("main h1")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_gaps_print_without_their_nominate_buttons(page, artifacts_dir, lang):
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/coverage/?view=gaps&lang={lang}")
    expect(page.locator("main a[href^='/nominations/new']").first).to_be_visible()
    _as_printed(page, artifacts_dir, f"coverage-gaps-{lang}")
    assert _shown(page, CONTROLS) == []
    expect(page.locator("main .nav-tabs .nav-link.active")).to_be_visible()  # "Gaps (2,509)"
    rows = page.locator("main table tbody tr")
    assert rows.first.evaluate("e => getComputedStyle(e).display") == "table-row"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_roster_prints_as_a_table_of_names(page, artifacts_dir, live_workdir, lang):
    session_id = demo_objects(live_workdir / "portal.db")["upcoming_session"]
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/sessions/{session_id}/roster?lang={lang}")
    _as_printed(page, artifacts_dir, f"roster-{lang}")

    table = page.locator("main table.table-stack")
    expect(table.locator("thead th").first).to_be_visible()
    rows = table.locator("tbody tr")
    assert rows.count() >= 20
    assert rows.evaluate_all("rows => rows.map(row => getComputedStyle(row).display)") == \
        ["table-row"] * rows.count()
    expect(rows.first.locator("th a")).to_be_visible()
    assert _shown(page, CONTROLS) == []
    # The forms beside the roster (add a person, register a group) stay on the screen.
    assert _shown(page, "main form input:not([type=hidden]), main form select") == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_attendance_register_prints_as_a_sign_in_sheet(page, artifacts_dir, live_workdir,
                                                           lang):
    session_id = demo_objects(live_workdir / "portal.db")["past_session"]
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/sessions/{session_id}/attendance?lang={lang}")
    _as_printed(page, artifacts_dir, f"register-{lang}")

    table = page.locator("main table.attendance-register")
    rows = table.locator("tbody tr")
    assert rows.count() >= 10
    assert rows.evaluate_all("rows => rows.map(row => getComputedStyle(row).display)") == \
        ["table-row"] * rows.count()
    expect(rows.first.locator("th")).to_be_visible()
    # Each person's attendance is read on the paper: the choice recorded, written whole inside
    # its cell, and the minutes beside it.
    for select in table.locator("select").all()[:10]:
        expect(select).to_be_visible()
        chosen = select.evaluate("s => s.selectedOptions[0].text")
        assert chosen, select
        fits = select.evaluate("""s => {
            const cell = s.closest('td').getBoundingClientRect(), box = s.getBoundingClientRect();
            return box.left >= cell.left - 1 && box.right <= cell.right + 1
                && s.scrollWidth <= s.clientWidth;
        }""")
        assert fits, chosen
    expect(table.locator("input.input-minutes").first).to_be_visible()
    assert _shown(page, CONTROLS) == []
    # The reason for corrections and the report's import are the screen's, not the paper's.
    assert _shown(page, "main input#reason, main form[enctype='multipart/form-data']") == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_session_prints_without_its_actions(page, artifacts_dir, live_workdir, lang):
    session_id = demo_objects(live_workdir / "portal.db")["upcoming_session"]
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/sessions/{session_id}?lang={lang}")
    expect(page.locator("main textarea[name=reason]")).to_be_visible()
    _as_printed(page, artifacts_dir, f"session-{lang}")

    expect(page.locator("main h1")).to_be_visible()
    assert _shown(page, CONTROLS) == []
    # Nor the heading of the cancellation, which has nothing left under it.
    assert _shown(page, "main section.border-danger") == []


def test_the_library_prints_each_documents_language_type_and_size(page, artifacts_dir):
    """Its download links are drawn as buttons, but their words are the document's facts."""
    sign_in(page, "coordinator@demo.gfp", lang="en")
    page.goto("/resources/?lang=en")
    _as_printed(page, artifacts_dir, "library-en")
    download = page.locator("main a[href*='/download']").first
    expect(download).to_be_visible()
    expect(download).to_contain_text("PDF")
    assert _shown(page, "main [role=search], main .btn:not(.print-as-text)") == []
