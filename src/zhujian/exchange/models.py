"""Upload state per record, the outbox of record versions to send, the messages kept.

- :class:`Credential`: how to reach a target (base URL, appid, secret), per county and
  optionally per project (the workers' platform issues an appid/secret per project). Edited
  by the security administrator; the secret is stored encrypted and never shown back.
- :class:`Upload`: one row per (target, object, record): its state 待上报 → 已提交 →
  成功 / 失败, the platform's reason, and the identifiers the platform assigned.
- :class:`Outbox`: one row per record version to send (the outbox pattern): claimed with
  a lease, so a crashed sender's rows are found and reconciled, never lost or sent twice.
- :class:`Message`: each request and its reply (personal values masked), for disputes.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from zhujian.core.crypto import EncryptedCharField
from zhujian.core.models import OrgUnit


class Credential(models.Model):
    """The address and keys of one target platform, for the county (``key`` empty) or for
    one of its records (the workers' platform: a project's code)."""

    target = models.CharField("上报平台", max_length=40)
    key = models.CharField(
        "适用对象",
        max_length=60,
        blank=True,
        help_text="留空为全县默认；填写项目编号则仅用于该项目",
    )
    base_url = models.URLField("接口地址", max_length=300)
    appid = models.CharField("应用编号（appid）", max_length=100, blank=True)
    secret = EncryptedCharField("密钥", max_length=200, blank=True)
    user = models.CharField("登录名", max_length=60, blank=True)
    enabled = models.BooleanField("启用", default=True)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "上报平台接入设置"
        verbose_name_plural = "上报平台接入设置"
        constraints = [
            models.UniqueConstraint(fields=["target", "key"], name="exchange_credential_once")
        ]

    def __str__(self) -> str:
        from zhujian.exchange.adapters import adapters

        label = adapters.label(self.target)
        return f"{label}（{self.key}）" if self.key else label


class Upload(models.Model):
    """The upload state of one record on one target platform."""

    class State(models.TextChoices):
        PENDING = "pending", "待上报"
        SUBMITTED = "submitted", "已提交"
        OK = "ok", "成功"
        FAILED = "failed", "失败"

    target = models.CharField("上报平台", max_length=40, db_index=True)
    kind = models.CharField("上报对象", max_length=40)
    content_type = models.ForeignKey(ContentType, models.CASCADE, verbose_name="台账")
    object_id = models.PositiveBigIntegerField("记录编号")
    org_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, related_name="+", verbose_name="所属单位", db_index=True
    )
    line = models.CharField("业务条线", max_length=20)
    label = models.CharField("记录", max_length=200)
    state = models.CharField(
        "上报状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    reason = models.TextField("平台反馈", blank=True)
    upstream_id = models.CharField("平台编号", max_length=100, blank=True, db_index=True)
    upstream = models.JSONField("平台返回的其他编号", default=dict, blank=True)
    seen_at = models.DateTimeField("已比对的记录修改时间", null=True, blank=True)
    digest = models.CharField("最近排队的内容摘要", max_length=64, blank=True)
    sent_digest = models.CharField("最近成功的内容摘要", max_length=64, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    deleted = models.BooleanField("本地已删除", default=False)
    updated_at = models.DateTimeField("状态时间", auto_now=True, db_index=True)
    succeeded_at = models.DateTimeField("最近成功时间", null=True, blank=True)

    class Meta:
        verbose_name = "上报记录"
        verbose_name_plural = "上报记录"
        constraints = [
            models.UniqueConstraint(
                fields=["target", "kind", "content_type", "object_id"],
                name="exchange_upload_once",
            )
        ]
        indexes = [models.Index(fields=["target", "kind", "state"], name="exchange_upload_kind")]

    def __str__(self) -> str:
        return self.label


class Outbox(models.Model):
    """One version of one record to send: added when the record (or its mapping) changes,
    claimed by a sender with a lease, done when the platform's receipt says so."""

    class Action(models.TextChoices):
        ADD = "add", "新增"
        UPDATE = "update", "更新"
        DELETE = "delete", "删除"

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        SENDING = "sending", "发送中"
        DOUBT = "doubt", "待核对"  # a sender died after sending: ask the platform first
        SUBMITTED = "submitted", "已提交"
        DONE = "done", "成功"
        FAILED = "failed", "失败"
        SUPERSEDED = "superseded", "已被新版本替代"

    upload = models.ForeignKey(Upload, models.CASCADE, related_name="outbox")
    target = models.CharField(max_length=40)
    kind = models.CharField(max_length=40)
    order = models.PositiveSmallIntegerField(default=0)  # the adapter's order of objects
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    digest = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)  # the request that carried it
    serial_code = models.CharField(max_length=100, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "待发送版本"
        verbose_name_plural = "待发送版本"
        constraints = [
            models.UniqueConstraint(fields=["upload", "version"], name="exchange_outbox_version")
        ]
        indexes = [
            models.Index(fields=["target", "state", "order"], name="exchange_outbox_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.upload_id} v{self.version} {self.action} {self.state}"


class Message(models.Model):
    """A request sent to a platform and its reply, personal values masked."""

    target = models.CharField("上报平台", max_length=40, db_index=True)
    method = models.CharField("接口", max_length=80)
    request_id = models.CharField("请求编号", max_length=64, db_index=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    request = models.JSONField("请求内容", default=dict)
    status = models.IntegerField("HTTP状态", null=True, blank=True)
    reply = models.JSONField("平台回复", default=dict, blank=True)
    error = models.CharField("通信错误", max_length=300, blank=True)
    rows = models.PositiveIntegerField("记录数", default=0)

    class Meta:
        verbose_name = "上报报文"
        verbose_name_plural = "上报报文"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.at:%Y-%m-%d %H:%M:%S}"
