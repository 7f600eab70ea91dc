"""Who goes first on a full session's waiting list.

Arrival order is the sessions domain's own. Each priority is a rule that a higher domain knows
how to apply and registers here (coverage knows the gaps, attendance who was trained):
`rule(session, person_ids)` returns the ids of the people it puts first. create_app registers
them, and refuses to start if a policy has no rule."""
from gfp_portal.sessions.models import WaitlistPolicy

RULES = {}


def register_rule(policy, rule):
    RULES[WaitlistPolicy(policy)] = rule


def missing_rules():
    """The policies that need a rule and have none (first come needs none)."""
    return [p for p in WaitlistPolicy if p != WaitlistPolicy.first_come and p not in RULES]


def in_order(session, waiting):
    """`waiting` (registrations, in order of arrival) in the order the session's policy gives
    them seats: [(registration, put first by the priority)]."""
    rule = RULES.get(session.waitlist_policy)
    if rule is None or not waiting:
        return [(registration, False) for registration in waiting]
    first = rule(session, [registration.person_id for registration in waiting])
    return ([(r, True) for r in waiting if r.person_id in first] +
            [(r, False) for r in waiting if r.person_id not in first])
