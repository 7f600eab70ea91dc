"""Forms for inviting users, editing their roles and filtering admin lists."""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import HiddenField, SelectMultipleField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from gfp_portal.accounts.models import Role
from gfp_portal.core.forms import (
    CheckboxListField,
    DataRequired,
    EditsRecord,
    FilterForm,
    PlausibleDateField,
    PortalForm,
    SelectField,
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


class InviteUserForm(PersonNameFields, RolesMixin, PortalForm):
    locale = SelectField(_l("Language of the invitation"), description=_l(
        "For a person already in the registry, the invitation uses the language and time zone "
        "of their record; change them there."))
    time_zone = TimeZoneField(_l("Time zone"), default="UTC")
    submit = SubmitField(_l("Send invitation"))

    def __init__(self, *args, unct_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices(list(unct_choices))
        self.locale.choices = language_choices()


class EditRolesForm(EditsRecord, RolesMixin, PortalForm):
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


class AuditFilterForm(FilterForm):
    object_type = SelectField(_l("Object"), validators=[Optional()])
    who = SingleLineField(_l("Who"), validators=[Optional(), Length(max=200)])
    since = PlausibleDateField(lazy_pgettext("first day of a period", "From"),
                               validators=[Optional()])
    until = PlausibleDateField(lazy_pgettext("last day of a period", "To"),
                               validators=[Optional()])
    # Kept from an address that names the kind of action ("appointment."); no field shows it.
    action = HiddenField(validators=[Optional(), Length(max=64)])

    def __init__(self, *args, object_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.object_type.choices = [("", _l("All")), *object_types]

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must not be before the start date."))

    def filters(self):
        """The filter values; one that fails its check filters nothing."""
        self.validate()
        return {"object_type": self.object_type.data or None, "action": self.action.data or None,
                "who": (self.who.data or "").strip() or None, "since": self.since.data,
                "until": self.until.data}
