"""回迁安置房分房: allocation rounds, their frozen lists, public inputs and the draw's result.

A round goes 名单编制中 (draft) → 名单已公示 (published: the list is frozen and its SHA-256
published) → 已摇号 (drawn: public inputs → seed → result, final). What may change follows
from the status *as stored*, and every path is held to it:

- forms, the API and Excel imports run ``clean()``, which names each field that may no
  longer change;
- ``save()`` refuses the same changes (:class:`RecordLocked`) for any other caller (admin,
  shell, services);
- ``delete()`` refuses to delete anything published or drawn.

The workflow itself (freeze, inputs, run, redraw) is in ``zhujian.domains.housing.draw``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from zhujian.core.models import LedgerModel
from zhujian.domains.housing.models.renovation import ShantytownProject
from zhujian.domains.rural.models.validators import id_number_error


class RecordLocked(PermissionDenied):
    """A change or deletion of a record that is final; the message is Chinese."""


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "名单编制中"
    PUBLISHED = "published", "名单已公示"
    DRAWN = "drawn", "已摇号"


class FinalRecord(models.Model):
    """A record that becomes final: remembers its stored values, refuses locked changes.

    A subclass implements :meth:`lock_errors` (field → Chinese reason, from the stored
    state) and :meth:`delete_refusal`.
    """

    ignored_changes: ClassVar[tuple[str, ...]] = ("updated_at", "created_at")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._stored = None  # judge by the row as it is now, not as this copy loaded it
        errors = self.lock_errors()
        if errors:
            raise RecordLocked(next(iter(errors.values())))
        super().save(*args, **kwargs)
        self._stored = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if reason := self.delete_refusal():
            raise RecordLocked(reason)
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:
        obj = super().from_db(db, field_names, values, **kwargs)
        loaded = obj.__dict__
        names = [f.attname for f in cls._meta.concrete_fields]
        if all(n in loaded for n in names):  # not when fields are deferred: fetched on demand
            obj._stored = {n: loaded[n] for n in names}
        return obj

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._stored = None

    def stored(self) -> dict[str, Any] | None:
        """The record's values as in the database (None for a record not saved yet)."""
        if self.pk is None:
            return None
        if getattr(self, "_stored", None) is None:
            names = [f.attname for f in self._meta.concrete_fields]
            self._stored = type(self)._default_manager.filter(pk=self.pk).values(*names).first()
        return self._stored

    def changed_fields(self) -> list[str]:
        stored = self.stored()
        if stored is None:
            return []
        return [
            f.name
            for f in self._meta.concrete_fields
            if f.name not in self.ignored_changes
            and f.attname in stored
            and getattr(self, f.attname) != stored[f.attname]
        ]

    def lock_errors(self) -> dict[str, str]:
        return {}

    def delete_refusal(self) -> str | None:
        return None


# The fields of a round that go into its published list: frozen once published.
LIST_FIELDS = (
    "code",
    "name",
    "project",
    "org_unit",
    "list_sha256",
    "beacon_source",
    "beacon_issue",
    "beacon_date",
)


class AllocationRound(FinalRecord, LedgerModel):
    """One allocation round (分房轮次) of a resettlement-housing project, drawn by lot."""

    unit_from = "project"

    code = models.CharField(
        "轮次编号",
        max_length=40,
        unique=True,
        blank=True,
        help_text="全县唯一，公众凭此核验摇号；留空则由系统编号（乡镇用户不能填写）",
    )
    name = models.CharField(
        "轮次名称", max_length=100, help_text="如：造纸厂三期（自来水片区）安置房分房"
    )
    project = models.ForeignKey(
        ShantytownProject, models.PROTECT, related_name="rounds", verbose_name="安置房项目"
    )
    scheduled_on = models.DateField("摇号日期")
    venue = models.CharField("摇号地点", max_length=100, blank=True)
    supervisors = models.CharField(
        "监督单位", max_length=200, blank=True, help_text="如：县公证处、驻局纪检监察组"
    )
    beacon_source = models.CharField(
        "公开随机数来源",
        max_length=60,
        blank=True,
        help_text="公示前声明，如：中国福利彩票3D；种子取该期开奖号码，任何人无法预知",
    )
    beacon_issue = models.CharField("开奖期号", max_length=30, blank=True, help_text="如：2022120")
    beacon_date = models.DateField(
        "开奖日期",
        null=True,
        blank=True,
        help_text="应在公示期满之日或以后；公开输入须在开奖日前录入",
    )
    beacon_value = models.CharField("开奖号码", max_length=250, blank=True, editable=False)
    beacon_entered_at = models.DateTimeField(
        "开奖号码录入时间", null=True, blank=True, editable=False
    )
    status = models.CharField(
        "状态",
        max_length=10,
        choices=RoundStatus.choices,
        default=RoundStatus.DRAFT,
        editable=False,
    )
    list_sha256 = models.CharField("名单摘要（SHA-256）", max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField("公示时间", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="公示人",
    )
    seed = models.CharField("种子（SHA-256）", max_length=64, blank=True, editable=False)
    result_sha256 = models.CharField(
        "结果摘要（SHA-256）", max_length=64, blank=True, editable=False
    )
    drawn_on = models.DateField("摇号完成日期", null=True, blank=True, editable=False)
    drawn_at = models.DateTimeField("摇号时间", null=True, blank=True, editable=False)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name="操作人",
    )
    signed_by = models.CharField("签发人", max_length=32, blank=True, editable=False)
    redraw_of = models.OneToOneField(
        "self",
        models.RESTRICT,
        null=True,
        blank=True,
        editable=False,
        related_name="redraw",
        verbose_name="重新摇号所替代的轮次",
    )
    redraw_reason = models.TextField("重新摇号原因", blank=True, editable=False)

    class Meta:
        verbose_name = "安置房分房轮次"
        verbose_name_plural = "安置房分房轮次"

    def __str__(self) -> str:
        return self.name

    @property
    def is_final(self) -> bool:
        return self.status == RoundStatus.DRAWN

    def lock_errors(self) -> dict[str, str]:
        stored = self.stored()
        if stored is None:
            return {}
        changed = self.changed_fields()
        if stored["status"] == RoundStatus.DRAWN and changed:
            message = (
                f"本轮已于{stored['drawn_on']}摇号，结果已公告，不能修改；"
                "如需重新摇号，请在摇号页面发起“重新摇号”并写明原因"
            )
            return dict.fromkeys(changed, message)
        if stored["status"] == RoundStatus.PUBLISHED:
            locked = [f for f in changed if f in LIST_FIELDS]
            if "status" in changed and self.status != RoundStatus.DRAWN:
                locked.append("status")
            if locked:
                message = (
                    f"本轮名单已于{stored['published_at']:%Y-%m-%d}公示冻结（摘要 "
                    f"{stored['list_sha256'][:12]}…），不能修改；如名单有误，请待摇号后发起重新摇号"
                )
                return dict.fromkeys(locked, message)
        return {}

    def delete_refusal(self) -> str | None:
        stored = AllocationRound.objects.filter(pk=self.pk).values_list("status", flat=True)
        status = stored.first()
        if status not in (None, RoundStatus.DRAFT):
            return f"“{self}”{RoundStatus(status).label}，不能删除"
        return None

    def clean(self) -> None:
        errors = self.lock_errors()
        if errors:
            raise ValidationError(errors)


class _ListEntry(FinalRecord, LedgerModel):
    """A line of a round's list (a household or a unit): frozen once the list is published."""

    unit_from = "round"
    what: ClassVar[str] = ""

    class Meta:
        abstract = True

    def _round_statuses(self) -> dict[int, str]:
        stored = self.stored()
        ids = {self.round_id, stored["round_id"] if stored else None} - {None}
        return dict(
            AllocationRound.objects.filter(pk__in=ids).values_list("pk", "status")  # fresh
        )

    def lock_errors(self) -> dict[str, str]:
        stored = self.stored()
        changed = self.changed_fields() if stored else ["round"]
        if not changed:
            return {}
        statuses = self._round_statuses()
        if all(s == RoundStatus.DRAFT for s in statuses.values()):
            return {}
        verb = "修改" if stored else "增加"
        message = (
            f"该轮次名单已公示冻结，不能再{verb}{self.what}；如名单有误，请待摇号后发起重新摇号"
        )
        return dict.fromkeys(changed, message)

    def delete_refusal(self) -> str | None:
        status = AllocationRound.objects.filter(pk=self.round_id).values_list("status", flat=True)
        if status.first() not in (None, RoundStatus.DRAFT):
            return f"该轮次名单已公示冻结，不能删除{self.what}"
        return None


class RoundHousehold(_ListEntry):
    """An eligible household on a round's list, in its published order (公示序号)."""

    what = "家庭"

    round = models.ForeignKey(
        AllocationRound, models.CASCADE, related_name="households", verbose_name="分房轮次"
    )
    seq = models.PositiveIntegerField("公示序号")
    household_code = models.CharField("户编号", max_length=30, help_text="拆迁户编号或安置协议号")
    head_name = models.CharField("户主姓名", max_length=32)
    id_number = models.CharField(
        "户主身份证号（脱敏）", max_length=18, blank=True, help_text="如 3713**********1234"
    )
    group = models.CharField(
        "摇号分组",
        max_length=30,
        blank=True,
        help_text="按户型或面积段分组摇号时填写；同组家庭只摇同组房源",
    )

    class Meta:
        verbose_name = "分房摇号家庭"
        verbose_name_plural = "分房摇号家庭"
        ordering = ["round", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["round", "seq"], name="round_household_seq"),
            models.UniqueConstraint(
                fields=["round", "household_code"], name="round_household_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.head_name}（{self.household_code}）"

    def clean(self) -> None:
        errors = self.lock_errors()
        if msg := id_number_error(self.id_number):
            errors.setdefault("id_number", msg)
        if errors:
            raise ValidationError(errors)


class RoundUnit(_ListEntry):
    """A unit offered in a round, in its published order."""

    what = "房源"

    round = models.ForeignKey(
        AllocationRound, models.CASCADE, related_name="units", verbose_name="分房轮次"
    )
    seq = models.PositiveIntegerField("房源序号")
    code = models.CharField("房号", max_length=40, help_text="如：3号楼1单元502室")
    group = models.CharField("摇号分组", max_length=30, blank=True)
    layout = models.CharField("户型", max_length=30, blank=True)
    floor_area = models.DecimalField("建筑面积（平方米）", max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = "分房房源"
        verbose_name_plural = "分房房源"
        ordering = ["round", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["round", "seq"], name="round_unit_seq"),
            models.UniqueConstraint(fields=["round", "code"], name="round_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.code}"

    def clean(self) -> None:
        errors = self.lock_errors()
        if self.floor_area is not None and self.floor_area <= 0:
            errors.setdefault("floor_area", "建筑面积应大于0")
        if errors:
            raise ValidationError(errors)


class PublishedList(FinalRecord):
    """The list exactly as published when frozen: the canonical JSON whose SHA-256 is the
    round's ``list_sha256``. Kept apart from the round so the round's page and history do
    not carry the whole list."""

    round = models.OneToOneField(
        AllocationRound, models.CASCADE, related_name="published_list", verbose_name="分房轮次"
    )
    document = models.TextField("公示名单（规范JSON）")
    created_at = models.DateTimeField("公示时间", auto_now_add=True)

    class Meta:
        verbose_name = "分房公示名单"
        verbose_name_plural = "分房公示名单"

    def __str__(self) -> str:
        return f"{self.round}公示名单"

    def lock_errors(self) -> dict[str, str]:
        if self.stored() is not None:
            return {"document": "已公示的名单不能修改"}
        status = AllocationRound.objects.filter(pk=self.round_id).values_list("status", flat=True)
        if status.first() != RoundStatus.DRAFT:
            return {"round": "本轮名单已经公示"}
        return {}

    def delete_refusal(self) -> str | None:
        return "已公示的名单不能删除"


class PublicInput(FinalRecord):
    """Digits typed in public at the draw, and who typed them: the seed's source.

    Append-only: an input is never changed or removed (a mistyped one is simply followed
    by another; every input counts).
    """

    round = models.ForeignKey(
        AllocationRound, models.CASCADE, related_name="inputs", verbose_name="分房轮次"
    )
    seq = models.PositiveIntegerField("输入顺序")
    entered_by = models.CharField("输入人", max_length=60, help_text="如：第12号家庭代表 王某某")
    value = models.CharField("输入数字", max_length=20)
    entered_at = models.DateTimeField("输入时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="记录人"
    )

    class Meta:
        verbose_name = "摇号公开输入"
        verbose_name_plural = "摇号公开输入"
        ordering = ["round", "seq"]
        constraints = [models.UniqueConstraint(fields=["round", "seq"], name="public_input_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.entered_by}：{self.value}"

    def lock_errors(self) -> dict[str, str]:
        if self.stored() is not None:
            return dict.fromkeys(self.changed_fields() or ["value"], "公开输入一经录入不能修改")
        status = AllocationRound.objects.filter(pk=self.round_id).values_list("status", flat=True)
        if status.first() != RoundStatus.PUBLISHED:
            return {"round": "只有名单已公示、尚未摇号的轮次才能录入公开输入"}
        return {}

    def delete_refusal(self) -> str | None:
        return "公开输入一经录入不能删除"


class DrawResult(FinalRecord):
    """One line of a draw's result: a household's position and unit, or a unit left over."""

    round = models.ForeignKey(
        AllocationRound, models.CASCADE, related_name="results", verbose_name="分房轮次"
    )
    group = models.CharField("摇号分组", max_length=30, blank=True)
    position = models.PositiveIntegerField("摇号顺序号", null=True, blank=True)
    household = models.OneToOneField(
        RoundHousehold,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="result",
        verbose_name="家庭",
    )
    unit = models.OneToOneField(
        RoundUnit, models.CASCADE, null=True, blank=True, related_name="result", verbose_name="房源"
    )

    class Meta:
        verbose_name = "摇号结果"
        verbose_name_plural = "摇号结果"
        ordering = ["round", "group", "position", "pk"]

    def __str__(self) -> str:
        if self.household_id is None:
            return f"剩余房源 {self.unit}"
        return f"第{self.position}号 {self.household} → {self.unit or '轮候'}"

    def lock_errors(self) -> dict[str, str]:
        if self.stored() is not None:
            return {"unit": "摇号结果不能修改"}
        status = AllocationRound.objects.filter(pk=self.round_id).values_list("status", flat=True)
        if status.first() != RoundStatus.PUBLISHED:
            return {"round": "摇号结果只能由摇号程序对已公示的名单生成"}
        return {}

    def delete_refusal(self) -> str | None:
        return "摇号结果不能删除"
