"""Demo programme: the first day of the Global Annual Meeting gets an agenda with two guest
presenters, and an invitation link for guests."""
from datetime import timedelta

from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.programme import agenda, guests
from gfp_portal.programme.models import AgendaItem
from gfp_portal.sessions.models import TrainingSeries, TrainingSession

ITEMS = (
    (0, {"title_en": "Opening of the meeting", "title_fr": "Ouverture de la réunion",
         "title_es": "Apertura de la reunión", "title_ar": "افتتاح الاجتماع",
         "description_en": "Welcome by the Office of the Focal Point for Women."}, "office"),
    (30, {"title_en": "Keynote: gender parity beyond the UN system",
          "title_fr": "Discours liminaire : la parité des sexes au-delà du système des "
                      "Nations Unies",
          "title_es": "Discurso principal: la paridad de género más allá del sistema de las "
                      "Naciones Unidas",
          "title_ar": "الكلمة الرئيسية: التكافؤ بين الجنسين خارج منظومة الأمم المتحدة"},
     "academia"),
    (90, {"title_en": "Panel: enabling environments in Member States",
          "title_fr": "Table ronde : l’environnement favorable dans les États Membres",
          "title_es": "Mesa redonda: el entorno propicio en los Estados Miembros",
          "title_ar": "حلقة نقاش: البيئة التمكينية في الدول الأعضاء"}, "member_state"),
)
GUESTS = {"academia": ("Dr Ingrid Halvorsen", "University of Bergen"),
          "member_state": ("Ms Amal Haddad", "Permanent Mission of Jordan")}


def seed_programme(*, now):
    office = db.session.scalars(select(User).filter_by(email="coordinator@demo.gfp")).first()
    series = db.session.scalars(select(TrainingSeries).order_by(TrainingSeries.id)).first()
    if series is None or office is None:
        return 0
    session = db.session.scalars(select(TrainingSession).where(
        TrainingSession.series_id == series.id).order_by(TrainingSession.starts_at)).first()
    if db.session.scalars(select(AgendaItem.id).filter_by(session_id=session.id)).first():
        return 0  # seeded already
    for minutes, texts, who in ITEMS:
        if who == "office":
            presenters = [agenda.presenter(user=office)]
        else:
            name, organisation = GUESTS[who]
            guest = agenda.add_guest_presenter(name, organisation, who, actor=office, now=now)
            presenters = [agenda.presenter(guest=guest)]
        agenda.add_item(session, {**texts, "starts_at": session.starts_at +
                                  timedelta(minutes=minutes)}, presenters, actor=office, now=now)
    guests.create_invitation(session, 20, actor=office, now=now)
    return len(ITEMS)
