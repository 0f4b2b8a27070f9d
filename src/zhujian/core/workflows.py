"""Workflows: who must do which step of a record next, and the record of every step taken.

A domain declares the workflow of a ledger model in its ``workflows.py`` (imported at
start-up like ``ledgers.py``)::

    registry.register(Workflow(
        model=Hazard,
        label="隐患闭环",
        line_field="line",
        steps=[
            Step("notice", "下达整改通知", LineDepartment("下达股室"), done="notice_issued_on",
                 fields=("notice_number", "notice_issued_on", "notice_deadline")),
            Step("rectify", "整改", RecordTownship("整改责任单位"), done="rectified_on",
                 fields=(...), due="notice_deadline"),
            Step("verify", "验收销号", LineDepartment("验收股室"), done="verified_on", ...),
        ],
        separate=[("rectify", "verify")],
    ))

- A step is done when its ``done`` date is set; the current step is the first step not
  done, so lists and counts by step are plain SQL (:meth:`Workflow.at_q`).
- The **actor rule** of a step says who may do it: the record's township
  (:class:`RecordTownship`), the department (股室) that owns the record's line
  (:class:`LineDepartment`), the unit the record names as responsible
  (:class:`RecordUnit`, e.g. a plan task's 责任单位), or the handler (承办人) the record
  names (:class:`Handler`).
- **Separation of duties**: ``separate`` pairs ``(x, y)``: the account that did ``x``
  cannot do ``y`` (the rectifier cannot accept its own rectification). ``x`` may be
  :data:`REGISTER`, the record's registration (the account that created it, from its
  history): the clerk who registers an application does not accept it.
- Every step taken, every step sent back (退回, with its reason) and every reminder
  (催办) is a :class:`~zhujian.core.models.Transition` row: who, from which unit, when, why.
- **No bypass**: the generic edit form, the API and the Excel import may change a step's
  fields only as that step's actor would (:func:`check_write`): the write is then the step's
  transition, checked by the same rules and recorded with where it came from.

Core never imports a domain: domains register here, the web and API read the registry.
"""

from __future__ import annotations

import copy
import datetime as dt
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from zhujian.core.models import OrgUnit, OrgUnitKind, Role, Transition, User
from zhujian.core.stages import REASON_FIELD

SUBMIT, RETURN, REMIND = (
    Transition.Action.SUBMIT,
    Transition.Action.RETURN,
    Transition.Action.REMIND,
)


# In ``Workflow.separate``: the record's registration (its creation), which is not a step.
REGISTER = "register"


class StepRefused(PermissionDenied):
    """A step the user may not take (actor rule, separation of duties, wrong state)."""


# --- actor rules -------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor(ABC):
    """Who may do a step. ``role`` is the Chinese name of that party (整改责任单位 …).
    An interface: each rule (:class:`RecordTownship`, :class:`LineDepartment`,
    :class:`Handler`) implements the three methods."""

    role: str

    @abstractmethod
    def allows(self, user: User, obj: Any, workflow: Workflow) -> bool:
        """Whether ``user`` may do the step on ``obj``."""

    @abstractmethod
    def q_for(self, user: User, workflow: Workflow) -> Q | None:
        """Records whose step of this rule ``user`` must do (None: none)."""

    @abstractmethod
    def names(self, obj: Any, workflow: Workflow) -> str:
        """Who that is for ``obj``, in words (a unit's name, a person's name)."""


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


@dataclass(frozen=True)
class RecordTownship(Actor):
    """The 乡镇/街道 the record lies in (its org unit or that unit's township). A record
    filed outside any township (a bureau unit) falls to the line's department."""

    def allows(self, user: User, obj: Any, workflow: Workflow) -> bool:
        if not _active(user):
            return False
        township = _township(obj)
        if township is None:
            return LineDepartment(self.role).allows(user, obj, workflow)
        return (
            user.role == Role.TOWNSHIP
            and user.org_unit is not None
            and user.org_unit.contains(township)
        )

    def q_for(self, user: User, workflow: Workflow) -> Q | None:
        if user.role == Role.TOWNSHIP and user.org_unit is not None:
            return Q(org_unit__path__startswith=user.org_unit.path)
        return None

    def names(self, obj: Any, workflow: Workflow) -> str:
        township = _township(obj)
        return township.name if township else LineDepartment(self.role).names(obj, workflow)


@dataclass(frozen=True)
class LineDepartment(Actor):
    """The 业务股室 whose business lines include the record's line."""

    def allows(self, user: User, obj: Any, workflow: Workflow) -> bool:
        if not _active(user) or user.role != Role.DEPARTMENT:
            return False
        return workflow.line_of(obj) in (user.business_lines or [])

    def q_for(self, user: User, workflow: Workflow) -> Q | None:
        if user.role != Role.DEPARTMENT:
            return None
        mine = list(user.business_lines or [])
        if workflow.line_field:
            return Q(**{f"{workflow.line_field}__in": mine})
        return Q() if workflow.own_line in mine else None

    def names(self, obj: Any, workflow: Workflow) -> str:
        units = departments_of(workflow.line_of(obj))
        return "、".join(u.name for u in units) or "业务股室"


GENERAL_KINDS = (OrgUnitKind.COUNTY, OrgUnitKind.BUREAU)  # no particular unit


@dataclass(frozen=True)
class RecordUnit(Actor):
    """The unit the record names as responsible (责任单位: its org unit), a 股室 or a
    乡镇: that unit's accounts (a township's for its villages too). A record filed at the
    county or the bureau as a whole falls to the line's department."""

    def _unit(self, obj: Any) -> OrgUnit | None:
        unit = getattr(obj, "org_unit", None)
        return None if unit is None or unit.kind in GENERAL_KINDS else unit

    def allows(self, user: User, obj: Any, workflow: Workflow) -> bool:
        if not _active(user):
            return False
        unit = self._unit(obj)
        if unit is None:
            return LineDepartment(self.role).allows(user, obj, workflow)
        return (
            user.role in (Role.DEPARTMENT, Role.TOWNSHIP)
            and user.org_unit is not None
            and user.org_unit.contains(unit)
        )

    def q_for(self, user: User, workflow: Workflow) -> Q | None:
        if user.role not in (Role.DEPARTMENT, Role.TOWNSHIP) or user.org_unit is None:
            return None
        q = Q(org_unit__path__startswith=user.org_unit.path)
        line = LineDepartment(self.role).q_for(user, workflow)
        if line is not None:
            q |= Q(org_unit__kind__in=GENERAL_KINDS) & line
        return q

    def names(self, obj: Any, workflow: Workflow) -> str:
        unit = self._unit(obj)
        return unit.name if unit else LineDepartment(self.role).names(obj, workflow)


@dataclass(frozen=True)
class Handler(Actor):
    """The person the record names in ``field`` (承办人): matched by the user's full name
    or login name; while the field is empty, the line's department acts."""

    field: str = "handler"
    unit: Actor | None = None  # the handler's unit, which acts too (default: the line's 股室)

    @property
    def _unit(self) -> Actor:
        return self.unit or LineDepartment(self.role)

    def _named(self, user: User) -> list[str]:
        return [n for n in {user.get_full_name(), user.username} if n]

    def allows(self, user: User, obj: Any, workflow: Workflow) -> bool:
        if not _active(user):
            return False
        named = (getattr(obj, self.field, "") or "").strip()
        return named in self._named(user) or self._unit.allows(user, obj, workflow)

    def q_for(self, user: User, workflow: Workflow) -> Q | None:
        q = Q(**{f"{self.field}__in": self._named(user)})
        unit = self._unit.q_for(user, workflow)
        return q | unit if unit is not None else q

    def names(self, obj: Any, workflow: Workflow) -> str:
        named = (getattr(obj, self.field, "") or "").strip()
        unit = self._unit.names(obj, workflow)
        return f"{unit} {named}" if named else unit


def _township(obj: Any) -> OrgUnit | None:
    unit = getattr(obj, "org_unit", None)
    return unit.township() if unit is not None else None


_DEPARTMENTS: dict[str, tuple[float, list[OrgUnit]]] = {}
DEPARTMENTS_TTL_S = 60.0  # lists name a 股室 per row: look the users up once a minute


def departments_of(line: str) -> list[OrgUnit]:
    """The units of the department users who own ``line`` (a line may have two)."""
    now = time.monotonic()
    cached = _DEPARTMENTS.get(line)
    if cached is not None and now - cached[0] < DEPARTMENTS_TTL_S:
        return cached[1]
    ids = {
        u.org_unit_id
        for u in User.objects.filter(role=Role.DEPARTMENT, is_active=True).only(
            "org_unit_id", "business_lines"
        )
        if line in (u.business_lines or []) and u.org_unit_id
    }
    units = list(OrgUnit.objects.filter(pk__in=ids).order_by("sort", "path"))
    _DEPARTMENTS[line] = (now, units)
    return units


# --- declarations --------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step: done when the date field ``done`` is set; ``fields`` are what its form
    asks for (``done`` among them); ``due`` the field or function giving its deadline."""

    code: str
    label: str
    actor: Actor
    done: str
    fields: Sequence[str] = ()
    due: str | Callable[[Any], dt.date | None] | None = None
    action: str = ""  # what the actor does, in words ("整改", "验收销号"); default: label
    # A step that applies to some records only: the condition in SQL and in Python
    # (e.g. 鉴定 only for houses the 初判 found hazardous). Default: every record.
    when: Q | None = None
    when_obj: Callable[[Any], bool] | None = None
    # An optional step (延期, 复查) is never waited for: it is offered beside the current
    # step (or after the last) and taken when the case needs it (:meth:`Workflow.available`).
    optional: bool = False

    @property
    def verb(self) -> str:
        return self.action or self.label

    def all_fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.fields, self.done]))

    def due_on(self, obj: Any) -> dt.date | None:
        if self.due is None:
            return None
        return self.due(obj) if callable(self.due) else getattr(obj, self.due)

    def applies(self, obj: Any) -> bool:
        return self.when_obj is None or bool(self.when_obj(obj))

    def is_done(self, obj: Any) -> bool:
        """Its ``done`` field is set (a date; or a text such as the named 承办人)."""
        return getattr(obj, self.done) not in (None, "")

    @property
    def text(self) -> bool:
        """Done is marked by a text (set by the workflow from the model field)."""
        return bool(getattr(self, "_text", False))

    def _set_q(self) -> Q:
        q = Q(**{f"{self.done}__isnull": False})
        return q & ~Q(**{self.done: ""}) if self.text else q

    def done_q(self) -> Q:
        """Done, or not applying (so a later step may be current)."""
        q = self._set_q()
        return q | ~self.when if self.when is not None else q

    def open_q(self) -> Q:
        """Applies and not done."""
        q = ~self._set_q()
        return q & self.when if self.when is not None else q


@dataclass
class Workflow:
    """The steps of one ledger model and who does each (see the module's docstring)."""

    model: type[models.Model]
    label: str
    steps: Sequence[Step]
    line: str = ""  # the line of every record (default: the ledger's)
    line_field: str | None = None  # or: the field holding each record's line
    separate: Sequence[tuple[str, str]] = ()
    # due within this many days: 临期 (a setting's name, or a function: read when asked)
    remind_days: int | str | Callable[[], int] = 3
    active: Q | None = None  # records the workflow applies to (default: all), in SQL
    active_obj: Callable[[Any], bool] | None = None  # … and in Python
    page: Callable[[Any], str] | None = None  # its step page (default: the generic one)
    register_label: str = "登记"  # what the record's creation is called (产权备案, 申请)
    name: str = ""
    _by_code: dict[str, Step] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        opts = self.model._meta
        if not self.name:
            self.name = f"{opts.app_label}_{opts.model_name}"
        self._by_code = {s.code: s for s in self.steps}
        if len(self._by_code) != len(self.steps):
            raise ValueError(f"{self.name}: step codes must be unique")
        for s in self.steps:
            for name in s.all_fields():
                opts.get_field(name)  # fail at start-up on a typo
            object.__setattr__(s, "_text", isinstance(opts.get_field(s.done), models.CharField))
            if isinstance(s.due, str):
                opts.get_field(s.due)
        for x, y in self.separate:
            self.step(y)
            if x != REGISTER:
                self.step(x)

    def step(self, code: str) -> Step:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"{self.name}: unknown step {code!r}") from None

    def label_of(self, code: str) -> str:
        """A step's label, or the registration's (:data:`REGISTER`)."""
        return self.register_label if code == REGISTER else self.step(code).label

    @property
    def step_fields(self) -> set[str]:
        return {n for s in self.steps for n in s.all_fields()}

    def soon_days(self) -> int:
        if isinstance(self.remind_days, str):
            return int(getattr(settings, self.remind_days))
        if callable(self.remind_days):
            return int(self.remind_days())
        return self.remind_days

    def line_of(self, obj: Any) -> str:
        if self.line_field:
            return getattr(obj, self.line_field)
        return self.own_line

    @property
    def own_line(self) -> str:
        """The line of every record (the ledger's, unless declared)."""
        if not self.line:
            from zhujian.core.registry import registry

            self.line = registry.for_model(self.model).line
        return self.line

    # --- one record ------------------------------------------------------------------

    def current(self, obj: Any) -> Step | None:
        """The step to do next (None: every step done)."""
        if self.active_obj is not None and not self.active_obj(obj):
            return None
        for s in self.steps:
            if s.applies(obj) and not s.optional and not s.is_done(obj):
                return s
        return None

    def available(self, obj: Any) -> list[Step]:
        """Optional steps that may be taken now: every required step before one done and
        every required step after it not yet; an optional step after the last required
        one before it must be done first (复核 follows 复查)."""
        if self.active_obj is not None and not self.active_obj(obj):
            return []
        steps = [s for s in self.steps if s.applies(obj)]
        out = []
        for i, s in enumerate(steps):
            if not s.optional or s.is_done(obj):
                continue
            before, after = steps[:i], steps[i + 1 :]
            if any(not t.optional and not t.is_done(obj) for t in before):
                continue
            if any(not t.optional and t.is_done(obj) for t in after):
                continue
            last_required = max((j for j, t in enumerate(before) if not t.optional), default=-1)
            if any(not t.is_done(obj) for t in before[last_required + 1 :]):
                continue
            out.append(s)
        return out

    def previous(self, obj: Any, step: Step | None) -> Step | None:
        """The last done step before ``step`` (``None``: the end), the one 退回 undoes."""
        index = len(self.steps) if step is None else list(self.steps).index(step)
        for s in reversed(list(self.steps)[:index]):
            if s.applies(obj) and s.is_done(obj):
                return s
        return None

    def can(self, user: User, obj: Any, step: Step) -> str | None:
        """Why ``user`` may not do ``step`` on ``obj`` (None: it may)."""
        if not (user.is_admin or step.actor.allows(user, obj, self)):
            return (
                f"“{step.label}”须由{step.actor.role}（{step.actor.names(obj, self)}）办理，"
                "您的账号不能办理"
            )
        for x, y in self.separate:
            if y == step.code and last_actor(obj, self, x) == user.pk:
                return (
                    f"职责分离：办理“{self.label_of(x)}”的账号不能再办理“{step.label}”，"
                    "须由另一账号办理"
                )
        return None

    def next_action(self, obj: Any, today: dt.date | None = None) -> str:
        """One line: who must do what next, and by when."""
        step = self.current(obj)
        if step is None:
            return f"{self.label}已全部办结"
        who = f"{step.actor.role}（{step.actor.names(obj, self)}）"
        due = step.due_on(obj)
        when = ""
        if due is not None:
            days = (due - (today or dt.date.today())).days
            left = (
                f"已逾期{-days}天" if days < 0 else ("今日到期" if days == 0 else f"还剩{days}天")
            )
            when = f"，期限 {due:%Y年%-m月%-d日}（{left}）"
        return f"待{who}{step.verb}{when}"

    # --- many records, in SQL ------------------------------------------------------------

    def at_q(self, code: str) -> Q:
        """Records whose current step is ``code``: every earlier step done (or not
        applying), this one applying and not done."""
        q = self.active if self.active is not None else Q()
        for s in self.steps:
            if s.code == code:
                return q & s.open_q()
            if not s.optional:
                q &= s.done_q()
        raise KeyError(code)

    def open_q(self) -> Q:
        """Records with a step still to do."""
        q = Q(pk__in=[])
        for s in self.steps:
            if not s.optional:
                q |= self.at_q(s.code)
        return q

    def pending_q(self, user: User) -> Q | None:
        """Records whose current step ``user``'s unit or the user must do."""
        found: Q | None = None
        for s in self.steps:
            if s.optional:
                continue
            mine = s.actor.q_for(user, self)
            if mine is None:
                continue
            q = self.at_q(s.code) & mine
            found = q if found is None else found | q
        return found

    def due_q(
        self, before: dt.date | None = None, within: tuple[dt.date, dt.date] | None = None
    ) -> Q:
        """Records whose current step's due date is before ``before`` or in ``within``."""
        found = Q(pk__in=[])
        for s in self.steps:
            if not isinstance(s.due, str) or s.optional:
                continue
            if before is not None:
                cond = Q(**{f"{s.due}__lt": before})
            else:
                assert within is not None
                cond = Q(**{f"{s.due}__gte": within[0], f"{s.due}__lte": within[1]})
            found |= self.at_q(s.code) & cond
        return found


class WorkflowRegistry:
    def __init__(self) -> None:
        self._by_model: dict[type[models.Model], Workflow] = {}

    def register(self, workflow: Workflow) -> Workflow:
        if workflow.model in self._by_model:
            raise ValueError(f"{workflow.name}: workflow already registered")
        self._by_model[workflow.model] = workflow
        return workflow

    def for_model(self, model: type[models.Model]) -> Workflow | None:
        return self._by_model.get(model)

    def __iter__(self) -> Iterator[Workflow]:
        return iter(list(self._by_model.values()))

    def get(self, name: str) -> Workflow:
        for wf in self._by_model.values():
            if wf.name == name:
                return wf
        raise KeyError(name)


registry = WorkflowRegistry()


# --- deadline clocks as one-step workflows -----------------------------------------------------

_CLOCKS: dict[str, list[Workflow]] = {}


def clock_workflows(ledger: Any) -> list[Workflow]:
    """The deadline clocks of ``ledger`` (``Ledger.deadlines``) that no step of its
    workflow covers, each as a one-step workflow that is not registered: "meet the
    clock" by its owner (``Deadlines.owner``, default the line's 股室). So an item with
    only a deadline (a plan's 确保*月*日前完成, a contract to file) names who must do what
    by when, and lands in that owner's 待我处理, through the same SQL as a step."""
    found = _CLOCKS.get(ledger.name)
    if found is not None:
        return found
    deadlines = ledger.deadlines
    out: list[Workflow] = []
    if deadlines is not None:
        declared = registry.for_model(ledger.model)
        covered = {
            (s.due, s.done) for s in (declared.steps if declared else []) if isinstance(s.due, str)
        }
        owner = deadlines.owner or LineDepartment(f"{ledger.label}主管股室")
        soon = deadlines.soon_days
        for clock in deadlines.clocks:
            if (clock.due, clock.done) in covered:
                continue
            has_due = Q(**{f"{clock.due}__isnull": False})
            out.append(
                Workflow(
                    model=ledger.model,
                    label=clock.label,
                    name=f"{ledger.name}__{clock.due}",
                    line=ledger.line,
                    steps=[
                        Step(
                            clock.done,
                            clock.label,
                            owner,
                            done=clock.done,
                            due=clock.due,
                            when=has_due,
                            when_obj=lambda obj, f=clock.due: getattr(obj, f) is not None,
                            action=f"办理{clock.label}",
                        )
                    ],
                    active=deadlines.active,
                    remind_days=soon,
                    page=lambda obj, lg=ledger: lg.url("detail", pk=obj.pk),
                )
            )
    _CLOCKS[ledger.name] = out
    return out


# --- transitions ------------------------------------------------------------------------------


def _content_type(obj: Any) -> ContentType:
    return ContentType.objects.get_for_model(type(obj))


def transitions_of(obj: Any) -> models.QuerySet[Transition]:
    return Transition.objects.filter(
        content_type=_content_type(obj), object_id=obj.pk
    ).select_related("user", "unit")


def registrant(obj: Any) -> int | None:
    """The id of the account that created ``obj`` (its history's creation row)."""
    history = getattr(type(obj), "history", None)
    if history is None or obj.pk is None:
        return None
    return (
        history.filter(id=obj.pk, history_type="+")
        .order_by("history_id")
        .values_list("history_user_id", flat=True)
        .first()
    )


def taken_by(workflow: Workflow, user: User, code: str) -> models.QuerySet:
    """Ids of the records on which ``user`` did ``code`` (or registered, :data:`REGISTER`):
    the few records separation of duties may keep from that user."""
    if code == REGISTER:
        history = workflow.model.history  # type: ignore[attr-defined]
        return history.filter(history_type="+", history_user=user).values_list("id", flat=True)
    return Transition.objects.filter(
        workflow=workflow.name, user=user, step=code, action=SUBMIT
    ).values_list("object_id", flat=True)


def last_actor(obj: Any, workflow: Workflow, step: str) -> int | None:
    """The id of the account whose submission of ``step`` stands (not sent back since);
    for :data:`REGISTER`, the account that created the record."""
    if step == REGISTER:
        return registrant(obj)
    last = transitions_of(obj).filter(step=step).exclude(action=REMIND).order_by("-at", "-pk")
    first = last.first()
    if first is None or first.action != SUBMIT:
        return None
    return first.user_id


def record(
    obj: Any,
    workflow: Workflow,
    step: Step,
    user: User,
    action: str = SUBMIT,
    reason: str = "",
    via: str = Transition.Via.STEP,
) -> Transition:
    return Transition.objects.create(
        workflow=workflow.name,
        content_type=_content_type(obj),
        object_id=obj.pk,
        step=step.code,
        step_label=step.label,
        action=action,
        user=user,
        unit=user.org_unit,
        reason=reason,
        via=via,
    )


def take(obj: Any, step_code: str, user: User, via: str = Transition.Via.STEP) -> Step:
    """Check that ``user`` may do ``step_code`` now on ``obj`` (its current step), and
    record it. The caller saves the step's fields in the same transaction."""
    workflow = _workflow_of(obj)
    step = workflow.step(step_code)
    current = workflow.current(obj)
    if (current is None or current.code != step.code) and step not in workflow.available(obj):
        now = f"“{current.label}”" if current else "已办结"
        raise StepRefused(f"当前环节为{now}，不能办理“{step.label}”")
    why = workflow.can(user, obj, step)
    if why:
        raise StepRefused(why)
    return step


def send_back(obj: Any, user: User, reason: str) -> Step:
    """退回: undo the last done step (clear its ``done`` date), with a reason. The actor of
    the current step sends back (the acceptor returns a rectification). Saves ``obj``."""
    workflow = _workflow_of(obj)
    reason = (reason or "").strip()
    if not reason:
        raise StepRefused("退回须填写原因")
    current = workflow.current(obj)
    back = workflow.previous(obj, current)
    if back is None:
        raise StepRefused("没有可退回的环节")
    acting = current or back
    if not (user.is_admin or acting.actor.allows(user, obj, workflow)):
        raise StepRefused(f"只有{acting.actor.role}（{acting.actor.names(obj, workflow)}）可以退回")
    setattr(obj, back.done, "" if back.text else None)
    if hasattr(obj, REASON_FIELD):  # a staged record keeps why it went back (core.stages)
        setattr(obj, REASON_FIELD, reason[:200])
    obj._change_reason = f"退回“{back.label}”：{reason}"[:100]
    obj.save()
    record(obj, workflow, back, user, RETURN, reason)
    return back


def remind(obj: Any, user: User, note: str = "") -> Transition:
    """催办: record a reminder on the record's current step (who asked, when)."""
    workflow = _workflow_of(obj)
    step = workflow.current(obj)
    if step is None:
        raise StepRefused("该事项已办结，无需催办")
    return record(obj, workflow, step, user, REMIND, note.strip()[:200])


def _workflow_of(obj: Any) -> Workflow:
    workflow = registry.for_model(type(obj))
    if workflow is None:
        raise LookupError(f"{type(obj).__name__} has no workflow")
    return workflow


# --- the generic paths (form, API, import) ----------------------------------------------------


def snapshot(obj: Any | None) -> dict[str, Any] | None:
    """The step fields of ``obj`` as stored (None: a new record)."""
    if obj is None or getattr(obj, "pk", None) is None:
        return None
    workflow = registry.for_model(type(obj))
    if workflow is None:
        return None
    return {name: getattr(obj, _attname(obj, name)) for name in workflow.step_fields}


def _is_default(obj: Any, name: str, value: Any) -> bool:
    field = type(obj)._meta.get_field(name)
    return field.has_default() and not callable(field.default) and value == field.default


def _attname(obj: Any, name: str) -> str:
    return type(obj)._meta.get_field(name).attname


def changed_steps(obj: Any, before: dict[str, Any] | None) -> list[Step]:
    """The steps whose fields a write changes (for a new record: those it fills)."""
    workflow = registry.for_model(type(obj))
    if workflow is None:
        return []
    out = []
    for s in workflow.steps:
        for name in s.all_fields():
            now = getattr(obj, _attname(obj, name))
            was = before.get(name) if before is not None else None
            if before is None and (now in (None, "") or _is_default(obj, name, now)):
                continue  # a new record's field left at its default fills no step
            if now != was and not (now in (None, "") and was in (None, "")):
                out.append(s)
                break
    return out


def write_refusal(user: User, obj: Any, before: dict[str, Any] | None) -> str | None:
    """Why a write through the form, API or import may not change ``obj``'s steps as it
    does (None: it may). Each changed step must be one its actor rule lets ``user`` do;
    two steps that ``separate`` keeps apart cannot both be done by one write; and a step
    whose partner this account did is refused. An administrator may backfill a record's
    finished steps when creating it (补录 of paper records)."""
    workflow = registry.for_model(type(obj))
    steps = changed_steps(obj, before)
    if workflow is None or not steps:
        return None
    if user.is_admin and before is None:
        return None
    if why := _out_of_order(workflow, obj, before, steps):
        return why
    for s in steps:
        if not (user.is_admin or s.actor.allows(user, obj, workflow)):
            return (
                f"“{s.label}”须由{s.actor.role}（{s.actor.names(obj, workflow)}）办理，"
                f"您不能填写或修改该环节的内容（{'、'.join(_labels(obj, s))}）"
            )
    # Separation binds the steps this write takes, not those it clears (退回).
    codes = {s.code for s in steps if s.is_done(obj)}
    for x, y in workflow.separate:
        x_now = before is None if x == REGISTER else x in codes
        if x_now and y in codes:
            return (
                f"职责分离：同一账号不能同时办理“{workflow.label_of(x)}”"
                f"和“{workflow.step(y).label}”"
            )
        if y in codes and before is not None and last_actor(obj, workflow, x) == user.pk:
            return (
                f"职责分离：办理“{workflow.label_of(x)}”的账号不能再办理“{workflow.step(y).label}”"
            )
    return None


def _out_of_order(
    workflow: Workflow, obj: Any, before: dict[str, Any] | None, steps: list[Step]
) -> str | None:
    """A write takes the required steps in their order, as the step screen does: each
    required step it completes must be the record's current step, counting the steps the
    same write completed before it. Correcting a done step's date, clearing a step (退回)
    and optional steps (延期, 拆卸 …, whose order the model's rules keep) are not ordered."""
    state = copy.copy(obj)
    for s in workflow.steps:
        for name in s.all_fields():
            attname = _attname(obj, name)
            value = before.get(name) if before is not None else None
            if before is None and isinstance(type(obj)._meta.get_field(name), models.CharField):
                value = ""
            setattr(state, attname, value)
    for s in steps:
        if s.is_done(obj) and not s.is_done(state) and not s.optional:
            current = workflow.current(state)
            if s != current:
                now = f"“{current.label}”" if current else "已办结"
                return f"当前环节为{now}，不能直接办理“{s.label}”：请按环节顺序办理"
        for name in s.all_fields():
            attname = _attname(obj, name)
            setattr(state, attname, getattr(obj, attname))
    return None


def delete_refusal(user: User, obj: Any) -> str | None:
    """Why ``user`` may not delete ``obj`` (None: it may): once a step has been taken, the
    record carries other accounts' work; only an administrator deletes it."""
    workflow = registry.for_model(type(obj))
    if workflow is None or user.is_admin:
        return None
    taken = [s for s in workflow.steps if s.applies(obj) and s.is_done(obj)]
    if not taken:
        return None
    return (
        f"该记录已办理“{taken[-1].label}”等环节（{workflow.label}），删除会抹去办理记录，"
        "不能删除；确需删除请联系系统管理员"
    )


def _labels(obj: Any, step: Step) -> list[str]:
    return [str(type(obj)._meta.get_field(n).verbose_name) for n in step.all_fields()]


def check_write(user: User, obj: Any, before: dict[str, Any] | None, via: str) -> list[Step]:
    """Refuse (:class:`StepRefused`) a generic write that bypasses the workflow; else
    record each step it did as a transition. Call inside the write's transaction."""
    why = write_refusal(user, obj, before)
    if why:
        raise StepRefused(why)
    steps = changed_steps(obj, before)
    workflow = registry.for_model(type(obj))
    for s in steps:
        assert workflow is not None
        done_now = s.is_done(obj)
        record(obj, workflow, s, user, SUBMIT if done_now else RETURN, "", via)
    return steps
