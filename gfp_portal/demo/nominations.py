"""Demo nominations in every state, made through the workflow's own services (so each has its
timeline), several by rc.kenya@demo.gfp, and requests to join waiting for review."""
import io
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.nominations import join, services
from gfp_portal.nominations.models import Nomination
from gfp_portal.nominations.tokens import new_token
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
# Requests to join, confirmed and waiting for the Office: (UNCT or None, entity, role, names,
# email, grade, language). The second needs "replace"; the third is not on an entity domain.
JOIN_PLAN = (
    ("MWI", "WFP", "alternate", ("Chikondi", "Banda"), "chikondi.banda@wfp.demo.gfp", "NO-B",
     "en"),
    ("KEN", "UNICEF", "focal_point", ("Mercy", "Wanjiku"), "mercy.wanjiku@unicef.demo.gfp",
     "P-4", "en"),
    (None, "UNFPA", "alternate", ("Amal", "Haddad"), "amal.haddad@mail.example", "P-3", "ar"),
)
# Official email domains of the entities the demo uses (with the demo's own subdomains).
EMAIL_DOMAINS = {"UNDP": "undp.org", "UNICEF": "unicef.org", "WFP": "wfp.org",
                 "UNFPA": "unfpa.org", "UN-Women": "unwomen.org", "WHO": "who.int",
                 "FAO": "fao.org", "UNHCR": "unhcr.org", "ILO": "ilo.org",
                 "UNESCO": "unesco.org", "IOM": "iom.int", "UNIDO": "unido.org",
                 "OCHA": "un.org", "UNON": "un.org", "UNODC": "un.org"}
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


def demo_memo():
    """A one-page PDF, marked as a demo file, standing in for an appointment memo."""
    text = b"BT /F1 14 Tf 72 720 Td (GFP Portal demo file - not a real appointment memo) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def _email_domains():
    for acronym, domain in EMAIL_DOMAINS.items():
        entity = db.session.scalars(select(Entity).filter_by(acronym=acronym)).first()
        if entity is not None and not entity.email_domains:
            demo = acronym.lower().replace(" ", "") + ".demo.gfp"
            entity.email_domains = f"{domain} {demo}"


def _join(spec, now):
    iso3, acronym, role, (given, family), email, grade, language = spec
    entity = db.session.scalars(select(Entity).filter_by(acronym=acronym)).first()
    unct = db.session.scalars(select(Unct).filter_by(iso3=iso3)).first() if iso3 else None
    if entity is None or (iso3 and (unct is None or entity not in unct.members)):
        return None
    request, _superseded = join.submit_join_request({
        "role": role, "entity": entity, "unct": unct, "given_name": given,
        "family_name": family, "email": email, "position_title": "Programme Officer",
        "grade": grade, "preferred_language": language, "time_share": 20,
        "start_date": date.fromordinal(now.date().toordinal() - 20),
        "tor_acknowledged": False, "replaces": None},
        memo=FileStorage(io.BytesIO(demo_memo()), filename="appointment-memo.pdf"),
        now=now - timedelta(days=4))
    token = new_token(request, days=1, now=now)
    return join.verify(token, now=now - timedelta(days=3))


def email_links():
    """The context in which demo data writes its emails: their links go to SERVER_NAME, or to
    the local development server when none is set."""
    server = current_app.config.get("SERVER_NAME") or "127.0.0.1:5000"
    return current_app.test_request_context("/", base_url=f"http://{server}")


def seed_nominations(*, now):
    """Add the demo nominations once; returns how many were added (emails: email_links)."""
    if db.session.scalar(select(Nomination.id).limit(1)) is not None:
        return 0
    _email_domains()
    added = 0
    with email_links():
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
        for spec in JOIN_PLAN:
            try:
                with db.session.begin_nested():
                    added += _join(spec, now) is not None
            except DomainError:
                continue
    return added
