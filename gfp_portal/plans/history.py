"""What the audit events of implementation plans say, and the one setting they read."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe, hidden, title_of
from gfp_portal.plans.models import ImplementationPlan, PlanStatus


def register():
    describe("implementation_plans", title=_l("Implementation plan"),
             page=(ImplementationPlan, "plans.detail", "plan_id"), labels={
        "entity": _l("Entity"), "period": _l("Period"), "status": _l("Status"),
        "responsible": _l("Responsible focal points"), "document": _l("Document"),
        "targets": _l("Targets"), "note": _l("Review note"),
    }, values={"status": title_of(PlanStatus), "note": hidden}, sentences={
        "plan.create": _l("Implementation plan created"),
        "plan.status": _l("Status changed"),
        "plan.responsible": _l("Responsible focal points changed"),
        "plan.document": _l("Document version added"),
        "plan.targets": _l("Targets changed"),
        "plan.note": _l("Review note added"),
    })
    describe("plan_periods", title=_l("Plan period"), labels={
        "name": _l("Name"), "first_year": _l("First year"), "last_year": _l("Last year"),
        "deadline": _l("Submission deadline"),
    }, sentences={"plan_period.create": _l("Plan period created")})
    describe("settings", labels={"plans.reminder_days":
                                 _l("Implementation plan reminders (days before the deadline)")})
