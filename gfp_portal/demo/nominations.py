"""Demo nominations in every state, made through the workflow's own services (so each has its
timeline), several by rc.kenya@demo.gfp."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.nominations import services
from gfp_portal.nominations.models import Nomination
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry.models import AppointmentRole
from gfp_portal.registry.services import active_holders

# (nominator, UNCT or None for headquarters, entity, role, nominee, grade, days ago, outcome,
#  what the Office wrote, language of the nominee)
PLAN = (
    ("rc.kenya@demo.gfp", "KEN", "UNODC", "focal_point", ("Achieng", "Otieno"), "P-4", 3,
     "submitted", None, "en"),
    ("rc.kenya@demo.gfp", "KEN", "OCHA", "focal_point", ("Baraka", "Mwangi"), "P-3", 12,
     "changes_requested", "The grade is below P-4: please confirm that the head of office "
     "agrees, or propose a colleague at P-4 or above.", "en"),
    ("rc.kenya@demo.gfp", "KEN", "UNON", "alternate", ("Njeri", "Wambui"), "P-4", 30,
     "approved", None, "en"),
    ("rc.kenya@demo.gfp", "KEN", "UNHCR", "alternate", ("Kipchoge", "Ruto"), "NO-B", 45,
     "rejected", "UNHCR's representative has appointed another colleague by memo; the Office "
     "has recorded that appointment.", "en"),
    ("rc.kenya@demo.gfp", "KEN", "ILO", "alternate", ("Halima", "Abdi"), "P-3", 60,
     "withdrawn", None, "en"),
    ("coordinator@demo.gfp", None, "UNIDO", "alternate", ("Sophie", "Lambert"), "P-4", 2,
     "submitted", None, "fr"),
    ("coordinator@demo.gfp", "SEN", "UNFPA", "focal_point", ("Aminata", "Sow"), "P-4", 8,
     "submitted", None, "fr"),
    ("coordinator@demo.gfp", "JOR", "UNICEF", "alternate", ("Rania", "Haddad"), "P-4", 20,
     "approved", None, "ar"),
    ("coordinator@demo.gfp", "COL", "FAO", "alternate", ("Camila", "Restrepo"), "P-3", 5,
     "changes_requested", "Please attach the nomination memo signed by the FAO "
     "Representative.", "es"),
)
JUSTIFICATION = ("Proposed by the head of office after consultation with the gender theme "
                 "group; has led the office's gender parity action plan.")


def _submit(spec, now):
    (nominator, iso3, acronym, role, (given, family), grade, days, outcome, note,
     language) = spec
    user = find_user_by_email(nominator)
    entity = db.session.scalars(select(Entity).filter_by(acronym=acronym)).first()
    unct = db.session.scalars(select(Unct).filter_by(iso3=iso3)).first() if iso3 else None
    if user is None or entity is None or (iso3 and (unct is None or entity not in unct.members)):
        return None
    holders = active_holders(entity, unct, role) if role == AppointmentRole.focal_point else []
    submitted = now - timedelta(days=days)
    domain = acronym.lower().replace(" ", "") + ".demo.gfp"
    return services.submit_nomination({
        "role": role, "entity": entity, "unct": unct, "given_name": given,
        "family_name": family, "email": f"{given.lower()}.{family.lower()}@{domain}",
        "position_title": "Programme Specialist", "grade": grade, "preferred_language": language,
        "time_share": 20, "tor_acknowledged": True, "justification": JUSTIFICATION,
        "replaces": holders[0] if holders else None}, actor=user, now=submitted)


def _decide(nomination, outcome, note, now):
    office = find_user_by_email("coordinator@demo.gfp")
    later = nomination.submitted_at + timedelta(days=2)
    if outcome == "approved":
        services.approve_nomination(nomination, actor=office, now=later)
    elif outcome == "rejected":
        services.reject_nomination(nomination, note, actor=office, now=later)
    elif outcome == "changes_requested":
        services.request_changes(nomination, note, actor=office, now=later)
    elif outcome == "withdrawn":
        services.withdraw_nomination(nomination, reason="The agency is restructuring the post.",
                                     actor=nomination.nominator, now=later)


def seed_nominations(*, now):
    """Add the demo nominations once; returns how many were added. Emails link to
    SERVER_NAME, or to the local development server when none is set."""
    if db.session.scalar(select(Nomination.id).limit(1)) is not None:
        return 0
    server = current_app.config.get("SERVER_NAME") or "127.0.0.1:5000"
    added = 0
    with current_app.test_request_context("/", base_url=f"http://{server}"):
        for spec in PLAN:
            try:
                with db.session.begin_nested():
                    nomination = _submit(spec, now)
                    if nomination is None:
                        continue
                    _decide(nomination, spec[7], spec[8], now)
                    added += 1
            except DomainError:
                continue  # a cell the demo registry filled differently: skip that example
    return added
