"""A number typed in a form or a query string names a row only when it is plain ASCII digits
within the ids' range."""
import pytest

from gfp_portal.core.db import row_id_in


@pytest.mark.parametrize("text, row_id", [
    ("42", 42), ("0", None), ("", None), ("-3", None), (" 7", None), ("٣", None), ("²", None),
    ("9" * 30, None), ("12a", None)])
def test_only_ascii_digits_within_the_id_range_name_a_row(text, row_id):
    assert row_id_in(text) == row_id
