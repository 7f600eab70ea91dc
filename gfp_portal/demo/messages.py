"""Demo messages to the network: three sent ones in the archive (a notice to a region, a
newsletter to the focal points of Latin America and the Caribbean, a notice to a country
team), their emails in the outbox; and a draft the Office has not sent yet."""
from datetime import timedelta

from sqlalchemy import select

from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.demo.nominations import email_links
from gfp_portal.extensions import db
from gfp_portal.messages import services
from gfp_portal.messages.models import NetworkMessage

MESSAGES = (
    (40, "notice", {"region": "africa"}, {
        "subject_en": "Regional consultation on the Field-specific Enabling Environment "
                      "Guidelines",
        "body_en": "Dear colleagues,\n\nThe Office of the Focal Point for Women invites the "
                   "focal points and alternates of the African region to a consultation on the "
                   "Field-specific Enabling Environment Guidelines. Please share the "
                   "experience of your country team before the end of the month.\n\nWith "
                   "thanks,\nThe Office of the Focal Point for Women",
        "subject_fr": "Consultation régionale sur les Directives relatives à l’environnement "
                      "favorable propres au terrain",
        "body_fr": "Chères et chers collègues,\n\nLe Bureau de la Coordonnatrice pour les "
                   "questions relatives aux femmes invite les points focaux et leurs suppléants "
                   "et suppléantes de la région Afrique à une consultation sur les Directives "
                   "relatives à l’environnement favorable propres au terrain. Merci de nous "
                   "faire part de l’expérience de votre équipe de pays avant la fin du mois."
                   "\n\nAvec nos remerciements,\nLe Bureau",
        "subject_ar": "مشاورة إقليمية بشأن المبادئ التوجيهية المتعلقة بالبيئة التمكينية في "
                      "الميدان",
        "body_ar": "الزميلات والزملاء الأعزاء،\n\nيدعو مكتب منسقة شؤون المرأة جهات التنسيق "
                   "ومناوبيها في المنطقة الأفريقية إلى مشاورة بشأن المبادئ التوجيهية المتعلقة "
                   "بالبيئة التمكينية في الميدان. يُرجى موافاتنا بتجربة كل فريق قطري قبل نهاية "
                   "الشهر.\n\nمع الشكر،\nالمكتب"}),
    (21, "newsletter", {"region": "latin_america_caribbean"}, {
        "subject_en": "Network newsletter: the parity dashboard, new guidance and the annual "
                      "meeting",
        "body_en": "Dear colleagues,\n\nThe latest figures of the System-wide Dashboard on "
                   "Gender Parity are now on the portal, with each entity's distance to "
                   "parity. The library holds the updated exit-survey template in four "
                   "languages. Registration for the Global Annual Meeting opens next month."
                   "\n\nThe Office of the Focal Point for Women",
        "subject_es": "Boletín de la red: el panel de paridad, nuevas orientaciones y la "
                      "reunión anual",
        "body_es": "Estimadas y estimados colegas:\n\nLas cifras más recientes del Panel de "
                   "Paridad de Género a Nivel de Todo el Sistema ya figuran en el portal, con la "
                   "distancia respecto de la paridad de cada entidad. La biblioteca contiene la "
                   "plantilla actualizada de la encuesta de salida en cuatro idiomas. La "
                   "inscripción en "
                   "la Reunión Anual Mundial se abrirá el mes próximo.\n\nLa Oficina de la "
                   "Coordinadora para Cuestiones relacionadas con la Mujer"}),
    (6, "notice", {"unct": "KEN"}, {
        "subject_en": "Kenya: please confirm your appointment details",
        "body_en": "Dear colleagues,\n\nPlease check on the portal that your appointment, "
                   "your terms of reference and the share of your working time are up to "
                   "date before the coverage review of the Kenya country team.\n\nThe Office "
                   "of the Focal Point for Women"}),
)

DRAFT = {
    "subject_en": "Alternates: join the induction path for new appointees",
    "body_en": "Dear colleagues,\n\nThe induction path for new focal points and alternates "
               "starts next quarter: four short sessions on the Enabling Environment "
               "Guidelines, the parity dashboard and the network's tools.\n\nThe Office of "
               "the Focal Point for Women",
    "subject_fr": "Suppléants et suppléantes\u00a0: rejoignez le parcours d’intégration des "
                  "personnes nouvellement désignées",
    "body_fr": "Chères et chers collègues,\n\nLe parcours d’intégration des nouveaux points "
               "focaux et de leurs suppléants et suppléantes commence au prochain trimestre\u00a0: "
               "quatre brèves séances "
               "sur les Directives relatives à l’environnement favorable, le tableau de bord "
               "de la parité et les outils du réseau.\n\nLe Bureau",
}


def seed_messages(*, now):
    """Send the demo messages and keep the draft, once; returns how many were sent."""
    if db.session.scalar(select(NetworkMessage.id).limit(1)) is not None:
        return 0
    office = find_user_by_email("coordinator@demo.gfp")
    sent = 0
    with email_links():
        for days_ago, kind, audience, texts in MESSAGES:
            when = now - timedelta(days=days_ago)
            message = services.save_draft(None, {"kind": kind, "audience": audience, **texts},
                                          actor=office, now=when)
            services.freeze_message(message, actor=office, now=when)
            services.deliver_message(message, now=when)
            sent += 1
        services.save_draft(None, {"kind": "newsletter", "audience": {"role": "alternate"},
                                   **DRAFT}, actor=office, now=now - timedelta(days=1))
    return sent
