"""Topics managed by the Office (the eight shipped ones and induction), sessions keeping a
topic's key; the induction path of newly appointed focal points (nobody appointed before is
put on it).

Revision ID: 0025_induction
Revises: 0024_guests
Create Date: 2026-12-03 16:00:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_induction'
down_revision = '0024_guests'
branch_labels = None
depends_on = None

# The topics as they stood when the Office took them over, with their translated names.
TOPICS = (
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


def upgrade():
    topics = op.create_table(
        'topics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('name_fr', sa.String(length=200), nullable=True),
        sa.Column('name_es', sa.String(length=200), nullable=True),
        sa.Column('name_ar', sa.String(length=200), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('is_induction', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_topics')),
        sa.UniqueConstraint('key', name=op.f('uq_topics_key')),
    )
    now = datetime.now(UTC)
    op.bulk_insert(topics, [
        {"id": n + 1, "key": key, "name_en": en, "name_fr": fr, "name_es": es, "name_ar": ar,
         "is_active": True, "is_induction": induction, "position": (n + 1) * 10,
         "created_at": now, "updated_at": now}
        for n, (key, en, fr, es, ar, induction) in enumerate(TOPICS)])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('topics', 'id'), "
                   "(SELECT max(id) FROM topics))")
    with op.batch_alter_table('training_sessions') as batch_op:
        batch_op.create_foreign_key(op.f('fk_training_sessions_topic_topics'), 'topics',
                                    ['topic'], ['key'])

    op.create_table(
        'induction_paths',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.Integer(), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('terms_read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'],
                                name=op.f('fk_induction_paths_appointment_id_appointments')),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_induction_paths_person_id_people')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_induction_paths')),
        sa.UniqueConstraint('person_id', name=op.f('uq_induction_paths_person_id')),
    )
    op.create_table(
        'induction_openings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('path_id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['path_id'], ['induction_paths.id'],
                                name=op.f('fk_induction_openings_path_id_induction_paths')),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'],
                                name=op.f('fk_induction_openings_resource_id_resources')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_induction_openings')),
        sa.UniqueConstraint('path_id', 'resource_id',
                            name=op.f('uq_induction_openings_path_id_resource_id')),
    )
    op.create_table(
        'induction_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('path_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['path_id'], ['induction_paths.id'],
                                name=op.f('fk_induction_invitations_path_id_induction_paths')),
        sa.ForeignKeyConstraint(
            ['session_id'], ['training_sessions.id'],
            name=op.f('fk_induction_invitations_session_id_training_sessions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_induction_invitations')),
        sa.UniqueConstraint('path_id', 'session_id',
                            name=op.f('uq_induction_invitations_path_id_session_id')),
    )
    op.create_index(op.f('ix_induction_invitations_path_id'), 'induction_invitations',
                    ['path_id'])


def downgrade():
    op.drop_index(op.f('ix_induction_invitations_path_id'), table_name='induction_invitations')
    op.drop_table('induction_invitations')
    op.drop_table('induction_openings')
    op.drop_table('induction_paths')
    with op.batch_alter_table('training_sessions') as batch_op:
        batch_op.drop_constraint(op.f('fk_training_sessions_topic_topics'), type_='foreignkey')
    op.drop_table('topics')
