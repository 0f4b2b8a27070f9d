"""Personal numbers are encrypted at rest with SM4-GCM (GB/T 39786 应用和数据安全):
nothing readable in the database file, a dump or a backup; exact search by ID or card
through the keyed SM3 index; imports encrypt; key rotation re-encrypts; the data
migration encrypts what was written before and can run again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from io import StringIO

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from tests.domains.wages.helpers import project_in, worker_on
from zhujian.core import crypto
from zhujian.core.registry import registry
from zhujian.domains.petitions.models import PetitionCase
from zhujian.domains.realestate.models import SalesContract
from zhujian.domains.wages.models import ProjectWageSetup, WagePayment, Worker
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db
WORKERS = registry.get("wages_worker")
NEW_KEY = "k2:" + "11" * 32


def _plaintexts() -> set[str]:
    """Every personal number of the demo county, as read through the models."""
    values: set[str] = set()
    for model, names in (
        (Worker, ["id_number", "phone", "bank_card"]),
        (WagePayment, ["payee_card"]),
        (ProjectWageSetup, ["officer_phone"]),
        (PetitionCase, ["id_number", "phone"]),
        (SalesContract, ["buyer_id_number", "buyer_phone"]),
    ):
        for row in model.objects.values_list(*names):
            values.update(v for v in row if v)
    return values


def _raw(table: str, column: str, pk: int, key: str = "id") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{key}" = %s', [pk])
        return cursor.fetchone()[0]


def test_a_value_is_sm4_gcm_under_the_current_key_and_a_changed_byte_is_refused():
    token = crypto.encrypt("371312198001011234")
    assert token.startswith("ZJ1$dev$") and "3713121980" not in token
    assert crypto.decrypt(token) == "371312198001011234"
    assert crypto.encrypt("371312198001011234") != token  # a fresh nonce each time
    body = token.rsplit("$", 1)[1]
    flipped = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    with pytest.raises(ValueError, match="密文校验失败"):
        crypto.decrypt(token.rsplit("$", 1)[0] + "$" + flipped)


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite")
def test_the_sqlite_file_holds_no_personal_number_in_clear(tmp_path):
    plain = _plaintexts()
    assert len(plain) > 500  # the demo's workers, payments, petitions, contracts
    path = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    data = path.read_bytes()
    assert b"ZJ1$dev$" in data
    found = sorted(v for v in plain if v.encode() in data)
    assert found == []


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="pg_dump: PostgreSQL"
)
def test_a_pg_dump_holds_no_personal_number_in_clear():
    plain = _plaintexts()
    assert len(plain) > 500
    cfg = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": cfg.get("PASSWORD") or ""}
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "-h",
            cfg.get("HOST") or "127.0.0.1",
            "-p",
            str(cfg.get("PORT") or 5432),
            "-U",
            cfg["USER"],
            cfg["NAME"],
        ],
        capture_output=True,
        check=True,
        env=env,
    ).stdout
    assert b"ZJ1$dev$" in dump
    assert sorted(v for v in plain if v.encode() in dump) == []


def test_the_record_and_its_history_row_store_ciphertext(township):
    worker = worker_on(project_in(township))
    stored = _raw("wages_worker", "id_number", worker.pk)
    assert crypto.is_ciphertext(stored) and worker.id_number not in stored
    history = worker.history.latest()
    raw = _raw("wages_historicalworker", "bank_card", history.history_id, key="history_id")
    assert crypto.is_ciphertext(raw) and crypto.decrypt(raw) == worker.bank_card
    assert Worker.objects.get(pk=worker.pk).id_number == worker.id_number


def test_exact_search_by_id_number_or_card_finds_the_record(township):
    worker = worker_on(project_in(township))
    assert list(Worker.objects.filter(id_number=worker.id_number)) == [worker]
    assert list(Worker.objects.filter(bank_card__in=[worker.bank_card, "0"])) == [worker]
    assert not Worker.objects.filter(id_number=worker.id_number[:-1] + "0").exists()
    with pytest.raises(FieldError, match="只能按完整号码"):
        list(Worker.objects.filter(id_number__startswith="3713"))
    with pytest.raises(FieldError, match="没有检索索引"):
        list(Worker.objects.filter(phone="13912345678"))


def test_the_list_page_and_the_api_find_a_worker_by_its_whole_id_number(client, user, township):
    worker = worker_on(project_in(township))
    client.force_login(user("jianzhu"))
    page = client.get(WORKERS.url("list"), {"q": worker.id_number.lower()}).content.decode()
    assert worker.code in page
    api = client.get(f"/api/ledgers/{WORKERS.name}/", {"q": worker.bank_card}).json()
    assert [r["code"] for r in api["results"]] == [worker.code]
    part = client.get(f"/api/ledgers/{WORKERS.name}/", {"q": worker.id_number[:10]}).json()
    assert worker.code not in [r["code"] for r in part["results"]]


def test_one_id_number_twice_on_a_project_is_still_refused(township):
    from django.core.exceptions import ValidationError

    project = project_in(township)
    first = worker_on(project)
    twin = Worker(project=project, code="TWIN1", id_number=first.id_number)
    with pytest.raises(ValidationError):
        twin.validate_constraints()


def test_an_import_encrypts_and_indexes_what_it_writes(tmp_path, user, township):
    from openpyxl import load_workbook

    from zhujian.core.personal import id_check_digit
    from zhujian.imports.excel import export_rows

    template = worker_on(project_in(township))
    path = tmp_path / "workers.xlsx"
    export_rows(WORKERS, Worker.objects.filter(pk=template.pk), path)
    book = load_workbook(path)
    sheet = book["数据"]
    header = [c.value for c in sheet[1]]
    first17 = "37131219900101567"
    new = {"人员编号": "IMP0001", "身份证号": first17 + id_check_digit(first17)}
    new["工资卡号"] = "6228480012345678901"
    for name, value in new.items():
        sheet.cell(row=2, column=header.index(name) + 1, value=value)
    book.save(path)
    result = import_file(WORKERS, path, user("jianzhu"))
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    worker = Worker.objects.get(id_number=new["身份证号"])
    assert worker.code == "IMP0001" and worker.bank_card == new["工资卡号"]
    for column in ("id_number", "phone", "bank_card"):
        assert crypto.is_ciphertext(_raw("wages_worker", column, worker.pk))


def test_the_migration_encrypts_old_plaintext_rows_and_can_run_again(township):
    worker = worker_on(project_in(township))
    with connection.cursor() as cursor:  # as the rows were before issue 24
        cursor.execute(
            "UPDATE wages_worker SET id_number = %s, bank_card = %s, id_number_index = '' "
            "WHERE id = %s",
            [worker.id_number, worker.bank_card, worker.pk],
        )
    assert crypto.reencrypt_model(Worker, connection) >= 1
    assert crypto.is_ciphertext(_raw("wages_worker", "id_number", worker.pk))
    assert Worker.objects.filter(id_number=worker.id_number).get() == worker
    assert crypto.reencrypt_model(Worker, connection) == 0  # nothing left to do


def test_keys_rotate_re_encrypts_everything_and_search_works_throughout(settings, township):
    worker = worker_on(project_in(township))
    settings.ZHUJIAN_DATA_KEYS = f"{NEW_KEY},{crypto.DEVELOPMENT_KEYS}"
    # Before the rotation: old values still read and are found through the old index.
    assert Worker.objects.get(id_number=worker.id_number) == worker
    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    assert "全部使用当前密钥 k2" in out.getvalue()
    assert _raw("wages_worker", "id_number", worker.pk).startswith("ZJ1$k2$")
    status = StringIO()
    call_command("keys", "status", stdout=status)
    assert "dev" not in status.getvalue().split("当前密钥：k2", 1)[1]
    settings.ZHUJIAN_DATA_KEYS = NEW_KEY  # the old key retired
    fresh = Worker.objects.get(id_number=worker.id_number)
    assert (fresh.bank_card, fresh.phone) == (worker.bank_card, worker.phone)


def test_the_key_comes_from_a_file_outside_the_database(settings, tmp_path):
    path = tmp_path / "data.key"
    path.write_text("# zhujian data keys\n" + NEW_KEY + "\n")
    settings.ZHUJIAN_DATA_KEYS = ""
    settings.ZHUJIAN_DATA_KEY_FILE = str(path)
    assert crypto.keyring().current.id == "k2"
    settings.ZHUJIAN_DATA_KEY_FILE = ""
    with pytest.raises(ImproperlyConfigured, match="必须配置数据加密密钥"):
        crypto.keyring()
    settings.ZHUJIAN_DATA_KEYS = "k3:abcd"
    with pytest.raises(ImproperlyConfigured, match="32字节"):
        crypto.keyring()


def test_keys_generate_prints_a_fresh_entry():
    out = StringIO()
    call_command("keys", "generate", "--id", "k9", stdout=out)
    entry = out.getvalue().strip()
    assert crypto.parse_keys(entry).current.id == "k9"
    assert entry != crypto.generate_key("k9")


def test_a_plain_phone_field_cannot_be_declared_personal():
    from django.db import models

    from zhujian.core.personal import PHONE, PersonalData, check_declaration
    from zhujian.core.registry import Ledger

    ledger = Ledger(
        model=Worker, line="wages", list_display=["code"], natural_key=["code"], name="x"
    )
    ledger.personal = PersonalData({"bank_name": PHONE})
    assert isinstance(Worker._meta.get_field("bank_name"), models.CharField)
    with pytest.raises(ValueError, match="EncryptedCharField"):
        check_declaration(ledger)
