"""TitledEnum: a member's value is its name unless it gives one, and it keeps its title."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.enums import TitledEnum


class Colour(TitledEnum):
    dark_red = _l("Dark red")
    import_ = "import", _l("Imported")


def test_a_member_declared_with_its_title_alone_has_its_name_as_value(ctx):
    assert Colour.dark_red.value == "dark_red"
    assert Colour.dark_red == "dark_red"
    assert Colour("dark_red") is Colour.dark_red
    assert str(Colour.dark_red.title) == "Dark red"


def test_a_member_may_give_a_value_other_than_its_name():
    assert Colour.import_.value == "import"
    assert Colour("import") is Colour.import_
    assert [value for value, _title in Colour.choices()] == ["dark_red", "import"]
