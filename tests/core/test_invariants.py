"""The invariant mechanism itself (``core.invariants``): what it checks when, and the
``zhujian rules`` command. The escrow rule serves as the example; every rule's attacks
through every path are in test_invariants_generic.py."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from zhujian.core import deletion, invariants
from zhujian.core.invariants import RuleViolation
from zhujian.core.models import User
from zhujian.core.registry import registry
from zhujian.domains.realestate.models import (
    DevelopmentProject,
    EscrowAccount,
    EscrowDeposit,
    EscrowRelease,
)
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import import_rows

pytestmark = pytest.mark.django_db
D = dt.date


def _account(no: str = "T-ESC-1", amount: str = "1000000.00") -> EscrowAccount:
    project = DevelopmentProject.objects.order_by("pk").first()
    account = EscrowAccount.objects.create(
        project=project,
        org_unit=project.org_unit,
        account_no=no,
        bank="测试银行",
        opened_on=D(2024, 1, 1),
    )
    EscrowDeposit.objects.create(
        account=account,
        org_unit=project.org_unit,
        voucher_no=f"{no}-RZ",
        deposited_on=D(2024, 1, 10),
        amount=Decimal(amount),
    )
    return account


def _release(account: EscrowAccount, amount: str, on: dt.date, no: str) -> EscrowRelease:
    return EscrowRelease(
        account=account,
        org_unit=account.org_unit,
        voucher_no=no,
        released_on=on,
        amount=Decimal(amount),
        purpose="工程进度款",
        payee="测试建筑公司",
        approved_by="张三",
    )


def test_a_refusal_names_the_rule_its_article_and_the_numbers():
    account = _account()
    with pytest.raises(RuleViolation) as refused:
        _release(account, "500000.01", D(2024, 2, 1), "T-BF-1").save()
    message = refused.value.messages[0]
    assert "累计拨付500000.01元" in message and "上限500000.00元" in message
    assert "预售资金按工程节点限额拨付" in message and "城市商品房预售管理办法第十一条" in message
    assert not EscrowRelease.objects.filter(voucher_no="T-BF-1").exists()


def test_moving_a_record_to_another_anchor_checks_the_one_it_left():
    first, second = _account("T-ESC-1"), _account("T-ESC-2")
    _release(first, "400000.00", D(2024, 3, 1), "T-BF-1").save()
    deposit = first.deposits.get()
    deposit.account = second
    with pytest.raises(RuleViolation):
        deposit.save()  # the first account would keep its release and lose its money
    assert EscrowDeposit.objects.get(pk=deposit.pk).account_id == first.pk


def test_deleting_the_anchor_with_everything_on_it_is_not_refused():
    account = _account()
    _release(account, "400000.00", D(2024, 3, 1), "T-BF-1").save()
    admin = User.objects.get(username="admin")
    deletion.plan(account, admin).execute()  # the deposit goes with its releases
    assert not EscrowDeposit.objects.filter(voucher_no="T-ESC-1-RZ").exists()


def test_the_check_holds_in_a_block_of_several_writes_until_it_ends():
    account = _account()
    with invariants.guarded():
        # Inside one guarded block the rules are checked when it ends: a release entered
        # before the deposit that covers it is accepted when both are there.
        _release(account, "700000.00", D(2024, 3, 1), "T-BF-1").save()
        EscrowDeposit.objects.create(
            account=account,
            org_unit=account.org_unit,
            voucher_no="T-RZ-2",
            deposited_on=D(2024, 2, 1),
            amount=Decimal("500000.00"),
        )
    assert EscrowRelease.objects.filter(voucher_no="T-BF-1").exists()


def test_an_import_reports_the_breach_at_the_row_that_wrote_it():
    account = _account()
    ledger = registry.for_model(EscrowRelease)
    columns = build_columns(ledger)
    rows = [[c.header for c in columns]]
    for no, amount, on in (
        ("T-BF-1", "300000", D(2024, 3, 1)),
        ("T-BF-2", "300000", D(2024, 2, 1)),
    ):
        release = _release(account, amount, on, no)
        rows.append([c.format(getattr(release, c.field_name)) for c in columns])
    result = import_rows(ledger, "数据", rows, User.objects.get(username="admin"))
    assert not result.ok
    # 300,000 on 1 Feb is within the cap; with the 300,000 of 1 March, 1 March is not:
    # the breach is the 1 March point, whose last release is row 2's.
    (error,) = result.errors
    assert error.row == 2 and error.column == "拨付金额（元）", str(error)
    assert "第十一条" in error.reason
    assert not EscrowRelease.objects.filter(account=account).exists()


def test_rules_lists_every_rule_with_its_source_and_ledgers():
    out = StringIO()
    call_command("rules", stdout=out)
    text = out.getvalue()
    for rule in invariants.rules:
        assert rule.code in text and rule.source in text
        for label in rule.ledgers():
            assert label in text


def test_rules_check_passes_on_the_demo_county():
    out = StringIO()
    call_command("rules", "check", stdout=out)
    assert "全部符合" in out.getvalue().splitlines()[-1], out.getvalue()


def test_rules_check_finds_data_written_around_the_checks():
    account = _account()
    # bulk_create sends no signals: as data written before a rule existed
    EscrowRelease.objects.bulk_create([_release(account, "600000.00", D(2024, 2, 1), "T-BF-1")])
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("rules", "check", "--rule", "escrow_cap", stdout=out)
    assert exited.value.code == 1
    assert "T-BF-1" in out.getvalue() and "第十一条" in out.getvalue()
    assert "发现1处违反" in out.getvalue()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL's row locks"
)
def test_two_concurrent_releases_cannot_pass_the_cap_together():
    """Each of two writers adds 300,000 to an account whose cap is 500,000; both insert
    before either checks. The anchor's row lock makes the second check wait for the first
    commit and see its release: one is refused. (Without the lock both would pass.)"""
    project = DevelopmentProject.objects.order_by("pk").first()
    made: dict[str, int] = {}

    def in_thread(fn):
        def run():
            try:
                fn()
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def set_up():
        account = EscrowAccount.objects.create(
            project=project,
            org_unit=project.org_unit,
            account_no="T-RACE",
            bank="测试银行",
            opened_on=D(2024, 1, 1),
        )
        EscrowDeposit.objects.create(
            account=account,
            org_unit=project.org_unit,
            voucher_no="T-RACE-RZ",
            deposited_on=D(2024, 1, 10),
            amount=Decimal("1000000.00"),
        )
        made["account"] = account.pk

    in_thread(set_up).join()
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []

    def writer(no: str, day: int) -> None:
        account = EscrowAccount.objects.get(pk=made["account"])
        try:
            with invariants.guarded():  # the check runs when this block ends …
                _release(account, "300000.00", D(2024, 3, day), no).save()
                barrier.wait()  # … after both writers inserted
            outcomes.append("saved")
        except RuleViolation:
            outcomes.append("refused")

    try:
        threads = [
            in_thread(lambda: writer("T-RACE-1", 1)),
            in_thread(lambda: writer("T-RACE-2", 2)),
        ]
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes) == ["refused", "saved"]

        def count():
            made["releases"] = EscrowRelease.objects.filter(account_id=made["account"]).count()

        in_thread(count).join()
        assert made["releases"] == 1
    finally:

        def clean_up():
            EscrowRelease.objects.filter(account_id=made["account"]).delete()
            EscrowDeposit.objects.filter(account_id=made["account"]).delete()
            EscrowAccount.objects.filter(pk=made["account"]).delete()

        in_thread(clean_up).join()
