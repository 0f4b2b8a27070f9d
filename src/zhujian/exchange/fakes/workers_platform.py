"""A fake 全国建筑工人管理服务信息平台, written from the published interface
(:mod:`zhujian.exchange.protocols.workers_platform`, docs/exchange-research.md §a).

It checks what the real platform checks as far as the public sources tell: the form's
fields, the appid, the timestamp's format, a nonce used once, the signature, that ID and
bank-card numbers are AES-encrypted with the project's secret (plain numbers are refused),
the order of objects (a team before its workers, a worker before its pay), names and
dates; it answers writes with a ``requestSerialCode`` whose result is "待处理" at the first
``AsyncHandleResult.Query`` and final afterwards. It keeps every write it accepted, so a
test can tell whether anything arrived twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from collections import Counter
from typing import Any

from zhujian.exchange.fakes.base import FakeServer
from zhujian.exchange.protocols import workers_platform as wp

NAME_RE = re.compile(r"^[\u4e00-\u9fa5·]{2,20}$")
ID_RE = re.compile(r"^\d{17}[\dX]$")
ENCRYPTED = {"idCardNumber", "payRollBankCardNumber", "responsiblePersonIDNumber", "pmIDCardNumber"}


class Refused(Exception):
    pass


class FakeWorkersPlatform(FakeServer):
    def __init__(self, projects: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.secrets: dict[str, str] = dict(projects or {})  # appid → secret
        self.nonces: set[str] = set()
        self.serial = 0
        self.results: dict[str, dict[str, Any]] = {}  # serial → {"status", "result", "polls"}
        self.projects: dict[str, dict] = {}
        self.corps: dict[tuple[str, str], dict] = {}
        self.teams: dict[int, dict] = {}
        self.team_keys: dict[tuple[str, str, str], int] = {}
        self.workers: dict[tuple[str, str], dict] = {}
        self.attendance: dict[tuple[str, str, str], dict] = {}
        self.payroll: dict[tuple[str, int, str, str], dict] = {}
        self.writes: Counter[tuple[str, str]] = Counter()  # (method, key) → times stored
        self.methods: Counter[str] = Counter()
        self.today = dt.date.today()

    # --- HTTP ---------------------------------------------------------------------------

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if not path.endswith("/open.api"):
            return 404, b'{"code":"404","message":"not found"}'
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8")).items()}
        try:
            appid, secret, data = self._check(form)
            self.methods[form["method"]] += 1
            value = self._dispatch(form["method"], appid, secret, data)
            reply = {"code": "0", "message": "success", "data": value}
        except Refused as exc:
            reply = {"code": "-1", "message": str(exc), "data": None}
        return 200, json.dumps(reply, ensure_ascii=False).encode("utf-8")

    def _check(self, form: dict[str, str]) -> tuple[str, str, dict]:
        missing = [k for k in (*wp.SIGNED, "sign") if not form.get(k)]
        if missing:
            raise Refused(f"缺少参数：{','.join(missing)}")
        if form["format"] != "json" or form["version"] not in ("1.0", "1.1"):
            raise Refused("format 或 version 参数不正确")
        if not re.fullmatch(r"\d{14}", form["timestamp"]):
            raise Refused("timestamp 格式应为 yyyyMMddHHmmss")
        secret = self.secrets.get(form["appid"])
        if secret is None:
            raise Refused("appid 无效")
        if form["nonce"] in self.nonces:
            raise Refused("nonce 重复，请求被拒绝")
        if wp.sign({k: form[k] for k in wp.SIGNED}, secret) != form["sign"]:
            raise Refused("签名验证失败")
        self.nonces.add(form["nonce"])
        try:
            data = json.loads(form["data"])
        except json.JSONDecodeError:
            raise Refused("data 不是有效的 JSON") from None
        return form["appid"], secret, data

    def _plain(self, value: Any, secret: str, what: str) -> str:
        if not isinstance(value, str) or not value:
            raise Refused(f"[{what}] 不能为空")
        if ID_RE.match(value) or value.isdigit():
            raise Refused(f"[{what}] 须加密后传输")
        try:
            return wp.decrypt(value, secret)
        except Exception:
            raise Refused(f"[{what}] 解密失败，请使用项目密钥加密") from None

    # --- methods ------------------------------------------------------------------------

    def _dispatch(self, method: str, appid: str, secret: str, data: dict) -> Any:
        if method == "AsyncHandleResult.Query":
            return self._async_result(data)
        if method.endswith(".Query"):
            return self._query(method, appid, secret, data)
        handler = {
            "Project.Add": self._project,
            "Project.PartUpdate": self._project,
            "ProjectSubContractor.Add": self._corp,
            "ProjectSubContractor.Update": self._corp,
            "Team.Add": self._team,
            "Team.Update": self._team,
            "ProjectWorker.Add": self._worker,
            "ProjectWorker.Update": self._worker,
            "WorkerAttendance.Add": self._attendance,
            "Payroll.Add": self._payroll,
            "Payroll.Update": self._payroll,
        }.get(method)
        if handler is None:
            raise Refused(f"不支持的接口：{method}")
        if data.get("projectCode") != appid:
            raise Refused("[projectCode] 与 appid 不一致")
        try:
            result, status = handler(method, appid, secret, data), wp.ASYNC_DONE
        except Refused as exc:
            result, status = {"message": str(exc)}, wp.ASYNC_FAILED
        self.serial += 1
        obj, verb = method.split(".")
        code = f"{obj.lower()}-{verb.lower()}-{self.today:%Y%m%d}-{self.serial:06d}"
        self.results[code] = {"status": status, "result": result, "polls": 0}
        return {"requestSerialCode": code}

    def _async_result(self, data: dict) -> dict:
        found = self.results.get(data.get("requestSerialCode", ""))
        if found is None:
            raise Refused("requestSerialCode 不存在")
        found["polls"] += 1
        if found["polls"] == 1:
            return {"status": wp.ASYNC_PENDING, "result": "待处理"}
        return {"status": found["status"], "result": found["result"]}

    def _date(self, text: Any, what: str, fmt: str = "%Y-%m-%d") -> dt.datetime:
        try:
            value = dt.datetime.strptime(str(text), fmt)
        except ValueError:
            raise Refused(f"[{what}] 格式不正确") from None
        if value.date() > self.today:
            raise Refused(f"[{what}] 不能晚于今天")
        return value

    def _project(self, method: str, appid: str, secret: str, data: dict) -> dict:
        if not re.fullmatch(r"\d{6}", str(data.get("areaCode", ""))):
            raise Refused("[areaCode] 参数值不正确，请参见行政区划字典表")
        if method == "Project.Add" and appid in self.projects:
            raise Refused("项目已存在，请使用 Project.PartUpdate")
        self.projects[appid] = data
        self.writes[(method, appid)] += 1
        return {"projectCode": appid}

    def _corp(self, method: str, appid: str, secret: str, data: dict) -> dict:
        key = (appid, data.get("corpCode", ""))
        if not re.fullmatch(r"[0-9A-Z]{18}", key[1]):
            raise Refused("[corpCode] 应为18位统一社会信用代码")
        if method.endswith(".Add") and key in self.corps:
            raise Refused("该参建单位已存在")
        self.corps[key] = data
        self.writes[(method, "/".join(key))] += 1
        return {}

    def _team(self, method: str, appid: str, secret: str, data: dict) -> dict:
        if (appid, data.get("corpCode", "")) not in self.corps and data.get(
            "corpCode"
        ) != self.projects.get(appid, {}).get("contractorCorpCode"):
            raise Refused("[corpCode] 该企业不是本项目的参建单位")
        key = (appid, data.get("corpCode", ""), data.get("teamName", ""))
        if method == "Team.Update":
            number = int(data.get("teamSysNo") or 0)
            if number not in self.teams:
                raise Refused("[teamSysNo] 超出范围或无效")
        else:
            if key in self.team_keys:
                raise Refused("该班组已存在")
            number = len(self.teams) + 1001
        self.teams[number] = data
        self.team_keys[key] = number
        self.writes[(method, "/".join(key))] += 1
        return {"teamSysNo": number}

    def _team_of(self, appid: str, data: dict) -> int:
        number = int(data.get("teamSysNo") or 0)
        if number not in self.teams or self.teams[number].get("projectCode") != appid:
            raise Refused("[teamSysNo] 超出范围或无效")
        return number

    def _worker(self, method: str, appid: str, secret: str, data: dict) -> dict:
        team = self._team_of(appid, data)
        errors = []
        for i, w in enumerate(data.get("workerList") or [], 1):
            try:
                number = self._plain(w.get("idCardNumber"), secret, "idCardNumber")
                if not NAME_RE.match(str(w.get("workerName", ""))):
                    raise Refused("[workerName] 格式不正确，应为2—20个汉字")
                if w.get("payRollBankCardNumber"):
                    self._plain(w["payRollBankCardNumber"], secret, "payRollBankCardNumber")
                key = (appid, number)
                if method.endswith(".Add") and key in self.workers:
                    raise Refused("该工人已在本项目登记")
                if method.endswith(".Update") and key not in self.workers:
                    raise Refused("未找到该工人，请先新增")
                self.workers[key] = {**w, "teamSysNo": team, "idCardNumber": number}
                self.writes[(method, "/".join(key))] += 1
            except Refused as exc:
                errors.append(f"第{i}条：{exc}")
        if errors and len(errors) == len(data.get("workerList") or []):
            raise Refused("；".join(errors))
        return {"failList": errors}

    def _attendance(self, method: str, appid: str, secret: str, data: dict) -> dict:
        self._team_of(appid, data)
        errors = []
        for i, row in enumerate(data.get("dataList") or [], 1):
            try:
                number = self._plain(row.get("idCardNumber"), secret, "idCardNumber")
                if (appid, number) not in self.workers:
                    raise Refused("未找到该工人的登记信息，不允许上传考勤")
                when = self._date(row.get("date"), "date", "%Y-%m-%d %H:%M:%S")
                if row.get("direction") not in ("01", "02"):
                    raise Refused("[direction] 应为01或02")
                key = (appid, number, f"{when:%Y-%m-%d %H:%M:%S}/{row['direction']}")
                self.attendance[key] = row
                self.writes[(method, "/".join(key))] += 1
            except Refused as exc:
                errors.append(f"第{i}条：{exc}")
        if errors and len(errors) == len(data.get("dataList") or []):
            raise Refused("；".join(errors))
        return {"failList": errors}

    def _payroll(self, method: str, appid: str, secret: str, data: dict) -> dict:
        team = self._team_of(appid, data)
        month = self._date(f"{data.get('payMonth')}-01", "payMonth")
        lines = []
        for i, row in enumerate(data.get("detailList") or [], 1):
            number = self._plain(row.get("idCardNumber"), secret, "idCardNumber")
            if (appid, number) not in self.workers:
                raise Refused(f"第{i}条：未找到该工人的工人信息，不允许上传该工人的工资发放信息")
            if row.get("payRollBankCardNumber"):
                self._plain(row["payRollBankCardNumber"], secret, "payRollBankCardNumber")
            if row.get("balanceDate"):
                self._date(row["balanceDate"], "balanceDate")
            lines.append(number)
        key = (appid, team, f"{month:%Y-%m}", data.get("corpCode", ""))
        if method.endswith(".Add") and key in self.payroll:
            raise Refused("该月工资单已存在，请使用 Payroll.Update")
        self.payroll[key] = data
        self.writes[(method, "/".join(map(str, key)))] += 1
        return {}

    # --- queries (what reconciliation asks) -----------------------------------------------

    def _query(self, method: str, appid: str, secret: str, data: dict) -> dict:
        rows: list[dict] = []
        if method == "Project.Query":
            rows = [self.projects[appid]] if appid in self.projects else []
        elif method == "ProjectSubContractor.Query":
            c = self.corps.get((appid, data.get("corpCode", "")))
            rows = [c] if c else []
        elif method == "Team.Query":
            key = (appid, data.get("corpCode", ""), data.get("teamName", ""))
            if key in self.team_keys:
                rows = [{**self.teams[self.team_keys[key]], "teamSysNo": self.team_keys[key]}]
        elif method == "ProjectWorker.Query":
            number = self._plain(data.get("idCardNumber"), secret, "idCardNumber")
            w = self.workers.get((appid, number))
            rows = [{"workerName": w["workerName"], "teamSysNo": w["teamSysNo"]}] if w else []
        elif method == "WorkerAttendance.Query":
            number = self._plain(data.get("idCardNumber"), secret, "idCardNumber")
            prefix = str(data.get("date", ""))
            rows = [
                {"date": k[2]}
                for k in self.attendance
                if k[0] == appid and k[1] == number and k[2].startswith(prefix)
            ]
        elif method == "Payroll.Query":
            key = (
                appid,
                int(data.get("teamSysNo") or 0),
                data.get("payMonth"),
                data.get("corpCode"),
            )
            rows = [{"payMonth": key[2]}] if key in self.payroll else []
        else:
            raise Refused(f"不支持的接口：{method}")
        return {"pageIndex": 0, "pageSize": 50, "rowTotal": len(rows), "rows": rows}

    # --- for tests ------------------------------------------------------------------------

    def duplicates(self) -> list[tuple[tuple[str, str], int]]:
        """Keys stored by more than one *add* (an update may repeat, an add may not)."""
        adds: Counter[str] = Counter()
        for (method, key), n in self.writes.items():
            if method.endswith(".Add"):
                adds[f"{method.split('.')[0]}:{key}"] += n
        return [(k, n) for k, n in adds.items() if n > 1]
