"""（五）人防: ledger declarations."""

from zhujian.core.registry import Ledger, registry
from zhujian.domains.civildefense import demo
from zhujian.domains.civildefense.models import (
    DefenseWork,
    DefenseWorkInspection,
    Patrol,
    ShelterRequirement,
    SupervisionVisit,
)

registry.register(
    Ledger(
        model=Patrol,
        line="civildefense",
        inspects=True,
        list_display=["patrolled_on", "facility", "kind", "inspectors", "org_unit"],
        filters=["facility", "kind", "patrolled_on"],
        search=["inspectors", "items", "result"],
        natural_key=["facility", "kind", "patrolled_on"],
        date_field="patrolled_on",
        ordering=["-patrolled_on", "facility"],
        demo=demo.patrols,
        help="基本指挥所每周安全生产巡检排查、指挥平台和车载指挥系统的日常巡检与维护。"
        "巡检发现的问题在“隐患闭环”中登记整改。",
    )
)
registry.register(
    Ledger(
        model=SupervisionVisit,
        line="civildefense",
        inspects=True,
        list_display=["code", "visited_on", "level", "team", "topic", "org_unit"],
        filters=["level", "visited_on"],
        search=["code", "team", "topic", "targets", "findings"],
        natural_key=["code"],
        date_field="visited_on",
        ordering=["-visited_on"],
        demo=demo.visits,
        help="省、市督导组的专项督导检查；督导组指出的问题逐项登记为隐患，跟踪整改销号。",
    )
)
registry.register(
    Ledger(
        model=DefenseWork,
        line="civildefense",
        list_display=[
            "code",
            "name",
            "kind",
            "area",
            "registered_on",
            "started_on",
            "accepted_on",
            "org_unit",
        ],
        filters=["kind", "protection_class", "registered_on", "accepted_on"],
        search=["code", "name", "builder", "contractor", "address"],
        natural_key=["code"],
        date_field="registered_on",
        ordering=["-registered_on", "code"],
        demo=demo.works,
        report_tags=True,
        help="人防工程质量监督：注册登记 → 开工 → 竣工验收，按日期依次填写，不能跳过。",
    )
)
registry.register(
    Ledger(
        model=DefenseWorkInspection,
        line="civildefense",
        inspects=True,
        list_display=["code", "work", "inspected_on", "content", "inspectors"],
        filters=["work", "inspected_on"],
        search=["code", "content", "inspectors", "work__name"],
        natural_key=["code"],
        date_field="inspected_on",
        ordering=["-inspected_on", "-id"],
        parent="work",
        demo=demo.works,
        help="在建人防工程的质量监督检查，日期须在注册登记之后、竣工验收之前。",
    )
)
registry.register(
    Ledger(
        model=ShelterRequirement,
        line="civildefense",
        list_display=[
            "code",
            "project_name",
            "use",
            "above_ground_area",
            "required_area",
            "planned_area",
            "fee_ground",
            "approved_on",
        ],
        filters=["city_class", "use", "fee_ground", "approved_on"],
        search=["code", "project_name", "developer"],
        natural_key=["code"],
        date_field="approved_on",
        ordering=["-approved_on", "code"],
        demo=demo.shelters,
        demo_order=101,  # after the works it may point to
        help="应建防空地下室面积 = 新建地面建筑面积 × 修建比例（按城市类别和建筑用途，"
        "见系统设置）。易地建设费只适用于三种法定情形：因地质、地形等原因不能修建；"
        "所在区域人防工程已满足规划要求；应建面积不足1000平方米。",
    )
)
