"""The report workflow as one table: status x action -> next status, and who may do it.

Who acts is decided relative to the report (``actor_role``):

- ``reporter``   the person who filed it (signed in, or holding the anonymous receipt);
- ``desk``       the tenant's complaint desk (``tenant_admin``; a ``platform_admin`` acts as one);
- ``supervisor`` a coordinator of the tenant (reassigns between units, assigns inside one);
- ``officer``    an officer of the unit the report is dispatched to.

Nobody acts on a report they submitted with a staff role: a reporter is only ever a reporter. An
officer of another unit has no role at all (and cannot even see the report). Every SLA stage follows
from the status (``STAGE_OF``); the service restarts the clock when the stage changes, and also on
``reassign`` (a new unit gets a fresh first-response clock) and ``dispute`` (the resolution clock
restarts).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.identity import Caller
from chalicelib.domain.reports import ReportAccess, is_reporter
from chalicelib.errors import ProblemError

ACTIONS = ("verify", "reject", "hold", "answer", "acknowledge", "assign", "reassign", "note", "start", "resolve",
           "confirm", "dispute")
ROLES = ("reporter", "desk", "supervisor", "officer")
OPEN_AT_UNIT = ("dispatched", "acknowledged", "in_progress", "resolved")
AT_DESK = ("submitted", "on_hold")
FINISHED = ("closed", "rejected")

_DESK = frozenset({"desk"})
_REPORTER = frozenset({"reporter"})
_UNIT = frozenset({"officer", "supervisor"})
_UNIT_WORK = frozenset({"officer"})
_COORDINATORS = frozenset({"supervisor", "desk"})
_ALL_STAFF = frozenset({"officer", "supervisor", "desk"})
_DESK_STAFF = frozenset({"desk", "supervisor"})


@dataclass(frozen=True)
class Move:
    to: str | None  # None: the status stays
    roles: frozenset[str]


def _unit_work(status: str) -> dict[tuple[str, str], Move]:
    """What a unit does with a report it holds; the same from each open status."""
    moves = {
        (status, "assign"): Move(None, _UNIT),
        (status, "reassign"): Move("dispatched", _COORDINATORS),
        (status, "note"): Move(None, _ALL_STAFF),
        (status, "resolve"): Move("resolved", _UNIT_WORK),
    }
    if status in ("dispatched", "acknowledged"):
        moves[(status, "start")] = Move("in_progress", _UNIT_WORK)
    if status == "dispatched":
        moves[(status, "acknowledge")] = Move("acknowledged", _UNIT)
    return moves


TABLE: dict[tuple[str, str], Move] = {
    ("submitted", "verify"): Move("dispatched", _DESK),
    ("submitted", "reject"): Move("rejected", _DESK),
    ("submitted", "hold"): Move("on_hold", _DESK),
    ("submitted", "note"): Move(None, _DESK_STAFF),
    ("on_hold", "answer"): Move("submitted", _REPORTER),
    ("on_hold", "verify"): Move("dispatched", _DESK),
    ("on_hold", "reject"): Move("rejected", _DESK),
    ("on_hold", "note"): Move(None, _DESK_STAFF),
    **_unit_work("dispatched"),
    **_unit_work("acknowledged"),
    **_unit_work("in_progress"),
    ("resolved", "confirm"): Move("closed", _REPORTER),
    ("resolved", "dispute"): Move("in_progress", _REPORTER),
    ("resolved", "note"): Move(None, _ALL_STAFF),
    ("closed", "note"): Move(None, _DESK_STAFF),
    ("rejected", "note"): Move(None, _DESK_STAFF),
}

# The SLA stage whose clock runs in each status; None where nobody owes an answer (or the reporter does).
STAGE_OF: dict[str, str | None] = {
    "submitted": "verification",
    "on_hold": None,
    "dispatched": "first_response",
    "acknowledged": "resolution",
    "in_progress": "resolution",
    "resolved": "auto_close",
    "closed": None,
    "rejected": None,
}
RESTARTS_STAGE = frozenset({"reassign", "dispute"})

# Who sees a note written with an action: everyone who sees the report, the reporter and staff, or staff.
NOTE_VISIBILITY: dict[str, str] = {
    "verify": "internal", "reject": "reporter", "hold": "reporter", "answer": "reporter",
    "acknowledge": "public", "assign": "internal", "reassign": "internal", "note": "internal",
    "start": "public", "resolve": "public", "confirm": "reporter", "dispute": "reporter",
}


def roles_allowed(action: str) -> frozenset[str]:
    """Every role that may ever take ``action``, from any status."""
    found: set[str] = set()
    for (_, name), move in TABLE.items():
        if name == action:
            found |= move.roles
    return frozenset(found)


def actor_role(access: ReportAccess, caller: Caller | None, receipt: str | None) -> str | None:
    """The caller's role for this report, or None when they may not act on it at all."""
    if is_reporter(access, caller, receipt):
        return "reporter"
    if caller is None or not caller.is_staff_of(access.tenant):
        return None
    if caller.roles & {"tenant_admin", "platform_admin"}:
        return "desk"
    if "supervisor" in caller.roles:
        return "supervisor"
    if "officer" in caller.roles and caller.agency is not None and caller.agency == access.agency:
        return "officer"
    return None


def next_status(status: str, action: str, role: str | None) -> str:
    """The status after ``action``; 403 when the role may never do it, 409 when not from this status."""
    if role is None or role not in roles_allowed(action):
        raise ProblemError("forbidden_action", extra={"action": action, "report_status": status})
    move = TABLE.get((status, action))
    if move is None:
        raise ProblemError("invalid_transition", extra={"action": action, "report_status": status})
    if role not in move.roles:
        raise ProblemError("forbidden_action", extra={"action": action, "report_status": status})
    return move.to or status


def allowed_actions(status: str, role: str | None) -> list[str]:
    """What this role may do now: clients show these buttons and no others."""
    if role is None:
        return []
    return [action for action in ACTIONS if role in TABLE.get((status, action), Move(None, frozenset())).roles]


def stage_changes(old_status: str, new_status: str, action: str) -> bool:
    """True when a new SLA clock starts (or the running one stops) with this transition."""
    return STAGE_OF[old_status] != STAGE_OF[new_status] or action in RESTARTS_STAGE

