"""The topics of training sessions, managed by the Office: adding, renaming, ordering,
deactivating (a topic in use is never deleted: its sessions keep it), flagging for induction."""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gfp_portal.core.audit import diff, log_action, log_creation
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import language_fields
from gfp_portal.core.text import is_blank
from gfp_portal.extensions import db
from gfp_portal.sessions.models import Topic, TrainingSession

NAME_FIELDS = language_fields("name")
FIELDS = (*NAME_FIELDS, "is_active", "is_induction", "position")
KEY = re.compile(r"^[a-z][a-z0-9_]{1,31}$")

# The topics the portal ships with (migration 0022 seeds the same rows): their keys are what
# existing sessions keep.
SEED_TOPICS = (
    ("enabling_environment", "Enabling Environment Guidelines",
     "Directives relatives à l’environnement favorable",
     "Directrices sobre el entorno propicio",
     "المبادئ التوجيهية المتعلقة بالبيئة التمكينية", False),
    ("field_guidelines", "Field-specific Enabling Environment Guidelines",
     "Directives relatives à l’environnement favorable propres au terrain",
     "Directrices sobre el entorno propicio específicas para el terreno",
     "المبادئ التوجيهية المتعلقة بالبيئة التمكينية في الميدان", False),
    ("bystander_intervention", "Bystander intervention", "Intervention des témoins",
     "Intervención de testigos", "تدخّل الشهود", False),
    ("victim_centred", "Victim-centred approach", "Approche centrée sur les victimes",
     "Enfoque centrado en las víctimas", "النهج المتمحور حول الضحايا", False),
    ("sexual_harassment", "Preventing sexual harassment", "Prévention du harcèlement sexuel",
     "Prevención del acoso sexual", "منع التحرش الجنسي", False),
    ("parity_dashboard", "Gender parity dashboard", "Tableau de bord de la parité des sexes",
     "Panel de paridad de género", "لوحة متابعة التكافؤ بين الجنسين", False),
    ("anti_racism", "Anti-racism", "Lutte contre le racisme", "Lucha contra el racismo",
     "مكافحة العنصرية", False),
    ("network_meeting", "Network meeting", "Réunion du réseau", "Reunión de la red",
     "اجتماع الشبكة", False),
    ("induction", "Induction for new focal points", "Intégration des nouveaux points focaux",
     "Iniciación para nuevos puntos focales", "تهيئة جهات التنسيق الجديدة", True),
)


def seed_rows(*, now):
    """The shipped topics as rows of `topics`, in their order."""
    return [{"key": key, "name_en": en, "name_fr": fr, "name_es": es, "name_ar": ar,
             "is_active": True, "is_induction": induction, "position": (n + 1) * 10,
             "created_at": now, "updated_at": now}
            for n, (key, en, fr, es, ar, induction) in enumerate(SEED_TOPICS)]


def state_of(topic):
    return {"key": topic.key, **{field: getattr(topic, field) for field in FIELDS}}


def _clean(data):
    values = {}
    for field in NAME_FIELDS:
        if field in data:
            text = (data[field] or "").strip()
            values[field] = None if is_blank(text) else text
    for field in ("is_active", "is_induction"):
        if field in data:
            values[field] = bool(data[field])
    if "position" in data:
        values["position"] = int(data["position"] or 0)
    if "name_en" in values and not values["name_en"]:
        raise DomainError("name_required", _l("Give the topic a name in English; the other "
                                              "languages fall back to it."), field="name_en")
    return values


def _check_unique_name(name_en, topic=None):
    stmt = select(Topic.id).where(func.lower(Topic.name_en) == name_en.lower())
    if topic is not None:
        stmt = stmt.where(Topic.id != topic.id)
    if db.session.scalar(stmt) is not None:
        raise DomainError("name_taken", _l("A topic is already called %(name)s.", name=name_en),
                          field="name_en")


def create_topic(data, *, actor, now=None):
    """A new topic, offered for new sessions at once. Its key is what sessions keep: a few
    lowercase letters, digits or underscores, never changed afterwards."""
    key = (data.get("key") or "").strip().lower()
    if not KEY.match(key):
        raise DomainError("bad_key", _l("The key is 2 to 32 lowercase letters, digits or "
                                        "underscores, starting with a letter."), field="key")
    if db.session.scalar(select(Topic.id).where(Topic.key == key)) is not None:
        raise DomainError("key_taken", _l("The key %(key)s is already used by another topic.",
                                          key=key), field="key")
    values = _clean({"is_active": True, **data})
    if not values.get("name_en"):
        raise DomainError("name_required", _l("Give the topic a name in English; the other "
                                              "languages fall back to it."), field="name_en")
    _check_unique_name(values["name_en"])
    if "position" not in values:
        values["position"] = (db.session.scalar(select(func.max(Topic.position))) or 0) + 10
    now = now or utcnow()
    topic = Topic(key=key, created_at=now, updated_at=now, **values)
    log_creation("topic.create", topic, state_of, actor=actor, now=now)
    return topic


def update_topic(topic, data, *, actor, now=None):
    """Rename, reorder, (de)activate or (un)flag a topic; its key never changes. Returns the
    changed fields."""
    values = _clean(data)
    if values.get("name_en"):
        _check_unique_name(values["name_en"], topic)
    before = state_of(topic)
    for field, value in values.items():
        setattr(topic, field, value)
    changes = diff(before, state_of(topic))
    if not changes:
        return []
    topic.updated_at = now or utcnow()
    action = "topic.update"
    if set(changes) == {"is_active"}:
        action = "topic.activate" if topic.is_active else "topic.deactivate"
    log_action(action, topic, actor=actor, now=now, changes=changes)
    db.session.flush()
    return sorted(changes)


def sessions_on(topic):
    """How many sessions, of any status, have `topic`."""
    return db.session.scalar(select(func.count()).select_from(TrainingSession)
                             .where(TrainingSession.topic == topic.key))


def check_deletable(topic):
    """Refuse to delete a topic that sessions have: it is deactivated instead."""
    if sessions_on(topic):
        raise DomainError("topic_in_use", _l(
            "Sessions have this topic: it cannot be deleted. Deactivate it instead; its "
            "sessions keep it."))


def delete_topic(topic, *, actor, now=None):
    """Delete a topic no session has ever had (a mistake); a topic in use is deactivated
    instead, so that its sessions keep it."""
    check_deletable(topic)
    log_action("topic.delete", topic, actor=actor, now=now, changes=diff(state_of(topic), {}))
    db.session.delete(topic)
    db.session.flush()


def topics():
    """Every topic, in the Office's order."""
    return db.session.scalars(select(Topic).order_by(Topic.position, Topic.name_en)).all()


def topic_choices(language, *, active_only=False, keep=None):
    """(key, name in `language`) of the topics, in order; only those offered for new
    sessions when `active_only`, and `keep` (the topic a session has) whatever its state."""
    return [(t.key, t.name(language)) for t in topics()
            if t.is_active or not active_only or t.key == keep]


def induction_topics():
    """The active topics whose sessions belong to the induction path, in order."""
    return db.session.scalars(select(Topic).where(Topic.is_induction, Topic.is_active)
                              .order_by(Topic.position, Topic.name_en)).all()


def topic_by_key(key):
    return db.session.scalar(select(Topic).where(Topic.key == key))


def session_counts():
    """topic key -> how many sessions have it (one query)."""
    return dict(db.session.execute(select(TrainingSession.topic, func.count())
                                   .group_by(TrainingSession.topic)).all())
