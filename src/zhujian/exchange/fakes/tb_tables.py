"""A fake provincial 建筑市场监管一体化平台 taking TB* rows
(:mod:`zhujian.exchange.protocols.tb_tables`): it checks the signature and the sender's
area code, assigns ``PrjNum`` on a new ``TBProjectInfo`` row, refuses rows that name an
unknown project, carry a region code that is not 6 digits, a date in the future, or a
deletion of a row it never had; it keeps each row by ``PKID`` and counts inserts, so a test
can tell whether anything arrived twice."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any

from zhujian.exchange.fakes.base import FakeServer
from zhujian.exchange.protocols import tb_tables as tb

TABLES = (
    "TBProjectInfo",
    "TBTenderInfo",
    "TBContractRecordManage",
    "TBBuilderLicenceManage",
    "TBProjectFinishManage",
)
DATES = (
    "PlanBDate",
    "PlanEDate",
    "TenderResultDate",
    "RecordDate",
    "ReleaseDate",
    "BDate",
    "EDate",
)


class FakeProvince(FakeServer):
    def __init__(self, user: str, secret: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user, self.secret = user, secret
        self.rows: dict[str, dict[str, dict]] = {t: {} for t in TABLES}
        self.inserts: Counter[tuple[str, str]] = Counter()
        self.updates: Counter[tuple[str, str]] = Counter()
        self.deletes: Counter[tuple[str, str]] = Counter()
        self.seq = 0
        self.today = dt.date.today()

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        parts = path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "tb" or parts[1] not in TABLES:
            return 404, b'{"code":"404","message":"no such table"}'
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return 400, b'{"code":"400","message":"bad json"}'
        if data.get("user") != self.user:
            return 200, _json({"code": "401", "message": "用户（行政区划代码）无效"})
        if tb.sign(data, self.secret) != data.get("sign"):
            return 200, _json({"code": "403", "message": "签名验证失败"})
        table = parts[1]
        if len(parts) == 3 and parts[2] == "query":
            row = self.rows[table].get(str(data.get("PKID", "")))
            return 200, _json({"code": "0", "rows": [row] if row else []})
        out = [self._row(table, row) for row in data.get("rows") or []]
        return 200, _json({"code": "0", "rows": out})

    def _row(self, table: str, row: dict) -> dict:
        key = str(row.get("PKID", ""))
        try:
            self._check(table, row)
        except ValueError as exc:
            return {"PKID": key, "OperateState": tb.REFUSED, "Msg": str(exc)}
        kept = self.rows[table]
        if row.get("UpdateFlag") == "D":
            kept.pop(key)
            self.deletes[(table, key)] += 1
            return {"PKID": key, "OperateState": tb.ACCEPTED, "Msg": "删除成功"}
        stored = dict(row)
        if key in kept:
            stored["PrjNum"] = kept[key].get("PrjNum") or row.get("PrjNum")
            self.updates[(table, key)] += 1
        else:
            if table == "TBProjectInfo":
                self.seq += 1
                stored["PrjNum"] = f"{row['CountyNum']}{self.today:%y%m}{self.seq:04d}"
            self.inserts[(table, key)] += 1
        kept[key] = stored
        return {
            "PKID": key,
            "OperateState": tb.ACCEPTED,
            "Msg": "成功",
            "PrjNum": stored.get("PrjNum", ""),
        }

    def _check(self, table: str, row: dict) -> None:
        key = str(row.get("PKID", ""))
        if not key:
            raise ValueError("PKID（地方数据主键）不能为空")
        if row.get("UpdateFlag") not in ("U", "D"):
            raise ValueError("UpdateFlag 应为 U 或 D")
        if row.get("UpdateFlag") == "D":
            if key not in self.rows[table]:
                raise ValueError("要删除的记录不存在")
            return
        for name in ("ProvinceNum", "CityNum", "CountyNum", "AreaCode"):
            if name in row and not re.fullmatch(r"\d{6}", str(row[name] or "")):
                raise ValueError(f"{name} 应为6位行政区划代码（GB/T 2260）")
        for name in DATES:
            value = row.get(name)
            if value and dt.date.fromisoformat(str(value)) > self.today:
                raise ValueError(f"{name} 不能晚于今天")
        if table != "TBProjectInfo":
            numbers = {r.get("PrjNum") for r in self.rows["TBProjectInfo"].values()}
            if row.get("PrjNum") not in numbers:
                raise ValueError("PrjNum 项目编号不存在，请先报送项目基本信息")
        if table == "TBBuilderLicenceManage" and not row.get("BuilderLicenceNum"):
            raise ValueError("BuilderLicenceNum 施工许可证编号不能为空")

    def duplicates(self) -> list[tuple[tuple[str, str], int]]:
        return [(k, n) for k, n in self.inserts.items() if n > 1]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
