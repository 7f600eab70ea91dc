"""Forms of the attendance pages: the register, a report upload, check-in, the evaluation."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SubmitField
from wtforms.validators import Length, Optional

from gfp_portal.attendance.evaluations import RATING_TITLES, RATINGS
from gfp_portal.core.forms import (
    DataRequired,
    PortalForm,
    SingleLineField,
    TextAreaField,
    file_check_form,
)

ReportForm = file_check_form(
    _l("Teams or Zoom attendance report"),
    _l("The CSV file the meeting tool exports. Nothing is written before you confirm the "
       "preview."), _l("Check the report"))


class CheckInForm(PortalForm):
    code = SingleLineField(_l("Check-in code"), validators=[
        DataRequired(message=_l("Enter the code the host shows.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"})
    submit = SubmitField(_l("Check in"))


class EvaluationForm(PortalForm):
    applicable = RadioField(_l("The resources are applicable to my duty station."),
                            validators=[DataRequired(message=_l("Answer this question."))])
    rating = RadioField(_l("Overall, the session was"),
                        validators=[DataRequired(message=_l("Choose an overall rating."))])
    belonging = RadioField(_l("I feel a stronger sense of belonging to the network."),
                           validators=[DataRequired(message=_l("Answer this question."))])
    empowered = RadioField(_l("I feel empowered to implement the tools."),
                           validators=[DataRequired(message=_l("Answer this question."))])
    comment = TextAreaField(_l("Anything else you want the Office to know"),
                            render_kw={"rows": 4, "dir": "auto"},
                            validators=[Optional(), Length(max=4000)])
    submit = SubmitField(_l("Send my evaluation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, not in the field: WTForms 3.3 deprecates tuples passed to the field.
        yes_no = [("yes", _l("Yes")), ("no", _l("No"))]
        self.applicable.choices = self.belonging.choices = self.empowered.choices = yes_no
        self.rating.choices = [(r, RATING_TITLES[r]) for r in RATINGS]


class RevokeForm(PortalForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[Optional(), Length(max=2000)])
    confirm = BooleanField(_l("I confirm that this certificate is no longer valid"), validators=[
        DataRequired(message=_l("Tick the confirmation to revoke the certificate."))])
    submit = SubmitField(_l("Revoke the certificate"))
