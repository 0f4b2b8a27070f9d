"""The mechanics of data requests (报送任务): issue, pre-fill, answer, submit, withdraw,
approve, return, unapprove, and the lapse of an approval when data change after it.

Every page, the API and imports go through these functions, so the rules hold whatever
the path (docs/decisions/data-requests.md). Each step locks the submission row, checks
the rule, writes, and records a :class:`RequestEvent` in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from zhujian.core import bounds, clock, scope
from zhujian.core.models import TOWNSHIP_KINDS, OrgUnit, OrgUnitKind, Role, User
from zhujian.core.registry import registry
from zhujian.figures import catalog
from zhujian.figures.periods import Period, PeriodError
from zhujian.requests.models import Answer, Assignment, DataRequest, Measure, RequestEvent

OFFICE_LINE = "general"  # the 办公室 keeps the bureau's general line
MAX_UNITS = 200
MAX_MEASURES = 30
MAX_COUNT = 10**9
MAX_AMOUNT = Decimal("1e12")


class RequestRefused(PermissionDenied):
    """A step the rules do not allow now; the message says why, in Chinese."""


# --- approval levels ---------------------------------------------------------------------


def is_office(user: User) -> bool:
    return user.role == Role.DEPARTMENT and OFFICE_LINE in (user.business_lines or [])


@dataclass(frozen=True)
class Level:
    code: str
    label: str
    allows: Callable[[User, DataRequest], bool]


LEVELS: dict[str, Level] = {
    level.code: level
    for level in (
        Level(
            "issuer",
            "发起股室",
            lambda u, r: u.org_unit_id is not None and u.org_unit_id == r.issuing_unit_id,
        ),
        Level("office", "办公室", lambda u, r: is_office(u)),
        Level("leader", "局领导", lambda u, r: u.role == Role.LEADER),
    )
}
LEVEL_ORDER = list(LEVELS)


def level_allows(user: User, request: DataRequest, code: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_admin or LEVELS[code].allows(user, request))


def clean_levels(codes: Iterable[str]) -> list[str]:
    """The chosen levels in their declared order (township → … → 办公室 → 局领导)."""
    chosen = set(codes)
    unknown = chosen - set(LEVELS)
    if unknown:
        raise RequestRefused(f"未知的审核层级：{'、'.join(sorted(unknown))}")
    return [c for c in LEVEL_ORDER if c in chosen]


# --- who may issue, see, answer ----------------------------------------------------------


def can_issue(user: User) -> bool:
    """业务股室 (for townships), 办公室 (also to departments), 局领导 and 系统管理员."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_admin or user.role in (Role.LEADER, Role.DEPARTMENT))
        and (user.org_unit_id is not None or user.is_admin)
    )


def target_units(user: User) -> models.QuerySet[OrgUnit]:
    """The units ``user`` may ask: townships; departments too for the 办公室 and leaders."""
    kinds = list(TOWNSHIP_KINDS)
    if user.is_admin or user.role == Role.LEADER or is_office(user):
        kinds += [OrgUnitKind.DEPARTMENT, OrgUnitKind.AFFILIATE]
    return OrgUnit.objects.filter(kind__in=kinds).order_by("kind", "path")


def visible_assignments(user: User) -> models.QuerySet[Assignment]:
    """Submissions a user may see: their own unit's; a bureau user sees all."""
    qs = Assignment.objects.select_related("request", "unit")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_admin or user.role in (Role.LEADER, Role.DEPARTMENT):
        return qs
    if user.org_unit_id is None:
        return qs.none()
    return qs.filter(unit__path__startswith=user.org_unit.path)


def may_answer(user: User, assignment: Assignment) -> bool:
    """The unit's own users answer (a township user for their township; a department's
    users for their department); 系统管理员 may act for any unit."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_admin:
        return True
    return user.org_unit_id is not None and assignment.unit.path.startswith(user.org_unit.path)


# --- issuing -----------------------------------------------------------------------------


@dataclass
class MeasureSpec:
    label: str
    kind: str = Measure.Kind.COUNT
    unit_label: str = ""
    figure_id: str = ""
    ledger: str = ""
    field: str = ""


def _check_measure(spec: MeasureSpec, row: int) -> None:
    where = f"第{row}个数据项"
    if not spec.label.strip():
        raise RequestRefused(f"{where}：请填写名称")
    if spec.kind not in Measure.Kind.values:
        raise RequestRefused(f"{where}：类型应为数量、金额或文字")
    if spec.figure_id and not catalog.exists(spec.figure_id):
        raise RequestRefused(f"{where}：没有指标“{spec.figure_id}”")
    if bool(spec.ledger) != bool(spec.field):
        raise RequestRefused(f"{where}：绑定记录须同时选择台账和字段")
    if spec.ledger:
        ledger = _ledger(spec.ledger, where)
        if spec.field not in (ledger.form_fields or []):
            raise RequestRefused(f"{where}：台账“{ledger.label}”没有可填写的字段“{spec.field}”")
        if not ledger.date_field:
            raise RequestRefused(f"{where}：台账“{ledger.label}”的记录不分期间，不能绑定")


def _ledger(name: str, where: str) -> Any:
    try:
        return registry.get(name)
    except KeyError:
        raise RequestRefused(f"{where}：没有台账“{name}”") from None


@transaction.atomic
def issue(
    user: User,
    *,
    title: str,
    period: str,
    deadline: dt.date,
    units: Iterable[OrgUnit],
    kind: str = DataRequest.Kind.FORM,
    measures: Iterable[MeasureSpec] = (),
    ledgers: Iterable[str] = (),
    levels: Iterable[str] = ("issuer",),
    recurrence: str = "",
    note: str = "",
    series: DataRequest | None = None,
) -> DataRequest:
    """Issue a request to ``units``; each gets a submission to fill in its 待办."""
    if not can_issue(user):
        raise RequestRefused("只有业务股室、办公室、局领导和系统管理员可以发起报送任务")
    title = (title or "").strip()
    if not title or len(title) > 100:
        raise RequestRefused("任务名称：请填写，不超过100字")
    try:
        code = Period.parse(period).code
    except PeriodError as exc:
        raise RequestRefused(f"报送期间：{exc}") from None
    bounds.check_date(deadline)
    units = list(units)
    allowed = set(target_units(user).values_list("pk", flat=True))
    outside = [u.name for u in units if u.pk not in allowed]
    if outside:
        raise RequestRefused(f"报送单位：{'、'.join(outside)} 不在您可发起的范围内")
    if not units or len(units) > MAX_UNITS:
        raise RequestRefused(f"报送单位：请选择 1–{MAX_UNITS} 个单位")
    measures = list(measures)
    ledgers = list(dict.fromkeys(ledgers))
    if kind == DataRequest.Kind.FORM:
        if not measures or len(measures) > MAX_MEASURES:
            raise RequestRefused(f"数据项：请定义 1–{MAX_MEASURES} 个")
        for i, spec in enumerate(measures, 1):
            _check_measure(spec, i)
    elif kind == DataRequest.Kind.RECORDS:
        if not ledgers:
            raise RequestRefused("报送的台账：请至少选择一个")
        for name in ledgers:
            if not _ledger(name, "报送的台账").date_field:
                raise RequestRefused(f"报送的台账：“{registry.get(name).label}”的记录不分期间")
    else:
        raise RequestRefused("报送内容应为填报表单或台账记录")
    if recurrence not in DataRequest.Recurrence.values:
        raise RequestRefused("重复：应为不重复、每月、每季度或每半年")
    request = DataRequest.objects.create(
        title=title,
        note=(note or "")[:2000],
        issuer=user,
        issuing_unit=user.org_unit or OrgUnit.objects.filter(parent__isnull=True).first(),
        period_code=code,
        deadline=deadline,
        kind=kind,
        ledgers=ledgers if kind == DataRequest.Kind.RECORDS else [],
        recurrence=recurrence,
        series=series,
        levels=clean_levels(levels),
    )
    Measure.objects.bulk_create(
        Measure(
            request=request,
            position=i,
            label=s.label.strip()[:60],
            kind=s.kind,
            unit_label=s.unit_label[:10],
            figure_id=s.figure_id,
            ledger=s.ledger,
            field=s.field,
        )
        for i, s in enumerate(measures)
    )
    Assignment.objects.bulk_create(Assignment(request=request, unit=u) for u in units)
    return request


def next_period(period: Period, recurrence: str) -> Period:
    if recurrence == DataRequest.Recurrence.MONTHLY:
        day = period.end + dt.timedelta(days=1)
        return Period.parse(f"{day.year}-{day.month:02d}")
    if recurrence == DataRequest.Recurrence.QUARTERLY:
        day = period.end + dt.timedelta(days=1)
        return Period.parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    day = period.end + dt.timedelta(days=1)
    return Period.parse(f"{day.year}H{1 if day.month <= 6 else 2}")


@transaction.atomic
def ensure_recurrences(today: dt.date | None = None) -> list[DataRequest]:
    """Issue the next instance of every recurring request whose latest instance's period
    has ended, with the same units, items and levels, its deadline as far after the new
    period's end as the first one's was."""
    today = today or clock.today()
    made = []
    roots = DataRequest.objects.filter(series__isnull=True).exclude(recurrence="")
    for root in roots:
        latest = root.instances.order_by("-deadline", "-pk").first() or root
        period = Period.parse(latest.period_code)
        while period.end < today:
            following = next_period(period, root.recurrence)
            offset = root.deadline - Period.parse(root.period_code).end
            request = issue(
                root.issuer,
                title=root.title,
                period=following.code,
                deadline=following.end + offset,
                units=[a.unit for a in root.assignments.select_related("unit")],
                kind=root.kind,
                measures=[
                    MeasureSpec(m.label, m.kind, m.unit_label, m.figure_id, m.ledger, m.field)
                    for m in root.measures.all()
                ],
                ledgers=root.ledgers,
                levels=root.levels,
                note=root.note,
                series=root,
            )
            made.append(request)
            period = following
    return made


# --- pre-fill and answers ---------------------------------------------------------------


def bound_record(measure: Measure, assignment: Assignment) -> models.Model | None:
    """The unit's one record of the bound ledger for the period (None: none or several)."""
    if not measure.ledger:
        return None
    ledger = registry.get(measure.ledger)
    period = Period.parse(assignment.request.period_code)
    qs = ledger.model._default_manager.filter(
        org_unit=assignment.unit,
        **{f"{ledger.date_field}__gte": period.start, f"{ledger.date_field}__lte": period.end},
    )
    found = list(qs[:2])
    return found[0] if len(found) == 1 else None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return catalog.format_number(value)
    return str(value)


def prefill(assignment: Assignment) -> list[Answer]:
    """The unit's answers, created from what the system holds when first opened: a bound
    record's field, else the measure's figure for the unit and period."""
    request = assignment.request
    measures = list(request.measures.all())
    existing = {a.measure_id: a for a in assignment.answers.all()}
    missing = [m for m in measures if m.pk not in existing]
    if missing:
        period = Period.parse(request.period_code)
        ids = [m.figure_id for m in missing if m.figure_id and catalog.exists(m.figure_id)]
        values = catalog.evaluate(ids, period, assignment.unit) if ids else {}
        made = []
        for m in missing:
            value, source = "", ""
            record = bound_record(m, assignment)
            if record is not None:
                value = _as_text(getattr(record, m.field))
                source = f"{registry.get(m.ledger).label} 第{record.pk}号记录"
            elif m.figure_id in values:
                value = _as_text(values[m.figure_id].value)
                source = f"指标“{values[m.figure_id].figure.label}”"
            made.append(
                Answer(
                    assignment=assignment, measure=m, value=value, prefilled=value, source=source
                )
            )
        with transaction.atomic():
            for answer in made:
                answer.save()
                existing[answer.measure_id] = answer
    return [existing[m.pk] for m in measures]


def clean_value(measure: Measure, raw: str, where: str) -> str:
    text = (raw or "").strip()
    if measure.kind == Measure.Kind.TEXT:
        if len(text) > 500:
            raise RequestRefused(f"{where}：不超过500字")
        return text
    if not text:
        return ""
    try:
        number = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise RequestRefused(f"{where}：“{text}”不是数字") from None
    if not number.is_finite():
        raise RequestRefused(f"{where}：“{text}”不是数字")
    if measure.kind == Measure.Kind.COUNT:
        if number != number.to_integral_value() or not 0 <= number <= MAX_COUNT:
            raise RequestRefused(f"{where}：应为 0–{MAX_COUNT} 的整数")
        return str(int(number))
    if abs(number) > MAX_AMOUNT:
        raise RequestRefused(f"{where}：超出范围（绝对值不超过 {MAX_AMOUNT:f}）")
    return catalog.format_number(number)


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("request", "unit")
        .get(pk=assignment.pk)
    )


def _event(
    assignment: Assignment,
    action: str,
    user: User | None,
    *,
    level: str = "",
    reason: str = "",
    via: str = "page",
    late: bool = False,
) -> RequestEvent:
    return RequestEvent.objects.create(
        assignment=assignment,
        action=action,
        level=level,
        user=user,
        at=clock.now(),
        reason=reason[:200],
        via=via,
        late=late,
    )


@transaction.atomic
def save_answers(
    assignment: Assignment, user: User, values: dict[int, str], via: str = "page"
) -> list[str]:
    """Store the unit's values (keyed by measure id). A value bound to a record field is
    written back into that record (its history says why). Returns what was corrected."""
    assignment = _locked(assignment)
    if not may_answer(user, assignment):
        raise RequestRefused("只有报送单位本身可以填写")
    if assignment.status == Assignment.Status.SUBMITTED:
        raise RequestRefused("已报送的数据不能修改；如需修改，请在截止前撤回，或等待退回")
    answers = {a.measure_id: a for a in prefill(assignment)}
    measures = {m.pk: m for m in assignment.request.measures.all()}
    unknown = set(values) - set(measures)
    if unknown:
        raise RequestRefused(f"没有这些数据项：{'、'.join(map(str, sorted(unknown)))}")
    changed = []
    for mid, raw in values.items():
        measure = measures[mid]
        value = clean_value(measure, raw, f"数据项“{measure.label}”")
        answer = answers[mid]
        if value == answer.value:
            continue
        record = bound_record(measure, assignment)
        if record is not None:
            _write_back(record, measure, value, user, assignment)
            _event(
                assignment,
                RequestEvent.Action.CORRECT,
                user,
                reason=f"{measure.label}：{answer.value or '（空）'} → {value or '（空）'}",
                via=via,
            )
        answer.value = value
        answer._change_reason = f"{measure.label}：{answer.value}"[:100]
        answer.save()
        changed.append(measure.label)
    return changed


def _write_back(
    record: models.Model, measure: Measure, value: str, user: User, a: Assignment
) -> None:
    ledger = registry.get(measure.ledger)
    if not scope.can_ledger(user, "change", ledger):
        raise RequestRefused(f"数据项“{measure.label}”绑定台账“{ledger.label}”，您无权修改该台账")
    field = ledger.field(measure.field)
    try:
        setattr(record, measure.field, field.to_python(value) if value != "" else None)
        record.full_clean()
    except Exception as exc:  # a ValidationError names the field
        raise RequestRefused(f"数据项“{measure.label}”：{exc}") from None
    record._change_reason = f"报送任务“{a.request.title}”更正"[:100]
    record.save()
    scope.ensure_reachable(record, user)


# --- submitting and approval -------------------------------------------------------------


def is_late(assignment: Assignment) -> bool | None:
    """None: not submitted; else whether it was submitted after the deadline's day."""
    if assignment.submitted_at is None:
        return None
    return timezone.localdate(assignment.submitted_at) > assignment.request.deadline


@transaction.atomic
def submit(assignment: Assignment, user: User, via: str = "page") -> Assignment:
    assignment = _locked(assignment)
    if not may_answer(user, assignment):
        raise RequestRefused("只有报送单位本身可以报送")
    if assignment.status == Assignment.Status.SUBMITTED:
        raise RequestRefused("已报送，无需重复报送")
    prefill(assignment)
    now = clock.now()
    if assignment.submitted_at is None:
        assignment.submitted_at = now
    assignment.last_submitted_at = now
    assignment.status = Assignment.Status.SUBMITTED
    assignment.approved = 0
    assignment.approved_at = None
    assignment.return_reason = ""
    assignment._change_reason = "报送"
    assignment.save()
    _event(assignment, RequestEvent.Action.SUBMIT, user, via=via, late=bool(is_late(assignment)))
    return assignment


@transaction.atomic
def withdraw(assignment: Assignment, user: User, via: str = "page") -> Assignment:
    assignment = _locked(assignment)
    if not may_answer(user, assignment):
        raise RequestRefused("只有报送单位本身可以撤回")
    if assignment.status != Assignment.Status.SUBMITTED:
        raise RequestRefused("尚未报送，无需撤回")
    if assignment.approved:
        raise RequestRefused("已有审核通过，不能撤回；请联系审核人退回")
    if clock.today() > assignment.request.deadline:
        raise RequestRefused(f"已过截止日期（{assignment.request.deadline:%Y-%m-%d}），不能撤回")
    assignment.status = Assignment.Status.DRAFT
    assignment.submitted_at = None
    assignment._change_reason = "撤回"
    assignment.save()
    _event(assignment, RequestEvent.Action.WITHDRAW, user, via=via)
    return assignment


def pending_level(assignment: Assignment) -> str | None:
    """The level whose approval the submission awaits (None: not submitted, or done)."""
    levels = assignment.request.levels
    if assignment.status != Assignment.Status.SUBMITTED or assignment.approved >= len(levels):
        return None
    return levels[assignment.approved]


def fully_approved(assignment: Assignment) -> bool:
    return assignment.status == Assignment.Status.SUBMITTED and assignment.approved >= len(
        assignment.request.levels
    )


@transaction.atomic
def approve(assignment: Assignment, user: User, via: str = "page") -> Assignment:
    assignment = _locked(assignment)
    lapse(assignment)
    level = pending_level(assignment)
    if level is None:
        raise RequestRefused("当前没有待审核的报送")
    if not level_allows(user, assignment.request, level):
        raise RequestRefused(f"本环节由“{LEVELS[level].label}”审核")
    assignment.approved += 1
    assignment.approved_at = clock.now()
    assignment._change_reason = f"{LEVELS[level].label}审核通过"
    assignment.save()
    _event(assignment, RequestEvent.Action.APPROVE, user, level=level, via=via)
    return assignment


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RequestRefused(f"{what}须填写原因")
    if len(reason) > 200:
        raise RequestRefused(f"{what}的原因不超过200字")
    return reason


@transaction.atomic
def send_back(assignment: Assignment, user: User, reason: str, via: str = "page") -> Assignment:
    """退回: the reviewer of the awaited level returns the submission to the unit, with a
    reason; the approvals given so far fall with it."""
    reason = _reason(reason, "退回")
    assignment = _locked(assignment)
    level = pending_level(assignment)
    if level is None:
        raise RequestRefused("当前没有待审核的报送，不能退回")
    if not level_allows(user, assignment.request, level):
        raise RequestRefused(f"本环节由“{LEVELS[level].label}”审核，您不能退回")
    assignment.status = Assignment.Status.RETURNED
    assignment.approved = 0
    assignment.approved_at = None
    assignment.return_reason = reason
    assignment._change_reason = f"退回：{reason}"[:100]
    assignment.save()
    _event(assignment, RequestEvent.Action.RETURN, user, level=level, reason=reason, via=via)
    return assignment


@transaction.atomic
def unapprove(assignment: Assignment, user: User, reason: str, via: str = "page") -> Assignment:
    """撤销审核: only the highest level approved so far (the level above has not approved),
    by a reviewer of that level or of the level above; always with a reason."""
    reason = _reason(reason, "撤销审核")
    assignment = _locked(assignment)
    levels = assignment.request.levels
    if assignment.status != Assignment.Status.SUBMITTED or assignment.approved == 0:
        raise RequestRefused("尚无审核通过，无需撤销")
    level = levels[assignment.approved - 1]
    above = levels[assignment.approved] if assignment.approved < len(levels) else None
    if not (
        level_allows(user, assignment.request, level)
        or (above is not None and level_allows(user, assignment.request, above))
    ):
        raise RequestRefused(
            f"只有“{LEVELS[level].label}”"
            + (f"或“{LEVELS[above].label}”" if above else "")
            + "可以撤销这一层的审核"
        )
    assignment.approved -= 1
    assignment._change_reason = f"撤销{LEVELS[level].label}审核：{reason}"[:100]
    assignment.save()
    _event(assignment, RequestEvent.Action.UNAPPROVE, user, level=level, reason=reason, via=via)
    return assignment


def can_unapprove(user: User, assignment: Assignment) -> bool:
    levels = assignment.request.levels
    if assignment.status != Assignment.Status.SUBMITTED or assignment.approved == 0:
        return False
    level = levels[assignment.approved - 1]
    above = levels[assignment.approved] if assignment.approved < len(levels) else None
    return level_allows(user, assignment.request, level) or (
        above is not None and level_allows(user, assignment.request, above)
    )


# --- approval lapses when the data behind it change -------------------------------------------


def bound_ledgers(request: DataRequest) -> list[str]:
    names = list(request.ledgers)
    names += [m.ledger for m in request.measures.all() if m.ledger]
    return list(dict.fromkeys(names))


def changes_since(assignment: Assignment, since: dt.datetime) -> list[tuple[str, int, Any]]:
    """Records of the request's ledgers, in the unit and period, written after ``since``
    (through any path: history rows are written by forms, the API and imports alike).
    Returns (ledger label, record id, when)."""
    request = assignment.request
    period = Period.parse(request.period_code)
    out = []
    for name in bound_ledgers(request):
        ledger = registry.get(name)
        history = getattr(getattr(ledger.model, "history", None), "model", None)
        date = ledger.date_field
        if history is None or not date:
            qs = ledger.model._default_manager.filter(
                org_unit__path__startswith=assignment.unit.path,
                updated_at__gt=since,
                **{f"{date}__gte": period.start, f"{date}__lte": period.end},
            )
            out += [(ledger.label, pk, at) for pk, at in qs.values_list("pk", "updated_at")]
            continue
        rows = history.objects.filter(
            Q(**{f"{date}__gte": period.start, f"{date}__lte": period.end}),
            org_unit__path__startswith=assignment.unit.path,
            history_date__gt=since,
        ).values_list("id", "history_date")
        out += [(ledger.label, pk, at) for pk, at in rows]
    return sorted(out, key=lambda r: r[2])


def lapse(assignment: Assignment) -> bool:
    """If records behind an approved submission changed after its approval, the approval
    drops back (审核失效), recorded with the record named. True when it dropped."""
    if assignment.approved == 0 or assignment.approved_at is None:
        return False
    found = changes_since(assignment, assignment.approved_at)
    if not found:
        return False
    label, pk, at = found[0]
    with transaction.atomic():
        assignment.approved = 0
        assignment.approved_at = None
        assignment._change_reason = "数据变更，审核失效"
        assignment.save()
        more = f"等 {len(found)} 处" if len(found) > 1 else ""
        _event(
            assignment,
            RequestEvent.Action.DROPPED,
            None,
            reason=f"{label} 第{pk}号记录于 {timezone.localtime(at):%Y-%m-%d %H:%M} 被修改{more}",
            via="system",
        )
    return True


def lapse_all(assignments: Iterable[Assignment]) -> None:
    for a in assignments:
        if a.approved:
            lapse(a)


# --- statuses and rates ------------------------------------------------------------------------


def status_label(assignment: Assignment) -> str:
    if assignment.status == Assignment.Status.DRAFT:
        late = clock.today() > assignment.request.deadline
        return "逾期未报" if late else "待报送"
    if assignment.status == Assignment.Status.RETURNED:
        return "已退回，待修改"
    level = pending_level(assignment)
    when = "（逾期报送）" if is_late(assignment) else ""
    if level is None:
        return f"已报送，审核通过{when}" if assignment.request.levels else f"已报送{when}"
    return f"已报送，待{LEVELS[level].label}审核{when}"


RATE_KINDS = {
    "ontime": "按时报送单位数",
    "late": "逾期报送单位数",
    "missing": "未报送单位数",
    "total": "应报送单位数",
    "rate": "报送率",
    "timely": "及时报送率",
    "approved": "审核通过单位数",
}


def outcome(assignment: Assignment) -> str:
    late = is_late(assignment)
    return "missing" if late is None else ("late" if late else "ontime")


def rates(assignments: Iterable[Assignment]) -> dict[str, Any]:
    counts = {"ontime": 0, "late": 0, "missing": 0, "approved": 0}
    for a in assignments:
        counts[outcome(a)] += 1
        if fully_approved(a):
            counts["approved"] += 1
    total = counts["ontime"] + counts["late"] + counts["missing"]
    done = counts["ontime"] + counts["late"]
    return {
        **counts,
        "total": total,
        "rate": Decimal(done * 100) / total if total else None,
        "timely": Decimal(counts["ontime"] * 100) / total if total else None,
    }
