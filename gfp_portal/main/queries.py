"""What the home pages show, read through the domains' own queries: the Office's work queue.
Each home reads in a fixed number of queries whatever the size of the network."""
from dataclasses import dataclass, field

from gfp_portal.admin.queries import dashboard_counts, failed_mail_counts, unfinished_jobs
from gfp_portal.attendance.queries import evaluations_closing
from gfp_portal.core.jobs import PAGES
from gfp_portal.coverage.queries import uncts_without_focal_point
from gfp_portal.nominations import queries as nomination_queries
from gfp_portal.nominations.models import NominationKind
from gfp_portal.registry import queries as registry_queries
from gfp_portal.registry.imports import APPLY, PREVIEW
from gfp_portal.registry.policy import Policy
from gfp_portal.sessions import queries as session_queries

# The Office's queue: how far ahead it looks.
ENDING_WITHIN_DAYS = 30
LAPSED_WITHIN_DAYS = 7
SESSIONS_WITHIN_DAYS = 7
EVALUATIONS_CLOSING_DAYS = 3
SESSIONS_LISTED = 10
IMPORT_JOBS = (PREVIEW, APPLY, "attendance.import-report")



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
    counts: dict = field(default_factory=dict)  # the network's six counters

    @property
    def is_empty(self):
        return not (self.nominations[0] or self.requests[0] or self.ending or self.lapsed
                    or self.uncts_without_focal_point or self.session_count
                    or self.evaluations or self.failed_mails or self.imports)


def coordinator_queue(*, now, today):
    waiting = nomination_queries.waiting_for_decision()
    nominations, requests = (waiting[NominationKind.nomination],
                             waiting[NominationKind.self_registration])
    policy = Policy.current()
    upcoming = session_queries.sessions_query(
        session_queries.SessionFilter(within_days=SESSIONS_WITHIN_DAYS), now=now,
        include_drafts=True, load_series=False)
    sessions = session_queries.list_page(upcoming, SESSIONS_LISTED)
    seats = session_queries.seat_counts([s.id for s in sessions])
    failed, failed_invitations = failed_mail_counts(session_queries.SESSION_NOTICE)
    return Queue(
        nominations=(nominations[0], _days(nominations[1], now)),
        requests=(requests[0], _days(requests[1], now)),
        ending=registry_queries.count_people(registry_queries.RegistryFilter(
            expiring_days=ENDING_WITHIN_DAYS), today=today, policy=policy),
        lapsed=registry_queries.count_people(registry_queries.RegistryFilter(
            status="any", lapsed_days=LAPSED_WITHIN_DAYS), today=today, policy=policy),
        uncts_without_focal_point=len(uncts_without_focal_point()),
        sessions=[(s, *seats.get(s.id, (0, 0))) for s in sessions],
        session_count=session_queries.count_sessions(upcoming),
        failed_invitations=failed_invitations,
        evaluations=evaluations_closing(now=now, within_days=EVALUATIONS_CLOSING_DAYS),
        failed_mails=failed,
        imports=[(job, PAGES.get(job.kind)) for job in unfinished_jobs(IMPORT_JOBS)],
        counts=dashboard_counts())
