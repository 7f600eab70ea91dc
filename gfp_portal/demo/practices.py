"""Demo good practices (synthetic, in several languages and states) and the awards of the
Global Annual Meeting 2024, given to people of the demo registry."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.practices import services
from gfp_portal.practices.models import Award, Practice
from gfp_portal.reference.models import Entity
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus, Person

IAEA_TSM = {
    "en": ("Temporary special measures raise the share of women in the Professional categories",
           "The IAEA applied the temporary special measures for the achievement of gender "
           "parity (ST/AI/2020/5) to every recruitment in the P and higher categories.",
           "Where two candidates were substantially equal in competence and a department was "
           "below parity at the level of the post, the woman was selected. Hiring managers "
           "received a parity dashboard per department, every shortlist included at least one "
           "qualified woman, and the focal point took part in the review of each selection.",
           "Women in the P and higher categories: 32 % in 2020, 41 % in 2023.\n"
           "Women at the P-5 level: 24 % in 2020, 35 % in 2023."),
    "fr": ("Des mesures temporaires spéciales augmentent la part des femmes dans la catégorie des "
           "administrateurs",
           "L’AIEA a appliqué les mesures temporaires spéciales visant à instaurer la parité des "
           "sexes (ST/AI/2020/5) à tous les recrutements dans la catégorie des administrateurs "
           "et fonctionnaires de rang supérieur.",
           "Lorsque deux candidatures étaient de valeur sensiblement égale et que le département "
           "n’avait pas atteint la parité à la classe du poste, la candidate a été retenue. Les "
           "responsables du recrutement ont reçu un tableau de bord de la parité par département "
           "et chaque liste restreinte comptait au moins une femme qualifiée.",
           "Femmes dans la catégorie des administrateurs et fonctionnaires de rang supérieur : "
           "32 % en 2020, 41 % en 2023."),
    "ar": ("التدابير الخاصة المؤقتة ترفع نسبة النساء في الفئة الفنية",
           "طبّقت الوكالة الدولية للطاقة الذرية التدابير الخاصة المؤقتة لتحقيق التكافؤ بين "
           "الجنسين (\u200eST/AI/2020/5\u200e) على جميع التعيينات في الفئة الفنية وما فوقها.",
           "عند تساوي مرشحَين في الكفاءة تساويًا جوهريًا وعدم بلوغ الإدارة التكافؤ في رتبة "
           "الوظيفة، اختيرت المرشحة. وتلقى مديرو التوظيف لوحة متابعة للتكافؤ لكل إدارة.",
           "النساء في الفئة الفنية وما فوقها: 32 في المائة في عام 2020، و41 في المائة في عام "
           "2023."),
}
UNDP_FLEX = {
    "en": ("Flexible working arrangements for every team of a country office",
           "A country office made flexible working the default, with team agreements rather "
           "than case-by-case requests.",
           "Each team agreed on core hours, staggered working hours and up to three days of "
           "telecommuting a week, in line with ST/SGB/2019/3. Supervisors were trained, and "
           "requests and refusals are recorded so that the office can follow them.",
           "Staff who say they can balance work and family (annual survey): 54 % in 2021, "
           "78 % in 2023. Women leaving the office within two years: 9 in 2021, 3 in 2023."),
    "es": ("Modalidades de trabajo flexibles para todos los equipos de una oficina en el país",
           "Una oficina en el país adoptó el trabajo flexible como norma, mediante acuerdos de "
           "equipo en lugar de solicitudes caso por caso.",
           "Cada equipo acordó un horario básico, horarios escalonados y hasta tres días de "
           "teletrabajo por semana, de conformidad con el documento ST/SGB/2019/3. Se capacitó "
           "al personal directivo y se registran las solicitudes y las denegaciones.",
           "Personal que afirma poder conciliar el trabajo y la familia (encuesta anual): 54 % "
           "en 2021, 78 % en 2023."),
}
UNHCR_MENTORING = {
    "en": ("A mentoring programme for women at the P-3 and P-4 levels",
           "Twelve-month mentoring pairs women at the P-3 and P-4 levels with senior managers "
           "of another division.",
           "Forty mentees a year are matched with mentors at the D-1 and D-2 levels. The "
           "programme includes a training session on leadership, a written development plan "
           "and a closing discussion with the Director of Human Resources.",
           "Mentees promoted within two years: 38 %, against 21 % for women at the same "
           "levels who were not mentored."),
    "fr": ("Un programme de mentorat pour les femmes des classes P-3 et P-4",
           "Pendant douze mois, des femmes des classes P-3 et P-4 sont accompagnées par des "
           "cadres supérieurs d’une autre division.",
           "Quarante personnes sont accompagnées chaque année par des mentors des classes D-1 "
           "et D-2. Le programme comprend une séance de formation au leadership, un plan de "
           "perfectionnement écrit et un entretien final avec la direction des ressources "
           "humaines.",
           "Personnes accompagnées promues dans les deux ans : 38 %, contre 21 % pour les "
           "femmes des mêmes classes non accompagnées."),
}
WFP_FIELD = {
    "en": ("Safe accommodation and travel for women in hardship duty stations",
           "Field offices in hardship duty stations reviewed accommodation, transport and "
           "security arrangements with the women who work there.",
           "Security focal points held listening sessions with women staff, UN-managed "
           "accommodation was adapted, and a shared transport schedule now covers late "
           "working hours.",
           ""),
}
UNDP_WELLBEING = {
    "es": ("Red de apoyo para el bienestar del personal",
           "Una red de personas voluntarias capacitadas orienta al personal hacia los servicios "
           "de apoyo psicosocial.",
           "La red cuenta con veinte personas voluntarias capacitadas en primeros auxilios "
           "psicológicos y un directorio de servicios confidenciales.",
           ""),
}

# entity, year, area, versions, state, submitter, contacts (entities of their focal points)
PLAN = (
    ("IAEA", 2023, "talent", IAEA_TSM, "published", "coordinator@demo.gfp", ("IAEA",)),
    ("UNDP", 2023, "flexible_working", UNDP_FLEX, "published", "fp@demo.gfp", ("UNDP",)),
    ("UNHCR", 2022, "leadership", UNHCR_MENTORING, "published", "coordinator@demo.gfp",
     ("UNHCR",)),
    ("WFP", 2024, "field_specific", WFP_FIELD, "submitted", "coordinator@demo.gfp", ("WFP",)),
    ("UNDP", 2024, "well_being", UNDP_WELLBEING, "changes_requested", "fp@demo.gfp", ()),
)
CHANGES_ASKED = "Please add the figures before and after, and an English version."

AWARDS = (
    ("Gender Focal Point of the Year", "IAEA", 2, {
        "en": "For leading the application of the temporary special measures that brought "
              "the IAEA within reach of parity in the Professional categories.",
        "fr": "Pour avoir conduit l’application des mesures temporaires spéciales qui ont "
              "rapproché l’AIEA de la parité dans la catégorie des administrateurs.",
        "ar": "تقديرًا لقيادة تطبيق التدابير الخاصة المؤقتة التي قرّبت الوكالة الدولية للطاقة "
              "الذرية من التكافؤ في الفئة الفنية.",
    }),
    ("Enabling Environment Champion", "UNDP", 1, {
        "en": "For making flexible working the rule rather than the exception in a country "
              "office.",
        "es": "Por hacer del trabajo flexible la norma y no la excepción en una oficina en el "
              "país.",
    }),
    ("Network Mentor Award", "UNHCR", 1, {
        "en": "For a mentoring programme that other entities of the network have adopted.",
        "fr": "Pour un programme de mentorat que d’autres entités du réseau ont adopté.",
    }),
)
AWARD_EVENT = "Global Annual Meeting 2024"


def _focal_points(acronym, limit):
    """The first active focal points and alternates of an entity, in a stable order."""
    return db.session.scalars(
        select(Person).join(Appointment, Appointment.person_id == Person.id)
        .join(Entity, Entity.id == Appointment.entity_id)
        .where(Entity.acronym == acronym, Appointment.status == AppointmentStatus.active)
        .order_by(Appointment.role != AppointmentRole.focal_point, Person.id)
        .limit(limit)).unique().all()


def _version(versions, language):
    title, summary, body, results = versions[language]
    return {"language": language, "title": title, "summary": summary, "body": body,
            "results": results}


def _practice(spec, office, now):
    acronym, year, area, versions, state, submitter, contacts = spec
    user = find_user_by_email(submitter)
    entity = db.session.scalars(select(Entity).filter_by(acronym=acronym)).first()
    if user is None or entity is None:
        return None
    people = [p for code in contacts for p in _focal_points(code, 1)]
    languages = list(versions)
    submitted = now - timedelta(days=30 + 7 * len(languages) + year % 7)
    practice = services.submit_practice(
        {"entity": entity, "year": year, "area": area,
         "contacts": ", ".join(p.email for p in people), **_version(versions, languages[0])},
        actor=user, now=submitted)
    for language in languages[1:]:
        services.add_version(practice, _version(versions, language), actor=user,
                             now=submitted + timedelta(hours=2))
    decided = submitted + timedelta(days=3)
    if state == "published":
        services.publish_practice(practice, actor=office, now=decided)
    elif state == "changes_requested":
        services.request_changes(practice, CHANGES_ASKED, actor=office, now=decided)
    return practice


def seed_practices(*, now):
    """Add the demo practices and awards once; returns how many of each were added."""
    if db.session.scalar(select(Practice.id).limit(1)) is not None or \
            db.session.scalar(select(Award.id).limit(1)) is not None:
        return 0, 0
    office = find_user_by_email("coordinator@demo.gfp")
    server = current_app.config.get("SERVER_NAME") or "127.0.0.1:5000"
    practices = awards = 0
    with current_app.test_request_context("/", base_url=f"http://{server}"):
        for spec in PLAN:
            try:
                with db.session.begin_nested():
                    practices += _practice(spec, office, now) is not None
            except DomainError:
                continue  # a focal point the demo registry does not have: skip that example
        for name, acronym, count, citations in AWARDS:
            people = _focal_points(acronym, count)
            entity = db.session.scalars(select(Entity).filter_by(acronym=acronym)).first()
            if not people:
                continue
            services.create_award(
                {"year": 2024, "event": AWARD_EVENT, "name": name, "entity": entity,
                 "recipients": ", ".join(p.email for p in people), "citations": citations},
                actor=office, now=now)
            awards += 1
    return practices, awards
