"""The Office's form for a topic of training sessions."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField
from wtforms.validators import Length, NumberRange, Optional

from gfp_portal.core.forms import (
    DataRequired,
    EditsRecord,
    PortalForm,
    SingleLineField,
    WholeNumberField,
    written_in,
)


class TopicForm(EditsRecord, PortalForm):
    key = SingleLineField(_l("Key"), validators=[
        DataRequired(message=_l("Enter the key.")), Length(max=32)],
        description=_l("What sessions keep: lowercase letters, digits or underscores; it "
                       "cannot be changed later."))
    name_en = SingleLineField(_l("Name in English"), validators=[
        DataRequired(message=_l("Enter the name in English.")), Length(max=200)],
        render_kw=written_in("en"))
    name_fr = SingleLineField(_l("Name in French"), validators=[Optional(), Length(max=200)],
                              render_kw=written_in("fr"))
    name_es = SingleLineField(_l("Name in Spanish"), validators=[Optional(), Length(max=200)],
                              render_kw=written_in("es"))
    name_ar = SingleLineField(_l("Name in Arabic"), validators=[Optional(), Length(max=200)],
                              render_kw=written_in("ar"))
    position = WholeNumberField(_l("Order"), validators=[
        Optional(), NumberRange(min=0, max=100000, message=_l("Enter a number from 0."))],
        description=_l("Topics are listed from the smallest number."))
    is_active = BooleanField(_l("Offered for new sessions"), default=True)
    is_induction = BooleanField(
        _l("Induction topic"),
        description=_l("New focal points and alternates attend a session on each induction "
                       "topic as part of their induction path."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.key

    def values(self):
        """What the service takes."""
        names = ("name_en", "name_fr", "name_es", "name_ar", "position", "is_active",
                 "is_induction")
        values = {name: self[name].data for name in names}
        if "key" in self:
            values["key"] = self["key"].data
        return values
