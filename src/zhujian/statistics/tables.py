"""The return tables, declared as data.

Each :class:`Table` has its number and title as printed on the form, the scope it is
filled for (``county``: the 县城 as a whole; ``town``: each 建制镇 and 乡 in a column of
its own) and its rows. Each :class:`Row` names the indicator as the form does, its unit
and decimals, whether it is a year-end stock (年末) or a flow over the year (全年), and
the catalog figure that supplies it — or, for an indicator no ledger supplies, ``None``
and the reason (shown in the coverage report and left blank on the form).

Table numbers follow the numbered list of the 市（县）综N表 edition the research found
(docs/domains/statistics.md §2.2); tables that edition lacks carry the next numbers and
are marked so in the docs. The 村镇 tables are numbered 村镇N表 in the order of the
current notice's contents list (基本情况, 市政公用设施, 房屋建筑).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from zhujian.figures import catalog

Scope = Literal["county", "town"]
Rule = Literal["年末", "全年", "年度"]

SCOPES: dict[str, str] = {"county": "县城建设统计年报", "town": "村镇建设统计年报"}


@dataclass(frozen=True)
class Row:
    code: str  # the row's number on the form (甲栏 / 行次)
    name: str
    unit: str
    figure: str | None
    decimals: int = 2
    rule: Rule = "年末"
    missing: str = ""  # why nothing supplies it (figure None)
    indent: int = 0  # 0 a total, 1 “其中” item

    @property
    def label(self) -> str:
        return ("其中：" if self.indent else "") + self.name


@dataclass(frozen=True)
class Table:
    number: str
    title: str
    scope: Scope
    rows: tuple[Row, ...]
    note: str = ""

    @property
    def slug(self) -> str:
        return self.number

    def row(self, code: str) -> Row:
        for r in self.rows:
            if r.code == code:
                return r
        raise KeyError(f"{self.number} 没有第 {code} 行")


@dataclass
class Return:
    scope: Scope
    tables: list[Table] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SCOPES[self.scope]


def R(code: str, name: str, unit: str, figure: str | None, decimals: int = 2,
      rule: Rule = "年末", missing: str = "", indent: int = 0) -> Row:  # fmt: skip
    return Row(code, name, unit, figure, decimals, rule, missing, indent)


NO_PLANT = "无供水厂台账（设计能力、漏损）"

COUNTY_TABLES: tuple[Table, ...] = (
    Table(
        "县综1表",
        "县城市政公用设施水平",
        "county",
        (
            R("1", "人口密度", "人/平方公里", "stat.density", 0),
            R("2", "人均日供水量", "升", "stat.water_daily_per_capita", 2, "全年"),
            R("3", "用水普及率", "%", "stat.water_coverage"),
            R("4", "燃气普及率", "%", "stat.gas_coverage"),
            R("5", "建成区供水管道密度", "公里/平方公里", "stat.water_mains_density"),
            R("6", "人均城市道路面积", "平方米", "stat.road_per_capita"),
            R("7", "污水处理率", "%", "stat.sewage_rate", 2, "全年"),
            R("8", "人均公园绿地面积", "平方米", "stat.park_per_capita"),
            R("9", "建成区绿化覆盖率", "%", "stat.coverage_rate"),
            R("10", "建成区绿地率", "%", "stat.green_rate"),
            R("11", "生活垃圾无害化处理率", "%", "stat.waste_harmless_rate", 2, "全年"),
        ),
        note="均由本年报其他各表的数计算，不单独填报。",
    ),
    Table(
        "县综2表",
        "县城人口和建设用地",
        "county",
        (
            R("1", "县城面积", "平方公里", "stat.area_km2"),
            R("2", "县城人口", "万人", "stat.population"),
            R("3", "县城暂住人口", "万人", "stat.temporary"),
            R("4", "建成区面积", "平方公里", "stat.built_up_km2"),
            R(
                "5",
                "城市建设用地面积",
                "平方公里",
                None,
                missing="按用地分类的建设用地面积由自然资源部门提供，系统无对应台账",
            ),
        ),
    ),
    Table(
        "县综7表",
        "县城供水",
        "county",
        (
            R("1", "综合生产能力", "万立方米/日", None, missing=NO_PLANT),
            R("2", "供水管道长度（已登记管段）", "公里", "stat.water_mains_km"),
            R("3", "供水总量", "万立方米", "water.supply_volume", 2, "全年"),
            R("4", "漏损水量", "万立方米", None, rule="全年", missing=NO_PLANT, indent=1),
            R("5", "用水户数", "户", "stat.water_users", 0),
            R("6", "用水人口", "万人", "stat.water_population"),
        ),
    ),
    Table(
        "县综9表",
        "县城燃气",
        "county",
        (
            R("1", "天然气供气总量", "万立方米", "gas.supply_volume", 2, "全年"),
            R("2", "液化石油气供气总量", "吨", "stat.lpg_tonnes", 2, "全年"),
            R("3", "用气人口", "万人", "stat.gas_population"),
            R("4", "天然气供气管道长度", "公里", None, missing="燃气管网存量未建台账"),
        ),
    ),
    Table(
        "县综10表",
        "县城集中供热",
        "county",
        (
            R("1", "供热能力（热水）", "兆瓦", "stat.heat_capacity_mw"),
            R("2", "集中供热面积", "万平方米", "heating.season_area", 2, "年度"),
            R("3", "供热管道长度", "公里", None, missing="供热管网存量未建台账"),
        ),
        note="集中供热面积取本统计年度结束的供热季。",
    ),
    Table(
        "县综12表",
        "县城道路桥梁、排水和污水处理",
        "county",
        (
            R("1", "道路长度", "公里", "stat.road_length"),
            R("2", "道路面积", "万平方米", "stat.road_area"),
            R("3", "人行道面积", "万平方米", "stat.sidewalk_area", indent=1),
            R("4", "桥梁", "座", "stat.bridges", 0),
            R("5", "道路照明灯盏数", "盏", "stat.lamps", 0),
            R("6", "污水处理厂", "座", "stat.wwtp_count", 0),
            R("7", "污水处理厂处理能力", "万立方米/日", "stat.wwtp_capacity"),
            R("8", "污水排放总量", "万立方米", "stat.sewage_discharged", 2, "全年"),
            R("9", "污水处理总量", "万立方米", "stat.sewage_treated", 2, "全年"),
            R("10", "排水管道长度", "公里", None, missing="排水管网存量未建台账"),
        ),
    ),
    Table(
        "县综13表",
        "县城园林绿化",
        "county",
        (
            R("1", "绿化覆盖面积", "公顷", "stat.green_coverage"),
            R("2", "建成区绿化覆盖面积", "公顷", "stat.coverage_built_up", indent=1),
            R("3", "绿地面积", "公顷", "stat.green_area"),
            R("4", "建成区绿地面积", "公顷", "stat.green_built_up", indent=1),
            R("5", "公园绿地面积", "公顷", "stat.park_area"),
            R("6", "公园个数", "个", "stat.park_count", 0),
        ),
    ),
    Table(
        "县综15表",
        "县城环境卫生",
        "county",
        (
            R("1", "生活垃圾清运量", "万吨", "stat.waste_collected", 2, "全年"),
            R("2", "生活垃圾无害化处理量", "万吨", "stat.waste_harmless", 2, "全年"),
            R("3", "公共厕所", "座", "stat.toilets", 0),
            R("4", "市容环卫专用车辆设备", "台", "stat.vehicles", 0),
            R("5", "生活垃圾转运站", "座", "stat.transfer_stations", 0),
            R("6", "道路清扫保洁面积", "万平方米", None, missing="环卫作业面积未建台账"),
        ),
    ),
    Table(
        "县综16表",
        "县城公用事业价格",
        "county",
        (
            R("1", "居民生活用水价格", "元/立方米", "stat.price_water_resident"),
            R("2", "非居民用水价格", "元/立方米", "stat.price_water_nonresident"),
            R("3", "污水处理费（居民）", "元/立方米", "stat.price_sewage_fee"),
            R("4", "居民管道天然气价格", "元/立方米", "stat.price_gas_resident"),
            R("5", "居民供热价格", "元/平方米·采暖期", "stat.price_heat_resident"),
        ),
        note="取参数设置“公用事业价格”中本统计年度的执行价（固定事项，非台账记录）。",
    ),
)

TOWN_TABLES: tuple[Table, ...] = (
    Table(
        "村镇1表",
        "村镇基本情况",
        "town",
        (
            R("1", "建成区面积", "公顷", "stat.built_up_ha"),
            R("2", "建成区户籍人口", "万人", "stat.population"),
            R("3", "建成区暂住人口", "万人", "stat.temporary"),
        ),
    ),
    Table(
        "村镇2表",
        "村镇市政公用设施",
        "town",
        (
            R("1", "用水人口", "万人", "stat.water_population"),
            R("2", "用水普及率", "%", "stat.water_coverage"),
            R("3", "用气人口", "万人", "stat.gas_population"),
            R("4", "燃气普及率", "%", "stat.gas_coverage"),
            R("5", "污水处理站", "座", "stat.town_sewage_stations", 0),
            R("6", "污水处理站处理能力", "吨/日", "stat.town_sewage_capacity", 0),
            R("7", "污水处理站年处理水量", "万立方米", "stat.town_sewage_treated", 2, "全年"),
            R("8", "公共厕所", "座", "toilet.public_toilets", 0),
            R("9", "道路长度", "公里", None, missing="乡镇道路未建台账"),
        ),
    ),
    Table(
        "村镇3表",
        "村镇房屋建筑",
        "town",
        (
            R("1", "本年竣工建筑面积", "万平方米", "stat.completed_total", 2, "全年"),
            R("2", "住宅", "万平方米", "stat.completed_residential", 2, "全年", indent=1),
            R("3", "公共建筑", "万平方米", "stat.completed_public", 2, "全年", indent=1),
            R("4", "生产性建筑", "万平方米", "stat.completed_productive", 2, "全年", indent=1),
            R(
                "5",
                "年末实有建筑面积",
                "万平方米",
                None,
                missing="存量房屋面积为普查数，无台账可计算",
            ),
        ),
        note="竣工面积取施工许可项目的竣工验收；未办理施工许可的农房不在其中。",
    ),
)

TABLES: dict[str, Table] = {t.number: t for t in (*COUNTY_TABLES, *TOWN_TABLES)}


def tables_for(scope: Scope) -> tuple[Table, ...]:
    return COUNTY_TABLES if scope == "county" else TOWN_TABLES


def figure_ids(scope: Scope) -> list[str]:
    return [r.figure for t in tables_for(scope) for r in t.rows if r.figure]


def validate() -> list[str]:
    """Problems of the declarations (an unknown figure, a row without a reason)."""
    problems = []
    for table in TABLES.values():
        codes = [r.code for r in table.rows]
        if len(set(codes)) != len(codes):
            problems.append(f"{table.number} 行次重复")
        for row in table.rows:
            if row.figure is None and not row.missing:
                problems.append(f"{table.number} 第{row.code}行 {row.name} 无来源也无说明")
            if row.figure is not None and not catalog.exists(row.figure):
                problems.append(f"{table.number} 第{row.code}行 {row.name}：未定义的指标")
    return problems
