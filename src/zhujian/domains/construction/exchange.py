"""Adapter 2: the provincial 建筑市场监管一体化平台, TB* tables of
《全国建筑市场监管公共服务平台工程项目信息数据标准》 (it feeds the national 四库一平台).

=========================  ==============================================  =====
table                      Zhujian records                                 order
=========================  ==============================================  =====
TBProjectInfo              建设工程项目 (every one)                         10
TBTenderInfo               招标投标监督 with an award, linked to a project   20
TBContractRecordManage     参建单位 (their contracts with the project)       30
TBBuilderLicenceManage     建设工程项目 with a 施工许可                      40
TBProjectFinishManage      建设工程项目 with a 竣工验收 date                 50
=========================  ==============================================  =====

Each row carries ``UpdateFlag`` U (insert or update) or D (a record deleted here, or a
permit / completion withdrawn). The province assigns ``PrjNum`` on the project's insert:
it is kept as the project's upload ``upstream_id`` and written on every later row. Region
codes are the 6-digit GB/T 2260 codes (the first six digits of our 12-digit 统计用区划代码).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from zhujian.domains.construction import conf
from zhujian.domains.construction.models import ConstructionProject, Participant
from zhujian.domains.construction.models.industry import Tender, TenderCategory, TenderMethod
from zhujian.domains.construction.models.projects import ParticipantRole, ProjectUse
from zhujian.exchange import conf as exchange_conf
from zhujian.exchange.adapters import Adapter, InDoubt, Item, Kind, Result, adapters
from zhujian.exchange.models import Outbox, Upload
from zhujian.exchange.protocols import tb_tables as tb

TARGET = "province_market"
S = Outbox.State

#: 工程用途 (dictionary TBPRJFUNCTIONDIC; the codes as commonly published — check them
#: against the province's dictionary before going live, docs/exchange.md).
FUNCTION = {
    ProjectUse.RESIDENTIAL: "100",  # 居住建筑
    ProjectUse.PUBLIC: "300",  # 公共建筑
    ProjectUse.INDUSTRIAL: "200",  # 工业建筑
    ProjectUse.RESETTLEMENT: "100",  # 居住建筑 (安置住房)
    ProjectUse.MUNICIPAL: "500",  # 市政工程
}
#: 招标类型 / 招标方式 (TBTENDERCLASSDIC / TBTENDERTYPEDIC).
TENDER_CLASS = {
    TenderCategory.WORKS: "001",
    TenderCategory.SUPERVISION: "002",
    TenderCategory.DESIGN: "003",
    TenderCategory.GOODS: "004",
    TenderCategory.SERVICES: "005",
}
TENDER_TYPE = {TenderMethod.OPEN: "001", TenderMethod.INVITED: "002"}
#: 合同类别 (TBCONTRACTTYPEDIC): 施工 30x, 监理 400, 勘察 100, 设计 200.
CONTRACT_TYPE = {
    ParticipantRole.SPECIALTY: "302",  # 施工专业分包
    ParticipantRole.LABOUR: "303",  # 施工劳务分包
    ParticipantRole.SUPERVISION: "400",  # 监理
    ParticipantRole.SURVEY: "100",  # 勘察
    ParticipantRole.DESIGN: "200",  # 设计
}


def regions(code12: str) -> dict[str, str]:
    """The 6-digit GB/T 2260 province, city and county codes of a 12-digit 区划代码."""
    return {
        "ProvinceNum": f"{code12[:2]}0000",
        "CityNum": f"{code12[:4]}00",
        "CountyNum": code12[:6],
    }


def _d(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _m(value: Decimal | None) -> str:
    return f"{value or Decimal(0):.2f}"


class ProvinceMarket(Adapter):
    code = TARGET
    label = "省建筑市场监管一体化平台"
    upstream_labels = {"PrjNum": "项目编号（省平台分配）"}
    field_labels = {
        "PlanBDate": "计划开工日期",
        "PlanEDate": "计划竣工日期",
        "BDate": "实际开工日期",
        "EDate": "竣工验收日期",
        "ReleaseDate": "发证日期",
        "TenderResultDate": "中标日期",
        "ProvinceNum": "省级行政区划代码",
        "CityNum": "市级行政区划代码",
        "CountyNum": "县级行政区划代码",
        "AreaCode": "行政区划代码",
        "PrjNum": "项目编号",
        "BuilderLicenceNum": "施工许可证编号",
        "PKID": "地方数据主键",
        "UpdateFlag": "更新标记",
    }
    personal_keys = frozenset({"LinkMan", "LinkPhone"})

    def __init__(self) -> None:
        self.kinds = (
            Kind(
                "TBProjectInfo",
                "项目基本信息",
                ConstructionProject,
                10,
                queryset=lambda: ConstructionProject.objects.select_related("org_unit"),
                batch=100,
                group=lambda r: 0,
                deletes=True,
            ),
            Kind(
                "TBTenderInfo",
                "招标投标",
                Tender,
                20,
                queryset=lambda: Tender.objects.filter(
                    project__isnull=False, awarded_on__isnull=False
                ).select_related("project__org_unit", "winner"),
                batch=100,
                group=lambda r: 0,
                deletes=True,
            ),
            Kind(
                "TBContractRecordManage",
                "合同备案",
                Participant,
                30,
                queryset=lambda: Participant.objects.select_related(
                    "project__org_unit", "project__contractor", "enterprise"
                ),
                batch=100,
                group=lambda r: 0,
                deletes=True,
            ),
            Kind(
                "TBBuilderLicenceManage",
                "施工许可",
                ConstructionProject,
                40,
                queryset=lambda: ConstructionProject.objects.filter(
                    permitted_on__isnull=False
                ).select_related("org_unit", "contractor"),
                batch=100,
                group=lambda r: 0,
                deletes=True,
            ),
            Kind(
                "TBProjectFinishManage",
                "竣工验收备案",
                ConstructionProject,
                50,
                queryset=lambda: ConstructionProject.objects.filter(
                    completed_on__isnull=False
                ).select_related("org_unit"),
                batch=100,
                group=lambda r: 0,
                deletes=True,
            ),
        )
        self._numbers: dict[int, str] = {}

    def begin(self) -> None:
        self._numbers = {}

    def rate_per_s(self) -> float:
        return float(conf.PROVINCE_PLATFORM_RATE.get())

    def max_attempts(self) -> int:
        return int(exchange_conf.MAX_ATTEMPTS.get())

    @property
    def lease_s(self) -> float:  # type: ignore[override]
        return float(exchange_conf.LEASE_S.get())

    # --- mapping ----------------------------------------------------------------------

    def pkid(self, kind: Kind, pk: int) -> str:
        """Our key of the row (the standard's 地方数据主键)."""
        return f"ZJ-{kind.code}-{pk}"

    def payload(self, kind: Kind, record: models.Model) -> dict[str, Any]:
        code = kind.code
        if code == "TBProjectInfo":
            p: ConstructionProject = record  # type: ignore[assignment]
            return {
                "PrjInnerNum": p.code,
                "PrjName": p.name,
                "PrjTypeNum": "01",  # 房屋建筑工程
                "BuildCorpName": p.developer,
                **regions(p.org_unit.code),
                "Address": p.address,
                "PrjFunctionNum": FUNCTION.get(p.use, ""),
                "AllInvest": _m(p.cost),
                "AllArea": str(p.floor_area),
                "PlanBDate": _d(p.started_on),
                "PlanEDate": _d(p.completed_on),
            }
        project = record if isinstance(record, ConstructionProject) else record.project  # type: ignore[attr-defined]
        if code == "TBTenderInfo":
            t: Tender = record  # type: ignore[assignment]
            return {
                "project": project.pk,
                "TenderNum": t.code,
                "TenderName": t.name,
                "TenderClassNum": TENDER_CLASS.get(t.category, ""),
                "TenderTypeNum": TENDER_TYPE.get(t.method, ""),
                "TenderCorpName": t.winner.name if t.winner else "",
                "TenderCorpCode": t.winner.uscc if t.winner else "",
                "TenderMoney": _m(t.winning_bid),
                "TenderResultDate": _d(t.awarded_on),
                "AreaCode": project.org_unit.code[:6],
            }
        if code == "TBContractRecordManage":
            x: Participant = record  # type: ignore[assignment]
            contractor = project.contractor
            sub = x.role in (ParticipantRole.SPECIALTY, ParticipantRole.LABOUR)
            return {
                "project": project.pk,
                "RecordNum": f"{project.code}-{x.pk}",
                "ContractTypeNum": CONTRACT_TYPE.get(x.role, ""),
                "PropietorCorpName": contractor.name if sub and contractor else project.developer,
                "PropietorCorpCode": contractor.uscc if sub and contractor else "",
                "ContractorCorpName": x.enterprise.name,
                "ContractorCorpCode": x.enterprise.uscc,
                "ContractMoney": _m(x.contract_amount),
                "ContractDate": _d(x.entered_on),
                "AreaCode": project.org_unit.code[:6],
            }
        if code == "TBBuilderLicenceManage":
            p = record  # type: ignore[assignment]
            return {
                "project": p.pk,
                "BuilderLicenceNum": p.permit_number,
                "ProjectName": p.name,
                "AreaCode": p.org_unit.code[:6],
                "Address": p.address,
                "PrjFunctionNum": FUNCTION.get(p.use, ""),
                "ContractMoney": _m(p.cost),
                "Area": str(p.floor_area),
                "ReleaseDate": _d(p.permitted_on),
                "BeginDate": _d(p.started_on),
                "ConsCorpName": p.contractor.name if p.contractor else "",
                "ConsCorpCode": p.contractor.uscc if p.contractor else "",
            }
        if code == "TBProjectFinishManage":
            p = record  # type: ignore[assignment]
            return {
                "project": p.pk,
                "PrjFinishNum": f"{p.code}-JG",
                "BuilderLicenceNum": p.permit_number,
                "FactCost": _m(p.cost),
                "FactArea": str(p.floor_area),
                "BDate": _d(p.started_on),
                "EDate": _d(p.completed_on),
            }
        raise KeyError(code)

    def _project_of(self, kind: Kind, item: Item) -> int | None:
        if kind.code == "TBProjectInfo":
            return None
        if item.payload:
            return item.payload["project"]
        record = item.record
        return getattr(record, "project_id", None) or record.pk

    def _prj_num(self, project_id: int) -> str:
        if project_id not in self._numbers:
            number = (
                Upload.objects.filter(
                    target=TARGET,
                    kind="TBProjectInfo",
                    content_type=ContentType.objects.get_for_model(ConstructionProject),
                    object_id=project_id,
                )
                .exclude(upstream_id="")
                .values_list("upstream_id", flat=True)
                .first()
            )
            if not number:
                return ""
            self._numbers[project_id] = number
        return self._numbers[project_id]

    def ready(self, kind: Kind, item: Item) -> str | None:
        project_id = self._project_of(kind, item)
        if project_id is not None and item.action != Outbox.Action.DELETE:
            if not self._prj_num(project_id):
                return "所属项目尚未报送成功（省平台尚未分配项目编号），请先处理项目基本信息的上报"
        return None

    def _row(self, kind: Kind, item: Item) -> dict[str, Any]:
        row: dict[str, Any] = {"PKID": self.pkid(kind, item.upload.object_id)}
        if item.action == Outbox.Action.DELETE:
            row["UpdateFlag"] = "D"
            if item.upload.upstream_id:
                row["PrjNum"] = item.upload.upstream_id
            return row
        values = {k: v for k, v in item.payload.items() if k != "project"}
        row.update(values)
        if kind.code == "TBProjectInfo":
            if item.upload.upstream_id:
                row["PrjNum"] = item.upload.upstream_id
        else:
            row["PrjNum"] = self._prj_num(item.payload["project"])
        row["UpdateFlag"] = "U"
        return row

    # --- transport --------------------------------------------------------------------

    def client(self) -> tb.Client:
        cred = self.credential("")
        return tb.Client(
            cred.base_url,
            cred.user or cred.appid,
            cred.secret,
            float(exchange_conf.TIMEOUT_S.get()),
        )

    def send(self, kind: Kind, items: list[Item]) -> dict[int, Result]:
        client = self.client()
        rows = [self._row(kind, it) for it in items]
        body = client.body(rows)
        try:
            status, reply = client.call(kind.code, body)
        except Exception as exc:
            self.log(kind.code, body, error=str(exc), rows=len(rows))
            raise
        self.log(kind.code, body, status=status, reply=reply, rows=len(rows))
        if str(reply.get("code")) != "0":
            message = str(reply.get("message") or f"HTTP {status}")
            state = "retry" if status >= 500 else S.FAILED
            return {it.outbox.pk: Result(state, f"省平台拒收：{message}") for it in items}
        by_key = {str(r.get("PKID")): r for r in reply.get("rows") or []}
        out = {}
        for it, row in zip(items, rows, strict=True):
            got = by_key.get(row["PKID"])
            if got is None:
                out[it.outbox.pk] = Result("retry", "省平台未返回该条记录的结果")
            elif int(got.get("OperateState", 0)) == tb.ACCEPTED:
                number = str(got.get("PrjNum") or row.get("PrjNum") or "")
                out[it.outbox.pk] = Result(
                    S.DONE,
                    upstream_id=number,
                    upstream={"PrjNum": number} if number else {},
                )
            else:
                out[it.outbox.pk] = Result(
                    S.FAILED, f"省平台退回：{got.get('Msg') or '未说明原因'}"
                )
        return out

    def reconcile(self, kind: Kind, item: Item) -> Result | None:
        client = self.client()
        body = client.body(PKID=self.pkid(kind, item.upload.object_id))
        status, reply = client.call(f"{kind.code}/query", body)
        self.log(f"{kind.code}/query", body, status=status, reply=reply, rows=1)
        if str(reply.get("code")) != "0":  # the province could not say: ask again later
            raise InDoubt(f"省平台查询失败：{reply.get('message') or status}")
        rows = reply.get("rows") or []
        if item.action == Outbox.Action.DELETE:
            return None if rows else Result(S.DONE, "发送中断后经省平台查询确认已删除")
        if not rows or item.action == Outbox.Action.UPDATE:
            return None  # an update may be sent again: the province keeps the last
        number = str(rows[0].get("PrjNum") or "")
        return Result(
            S.DONE,
            "发送中断后经省平台查询确认已收到",
            upstream_id=number,
            upstream={"PrjNum": number} if number else {},
        )


adapters.register(ProvinceMarket())
