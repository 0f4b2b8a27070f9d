from zhujian.core.registry import Ledger, registry
from zhujian.statistics import demo
from zhujian.statistics.models import AnnualBase, CityFacility, CityOperation, GreenSpace

registry.register(
    Ledger(
        model=AnnualBase,
        line="municipal",
        list_display=[
            "as_of",
            "org_unit",
            "resident_population",
            "temporary_population",
            "area_km2",
            "built_up_km2",
            "water_population",
            "gas_population",
        ],
        filters=["as_of"],
        search=["source"],
        natural_key=["org_unit", "as_of"],
        date_field="as_of",
        ordering=["-as_of", "org_unit__path"],
        demo=demo.annual_base,
        demo_order=950,
        help="每个乡镇/街道每年一条：户籍人口、暂住人口（公安）、区域与建成区面积（自然资源），"
        "用水与用气人口（供水、燃气企业）。城乡建设统计年报的人口和建设用地、普及率由此计算。",
    )
)
registry.register(
    Ledger(
        model=GreenSpace,
        line="municipal",
        list_display=["name", "kind", "green_ha", "coverage_ha", "in_built_up", "opened_on"],
        filters=["kind", "in_built_up", "opened_on"],
        search=["name"],
        natural_key=["name"],
        date_field="opened_on",
        ordering=["name"],
        demo=demo.green_spaces,
        demo_order=950,
        help="县城的公园、防护绿地、广场与附属绿地：统计年报园林绿化部分按年末在用的绿地合计。",
    )
)
registry.register(
    Ledger(
        model=CityFacility,
        line="municipal",
        list_display=["kind", "name", "quantity", "length_km", "area_10k_m2", "in_service_on"],
        filters=["kind", "in_service_on"],
        search=["name"],
        natural_key=["kind", "name"],
        date_field="in_service_on",
        ordering=["kind", "name"],
        demo=demo.facilities,
        demo_order=950,
        help="城市道路、桥梁、路灯、公共厕所、环卫车辆和垃圾转运站：统计年报道路桥梁、"
        "环境卫生部分按年末在用的设施合计。",
    )
)
registry.register(
    Ledger(
        model=CityOperation,
        line="municipal",
        list_display=[
            "month",
            "sewage_discharged",
            "sewage_treated",
            "waste_collected",
            "waste_harmless",
        ],
        filters=["month"],
        natural_key=["month"],
        date_field="month",
        ordering=["-month"],
        demo=demo.operations,
        demo_order=950,
        help="县城每月污水排放与处理量（污水处理厂月报）、生活垃圾清运与无害化处理量（环卫月报）。",
    )
)
