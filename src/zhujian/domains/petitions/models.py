"""信访事项: one record per petition or hotline case, following 《信访工作条例》(2022).

Flow: 登记 → 分流 (受理 / 转送 / 告知) with a written notice → 办理 [→ 延期 once] → 答复 →
评价 → [复查 → 复核] → 终结. The deadlines of each step are computed from the dates (see
:mod:`zhujian.domains.petitions.rules` for the numbers) and stored, so the overdue and
due-soon lists and figures are plain SQL; the status follows from the dates and can
never disagree with them.

``org_unit`` is the handling unit (承办单位): the bureau's 信访办 or a department, or the
乡镇/街道 the case was assigned to — its users see and handle their own cases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core import codes, personal
from zhujian.core.crypto import BlindIndexField, EncryptedCharField
from zhujian.core.deadlines import Clock, Deadlines, due_after
from zhujian.core.models import LedgerModel
from zhujian.domains.petitions import rules


class Channel(models.TextChoices):
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    ONLINE = "online", "网上信访"
    HOTLINE = "hotline", "12345热线"
    SHOUFA = "shoufa", "首发平台"
    TRANSFER = "transfer", "内网转派"


# 线下 = letters and visits; everything that arrives through a platform is 线上.
OFFLINE_CHANNELS = (Channel.LETTER, Channel.VISIT)
ONLINE_CHANNELS = (Channel.ONLINE, Channel.HOTLINE, Channel.SHOUFA, Channel.TRANSFER)
PLATFORM_CHANNELS = (Channel.HOTLINE, Channel.SHOUFA, Channel.TRANSFER)


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", "建议意见类"
    ACCUSATION = "accusation", "检举控告类"
    APPEAL = "appeal", "申诉求决类"


class Routing(models.TextChoices):
    ACCEPT = "accept", "受理"
    TRANSFER = "transfer", "转送（不属于本机关职责）"
    INFORM = "inform", "告知（导入法定程序）"


class Outcome(models.TextChoices):
    SUPPORT = "support", "支持"
    EXPLAIN = "explain", "解释说明"
    REJECT = "reject", "不予支持"


class Satisfaction(models.TextChoices):
    NONE = "", "未评价"
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class ReviewOutcome(models.TextChoices):
    UPHOLD = "uphold", "维持原处理意见"
    CHANGE = "change", "撤销或变更原处理意见"


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记待分流"
    ROUTED = "routed", "已转送/告知"
    HANDLING = "handling", "办理中"
    REPLIED = "replied", "已答复"
    REVIEW = "review", "复查中"
    REVIEWED = "reviewed", "复查已答复"
    RECHECK = "recheck", "复核中"
    FINAL = "final", "复核终结"


# The case's clocks: each a due date (computed) and the date it was met.
NOTICE = Clock("notice_due_on", "notified_on", "书面告知")
REPLY = Clock("reply_due_on", "replied_on", "办理答复")
REVIEW = Clock("review_due_on", "review_replied_on", "复查答复")
RECHECK = Clock("recheck_due_on", "recheck_replied_on", "复核答复")
DEADLINES = Deadlines(
    [NOTICE, REPLY, REVIEW, RECHECK],
    soon_days=rules.due_soon_days,
    label="信访办理期限",
    dashboard=True,
)

# Fields whose stored values the rules compare with the new ones (one extension only).
EXTENSION_FIELDS = ("extension_days", "extended_on")


def _late(day: dt.date | None, limit: dt.date | None) -> bool:
    return day is not None and limit is not None and day > limit


class PetitionCase(LedgerModel):
    """A petition (信访事项) or hotline work order, from receipt to its final answer."""

    code = models.CharField("信访件编号", max_length=40)
    channel = models.CharField("信访渠道", max_length=10, choices=Channel.choices)
    platform = models.CharField(
        "来源平台",
        max_length=50,
        blank=True,
        help_text="热线、首发平台或内网转派的平台名称，如“12345热线”“12345首发平台”",
    )
    work_order_no = models.CharField("平台工单号", max_length=50, blank=True)
    received_on = models.DateField("收到日期", db_index=True)
    petitioner = models.CharField("信访人", max_length=50)
    phone = EncryptedCharField(
        "联系电话", max_length=20, blank=True, validators=[personal.validate_phone]
    )
    id_number = EncryptedCharField(
        "身份证号", max_length=18, blank=True, validators=[personal.validate_id_number]
    )
    id_number_index = BlindIndexField(of="id_number")
    address = models.CharField("联系地址", max_length=200, blank=True)
    people = models.PositiveIntegerField("涉及人数", default=1)
    representatives = models.PositiveSmallIntegerField(
        "走访代表人数", null=True, blank=True, help_text="多人走访时推选的代表人数（不超过5人）"
    )
    kind = models.CharField("信访类型", max_length=12, choices=Kind.choices)
    subject = models.CharField("事项摘要", max_length=200)
    request = models.TextField("信访诉求")
    facts = models.TextField("事实和理由", blank=True)
    referred = models.BooleanField(
        "上级转送、交办件",
        default=False,
        help_text="党委和政府信访部门或上级机关转送、交办的事项（内网转派的事项均是）",
    )
    previous_case = models.ForeignKey(
        "self",
        models.RESTRICT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name="原信访件（重复信访）",
    )
    routing = models.CharField("分流方式", max_length=10, choices=Routing.choices, blank=True)
    notified_on = models.DateField("书面告知日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    handler = models.CharField("经办人", max_length=50, blank=True)
    extension_days = models.PositiveSmallIntegerField("延长办理天数", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=200, blank=True)
    extension_approver = models.CharField("延期批准人（负责人）", max_length=50, blank=True)
    extended_on = models.DateField("延期批准日期", null=True, blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    reply_served_on = models.DateField(
        "答复意见书送达日期",
        null=True,
        blank=True,
        help_text="信访人收到书面答复之日：复查申请期限自此日起算",
    )
    outcome = models.CharField("处理意见", max_length=10, choices=Outcome.choices, blank=True)
    reply = models.TextField("答复意见", blank=True)
    satisfaction = models.CharField(
        "信访人评价", max_length=12, choices=Satisfaction.choices, blank=True, default=""
    )
    review_requested_on = models.DateField("复查申请日期", null=True, blank=True)
    review_replied_on = models.DateField("复查答复日期", null=True, blank=True)
    review_outcome = models.CharField(
        "复查结论", max_length=10, choices=ReviewOutcome.choices, blank=True
    )
    review_served_on = models.DateField(
        "复查意见书送达日期",
        null=True,
        blank=True,
        help_text="信访人收到复查意见之日：复核申请期限自此日起算",
    )
    recheck_requested_on = models.DateField("复核申请日期", null=True, blank=True)
    recheck_replied_on = models.DateField("复核答复日期", null=True, blank=True)
    recheck_outcome = models.CharField(
        "复核结论", max_length=10, choices=ReviewOutcome.choices, blank=True
    )
    # Computed from the dates by derive(): the deadlines, the 办结 date and the status.
    notice_due_on = models.DateField("告知期限", null=True, editable=False, db_index=True)
    reply_due_on = models.DateField("办理期限", null=True, editable=False, db_index=True)
    review_due_on = models.DateField("复查答复期限", null=True, editable=False)
    recheck_due_on = models.DateField("复核答复期限", null=True, editable=False)
    closed_on = models.DateField("办结日期", null=True, editable=False, db_index=True)
    answered_late = models.BooleanField(
        "答复超期",
        default=False,
        editable=False,
        help_text="办理答复、复查答复或复核答复晚于法定期限",
    )
    status = models.CharField(
        "办理状态", max_length=12, choices=Status.choices, editable=False, db_index=True
    )

    derived_fields = (
        "notice_due_on",
        "reply_due_on",
        "review_due_on",
        "recheck_due_on",
        "closed_on",
        "answered_late",
        "status",
    )
    # The dates the deadlines run from: once recorded, changing one is a correction with a
    # reason kept in the history (``zhujian.core.claims``), never a silent way off the
    # overdue list.
    claim_fields = (
        "received_on",
        "notified_on",
        "accepted_on",
        "extended_on",
        "replied_on",
        "reply_served_on",
        "review_requested_on",
        "review_replied_on",
        "review_served_on",
        "recheck_requested_on",
        "recheck_replied_on",
    )

    township = codes.township_field()

    class Meta:
        verbose_name = "信访事项"
        verbose_name_plural = "信访事项"
        indexes = [models.Index(fields=["channel", "received_on"])]
        constraints = [
            codes.unique_in_township("code", name="petitions_petitioncase_code_in_township")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.subject}"

    # --- the stored extension, to refuse a second one -------------------------------------

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> PetitionCase:
        obj = super().from_db(db, field_names, values, **kwargs)
        loaded = obj.__dict__
        if all(f in loaded for f in EXTENSION_FIELDS):  # not when these fields are deferred
            obj._extension_loaded = tuple(loaded[f] for f in EXTENSION_FIELDS)
        return obj

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        self._extension_loaded = tuple(getattr(self, f) for f in EXTENSION_FIELDS)

    # --- deadlines ------------------------------------------------------------------------

    @property
    def is_referred(self) -> bool:
        """Transferred or assigned to the bureau by a 信访部门 or a higher authority."""
        return self.referred or self.channel == Channel.TRANSFER

    def notice_due(self) -> dt.date | None:
        """15 days after receipt (第二十三条). Only an item *referred* to the bureau (转送、
        交办) that is not the bureau's business is sent back within 5 working days; an item a
        petitioner brought directly and that belongs elsewhere is answered within the 15
        days, telling the petitioner where to go."""
        if self.received_on is None:
            return None
        if self.routing == Routing.TRANSFER and self.is_referred:
            return due_after(self.received_on, rules.value("TRANSFER_WORKDAYS"), workdays=True)
        return due_after(self.received_on, rules.value("NOTICE_DAYS"))

    def original_reply_due(self) -> dt.date | None:
        if self.accepted_on is None:
            return None
        return due_after(self.accepted_on, rules.value("HANDLING_DAYS"))

    def reply_due(self) -> dt.date | None:
        """60 days after acceptance, plus the one extension."""
        if self.accepted_on is None:
            return None
        days = rules.value("HANDLING_DAYS") + (self.extension_days or 0)
        return due_after(self.accepted_on, days)

    def review_request_limit(self) -> dt.date | None:
        """30 days from the day the petitioner received the written answer (第三十五条)."""
        if self.reply_served_on is None:
            return None
        return due_after(self.reply_served_on, rules.value("REVIEW_REQUEST_DAYS"))

    def recheck_request_limit(self) -> dt.date | None:
        """30 days from the day the petitioner received the review opinion (第三十六条)."""
        if self.review_served_on is None:
            return None
        return due_after(self.review_served_on, rules.value("RECHECK_REQUEST_DAYS"))

    def derive(self) -> None:
        super().derive()
        self.notice_due_on = self.notice_due()
        self.reply_due_on = self.reply_due()
        self.review_due_on = (
            due_after(self.review_requested_on, rules.value("REVIEW_ANSWER_DAYS"))
            if self.review_requested_on
            else None
        )
        self.recheck_due_on = (
            due_after(self.recheck_requested_on, rules.value("RECHECK_ANSWER_DAYS"))
            if self.recheck_requested_on
            else None
        )
        self.answered_late = (
            _late(self.replied_on, self.reply_due_on)
            or _late(self.review_replied_on, self.review_due_on)
            or _late(self.recheck_replied_on, self.recheck_due_on)
        )
        if self.routing == Routing.ACCEPT:
            self.closed_on = self.replied_on
        elif self.routing:
            self.closed_on = self.notified_on
        else:
            self.closed_on = None
        self.status = self.derive_status()

    def derive_status(self) -> str:
        if self.recheck_replied_on:
            return Status.FINAL
        if self.recheck_requested_on:
            return Status.RECHECK
        if self.review_replied_on:
            return Status.REVIEWED
        if self.review_requested_on:
            return Status.REVIEW
        if self.replied_on:
            return Status.REPLIED
        if self.routing == Routing.ACCEPT and self.accepted_on:
            return Status.HANDLING
        if self.routing and self.notified_on:
            return Status.ROUTED
        return Status.REGISTERED

    # --- rules ----------------------------------------------------------------------------

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._check_intake(errors)
        self._check_routing(errors)
        self._check_extension(errors)
        self._check_reply(errors)
        self._check_review(errors)
        if errors:
            raise ValidationError(errors)

    def _check_intake(self, errors: dict[str, str]) -> None:
        if self.channel in PLATFORM_CHANNELS and not self.platform.strip():
            errors["platform"] = "热线、首发平台和内网转派的事项须填写来源平台"
        most = rules.value("MAX_REPRESENTATIVES")
        if self.representatives is not None:
            if self.channel != Channel.VISIT:
                errors["representatives"] = "只有来访事项填写走访代表人数"
            elif self.representatives > most:
                errors["representatives"] = (
                    f"多人走访应推选代表，代表人数不超过{most}人（《信访工作条例》第二十条），"
                    f"本次登记{self.representatives}人，不予登记"
                )
            elif self.people is not None and self.representatives > self.people:
                errors["representatives"] = "代表人数不能多于涉及人数"
        elif self.channel == Channel.VISIT and (self.people or 0) > most:
            errors["representatives"] = (
                f"{self.people}人走访，应推选不超过{most}名代表，请填写走访代表人数"
            )
        if self.previous_case_id:
            previous = self.previous_case
            if previous.pk == self.pk:
                errors["previous_case"] = "原信访件不能是本件"
            elif self.received_on and previous.received_on > self.received_on:
                errors["previous_case"] = "原信访件的收到日期不能晚于本件"
            elif previous.recheck_replied_on and self.routing == Routing.ACCEPT:
                errors["routing"] = (
                    f"原信访件 {previous.code} 已于{previous.recheck_replied_on}复核终结，"
                    "同一事实和理由不再受理（《信访工作条例》第三十六条）"
                )

    def _check_routing(self, errors: dict[str, str]) -> None:
        if self.routing and not self.notified_on:
            errors["notified_on"] = "已分流的事项须填写书面告知日期"
        if self.notified_on and not self.routing:
            errors["routing"] = "填写了书面告知日期，请选择分流方式（受理、转送或告知）"
        if self.notified_on and self.received_on and self.notified_on < self.received_on:
            errors["notified_on"] = "书面告知日期不能早于收到日期"
        if self.routing == Routing.ACCEPT and not self.accepted_on:
            errors["accepted_on"] = "分流方式为“受理”时须填写受理日期"
        if self.accepted_on:
            if self.routing != Routing.ACCEPT:
                errors["accepted_on"] = "只有分流方式为“受理”的事项才有受理日期"
            elif self.received_on and self.accepted_on < self.received_on:
                errors["accepted_on"] = "受理日期不能早于收到日期"

    def _check_extension(self, errors: dict[str, str]) -> None:
        given = [
            self.extension_days,
            self.extension_reason.strip(),
            self.extension_approver.strip(),
            self.extended_on,
        ]
        before = getattr(self, "_extension_loaded", None) if self.pk else None
        if before is not None and any(v is not None for v in before):
            now = tuple(getattr(self, f) for f in EXTENSION_FIELDS)
            if now != before:
                days, on = before
                errors["extension_days"] = (
                    f"办理期限已于{on}延长{days}日，按《信访工作条例》第三十四条只能延期一次，"
                    "不能再次延期或更改已批准的延期"
                )
                return
        if not any(given):
            return
        most = rules.value("MAX_EXTENSION_DAYS")
        if not self.accepted_on:
            errors["extension_days"] = "事项尚未受理，不能延期"
            return
        if not self.extension_days:
            errors["extension_days"] = "请填写延长办理的天数"
        elif self.extension_days > most:
            errors["extension_days"] = (
                f"延长期限不得超过{most}日（《信访工作条例》第三十四条），"
                f"本次填写{self.extension_days}日"
            )
        if not self.extension_reason.strip():
            errors["extension_reason"] = "延期须写明理由（并告知信访人）"
        if not self.extension_approver.strip():
            errors["extension_approver"] = "延期须经本机关负责人批准，请填写批准人"
        if not self.extended_on:
            errors["extended_on"] = "请填写延期批准日期"
        else:
            limit = self.original_reply_due()
            if self.extended_on < self.accepted_on:
                errors["extended_on"] = "延期批准日期不能早于受理日期"
            elif limit and self.extended_on > limit:
                errors["extended_on"] = f"办理期限已于{limit}届满，届满后不能再批准延期"
            elif self.replied_on and self.extended_on > self.replied_on:
                errors["extended_on"] = (
                    f"延期须在答复前批准（《信访工作条例》第三十四条）：延期批准日期"
                    f"{self.extended_on}晚于答复日期{self.replied_on}"
                )

    def _check_reply(self, errors: dict[str, str]) -> None:
        if self.replied_on:
            if not self.accepted_on:
                errors["replied_on"] = "事项尚未受理，不能登记答复"
            elif self.replied_on < self.accepted_on:
                errors["replied_on"] = "答复日期不能早于受理日期"
            if self.kind == Kind.APPEAL and not self.outcome:
                errors["outcome"] = "申诉求决类事项答复时须选择处理意见（支持、解释说明或不予支持）"
        else:
            if self.outcome:
                errors["outcome"] = "尚未答复，不能填写处理意见"
            if self.satisfaction:
                errors["satisfaction"] = "尚未答复，信访人不能评价"

    def _check_served(self, errors: dict[str, str]) -> None:
        if self.reply_served_on:
            if not self.replied_on:
                errors["reply_served_on"] = "尚未答复，不能填写答复意见书送达日期"
            elif self.reply_served_on < self.replied_on:
                errors["reply_served_on"] = "送达日期不能早于答复日期"
        if self.review_served_on:
            if not self.review_replied_on:
                errors["review_served_on"] = "尚未复查答复，不能填写复查意见书送达日期"
            elif self.review_served_on < self.review_replied_on:
                errors["review_served_on"] = "送达日期不能早于复查答复日期"

    def _check_review(self, errors: dict[str, str]) -> None:
        self._check_served(errors)
        if self.review_requested_on:
            limit = self.review_request_limit()
            if not self.replied_on:
                errors["review_requested_on"] = "尚未答复，不能申请复查"
            elif limit is None:
                errors["reply_served_on"] = (
                    "登记复查申请须填写答复意见书送达日期：复查请求的期限自信访人收到书面答复之日"
                    "起算（《信访工作条例》第三十五条）"
                )
            elif self.review_requested_on < self.replied_on:
                errors["review_requested_on"] = "复查申请日期不能早于答复日期"
            elif _late(self.review_requested_on, limit):
                days = rules.value("REVIEW_REQUEST_DAYS")
                errors["review_requested_on"] = (
                    f"复查请求应自收到书面答复之日起{days}日内提出（送达日期"
                    f"{self.reply_served_on}，期限至{limit}），已逾期，不予受理"
                    "（《信访工作条例》第三十五条）"
                )
        if self.review_replied_on:
            if not self.review_requested_on:
                errors["review_replied_on"] = "没有复查申请，不能登记复查答复"
            elif self.review_replied_on < self.review_requested_on:
                errors["review_replied_on"] = "复查答复日期不能早于复查申请日期"
            if not self.review_outcome:
                errors["review_outcome"] = "请选择复查结论"
        elif self.review_outcome:
            errors["review_outcome"] = "尚未复查答复，不能填写复查结论"
        if self.recheck_requested_on:
            limit = self.recheck_request_limit()
            if not self.review_replied_on:
                errors["recheck_requested_on"] = "复查尚未答复，不能申请复核"
            elif limit is None:
                errors["review_served_on"] = (
                    "登记复核申请须填写复查意见书送达日期：复核请求的期限自信访人收到复查意见之日"
                    "起算（《信访工作条例》第三十六条）"
                )
            elif self.recheck_requested_on < self.review_replied_on:
                errors["recheck_requested_on"] = "复核申请日期不能早于复查答复日期"
            elif _late(self.recheck_requested_on, limit):
                days = rules.value("RECHECK_REQUEST_DAYS")
                errors["recheck_requested_on"] = (
                    f"复核请求应自收到复查意见之日起{days}日内提出（送达日期"
                    f"{self.review_served_on}，期限至{limit}），已逾期，不予受理"
                    "（《信访工作条例》第三十六条）"
                )
        if self.recheck_replied_on:
            if not self.recheck_requested_on:
                errors["recheck_replied_on"] = "没有复核申请，不能登记复核答复"
            elif self.recheck_replied_on < self.recheck_requested_on:
                errors["recheck_replied_on"] = "复核答复日期不能早于复核申请日期"
            if not self.recheck_outcome:
                errors["recheck_outcome"] = "请选择复核结论"
        elif self.recheck_outcome:
            errors["recheck_outcome"] = "尚未复核答复，不能填写复核结论"

    # --- for pages ------------------------------------------------------------------------

    @property
    def replied_late(self) -> bool:
        return _late(self.replied_on, self.reply_due_on)

    @property
    def review_replied_late(self) -> bool:
        """The 复查 answered after its 30 days (第三十五条)."""
        return _late(self.review_replied_on, self.review_due_on)

    @property
    def recheck_replied_late(self) -> bool:
        """The 复核 answered after its 30 days (第三十六条)."""
        return _late(self.recheck_replied_on, self.recheck_due_on)
