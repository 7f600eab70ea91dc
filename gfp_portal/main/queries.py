"""What each role's home page shows, read through the domains' own queries: the Office's work
queue, a Resident Coordinator's country teams, a focal point's sessions and term. Each home
reads in a fixed number of queries whatever the size of the network."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from gfp_portal.admin.queries import failed_mail_counts, network_counts, unfinished_jobs
from gfp_portal.attendance import evaluations
from gfp_portal.attendance.models import ATTENDED
from gfp_portal.attendance.queries import evaluations_closing, trained_since
from gfp_portal.attendance.records import learning_record
from gfp_portal.core import data_version
from gfp_portal.core.db import detached_copy, first_rows_and_count, values_of
from gfp_portal.core.jobs import PAGES
from gfp_portal.core.timezones import year_start
from gfp_portal.coverage.queries import count_entities_needing_support, without_focal_point_count
from gfp_portal.coverage.services import shared_coverage
from gfp_portal.induction import queries as induction_queries
from gfp_portal.nominations import queries as nomination_queries
from gfp_portal.nominations.models import NominationKind, NominationState
from gfp_portal.nominations.services import may_follow_up
from gfp_portal.plans.queries import plans_of_person
from gfp_portal.practices import queries as practice_queries
from gfp_portal.registry import queries as registry_queries
from gfp_portal.registry.imports.previewed import APPLY, PREVIEW
from gfp_portal.registry.policy import Policy
from gfp_portal.resources.queries import new_in_language
from gfp_portal.sessions import queries as session_queries
from gfp_portal.sessions.models import RegistrationStatus, SessionStatus

# The Office's queue: how far ahead it looks.
ENDING_WITHIN_DAYS = 30
LAPSED_WITHIN_DAYS = 7
SESSIONS_WITHIN_DAYS = 7
EVALUATIONS_CLOSING_DAYS = 3
SESSIONS_LISTED = 10
IMPORT_JOBS = (PREVIEW, APPLY, "attendance.import-report")

# A focal point's home: when a join link shows, how many recommendations, how new is new.
JOIN_BEFORE = timedelta(hours=1)
RECOMMENDED = 3
LIBRARY_DAYS = 60
LIBRARY_ITEMS = 5


def _days(since, now):
    return max((now - since).days, 0) if since else None


@dataclass
class Queue:
    """The Office's work queue: each figure with the list page filtered to what it counts."""
    nominations: tuple          # (count, oldest in days)
    requests: tuple             # (count, oldest in days)
    ending: int
    lapsed: int
    uncts_without_focal_point: int
    sessions: list              # [(session, seats taken, waiting)], the first SESSIONS_LISTED
    session_count: int
    failed_invitations: int
    evaluations: list           # [attendance.queries.ClosingEvaluation]
    failed_mails: int
    imports: list               # [(core.jobs.Job, its JobPage)]
    practices: tuple = (0, None)  # (count, oldest in days) waiting for review
    support: int = 0            # entities below parity with a gap or an overdue plan
    counts: dict = field(default_factory=dict)  # the network's six counters
    induction: int = 0          # people on the induction path who have not completed it

    @property
    def is_empty(self):
        return not (self.nominations[0] or self.requests[0] or self.ending or self.lapsed
                    or self.uncts_without_focal_point or self.session_count
                    or self.evaluations or self.failed_mails or self.imports
                    or self.practices[0] or self.support or self.induction)


# The network's counters of the mail queue: they change as mail goes out, which no change of
# the records does (core.data_version.BOOKKEEPING), so they are read on every view.
MAIL_COUNTERS = ("mail_queued", "mail_failed")


def _queue_counters(network, *, today):
    """The queue's counters that change only with a committed change of the records or with
    the day, each domain's own statement, read together in one round trip; and how many
    entities need support."""
    policy = Policy.current()
    figures = values_of(
        nominations=nomination_queries.waiting_for_decision(NominationKind.nomination),
        requests=nomination_queries.waiting_for_decision(NominationKind.self_registration),
        ending=registry_queries.people_count(registry_queries.RegistryFilter(
            expiring_days=ENDING_WITHIN_DAYS), today=today, policy=policy),
        lapsed=registry_queries.people_count(registry_queries.RegistryFilter(
            status="any", lapsed_days=LAPSED_WITHIN_DAYS), today=today, policy=policy),
        without_focal_point=without_focal_point_count(today),
        practices=practice_queries.waiting_for_review(),
        induction=induction_queries.open_paths_count(today=today),
        **{name: stmt for name, stmt in network.items() if name not in MAIL_COUNTERS})
    return {**figures, "support": count_entities_needing_support(today)}


def coordinator_queue(*, now, today):
    network = network_counts()
    # Computed once a day and data version (core.data_version), shared by every view; the
    # mail counters are read afresh.
    figures = {**data_version.reuse(("office queue", today), lambda: (
        _queue_counters(network, today=today), None), now=now),
        **values_of(failed=failed_mail_counts(session_queries.SESSION_NOTICE),
                    **{name: network[name] for name in MAIL_COUNTERS})}
    upcoming = session_queries.sessions_query(
        session_queries.SessionFilter(within_days=SESSIONS_WITHIN_DAYS), now=now,
        include_drafts=True, load_series=False)
    sessions, session_count = first_rows_and_count(upcoming, SESSIONS_LISTED)
    seats = session_queries.seat_counts([s.id for s in sessions])
    (nominations, nominations_since), (requests, requests_since) = (figures["nominations"],
                                                                    figures["requests"])
    failed, failed_invitations = figures["failed"]
    practices, oldest_practice = figures["practices"]
    return Queue(
        nominations=(nominations, _days(nominations_since, now)),
        requests=(requests, _days(requests_since, now)),
        ending=figures["ending"],
        lapsed=figures["lapsed"],
        uncts_without_focal_point=figures["without_focal_point"],
        sessions=[(s, *seats.get(s.id, (0, 0))) for s in sessions],
        session_count=session_count,
        failed_invitations=failed_invitations,
        evaluations=evaluations_closing(now=now, within_days=EVALUATIONS_CLOSING_DAYS),
        failed_mails=failed,
        imports=[(job, PAGES.get(job.kind)) for job in unfinished_jobs(IMPORT_JOBS)],
        practices=(practices, _days(oldest_practice, now)),
        support=figures["support"],
        counts={name: figures[name] for name in network},
        induction=figures["induction"])


@dataclass
class TeamHome:
    """One of a Resident Coordinator's country teams, as their home shows it."""
    unct: object
    summary: object             # coverage.services.Summary
    gaps: list                  # [Cell] not covered, the worst first
    ending: list                # [(Cell, Appointment)] whose term ends within the alert window
    pending: list               # [Nomination] waiting, the oldest first
    trained: list               # [Person] who attended a session this calendar year


@dataclass
class ResidentCoordinatorHome:
    teams: list                 # [TeamHome]
    in_progress: dict           # (unct_id, entity_id, role) -> Nomination waiting there
    changes: list               # the teams' nominations sent back for changes


def resident_coordinator_home(user, *, now, today):
    """The user's country teams with their gaps, terms ending soon, what is in progress and
    who was trained this year; and the teams' nominations sent back for changes that the user
    is to answer (nominations.services.may_follow_up: those of a former Resident Coordinator
    of the team too)."""
    ids = [u.id for u in user.uncts]
    policy = Policy.current()
    coverage = shared_coverage(today=today, unct_ids=ids, now=now)
    pending = nomination_queries.pending_for_uncts(ids)
    trained = _trained_this_year(ids, since=year_start(today, user.time_zone), today=today,
                                 now=now)
    # Only the terms ending soon are read with their people, not every holder of the teams.
    ending = defaultdict(list)
    for appointment in registry_queries.terms_ending(
            ids, first=today, last=today + timedelta(days=policy.alert_window)):
        cell = coverage.cells.get((appointment.unct_id, appointment.entity_id))
        if cell is not None:  # a member entity's cell, as the coverage pages show them
            ending[appointment.unct_id].append((cell, appointment))
    gaps = coverage.gaps()
    teams = []
    for unct in coverage.uncts:
        teams.append(TeamHome(unct, coverage.by_unct[unct.id],
                              [cell for cell in gaps if cell.unct.id == unct.id],
                              ending[unct.id],
                              [n for n in pending if n.unct_id == unct.id],
                              trained.get(unct.id, [])))
    # The earliest nomination waiting per cell and role, as the coverage pages show it.
    in_progress = {}
    for nomination in pending:
        in_progress.setdefault(
            (nomination.unct_id, nomination.entity_id, nomination.role.value), nomination)
    changes = [n for n in pending if n.state == NominationState.changes_requested
               and may_follow_up(user, n)]
    return ResidentCoordinatorHome(teams, in_progress, changes)


def _trained_this_year(unct_ids, *, since, today, now):
    """trained_since() `since` (the start of the viewer's year) among those holding a term
    on `today`, read once per data version and day for the same teams: the people are copies
    that belong to no session (the page shows their names and links to them)."""
    def compute():
        trained = trained_since(unct_ids, since, today=today)
        return {unct_id: [detached_copy(person) for person in people]
                for unct_id, people in trained.items()}, None

    return data_version.reuse(("trained", tuple(unct_ids), since, today), compute, now=now)


@dataclass
class FocalPointHome:
    next_sessions: list         # [RecordLine] registered or waiting, the soonest first
    joinable: set               # session ids whose join link shows now
    evaluations_owed: list      # [RecordLine]
    certificates: list          # [RecordLine] with a valid certificate, the newest first
    appointments: list          # active appointments, the soonest end first
    recommended: list           # [TrainingSession]
    library: list               # [(Resource, ResourceVersion)]
    policy: object
    plans: list = field(default_factory=list)  # implementation plans they work on or see
    induction: object = None    # their induction path's Progress, when they are on it


def focal_point_home(user, person, *, now, language, today=None):
    """The person's coming sessions, evaluations owed, certificates and current appointments
    (one whose end was entered ahead until its last day), all from their learning record and
    their terms; sessions on topics they have not attended, and what the library has newly
    added in `language`."""
    record = learning_record(person) if person else []
    next_sessions = sorted(
        (line for line in record if line.session.ends_at >= now
         and line.session.status == SessionStatus.published
         and line.registration.status in (RegistrationStatus.registered,
                                          RegistrationStatus.waitlisted)),
        key=lambda line: (line.session.starts_at, line.session.id))
    joinable = {line.session.id for line in next_sessions
                if line.registration.status == RegistrationStatus.registered
                and line.session.join_url and line.session.starts_at - JOIN_BEFORE <= now}
    attended = [line for line in record
                if line.attendance is not None and line.attendance.status in ATTENDED]
    owed = [line for line in attended if not line.evaluated
            and evaluations.is_open(line.session, now)]
    certificates = [line for line in record
                    if line.certificate is not None and line.certificate.revoked_at is None]
    appointments = registry_queries.current_appointments(person, today=today or now.date()) \
        if person else []
    induction = induction_queries.progress_of_person(person)
    # A person on the induction path is first recommended the induction sessions they miss.
    first = [t.key for t in induction.missing_topics] if induction and not induction.complete \
        else []
    return FocalPointHome(
        next_sessions=next_sessions, joinable=joinable, evaluations_owed=owed,
        certificates=certificates, appointments=appointments,
        recommended=session_queries.recommended(
            person, terms=appointments, now=now,
            exclude_topics={line.session.topic for line in attended}, limit=RECOMMENDED,
            first_topics=first) if person else [],
        library=new_in_language(user, language, since=now - timedelta(days=LIBRARY_DAYS),
                                limit=LIBRARY_ITEMS),
        policy=Policy.current(),
        plans=plans_of_person(person), induction=induction)
