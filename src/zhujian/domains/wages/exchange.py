"""Adapter 1: the 全国建筑工人管理服务信息平台 (real-name workers, attendance, payroll).

What goes, from which ledger (docs/exchange.md has every field):

======================  ==============================================  =====
platform object         Zhujian records                                 order
======================  ==============================================  =====
Project (ProjectMaster) 建设工程项目 under real-name supervision          10
ProjectSubContractor    参建单位 of those projects                        20
Team (main contractor)  the project's 施工总承包单位's team               30
Team (subcontractor)    a subcontracting 参建单位's team                  31
ProjectWorker           农民工实名登记                                    40
WorkerAttendance        考勤记录 (lists of up to WAGES_WORKERS_PLATFORM_BATCH) 50
Payroll + detailList    工资支付表 and its 工资表明细                      60
======================  ==============================================  =====

The appid and secret are per project (the platform issues them when the project is
registered): a :class:`~zhujian.exchange.models.Credential` keyed by the project's 项目编号.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from zhujian.domains.construction.models import ConstructionProject, Participant
from zhujian.domains.construction.models.projects import SUBCONTRACT_ROLES, ParticipantRole
from zhujian.domains.wages import conf
from zhujian.domains.wages.models import Attendance, PaySheet, Trade, Worker
from zhujian.exchange import conf as exchange_conf
from zhujian.exchange.adapters import Adapter, InDoubt, Item, Kind, Result, adapters
from zhujian.exchange.models import Outbox, Upload
from zhujian.exchange.protocols import workers_platform as wp

TARGET = "workers_platform"
S = Outbox.State

#: 工种 (the platform's 3-digit codes) for Zhujian's trades.
WORK_TYPE = {
    Trade.REBAR: "020",  # 钢筋工
    Trade.CARPENTER: "240",  # 木工
    Trade.MASON: "010",  # 砌砖工
    Trade.CONCRETE: "040",  # 混凝土工
    Trade.SCAFFOLD: "030",  # 架子工
    Trade.ELECTRICIAN: "130",  # 建筑电工
    Trade.WELDER: "270",  # 电焊工
    Trade.PLUMBER: "110",  # 管道工
    Trade.PAINTER: "1000",  # 其他 (the table has no 油漆工 outside 古建筑)
    Trade.LABOURER: "390",  # 杂工
    Trade.OTHER: "1000",  # 其他
}
#: 参建类型 for a 参建单位's role.
CORP_TYPE = {
    ParticipantRole.SPECIALTY: "001",  # 专业分包
    ParticipantRole.LABOUR: "006",  # 劳务分包
    ParticipantRole.SUPERVISION: "007",  # 监理
    ParticipantRole.SURVEY: "010",  # 勘察
    ParticipantRole.DESIGN: "011",  # 设计单位
}
ID_CARD = "01"  # 证件类型: 居民身份证 (the only kind Zhujian records)
WORK_ROLE_WORKER = "20"  # 工人类型: 建筑工人
PERSONAL = frozenset(
    {
        "workerName",
        "cellPhone",
        "responsiblePersonName",
        "responsiblePersonPhone",
        "pmName",
        "linkPhone",
    }
)


def _d(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _money(value: Decimal | None) -> str:
    return f"{value or Decimal(0):.2f}"


def _realname_projects() -> models.QuerySet:
    return ConstructionProject.objects.filter(realname_on__isnull=False)


def team_name(enterprise: Any) -> str:
    return f"{enterprise.name}班组"[:50]


class WorkersPlatform(Adapter):
    code = TARGET
    label = "全国建筑工人管理服务信息平台"
    personal_keys = PERSONAL
    upstream_labels = {"requestSerialCode": "平台受理编号"}
    field_labels = {
        "workerName": "姓名",
        "idCardNumber": "身份证号",
        "payRollBankCardNumber": "工资卡号",
        "teamSysNo": "班组编号",
        "corpCode": "统一社会信用代码",
        "areaCode": "行政区划代码",
        "date": "考勤时间",
        "direction": "进出方向",
        "payMonth": "工资所属月份",
        "balanceDate": "发放日期",
        "projectCode": "项目编码",
        "requestSerialCode": "平台受理编号",
        "appid": "应用编号",
        "nonce": "随机数",
        "timestamp": "时间戳",
        "headImage": "头像照片",
        "exitTime": "退场时间",
    }
    poll_s = 2.0

    def __init__(self) -> None:
        self.kinds = (
            Kind(
                "Project",
                "项目",
                ConstructionProject,
                10,
                queryset=lambda: _realname_projects().select_related("contractor", "org_unit"),
            ),
            Kind(
                "ProjectSubContractor",
                "参建单位",
                Participant,
                20,
                queryset=lambda: Participant.objects.filter(
                    project__realname_on__isnull=False
                ).select_related("project", "enterprise"),
            ),
            Kind(
                "ContractorTeam",
                "总承包单位班组",
                ConstructionProject,
                30,
                queryset=lambda: (
                    _realname_projects()
                    .filter(contractor__isnull=False)
                    .select_related("contractor")
                ),
            ),
            Kind(
                "Team",
                "分包单位班组",
                Participant,
                31,
                queryset=lambda: Participant.objects.filter(
                    project__realname_on__isnull=False, role__in=SUBCONTRACT_ROLES
                ).select_related("project", "enterprise"),
            ),
            Kind(
                "ProjectWorker",
                "建筑工人",
                Worker,
                40,
                queryset=lambda: Worker.objects.filter(
                    project__realname_on__isnull=False
                ).select_related("project", "employer"),
                batch=50,
                group=lambda w: (w.project_id, w.employer_id),
            ),
            Kind(
                "WorkerAttendance",
                "考勤",
                Attendance,
                50,
                queryset=lambda: Attendance.objects.filter(
                    worker__project__realname_on__isnull=False
                ).select_related("worker__project", "worker__employer"),
                batch=5000,
                group=lambda a: (a.worker.project_id, a.worker.employer_id),
            ),
            Kind(
                "Payroll",
                "工资单",
                PaySheet,
                60,
                queryset=lambda: PaySheet.objects.filter(
                    project__realname_on__isnull=False
                ).select_related("project", "employer"),
            ),
        )
        self._teams: dict[tuple[int, int], str] = {}
        self._workers_ok: set[int] | None = None

    def begin(self) -> None:
        self._teams = {}
        self._workers_ok = None

    def _worker_uploaded(self, pk: int) -> bool:
        # Workers (order 40) settle before attendance (50) is claimed: read them once.
        if self._workers_ok is None:
            self._workers_ok = set(
                _uploads("ProjectWorker", Worker)
                .exclude(sent_digest="")
                .values_list("object_id", flat=True)
            )
        return pk in self._workers_ok

    # --- limits -----------------------------------------------------------------------

    def rate_per_s(self) -> float:
        return float(conf.WORKERS_PLATFORM_RATE.get())

    def max_attempts(self) -> int:
        return int(exchange_conf.MAX_ATTEMPTS.get())

    @property
    def lease_s(self) -> float:  # type: ignore[override]
        return float(exchange_conf.LEASE_S.get())

    def batch_of(self, kind: Kind) -> int:
        return (
            int(conf.WORKERS_PLATFORM_BATCH.get())
            if kind.code == "WorkerAttendance"
            else kind.batch
        )

    # --- mapping ----------------------------------------------------------------------

    def owner_key(self, kind: Kind, record: models.Model) -> str:
        return _project(kind, record).code

    def payload(self, kind: Kind, record: models.Model) -> dict[str, Any]:
        project = _project(kind, record)
        base = {"projectCode": project.code}
        if kind.code == "Project":
            p: ConstructionProject = record  # type: ignore[assignment]
            return base | {
                "name": p.name,
                "contractorCorpCode": p.contractor.uscc if p.contractor else "",
                "contractorCorpName": p.contractor.name if p.contractor else "",
                "buildCorpName": p.developer,
                "builderLicenses": [p.permit_number] if p.permit_number else [],
                "areaCode": p.org_unit.code[:6],
                "address": p.address,
                "buildingArea": str(p.floor_area),
                "invest": str(p.cost),
                "startDate": _d(p.started_on),
                "completeDate": _d(p.completed_on),
                "prjStatus": "003" if p.completed_on else ("002" if p.started_on else "001"),
            }
        if kind.code == "ProjectSubContractor":
            x: Participant = record  # type: ignore[assignment]
            return base | {
                "corpCode": x.enterprise.uscc,
                "corpName": x.enterprise.name,
                "corpType": CORP_TYPE[x.role],
                "entryTime": _d(x.entered_on),
                "exitTime": _d(x.left_on),
            }
        if kind.code in ("ContractorTeam", "Team"):
            company = project.contractor if kind.code == "ContractorTeam" else record.enterprise
            return base | {
                "corpCode": company.uscc,
                "corpName": company.name,
                "teamName": team_name(company),
                "entryTime": _d(
                    project.started_on if kind.code == "ContractorTeam" else record.entered_on
                ),
                "exitTime": _d(None if kind.code == "ContractorTeam" else record.left_on),
            }
        if kind.code == "ProjectWorker":
            w: Worker = record  # type: ignore[assignment]
            return base | {
                "corpCode": w.employer.uscc,
                "corpName": w.employer.name,
                "teamName": team_name(w.employer),
                "worker": {
                    "workerName": w.name,
                    "isTeamLeader": 0,
                    "idCardType": ID_CARD,
                    "idCardNumber": w.id_number,
                    "workType": WORK_TYPE.get(w.trade, "1000"),
                    "workRole": WORK_ROLE_WORKER,
                    "payRollBankCardNumber": w.bank_card,
                    "payRollBankName": w.bank_name,
                    "cellPhone": w.phone,
                    "workDate": _d(w.entered_on),
                    "exitDate": _d(w.left_on),
                    "contractDate": _d(w.contract_signed_on),
                },
            }
        if kind.code == "WorkerAttendance":
            a: Attendance = record  # type: ignore[assignment]
            return base | {
                "corpCode": a.worker.employer.uscc,
                "row": {
                    "idCardType": ID_CARD,
                    "idCardNumber": a.worker.id_number,
                    # Zhujian keeps presence by day, not gate times: the day's entry.
                    "date": f"{a.day:%Y-%m-%d} 00:00:00",
                    "direction": "01",
                },
            }
        if kind.code == "Payroll":
            sheet: PaySheet = record  # type: ignore[assignment]
            lines = sheet.lines.select_related("worker").order_by("worker__code")
            return base | {
                "corpCode": sheet.employer.uscc,
                "corpName": sheet.employer.name,
                "teamName": team_name(sheet.employer),
                "payMonth": f"{sheet.month:%Y-%m}",
                "detailList": [
                    {
                        "idCardType": ID_CARD,
                        "idCardNumber": line.worker.id_number,
                        "workerCode": line.worker.code,
                        "days": str(line.days),
                        "payRollBankCardNumber": line.worker.bank_card,
                        "payRollBankName": line.worker.bank_name,
                        "totalPayAmount": _money(line.gross),
                        "actualAmount": _money(line.net),
                        "isBackPay": 0,
                        "balanceDate": _d(sheet.paid_on),
                    }
                    for line in lines
                ],
            }
        raise KeyError(kind.code)

    def ready(self, kind: Kind, item: Item) -> str | None:
        if kind.code in ("ProjectSubContractor", "ContractorTeam", "Team"):
            project = _project(kind, item.record)
            if not _uploaded("Project", ConstructionProject, project.pk):
                return f"所属项目“{project}”尚未上报成功，请先处理项目的上报"
            return None
        if kind.code in ("ProjectWorker", "WorkerAttendance", "Payroll"):
            if not self._team_number(kind, item.record):
                employer = _employer(kind, item.record)
                return f"用工单位“{employer}”的班组尚未上报成功（平台尚未分配班组编号），请先处理班组的上报"
        if kind.code in ("WorkerAttendance",):
            worker = item.record.worker
            if not self._worker_uploaded(worker.pk):
                return f"工人（人员编号 {worker.code}）尚未上报成功，不能上报其考勤"
        if kind.code == "Payroll":
            missing = [
                d["workerCode"]
                for d in item.payload["detailList"]
                if not self._worker_uploaded(
                    Worker.objects.filter(code=d["workerCode"]).values_list("pk", flat=True)[0]
                )
            ]
            if missing:
                return (
                    f"工资单中{len(missing)}名工人尚未上报成功（人员编号 {'、'.join(missing[:5])}"
                    f"{'等' if len(missing) > 5 else ''}），平台不接受未登记工人的工资发放信息"
                )
        return None

    def _team_number(self, kind: Kind, record: models.Model) -> str:
        project = _project(kind, record)
        employer = _employer(kind, record)
        key = (project.pk, employer.pk)
        if key in self._teams:
            return self._teams[key]
        if project.contractor_id == employer.pk:
            number = _upstream("ContractorTeam", ConstructionProject, project.pk)
        else:
            part = Participant.objects.filter(
                project=project, enterprise=employer, role__in=SUBCONTRACT_ROLES
            ).first()
            number = _upstream("Team", Participant, part.pk) if part else ""
        if number:
            self._teams[key] = number
        return number

    # --- transport --------------------------------------------------------------------

    def client(self, project_code: str) -> wp.Client:
        cred = self.credential(project_code)
        return wp.Client(
            cred.base_url, cred.appid, cred.secret, timeout=float(exchange_conf.TIMEOUT_S.get())
        )

    def _request(self, kind: Kind, items: list[Item], secret: str) -> tuple[str, dict]:
        first = items[0]
        p = first.payload
        update = first.action == Outbox.Action.UPDATE
        code = kind.code
        if code == "Project":
            return ("Project.PartUpdate" if update else "Project.Add"), p
        if code == "ProjectSubContractor":
            return f"ProjectSubContractor.{'Update' if update else 'Add'}", p
        if code in ("ContractorTeam", "Team"):
            data = dict(p)
            if update:
                data["teamSysNo"] = int(first.upload.upstream_id)
            return f"Team.{'Update' if update else 'Add'}", data
        team = int(self._team_number(kind, first.record))
        enc = wp.timed_encrypt
        if code == "ProjectWorker":
            workers = []
            for it in items:
                w = dict(it.payload["worker"])
                w["idCardNumber"] = enc(w["idCardNumber"], secret)
                if w["payRollBankCardNumber"]:
                    w["payRollBankCardNumber"] = enc(w["payRollBankCardNumber"], secret)
                workers.append(w)
            data = {
                "projectCode": p["projectCode"],
                "corpCode": p["corpCode"],
                "corpName": p["corpName"],
                "teamSysNo": team,
                "teamName": p["teamName"],
                "workerList": workers,
            }
            return f"ProjectWorker.{'Update' if update else 'Add'}", data
        if code == "WorkerAttendance":
            rows = []
            for it in items:
                row = dict(it.payload["row"])
                row["idCardNumber"] = enc(row["idCardNumber"], secret)
                rows.append(row)
            data = {"projectCode": p["projectCode"], "teamSysNo": team, "dataList": rows}
            return "WorkerAttendance.Add", data
        if code == "Payroll":
            details = []
            for d in p["detailList"]:
                d = {k: v for k, v in d.items() if k != "workerCode"}
                d["idCardNumber"] = enc(d["idCardNumber"], secret)
                if d["payRollBankCardNumber"]:
                    d["payRollBankCardNumber"] = enc(d["payRollBankCardNumber"], secret)
                details.append(d)
            data = {**{k: v for k, v in p.items() if k != "detailList"}, "teamSysNo": team}
            data["detailList"] = details
            return f"Payroll.{'Update' if update else 'Add'}", data
        raise KeyError(code)

    def send(self, kind: Kind, items: list[Item]) -> dict[int, Result]:
        client = self.client(items[0].payload["projectCode"])
        method, data = self._request(kind, items, client.secret)
        data = {**data, "projectCode": client.appid}  # the platform's code of the project
        _form, status, reply = self._call(client, method, data, len(items))
        if not wp.ok(reply):
            reason = _reason(reply, status)
            state = "retry" if status >= 500 or "Internal Error" in reason else S.FAILED
            return {it.outbox.pk: Result(state, f"平台拒收：{reason}") for it in items}
        serial = str((reply.get("data") or {}).get("requestSerialCode", ""))
        if not serial:
            return {it.outbox.pk: Result(S.DONE) for it in items}
        return {it.outbox.pk: Result(S.SUBMITTED, serial_code=serial) for it in items}

    def _call(
        self, client: wp.Client, method: str, data: dict, rows: int
    ) -> tuple[dict, int, dict]:
        try:
            form, status, reply = client.call(method, data)
        except Exception as exc:
            self.log(method, {"data": data}, error=str(exc), rows=rows)
            raise
        kept = {k: v for k, v in form.items() if k != "data"} | {"data": data}
        self.log(method, kept, request_id=form["nonce"], status=status, reply=reply, rows=rows)
        return form, status, reply

    def poll(self, kind: Kind, items: list[Item]) -> dict[int, Result]:
        first = items[0]
        upload = first.upload
        project = _project_of_upload(kind, upload)
        client = self.client(project.code)
        _form, _status, reply = self._call(
            client,
            "AsyncHandleResult.Query",
            {"requestSerialCode": first.outbox.serial_code},
            len(items),
        )
        if not wp.ok(reply):
            return {}
        data = reply.get("data") or {}
        state = str(data.get("status"))
        if state == wp.ASYNC_PENDING:
            return {}
        result = data.get("result")
        if state == wp.ASYNC_FAILED:
            text = result.get("message") if isinstance(result, dict) else str(result)
            return {it.outbox.pk: Result(S.FAILED, f"平台处理失败：{text}") for it in items}
        result = result if isinstance(result, dict) else {}
        fails = _row_failures(result.get("failList") or [])
        out = {}
        for index, it in enumerate(items, 1):
            if index in fails:
                out[it.outbox.pk] = Result(S.FAILED, f"平台处理失败：{fails[index]}")
                continue
            number = (
                str(result.get("teamSysNo", "")) if kind.code in ("ContractorTeam", "Team") else ""
            )
            out[it.outbox.pk] = Result(
                S.DONE,
                upstream_id=number or it.upload.upstream_id or _natural_id(kind, client),
                upstream={"requestSerialCode": it.outbox.serial_code},
            )
        return out

    def reconcile(self, kind: Kind, item: Item) -> Result | None:
        record = item.record
        project = _project(kind, record)
        client = self.client(project.code)
        payload = self.payload(kind, record)
        code = kind.code
        query: dict[str, Any]
        if code == "Project":
            method, query = "Project.Query", {}
        elif code == "ProjectSubContractor":
            method, query = "ProjectSubContractor.Query", {"corpCode": payload["corpCode"]}
        elif code in ("ContractorTeam", "Team"):
            method = "Team.Query"
            query = {"corpCode": payload["corpCode"], "teamName": payload["teamName"]}
        elif code == "ProjectWorker":
            method = "ProjectWorker.Query"
            query = {"idCardNumber": wp.encrypt(record.id_number, client.secret)}
        elif code == "WorkerAttendance":
            method = "WorkerAttendance.Query"
            query = {
                "idCardNumber": wp.encrypt(record.worker.id_number, client.secret),
                "date": f"{record.day:%Y-%m-%d}",
            }
        elif code == "Payroll":
            method = "Payroll.Query"
            query = {
                "teamSysNo": int(self._team_number(kind, record) or 0),
                "payMonth": payload["payMonth"],
                "corpCode": payload["corpCode"],
            }
        else:
            return None
        query = {"projectCode": client.appid, "pageIndex": 0, "pageSize": 50} | query
        _form, status, reply = self._call(client, method, query, 1)
        if not wp.ok(reply):  # the platform could not say: ask again later, never guess
            raise InDoubt(f"平台查询失败：{_reason(reply, status)}")
        rows = (reply.get("data") or {}).get("rows") or []
        if not rows:
            return None
        if item.outbox.action == Outbox.Action.UPDATE and code not in ("WorkerAttendance",):
            return None  # an update may be sent again: the platform keeps the last
        number = str(rows[0].get("teamSysNo", "")) if code in ("ContractorTeam", "Team") else ""
        return Result(
            S.DONE,
            reason="发送中断后经平台查询确认已收到",
            upstream_id=number or _natural_id(kind, client),
        )


def _natural_id(kind: Kind, client: wp.Client) -> str:
    """The platform's own key of a project is its appid (项目编码); other objects have
    none in the published interface beyond the request's serial code."""
    return client.appid if kind.code == "Project" else ""


def _row_failures(rows: list[str]) -> dict[int, str]:
    out = {}
    for text in rows:
        head, _, rest = str(text).partition("：")
        if head.startswith("第") and head.endswith("条") and head[1:-1].isdigit():
            out[int(head[1:-1])] = rest
    return out


def _reason(reply: dict, status: int) -> str:
    message = str(reply.get("message") or "").strip()
    return message or f"HTTP {status}"


def _project(kind: Kind, record: models.Model) -> ConstructionProject:
    if isinstance(record, ConstructionProject):
        return record
    if isinstance(record, Attendance):
        return record.worker.project
    return record.project


def _employer(kind: Kind, record: models.Model) -> Any:
    if isinstance(record, Attendance):
        return record.worker.employer
    if isinstance(record, Worker | PaySheet):
        return record.employer
    return record.enterprise


def _project_of_upload(kind: Kind, upload: Upload) -> ConstructionProject:
    record = kind.records().get(pk=upload.object_id)
    return _project(kind, record)


def _uploads(kind: str, model: type[models.Model]) -> models.QuerySet:
    return Upload.objects.filter(
        target=TARGET, kind=kind, content_type=ContentType.objects.get_for_model(model)
    )


def _uploaded(kind: str, model: type[models.Model], pk: int) -> bool:
    return _uploads(kind, model).filter(object_id=pk).exclude(sent_digest="").exists()


def _upstream(kind: str, model: type[models.Model], pk: int) -> str:
    return (
        _uploads(kind, model)
        .filter(object_id=pk)
        .exclude(upstream_id="")
        .values_list("upstream_id", flat=True)
        .first()
        or ""
    )


adapters.register(WorkersPlatform())
