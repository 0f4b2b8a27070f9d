"""预售资金监管: each project's escrow account, the money paid in, and the releases.

The account moves through the construction nodes (a staged entity: 开户 → 主体结构验收 →
竣工验收 → 竣工验收备案 → 首次登记); each node allows a cumulative share of the money paid
in to be released (``rules.release_cap``). A release that would take the cumulative
releases past the cap of the node reached on its date is refused, with the numbers: the
rule over the account's whole history is ``escrow_cap`` in ``realestate.invariants``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Sum

from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages
from zhujian.domains.realestate import rules
from zhujian.domains.realestate.models.projects import DevelopmentProject

MONEY = {
    "max_digits": 16,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0.01"))],
}
CENT = Decimal("0.01")

# How each node reads in a refusal: the stretch of the works it governs.
NODE_PHRASES = {
    "opened": "主体结构验收前",
    "structure": "主体结构验收后、竣工验收前",
    "completion": "竣工验收后、竣工验收备案前",
    "filing": "竣工验收备案后、首次登记前",
    "registration": "首次登记后",
}


class EscrowAccount(StagedModel, LedgerModel):
    """A project's presale-fund escrow account (预售资金监管账户) and its construction nodes."""

    unit_from = "project"
    # The node dates set the release cap at every point in time (``escrow_cap``): a
    # stored one is corrected only with a reason (``core.claims``).
    claim_fields = ("structure_on", "completion_on", "filing_on", "registration_on")
    stages = Stages(
        [
            ("opened", "开户监管", "opened_on"),
            ("structure", "主体结构验收", "structure_on"),
            ("completion", "竣工验收", "completion_on"),
            ("filing", "竣工验收备案", "filing_on"),
            ("registration", "首次登记", "registration_on"),
        ]
    )

    account_no = models.CharField("监管账号", max_length=40, unique=True)
    project = models.ForeignKey(
        DevelopmentProject, models.PROTECT, related_name="escrow_accounts", verbose_name="开发项目"
    )
    bank = models.CharField("监管银行", max_length=100)
    opened_on = models.DateField("开户日期")
    structure_on = models.DateField("主体结构验收日期", null=True, blank=True)
    completion_on = models.DateField("竣工验收日期", null=True, blank=True)
    filing_on = models.DateField("竣工验收备案日期", null=True, blank=True)
    registration_on = models.DateField("首次登记日期", null=True, blank=True)

    class Meta:
        verbose_name = "预售资金监管账户"
        verbose_name_plural = "预售资金监管账户"

    def __str__(self) -> str:
        return f"{self.project}（{self.account_no}）"

    def cap_on(self, day: dt.date) -> tuple[str, Decimal] | None:
        """(node code, cumulative cap in percent) on ``day``; None before the account opened."""
        node = type(self).stages.on(self, day)
        return (node.code, rules.release_cap(node.code)) if node else None

    def deposited_by(self, day: dt.date) -> Decimal:
        total = self.deposits.filter(deposited_on__lte=day).aggregate(s=Sum("amount"))["s"]
        return total or Decimal(0)


class EscrowDeposit(LedgerModel):
    """Money paid into the escrow account (buyers' payments, loans)."""

    unit_from = "account"

    voucher_no = models.CharField("入账凭证号", max_length=40, unique=True)
    account = models.ForeignKey(
        EscrowAccount, models.CASCADE, related_name="deposits", verbose_name="监管账户"
    )
    deposited_on = models.DateField("入账日期", db_index=True)
    amount = models.DecimalField("入账金额（元）", **MONEY)
    payer = models.CharField("交款人", max_length=100, blank=True)
    contract_no = models.CharField("合同编号", max_length=40, blank=True)

    class Meta:
        verbose_name = "监管资金入账"
        verbose_name_plural = "监管资金入账"

    def __str__(self) -> str:
        return f"{self.voucher_no} {self.amount}元"

    def clean(self) -> None:
        if self.account_id and self.deposited_on and self.deposited_on < self.account.opened_on:
            raise ValidationError({"deposited_on": "入账日期不能早于监管账户开户日期"})


class EscrowRelease(LedgerModel):
    """A release (拨付) from the escrow account to the developer, within the node's cap."""

    unit_from = "account"

    voucher_no = models.CharField("拨付凭证号", max_length=40, unique=True)
    account = models.ForeignKey(
        EscrowAccount, models.CASCADE, related_name="releases", verbose_name="监管账户"
    )
    released_on = models.DateField("拨付日期", db_index=True)
    amount = models.DecimalField("拨付金额（元）", **MONEY)
    purpose = models.CharField("用途", max_length=200)
    payee = models.CharField("收款单位", max_length=100)
    approved_by = models.CharField("审核人", max_length=50)

    class Meta:
        verbose_name = "监管资金拨付"
        verbose_name_plural = "监管资金拨付"

    def __str__(self) -> str:
        return f"{self.voucher_no} {self.amount}元"

    def clean(self) -> None:
        if self.account_id and self.released_on and self.released_on < self.account.opened_on:
            raise ValidationError({"released_on": "拨付日期不能早于监管账户开户日期"})
