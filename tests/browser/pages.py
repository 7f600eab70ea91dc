"""The main pages of each role, for the browser tests that visit them all (layout, CSP, HTML).

Paths may name a demo object in braces ("/sessions/{past_session}"); `resolve_pages` fills them
in from the live server's demo database.
"""
import sqlite3

ANONYMOUS = "anonymous"

MAIN_PAGES = {
    ANONYMOUS: [
        "/login",
        "/password/reset",
        "/join",
        "/resources/",
        "/resources/{public_resource}",
        "/certificates/{certificate}",
        "/guests/invitation/{invitation}",
    ],
    "fp@demo.gfp": [
        "/",
        "/me",
        "/sessions/",
        "/sessions/{upcoming_session}",
        "/sessions/{past_session}",
        "/registry/",
        "/resources/",
        "/resources/{public_resource}",
        "/practices/",
        "/practices/new",
        "/me/data",
        "/parity/",
        "/parity/UNDP",
        "/entities/UNDP",
        "/messages/",
        "/induction/mine",
    ],
    "rc.kenya@demo.gfp": [
        "/",
        "/coverage/KEN",
        "/registry/",
        "/nominations/",
        "/nominations/new",
        "/sessions/",
        "/resources/",
        "/me",
    ],
    "coordinator@demo.gfp": [
        "/",
        "/registry/",
        "/registry/people/{person}",
        "/registry/people/{person}/data",
        "/registry/people/{leaver}/anonymise",
        "/registry/import",
        "/nominations/",
        "/nominations/{nomination}",
        "/coverage/",
        "/coverage/?view=gaps",
        "/coverage/?without=focal_point",
        "/coverage/KEN",
        "/sessions/",
        "/sessions/{upcoming_session}",
        "/sessions/{upcoming_session}/roster",
        "/sessions/{past_session}",
        "/sessions/{past_session}/attendance",
        "/sessions/{past_session}/evaluation",
        "/sessions/evaluations",
        "/sessions/attendance-figures",
        "/sessions/attendance-figures?by=entity",
        "/sessions/fair-hours",
        "/sessions/{upcoming_session}/edit",
        "/sessions/{agenda_session}",
        "/sessions/{agenda_session}/agenda",
        "/sessions/{agenda_session}/guests",
        "/sessions/topics/",
        "/sessions/topics/{topic}/edit",
        "/induction/",
        "/resources/",
        "/resources/manage/",
        "/resources/gaps",
        "/resources/{public_resource}",
        "/admin/",
        "/admin/outbox/",
        "/admin/outbox/{message}",
        "/admin/audit/",
        "/admin/jobs",
        "/reference/uncts/",
        "/reference/entities/",
        "/parity/",
        "/parity/?support=1",
        "/parity/UNDP",
        "/parity/import",
        "/entities/UNDP",
        "/messages/",
        "/messages/new",
        "/me",
    ],
    "admin@demo.gfp": [
        "/",
        "/admin/",
        "/admin/users/",
        "/admin/users/{user}",
        "/admin/settings",
        "/admin/jobs",
        "/admin/audit/",
    ],
}

# One demo object per placeholder: the most telling one (the fullest roster, the longest list).
_QUERIES = {
    "public_resource": "SELECT slug FROM resources WHERE visibility = 'public' ORDER BY id LIMIT 1",
    "certificate": "SELECT code FROM certificates ORDER BY id LIMIT 1",
    "upcoming_session": (
        "SELECT s.id FROM training_sessions s LEFT JOIN registrations r ON r.session_id = s.id "
        "WHERE s.status = 'published' AND s.starts_at > CURRENT_TIMESTAMP "
        "GROUP BY s.id ORDER BY COUNT(r.id) DESC, s.id LIMIT 1"),
    "past_session": (
        "SELECT r.session_id FROM attendances a JOIN registrations r ON r.id = a.registration_id "
        "GROUP BY r.session_id ORDER BY COUNT(a.id) DESC, r.session_id LIMIT 1"),
    "person": (
        "SELECT person_id FROM appointments GROUP BY person_id "
        "ORDER BY COUNT(*) DESC, person_id LIMIT 1"),
    "leaver": (
        "SELECT p.id FROM people p WHERE p.anonymised_at IS NULL AND EXISTS (SELECT 1 FROM "
        "appointments a WHERE a.person_id = p.id) AND NOT EXISTS (SELECT 1 FROM appointments a "
        "WHERE a.person_id = p.id AND a.status = 'active') ORDER BY p.id LIMIT 1"),
    "nomination": "SELECT id FROM nominations ORDER BY id LIMIT 1",
    "message": "SELECT id FROM outbox_messages ORDER BY id DESC LIMIT 1",
    "user": "SELECT id FROM users ORDER BY id DESC LIMIT 1",
    "agenda_session": "SELECT session_id FROM agenda_items ORDER BY id LIMIT 1",
    "invitation": "SELECT token FROM guest_invitations ORDER BY id LIMIT 1",
    "topic": "SELECT id FROM topics WHERE is_induction ORDER BY id LIMIT 1",
}


def resolve_pages(database, role):
    """The role's main pages with every placeholder replaced by a demo object of `database`."""
    with sqlite3.connect(database) as connection:
        values = {}
        for name, query in _QUERIES.items():
            row = connection.execute(query).fetchone()
            if row is not None:
                values[name] = row[0]
    missing = {name for name in _QUERIES if name not in values}
    if missing:
        raise LookupError(f"the demo data has no {', '.join(sorted(missing))}")
    return [path.format(**values) for path in MAIN_PAGES[role]]
