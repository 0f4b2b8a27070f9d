"""Settings of the annual returns: the yearly public-utility prices (dated by statistical
year, with history on the 参数设置 page) and the year-on-year threshold of the checks."""

from __future__ import annotations

from decimal import Decimal

from zhujian.core import params

_G = "城乡建设统计"

#: Price items of the 公用事业价格和标准 part: code → (label, unit).
PRICE_ITEMS: dict[str, tuple[str, str]] = {
    "water_resident": ("居民生活用水价格", "元/立方米"),
    "water_nonresident": ("非居民用水价格", "元/立方米"),
    "sewage_fee": ("污水处理费（居民）", "元/立方米"),
    "gas_resident": ("居民管道天然气价格", "元/立方米"),
    "heat_resident": ("居民供热价格", "元/平方米·采暖期"),
}
#: Statistical years a price may be given for.
PRICE_YEARS = range(2015, 2036)

PRICES = params.declare(
    _G,
    "STAT_PRICES",
    "公用事业价格（按统计年度，取当年12月31日执行价）",
    {},
    kind=Decimal,
    unit="元",
    source="物价主管部门价格文件；《城市（县城）和村镇建设统计调查制度》公用事业价格和标准",
    min=Decimal("0"),
    max=Decimal("1000"),
    parts={
        f"{year}.{code}": f"{year}年 {label}（{unit}）"
        for year in PRICE_YEARS
        for code, (label, unit) in PRICE_ITEMS.items()
    },
)

YOY_THRESHOLD = params.declare(
    _G,
    "STAT_YOY_THRESHOLD",
    "统计年报同比变动须说明的幅度",
    30,
    unit="%",
    source="城乡建设统计年报编报说明：数据变动较大须说明原因（幅度为本局审核口径）",
    min=5,
    max=100,
)


def price(year: int, code: str) -> Decimal | None:
    """The price of ``code`` set for ``year`` (None: not set)."""
    value = PRICES.get().get(f"{year}.{code}")
    return None if value in (None, "") else Decimal(str(value))
