"""Who hears of a lifecycle event, what they are told, and which mailboxes a caller may read.

Pure rules: no AWS, no HTTP. A *mailbox* here is tenant-less (``unit#DLH``); the store prefixes the
tenant. Kinds of mailbox:

- ``user#<sub>``            a signed-in person: the reporter, or the officer a report is assigned to
- ``receipt#<hash>``        an anonymous reporter, who proves it by holding the receipt
- ``unit#<agency>``         the officers of one unit (OPD)
- ``role#tenant_admin``     the complaint desk
- ``role#supervisor``       unit heads and coordinators
- ``role#leadership``       the regional leadership

Messages name the tracking code, the category and the status, never personal data: no reporter
id, no description, no receipt, and no free-text note (a note may name people; it is read in the app).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.identity import Caller
from chalicelib.domain.taxonomy import CATEGORIES

TRANSITIONED = "report.transitioned"
REMINDER = "report.reminder"
ESCALATED = "report.escalated"
AUTO_CLOSED = "report.auto_closed"
EVENT_TYPES = (TRANSITIONED, REMINDER, ESCALATED, AUTO_CLOSED)

DESK = "role#tenant_admin"
SUPERVISORS = "role#supervisor"
LEADERSHIP = "role#leadership"
# Where the notifier records that an event's outbound deliveries were enqueued; never anyone's to read.
OUTBOX = "outbox#channels"

# Who an outbound channel may speak for (TenantModel.channels[].audiences).
AUDIENCES = ("reporter", "unit", "desk", "supervisor", "leadership")

# Escalation ladders name these; "reporter" appears only in reminders (auto-close: please confirm).
_LADDER_MAILBOX = {"unit_head": SUPERVISORS, "coordinator": SUPERVISORS, "desk": DESK, "leadership": LEADERSHIP}

# Statuses in which a report is the unit's to handle.
_UNIT_STATUSES = frozenset({"dispatched", "acknowledged", "in_progress"})
# Staff actions the reporter hears about (a note only when it is public).
_REPORTER_ACTIONS = frozenset({"verify", "reject", "hold", "acknowledge", "resolve"})

RETENTION = timedelta(days=180)

_TENANT = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_.:#-]{1,200}$")  # ids, event ids, stages: no spaces, nothing to inject
_NID = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#[\x21-\x7e]{1,400}$")


class MalformedEvent(ValueError):
    """The event breaks the contract; retrying it cannot help."""


@dataclass(frozen=True)
class ReportFacts:
    """What the notifier knows about the report beyond the event (loaded from the report and tenant)."""

    tenant: str
    report_id: str
    tracking_code: str
    category: str
    agency: str | None
    status: str
    reporter_sub: str | None
    receipt_hash: str | None
    privacy: str
    assignee: str | None
    inspectorate: str = "INSPEKTORAT"  # the tenant's own unit code for the Inspektorat
    timezone: str = "UTC"  # the tenant's, for due times people read

    @property
    def confidential_misconduct(self) -> bool:
        category = CATEGORIES.get(self.category)
        return bool(category and category.sensitive)


# -- mailboxes --------------------------------------------------------------------------------


def user_box(sub: str) -> str:
    return f"user#{sub}"


def receipt_box(receipt_hash: str) -> str:
    return f"receipt#{receipt_hash}"


def unit_box(agency: str) -> str:
    return f"unit#{agency}"


def reporter_box(facts: ReportFacts) -> str | None:
    if facts.reporter_sub:
        return user_box(facts.reporter_sub)
    if facts.receipt_hash:
        return receipt_box(facts.receipt_hash)
    return None


def audience_of(mailbox: str, facts: ReportFacts) -> str:
    """Which channel audience a mailbox belongs to (an assignee counts as their unit)."""
    if mailbox == reporter_box(facts) or mailbox.startswith("receipt#"):
        return "reporter"
    if mailbox.startswith(("unit#", "user#")):
        return "unit"
    return {DESK: "desk", SUPERVISORS: "supervisor", LEADERSHIP: "leadership"}.get(mailbox, "unit")


def mailboxes_for(caller: Caller | None, tenant: str, receipt_hash: str | None) -> list[str]:
    """The mailboxes of ``tenant`` a caller may read; staff of another tenant get none of them."""
    boxes: list[str] = []
    if caller is not None:
        foreign_staff = caller.is_staff and not caller.is_staff_of(tenant)
        if not foreign_staff:
            boxes.append(user_box(caller.sub))
        if caller.is_staff and caller.tenant == tenant:  # role mailboxes: own tenant only (not platform admins)
            if "officer" in caller.roles and caller.agency:
                boxes.append(unit_box(caller.agency))
            if "supervisor" in caller.roles:
                boxes += [SUPERVISORS, LEADERSHIP]
            if "tenant_admin" in caller.roles:
                boxes.append(DESK)
    if receipt_hash:  # the receipt is a bearer secret: whoever holds it is the reporter
        boxes.append(receipt_box(receipt_hash))
    return list(dict.fromkeys(boxes))


# -- events -----------------------------------------------------------------------------------


def _text(event: dict[str, Any], name: str, required: bool = True) -> str | None:
    value = event.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # seq and level are strings in the contract; tolerate numbers
    if value is None or value == "":
        if required:
            raise MalformedEvent(f"missing {name}")
        return None
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise MalformedEvent(f"bad {name}")
    return value


def _instant(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise MalformedEvent(f"missing {name}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedEvent(f"bad {name}") from None
    if moment.tzinfo is None:
        raise MalformedEvent(f"{name} has no time zone")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def validate_event(raw: Any) -> dict[str, Any]:
    """The event, checked against the contract and normalised (times in UTC with milliseconds)."""
    if not isinstance(raw, dict):
        raise MalformedEvent("not an object")
    kind = raw.get("type")
    if kind not in EVENT_TYPES:
        raise MalformedEvent("unknown type")
    tenant = raw.get("tenant")
    if not isinstance(tenant, str) or not _TENANT.match(tenant):
        raise MalformedEvent("bad tenant")
    event = dict(raw)
    _text(event, "report_id")
    event["at"] = _instant(raw.get("at"), "at")
    if kind == TRANSITIONED:
        for name in ("event_id", "action", "to"):
            _text(event, name)
        for name in ("from", "role", "agency", "assignee"):
            _text(event, name, required=False)
        note = event.get("note")
        if note is not None and not isinstance(note, str):
            raise MalformedEvent("bad note")
    else:
        event["stage"] = _text(event, "stage")
        event["seq"] = _text(event, "seq")
        if kind in (REMINDER, ESCALATED):
            event["audience"] = _text(event, "audience")
            if event.get("due_at") is not None:
                event["due_at"] = _instant(event["due_at"], "due_at")
        if kind == ESCALATED:
            event["level"] = _text(event, "level")
    return event


def notification_id(event: dict[str, Any]) -> str:
    """``<at>#<source>``: sorts by time and is the same every time this event is delivered."""
    if event["type"] == TRANSITIONED:
        source = str(event["event_id"])
    else:
        # Timer events have no id of their own; report, stage, its sequence and level name them.
        level = event.get("level") or "0"
        source = f"{event['type']}-{event['stage']}-{event['seq']}-{level}-{event['report_id']}"
    return f"{event['at']}#{source}"


def valid_notification_id(nid: str) -> bool:
    return bool(_NID.match(nid))


def expires_at(event: dict[str, Any]) -> int:
    """TTL (epoch seconds): inbox messages are kept 180 days after the event."""
    moment = datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00"))
    return int((moment + RETENTION).timestamp())


# -- recipients -------------------------------------------------------------------------------


def _unit(agency: str | None, facts: ReportFacts) -> str | None:
    """The unit's mailbox, unless the report is confidential misconduct and the unit is not the Inspektorat."""
    if not agency:
        return None
    if facts.confidential_misconduct and agency != facts.inspectorate:
        return None  # a misrouted misconduct report must not reach the unit it may be about
    return unit_box(agency)


def _audience(audience: str | None, facts: ReportFacts) -> str | None:
    if audience == "unit":
        return _unit(facts.agency, facts)
    if audience == "reporter":
        return reporter_box(facts)
    return _LADDER_MAILBOX.get(audience or "")


def _transition_recipients(event: dict[str, Any], facts: ReportFacts) -> list[str | None]:
    action, role = event["action"], event.get("role")
    before, after = event.get("from"), event["to"]
    agency = event.get("agency") or facts.agency  # where the event sent it, even if it has moved since
    by_reporter = role == "reporter"
    boxes: list[str | None] = []
    if not by_reporter and (action in _REPORTER_ACTIONS or (action == "note" and event.get("note"))):
        boxes.append(reporter_box(facts))
    if (after == "dispatched" and before != "dispatched") or action in ("reassign", "dispute"):
        boxes.append(_unit(agency, facts))
    if action == "answer":
        if before == "on_hold" or after in ("submitted", "on_hold"):
            boxes.append(DESK)
        if after in _UNIT_STATUSES or before in _UNIT_STATUSES:
            boxes.append(_unit(agency, facts))
    if action == "dispute":
        boxes.append(DESK)
    if action in ("assign", "reassign"):
        assignee = event.get("assignee") or (facts.assignee if action == "assign" else None)
        boxes.append(user_box(assignee) if assignee else None)
    return boxes


def recipients(event: dict[str, Any], facts: ReportFacts) -> list[str]:
    """The mailboxes that hear of this event, each once, in a stable order."""
    kind = event["type"]
    boxes: list[str | None]
    if kind == TRANSITIONED:
        boxes = _transition_recipients(event, facts)
    elif kind == REMINDER:
        boxes = [_audience(event.get("audience"), facts)]
    elif kind == ESCALATED:
        boxes = [_audience(event.get("audience"), facts), DESK]  # the desk hears of every escalation
    elif kind == AUTO_CLOSED:
        boxes = [reporter_box(facts)]
    else:
        boxes = []
    return list(dict.fromkeys(b for b in boxes if b))


# -- messages ---------------------------------------------------------------------------------

STATUS_NAMES: dict[str, tuple[str, str]] = {
    "submitted": ("Diterima", "Submitted"),
    "on_hold": ("Menunggu informasi pelapor", "Waiting for the reporter"),
    "dispatched": ("Diteruskan ke dinas", "Forwarded to the agency"),
    "acknowledged": ("Diterima dinas", "Acknowledged by the agency"),
    "in_progress": ("Sedang dikerjakan", "In progress"),
    "resolved": ("Selesai ditangani", "Resolved"),
    "closed": ("Ditutup", "Closed"),
    "rejected": ("Ditolak", "Rejected"),
}

STAGE_NAMES: dict[str, tuple[str, str]] = {
    "verification": ("verifikasi", "verification"),
    "first_response": ("tanggapan pertama", "first response"),
    "resolution": ("penyelesaian", "resolution"),
    "auto_close": ("konfirmasi pelapor", "reporter confirmation"),
}

# action -> (title id, title en, sentence id, sentence en); {code} and {agency} are filled in.
_TRANSITIONS: dict[str, tuple[str, str, str, str]] = {
    "verify": ("Laporan {code} diverifikasi", "Report {code} verified",
               "Laporan {code} telah diverifikasi dan diteruskan ke {agency}.",
               "Report {code} was verified and forwarded to {agency}."),
    "reject": ("Laporan {code} ditolak", "Report {code} rejected",
               "Laporan {code} tidak dapat ditindaklanjuti. Buka laporan untuk melihat alasannya.",
               "Report {code} cannot be followed up. Open the report to see why."),
    "hold": ("Laporan {code} memerlukan informasi tambahan", "Report {code} needs more information",
             "Petugas pengaduan meminta informasi tambahan tentang laporan {code}. Buka laporan untuk menjawab.",
             "The complaint desk asked for more information about report {code}. Open the report to answer."),
    "answer": ("Pelapor menjawab tentang laporan {code}", "The reporter answered about report {code}",
               "Pelapor telah menjawab pertanyaan tentang laporan {code}.",
               "The reporter answered the question about report {code}."),
    "acknowledge": ("Laporan {code} diterima oleh {agency}", "Report {code} acknowledged by {agency}",
                    "{agency} telah menerima laporan {code} dan akan menindaklanjutinya.",
                    "{agency} has acknowledged report {code} and will follow it up."),
    "assign": ("Anda ditugaskan menangani laporan {code}", "You were assigned report {code}",
               "Laporan {code} ditugaskan kepada Anda.", "Report {code} was assigned to you."),
    "reassign": ("Laporan {code} dialihkan ke {agency}", "Report {code} reassigned to {agency}",
                 "Laporan {code} dialihkan ke {agency} untuk ditangani.",
                 "Report {code} was reassigned to {agency}."),
    "note": ("Catatan baru pada laporan {code}", "New note on report {code}",
             "Ada catatan baru pada laporan {code}. Buka laporan untuk membacanya.",
             "There is a new note on report {code}. Open the report to read it."),
    "start": ("Laporan {code} sedang dikerjakan", "Work started on report {code}",
              "{agency} mulai mengerjakan laporan {code}.", "{agency} started work on report {code}."),
    "resolve": ("Laporan {code} selesai ditangani", "Report {code} resolved",
                "Laporan {code} telah selesai ditangani. Mohon konfirmasi atau sanggah penyelesaiannya.",
                "Report {code} has been resolved. Please confirm or dispute the resolution."),
    "confirm": ("Penyelesaian laporan {code} dikonfirmasi", "Resolution of report {code} confirmed",
                "Pelapor mengonfirmasi penyelesaian laporan {code}.",
                "The reporter confirmed the resolution of report {code}."),
    "dispute": ("Penyelesaian laporan {code} disanggah", "Resolution of report {code} disputed",
                "Pelapor menyanggah penyelesaian laporan {code}; laporan dibuka kembali.",
                "The reporter disputed the resolution of report {code}; the report is reopened."),
}
_CHANGED = ("Status laporan {code} berubah", "Report {code} changed status",
            "Status laporan {code} berubah.", "Report {code} changed status.")


def _local_time(instant: str | None, timezone: str) -> str | None:
    """``24-11-2026 13:00 WITA``: the tenant's clock, which is what officers and citizens read."""
    if not instant:
        return None
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    try:
        zone: Any = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = moment.astimezone(zone)
    return f"{local:%d-%m-%Y %H:%M} {local.tzname() or 'UTC'}"


def _status_line(status: str) -> tuple[str, str]:
    name_id, name_en = STATUS_NAMES.get(status, (status, status))
    return f"Status: {name_id}.", f"Status: {name_en}."


def _category_line(category: str) -> tuple[str, str]:
    found = CATEGORIES.get(category)
    if found is None:
        return "", ""
    return f" Kategori: {found.name_id}.", f" Category: {found.name_en}."


def _stage(stage: str) -> tuple[str, str]:
    return STAGE_NAMES.get(stage, (stage, stage))


def _sla_words(event: dict[str, Any], facts: ReportFacts) -> tuple[str, str, str, str]:
    code = facts.tracking_code
    stage_id, stage_en = _stage(str(event.get("stage")))
    due = _local_time(event.get("due_at"), facts.timezone)
    if event["type"] == AUTO_CLOSED:
        return (f"Laporan {code} ditutup otomatis", f"Report {code} closed automatically",
                f"Laporan {code} ditutup karena tidak ada konfirmasi dari pelapor dalam batas waktu.",
                f"Report {code} was closed because the reporter did not respond in time.")
    if event["type"] == ESCALATED:
        level = event.get("level")
        late_id = f" ({due})" if due else ""
        late_en = f" (due {due})" if due else ""
        return (f"Eskalasi tingkat {level}: laporan {code}", f"Escalation level {level}: report {code}",
                f"Tahap {stage_id} laporan {code} melewati batas waktu{late_id}; mohon segera ditindaklanjuti.",
                f"The {stage_en} stage of report {code} is overdue{late_en}; please follow it up now.")
    if event.get("audience") == "reporter" and event.get("stage") == "auto_close":
        by_id = f" sebelum {due}" if due else ""
        by_en = f" before {due}" if due else ""
        return (f"Mohon konfirmasi laporan {code}", f"Please confirm report {code}",
                f"Mohon konfirmasi atau sanggah penyelesaian laporan {code}{by_id}; "
                "setelah itu laporan ditutup otomatis.",
                f"Please confirm or dispute the resolution of report {code}{by_en}; "
                "after that the report is closed automatically.")
    by_id = f" jatuh pada {due}" if due else " segera berakhir"
    by_en = f" is {due}" if due else " is near"
    return (f"Pengingat: laporan {code}", f"Reminder: report {code}",
            f"Batas waktu tahap {stage_id} laporan {code}{by_id}.",
            f"The deadline of the {stage_en} stage of report {code}{by_en}.")


def render(event: dict[str, Any], facts: ReportFacts) -> dict[str, dict[str, str]]:
    """The message in Bahasa Indonesia and English: ``{"title": {"id", "en"}, "body": {"id", "en"}}``."""
    if event["type"] == TRANSITIONED:
        t_id, t_en, s_id, s_en = _TRANSITIONS.get(event["action"], _CHANGED)
        agency = event.get("agency") or facts.agency
        agency_id, agency_en = (agency, agency) if agency else ("dinas terkait", "the agency")
        code = facts.tracking_code
        words = (t_id.format(code=code, agency=agency_id), t_en.format(code=code, agency=agency_en),
                 s_id.format(code=code, agency=agency_id), s_en.format(code=code, agency=agency_en))
        status = event["to"]
    else:
        words = _sla_words(event, facts)
        status = "closed" if event["type"] == AUTO_CLOSED else facts.status
    title_id, title_en, sentence_id, sentence_en = words
    status_id, status_en = _status_line(status)
    category_id, category_en = _category_line(facts.category)
    return {
        "title": {"id": title_id, "en": title_en},
        "body": {"id": f"{sentence_id} {status_id}{category_id}", "en": f"{sentence_en} {status_en}{category_en}"},
    }
