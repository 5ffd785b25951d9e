"""Every action x every caller x every status: who may act, written out as the product's rules.

The expectations below are the specification (LAPOR!-SP4N roles, shared reference domain.md §2), kept
apart from the workflow table on purpose: a change to the table that breaks a rule fails here.
"""

from __future__ import annotations

import pytest

from chalicelib.domain.identity import Caller
from chalicelib.domain.reports import ReportAccess, hash_receipt
from chalicelib.domain.workflow import ACTIONS, STAGE_OF, actor_role, next_status
from chalicelib.errors import ProblemError

REPORTER = Caller(sub="citizen-ani")
CALLERS = {
    "reporter": REPORTER,
    "other_citizen": Caller(sub="citizen-budi"),
    "desk": Caller(sub="admin", roles=frozenset({"tenant_admin"}), tenant="kupang"),
    "supervisor": Caller(sub="spv", roles=frozenset({"supervisor"}), tenant="kupang"),
    "own_unit_officer": Caller(sub="dlh-1", roles=frozenset({"officer"}), tenant="kupang", agency="DLH"),
    "other_unit_officer": Caller(sub="pupr-1", roles=frozenset({"officer"}), tenant="kupang", agency="PUPR"),
    "other_tenant_desk": Caller(sub="admin-karo", roles=frozenset({"tenant_admin"}), tenant="karo"),
    "other_tenant_officer": Caller(sub="dlh-karo", roles=frozenset({"officer"}), tenant="karo", agency="DLH"),
    "anonymous": None,
}
# (status, action) -> the callers who may take it; anything not listed is refused.
ALLOWED = {
    ("submitted", "verify"): {"desk"}, ("submitted", "reject"): {"desk"}, ("submitted", "hold"): {"desk"},
    ("submitted", "note"): {"desk", "supervisor"},
    ("on_hold", "answer"): {"reporter"}, ("on_hold", "verify"): {"desk"}, ("on_hold", "reject"): {"desk"},
    ("on_hold", "note"): {"desk", "supervisor"},
    ("dispatched", "acknowledge"): {"own_unit_officer", "supervisor"},
    ("dispatched", "start"): {"own_unit_officer"},
    ("acknowledged", "start"): {"own_unit_officer"},
    ("resolved", "confirm"): {"reporter"}, ("resolved", "dispute"): {"reporter"},
    ("resolved", "note"): {"desk", "supervisor", "own_unit_officer"},
    ("closed", "note"): {"desk", "supervisor"}, ("rejected", "note"): {"desk", "supervisor"},
}
for _status in ("dispatched", "acknowledged", "in_progress"):
    ALLOWED[(_status, "assign")] = {"own_unit_officer", "supervisor"}
    ALLOWED[(_status, "reassign")] = {"supervisor", "desk"}
    ALLOWED[(_status, "note")] = {"desk", "supervisor", "own_unit_officer"}
    ALLOWED[(_status, "resolve")] = {"own_unit_officer"}


def _access(privacy: str = "public") -> ReportAccess:
    return ReportAccess(tenant="kupang", privacy=privacy, agency="DLH", reporter_sub=REPORTER.sub,
                        receipt_hash=None)


def _outcome(status: str, action: str, who: str) -> str:
    role = actor_role(_access(), CALLERS[who], None)
    try:
        next_status(status, action, role)
        return "allowed"
    except ProblemError as err:
        return err.code


@pytest.mark.parametrize("status", list(STAGE_OF))
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", list(CALLERS))
def test_who_may_take_which_action_from_which_status(status, action, who):
    outcome = _outcome(status, action, who)
    if who in ALLOWED.get((status, action), set()):
        assert outcome == "allowed"
    else:
        assert outcome in ("forbidden_action", "invalid_transition")


@pytest.mark.parametrize("who", ["other_citizen", "other_unit_officer", "other_tenant_desk",
                                 "other_tenant_officer", "anonymous"])
def test_outsiders_may_never_act_on_a_report(who):
    assert all(_outcome(status, action, who) == "forbidden_action" for status in STAGE_OF for action in ACTIONS)


def test_a_wrong_status_for_an_allowed_role_is_a_conflict_not_a_refusal():
    assert _outcome("submitted", "acknowledge", "own_unit_officer") == "invalid_transition"
    assert _outcome("closed", "confirm", "reporter") == "invalid_transition"
    assert _outcome("submitted", "resolve", "desk") == "forbidden_action"


def test_staff_who_filed_a_report_act_on_it_only_as_its_reporter():
    admin = CALLERS["desk"]
    access = ReportAccess(tenant="kupang", privacy="public", agency="DLH", reporter_sub=admin.sub, receipt_hash=None)
    assert actor_role(access, admin, None) == "reporter"


def test_a_receipt_makes_an_anonymous_caller_the_reporter():
    access = ReportAccess(tenant="kupang", privacy="anonymous", agency="DLH", reporter_sub=None,
                          receipt_hash=hash_receipt("secret-receipt"))
    assert actor_role(access, None, "secret-receipt") == "reporter"
    assert actor_role(access, None, "wrong") is None


def test_the_inspectorate_alone_handles_misconduct():
    access = ReportAccess(tenant="kupang", privacy="confidential", agency="INSPEKTORAT", reporter_sub="x",
                          receipt_hash=None)
    assert actor_role(access, CALLERS["own_unit_officer"], None) is None
    inspector = Caller(sub="insp", roles=frozenset({"officer"}), tenant="kupang", agency="INSPEKTORAT")
    assert actor_role(access, inspector, None) == "officer"
