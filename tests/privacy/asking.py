"""Zéphyrine Quillfeatherova asks to join the network as WFP's alternate in Kenya: the request
to join that the privacy tests find and erase, and the Office's refusal of it."""
from datetime import date, timedelta

from gfp_portal.nominations import join
from gfp_portal.nominations import services as nominations
from tests.helpers import entity, link_token, outbox, pdf_upload, unct

GIVEN, FAMILY = "Zéphyrine", "Quillfeatherova"


def her_join_request(email, *, now, memo=True, start=date(2027, 1, 1)):
    """Her request, sent at `now` from `email` (with a memo from her head of entity unless
    `memo` is false), for a term from `start`."""
    kenya = unct("KEN")
    if entity("WFP") not in kenya.members:
        kenya.members.append(entity("WFP"))
    request, _old = join.submit_join_request({
        "role": "alternate", "entity": entity("WFP"), "unct": kenya, "given_name": GIVEN,
        "family_name": FAMILY, "email": email, "start_date": start, "replaces": None},
        memo=pdf_upload("memo.pdf") if memo else None, now=now)
    return request


def turned_down(request, reason, *, actor, now):
    """She confirms her address at `now`; a day later `actor` turns the request down."""
    join.verify(link_token(outbox("join_verify")[-1], "/join/verify/"), now=now)
    nominations.reject_nomination(request, reason, actor=actor, now=now + timedelta(days=1))
