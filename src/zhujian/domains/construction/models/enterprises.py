"""Enterprises (keyed by 统一社会信用代码), their licences and safety agreements."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q

from zhujian.core.models import LedgerModel
from zhujian.domains.construction import conf
from zhujian.domains.construction.validators import uscc_error


class EnterpriseKind(models.TextChoices):
    GENERAL = "general", "施工总承包"
    SPECIALTY = "specialty", "专业承包"
    LABOUR = "labour", "劳务分包"
    SUPERVISION = "supervision", "工程监理"
    DESIGN = "design", "勘察设计"
    DEVELOPER = "developer", "建设单位（开发企业）"
    COMPONENTS = "components", "装配式构配件生产"
    OTHER = "other", "其他"


class Enterprise(LedgerModel):
    """A construction-industry enterprise. Other ledgers (projects, cranes, the wage system)
    refer to it by its 统一社会信用代码, checked to GB 32100."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("企业名称", max_length=100, unique=True)
    kind = models.CharField("企业类型", max_length=12, choices=EnterpriseKind.choices)
    local = models.BooleanField("本县注册企业", default=True)
    legal_rep = models.CharField("法定代表人", max_length=30, blank=True)
    contact = models.CharField("联系人", max_length=30, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("注册地址", max_length=200, blank=True)

    class Meta:
        verbose_name = "建筑企业"
        verbose_name_plural = "建筑企业"

    def __str__(self) -> str:
        return self.name

    def derive(self) -> None:
        super().derive()
        if self.uscc:
            self.uscc = self.uscc.strip().upper()

    def clean(self) -> None:
        error = uscc_error(self.uscc)
        if error:
            raise ValidationError({"uscc": error})

    def safety_licence_on(self, day: dt.date) -> Licence | None:
        """The 安全生产许可证 valid on ``day`` (None: none, or only expired ones)."""
        return self.licences.filter(valid_on(day), kind=LicenceKind.SAFETY).first()


class LicenceKind(models.TextChoices):
    QUALIFICATION = "qualification", "建筑业企业资质证书"
    SAFETY = "safety", "安全生产许可证"


def valid_on(day: dt.date) -> Q:
    return Q(issued_on__lte=day, expires_on__gte=day)


def expired_unrenewed(day: dt.date) -> Q:
    """Licences past their expiry on ``day`` whose enterprise holds no licence of the same
    kind valid that day: the ones to flag (a renewed licence supersedes the old one)."""
    renewed = Licence.objects.filter(
        valid_on(day), enterprise=OuterRef("enterprise"), kind=OuterRef("kind")
    )
    return Q(expires_on__lt=day) & ~Q(Exists(renewed))


class Licence(LedgerModel):
    """A licence of an enterprise: 资质证书 or 安全生产许可证 (valid 3 years)."""

    unit_from = "enterprise"

    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="licences", verbose_name="企业"
    )
    kind = models.CharField("证照类别", max_length=14, choices=LicenceKind.choices)
    number = models.CharField("证书编号", max_length=50, unique=True)
    scope = models.CharField(
        "资质类别及等级（许可范围）", max_length=200, help_text="如：建筑工程施工总承包贰级"
    )
    issuer = models.CharField("发证机关", max_length=100, blank=True)
    issued_on = models.DateField("发证日期")
    expires_on = models.DateField("有效期至", db_index=True)

    class Meta:
        verbose_name = "企业证照"
        verbose_name_plural = "企业证照"

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_kind_display()} {self.number}"

    def is_expired(self, day: dt.date | None = None) -> bool:
        return bool(self.expires_on and self.expires_on < (day or dt.date.today()))

    def clean(self) -> None:
        if not (self.issued_on and self.expires_on):
            return
        if self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": "有效期至应晚于发证日期"})
        if self.kind == LicenceKind.SAFETY:
            years = conf.SAFETY_LICENCE_YEARS
            try:
                limit = self.issued_on.replace(year=self.issued_on.year + years)
            except ValueError:  # 29 February
                limit = self.issued_on.replace(year=self.issued_on.year + years, day=28)
            if self.expires_on > limit:
                raise ValidationError(
                    {
                        "expires_on": f"安全生产许可证有效期为{years}年（《安全生产许可证条例》"
                        f"第九条），有效期至不能晚于{limit}"
                    }
                )


class SafetyAgreement(LedgerModel):
    """A 安全生产目标管理责任书 signed with an enterprise for a year."""

    unit_from = "enterprise"

    number = models.CharField("责任书编号", max_length=30, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="agreements", verbose_name="企业"
    )
    year = models.PositiveSmallIntegerField("责任年度")
    signed_on = models.DateField("签订日期", db_index=True)
    signatory = models.CharField("企业签订人", max_length=30, blank=True)

    class Meta:
        verbose_name = "安全生产目标管理责任书"
        verbose_name_plural = "安全生产目标管理责任书"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="agreement_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}年责任书"

    def clean(self) -> None:
        if self.year and self.signed_on and self.signed_on.year not in (self.year - 1, self.year):
            raise ValidationError({"signed_on": f"签订日期应在{self.year - 1}年或{self.year}年内"})
