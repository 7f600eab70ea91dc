"""Forms for inviting users, editing their roles and filtering admin lists."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from gfp_portal.accounts.models import Role
from gfp_portal.core.forms import (
    CheckboxListField,
    FilterForm,
    SingleLineField,
    TimeZoneField,
    language_choices,
)
from gfp_portal.core.outbox import MailStatus
from gfp_portal.registry.forms import PersonNameFields
from gfp_portal.sessions.queries import SESSION_NOTICE


class RolesMixin:
    roles = CheckboxListField(_l("Roles"), validators=[
        DataRequired(message=_l("Choose at least one role."))])
    uncts = SelectMultipleField(
        _l("UN Country Teams (Resident Coordinators only)"), coerce=int,
        validators=[Optional()],
        description=_l("Hold Ctrl (or ⌘) to choose several country teams."))

    def set_choices(self, unct_choices):
        self.roles.choices = Role.choices()
        self.uncts.choices = unct_choices


class InviteUserForm(PersonNameFields, RolesMixin, FlaskForm):
    locale = SelectField(_l("Language of the invitation"))
    time_zone = TimeZoneField(_l("Time zone"), default="UTC")
    submit = SubmitField(_l("Send invitation"))

    def __init__(self, *args, unct_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices(list(unct_choices))
        self.locale.choices = language_choices()


class EditRolesForm(RolesMixin, FlaskForm):
    submit = SubmitField(_l("Save roles"))

    def __init__(self, *args, unct_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices(list(unct_choices))


class UserFilterForm(FilterForm):
    q = SingleLineField(_l("Search"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [("", _l("All roles")), *Role.choices()]
        self.status.choices = [("", _l("All")), ("active", _l("Active")),
                               ("invited", _l("Invited")), ("deactivated", _l("Deactivated"))]


class OutboxFilterForm(FilterForm):
    status = SelectField(_l("Status"), validators=[Optional()])
    template = SelectField(_l("Kind of email"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _l("All")), *MailStatus.choices()]
        self.template.choices = [("", _l("All kinds")),
                                 (SESSION_NOTICE, _l("Session invitations and notices"))]
