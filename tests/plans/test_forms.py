"""The targets field reads what people type: one GRADE, YEAR, PERCENT per line; anything else is
a line-numbered error, never an exception."""
from hypothesis import given, settings
from hypothesis import strategies as st

from gfp_portal.plans.forms import MAX_TARGET_LINES, TargetsField


def test_lines_are_read_with_commas_semicolons_or_tabs():
    rows, errors = TargetsField.parse("P-4, 2022, 45\n\nD-1;2023;50\nG-6\t2024\t60\n")
    assert errors == []
    assert rows == [{"grade": "P-4", "year": 2022, "women_percent": 45},
                    {"grade": "D-1", "year": 2023, "women_percent": 50},
                    {"grade": "G-6", "year": 2024, "women_percent": 60}]


def test_each_bad_line_is_reported_by_its_number():
    rows, errors = TargetsField.parse("P-4, 2022, 45\nP-4 2023 50\nP-5, soon, 40\nP-5, 2023, 4000")
    assert len(rows) == 1
    assert [str(e).split(" ", 2)[1] for e in errors] == ["2", "3", "4"]


def test_too_many_lines_are_refused():
    rows, errors = TargetsField.parse("P-4, 2022, 45\n" * (MAX_TARGET_LINES + 1))
    assert rows == [] and len(errors) == 1


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=300))
def test_any_text_gives_rows_or_errors(text):
    rows, errors = TargetsField.parse(text)
    for row in rows:
        assert 0 <= row["year"] <= 9999 and 0 <= row["women_percent"] <= 999
