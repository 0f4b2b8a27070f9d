"""Demo records for 瓶装液化气安全监管: stations, devices, cylinders, users and scans.

The LPG companies are the gas line's 液化气站 companies (made by ``urban``'s demo), plus
the county's largest LPG company in 城关街道. Each gets a filling station with a terminal,
a handheld scanner and a manual-entry device. Cylinders have a realistic age mix: most
inspected on time, some overdue, some past their life, some scrapped or deregistered.

Scans are simulated for June 2022 at every station and for June 2021 at the two pilot
stations (so year-on-year works), and go through the real ingestion
(:func:`zhujian.domains.lpg.ingest.ingest`), so refusals, cylinder state changes and the
hazard for repeated refusals come from the rules, not from the generator. Terminals
upload every day, handhelds once a week (they work offline on delivery rounds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext

MAKERS = [
    "山东华宇压力容器有限公司",
    "济南长兴钢瓶制造有限公司",
    "临沂天元气瓶有限公司",
    "淄博鲁鑫压力容器有限公司",
]
BODIES = ["临沂市特种设备检验研究院", "示例县气瓶定期检验站"]
SPECS = [("YSP35.5", 80), ("YSP12", 12), ("YSP118", 5), ("YSP4.7", 3)]
FILL_KG = {
    "YSP35.5": (14.2, 14.9),
    "YSP12": (4.6, 5.0),
    "YSP118": (48.0, 49.5),
    "YSP4.7": (1.7, 1.9),
}
CUSTOMER_KINDS = [("resident", 88), ("restaurant", 8), ("business", 3), ("institution", 1)]
LAST_DAY = dt.date(2022, 5, 31)  # the registers as they stood before the June scans
BIG_COMPANY = "示例县华盛液化石油气有限公司"
# The devices' tokens were issued before the first simulated scans (June 2021).
TOKENS_ISSUED = dt.datetime(2021, 5, 20, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _weighted(rng: Any, pairs: list[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def build(ctx: DemoContext) -> None:
    from zhujian.domains.urban.models import GasCompany

    rng = ctx.rng
    city, east = ctx.townships[0], ctx.townships[1]
    big = GasCompany(
        org_unit=city,
        name=BIG_COMPANY,
        kind="lpg",
        licence_number=f"鲁{rng.randint(202000, 202199)}088",
        licence_expires_on=dt.date(2025, rng.randint(1, 12), 1),
        address=f"{city.name}工业园{rng.randint(1, 99)}号",
        contact=ctx.person(),
    )
    ctx.save(GasCompany, [big])
    companies = [big, *GasCompany.objects.filter(kind="lpg", active=True).exclude(pk=big.pk)]
    stations = _stations(ctx, companies, city, east)
    devices = _devices(ctx, stations)
    cylinders = _cylinders(ctx, companies)
    customers = _customers(ctx, stations)
    pilot = [s for s in stations if s.company_id == big.pk]
    for year, active in ((2021, pilot), (2022, stations)):
        Simulation(ctx, year, active, devices, cylinders, customers).run()


def _stations(ctx: DemoContext, companies: list[Any], city: Any, east: Any) -> list[Any]:
    from zhujian.domains.lpg.models import Station

    rng = ctx.rng
    rows = []
    places = [(companies[0], city, "城关"), (companies[0], east, "东城")]
    places += [(c, c.org_unit, c.org_unit.name) for c in companies[1:]]
    for i, (company, unit, place) in enumerate(places, start=1):
        rows.append(
            Station(
                org_unit=unit,
                code=f"CZ{i:02d}",
                name=f"{place}液化气充装站",
                company=company,
                licence_number=f"TS4237{rng.randint(1000, 9999)}-{2020 + i % 3}",
                licence_expires_on=dt.date(2024 + i % 3, rng.randint(1, 12), 1),
                address=f"{unit.name}{rng.choice(['北外环', '307国道', '驻地西'])}{rng.randint(1, 200)}号",
                manager=ctx.person(),
                phone=f"0539-{rng.randint(5000000, 5999999)}",
            )
        )
    first = companies[1] if len(companies) > 1 else companies[0]
    rows.append(  # a second station of a town company, licensed but not yet open: no devices
        Station(
            org_unit_id=first.org_unit_id,
            code=f"CZ{len(rows) + 1:02d}",
            name=f"{first.org_unit.name}第二液化气充装站（筹建）",
            company=first,
            address=f"{first.org_unit.name}新区",
            active=False,
        )
    )
    return [s for s in ctx.save(Station, rows) if s.active]


def _devices(ctx: DemoContext, stations: list[Any]) -> dict[int, dict[str, Any]]:
    from zhujian.domains.lpg.models import ScanDevice

    rows = []
    for station in stations:
        for suffix, kind, name in (
            ("T1", "terminal", "充装秤扫码终端"),
            ("H1", "handheld", "配送手持扫码枪"),
            ("M1", "manual", "人工补录"),
        ):
            device = ScanDevice(
                org_unit_id=station.org_unit_id,
                code=f"{station.code}-{suffix}",
                station=station,
                name=f"{station.name}{name}",
                kind=kind,
            )
            if kind != "manual":
                device.issue_token()  # the demo never shows it; staff re-issue on the page
                device.token_issued_at = TOKENS_ISSUED  # before the simulated scans
            rows.append(device)
    saved = ctx.save(ScanDevice, rows)
    out: dict[int, dict[str, Any]] = {}
    for device in saved:
        device.station = next(s for s in stations if s.pk == device.station_id)
        out.setdefault(device.station_id, {})[device.kind] = device
    return out


def _cylinders(ctx: DemoContext, companies: list[Any]) -> list[Any]:
    from zhujian.domains.lpg.models import Cylinder, CylinderInspection
    from zhujian.domains.lpg.rules import add_years
    from zhujian.imports.bulk import insert_with_history

    rng = ctx.rng
    cylinders, inspections = [], []
    for ci, company in enumerate(companies):
        count = rng.randint(550, 700) if ci == 0 else rng.randint(90, 170)
        for n in range(count):
            age = _weighted(rng, [(k, 10 if k < 9 else 4 if k < 12 else 2) for k in range(15)])
            made = dt.date(2022 - age, 1, 1) + dt.timedelta(days=rng.randrange(360))
            made = min(made, LAST_DAY - dt.timedelta(days=40))
            census = dt.date(2020, 3, 1) + dt.timedelta(days=rng.randrange(300))
            if n < 3:  # bought this spring, registered in June: not in circulation yet
                made = dt.date(2022, 4, 1) + dt.timedelta(days=rng.randrange(50))
                census = dt.date(2022, 6, 1) + dt.timedelta(days=rng.randrange(29))
            if n >= 3:
                census = min(census, LAST_DAY - dt.timedelta(days=40))
            cylinder = Cylinder(
                org_unit_id=company.org_unit_id,
                company=company,
                code=f"371399{ci + 1:02d}{n + 1:06d}",
                spec=_weighted(rng, SPECS),
                maker=rng.choice(MAKERS),
                serial_number=f"{made:%y}{rng.randint(100000, 999999)}",
                manufactured_on=made,
                registered_on=max(made + dt.timedelta(days=rng.randint(10, 40)), census),
            )
            history = []
            for cycle in (4, 8):
                due = add_years(made, cycle)
                if due > LAST_DAY:
                    break
                if rng.random() < 0.08:  # missed: overdue from here on
                    break
                day = due - dt.timedelta(days=rng.randint(0, 90))
                passed = rng.random() < (0.97 if cycle == 4 else 0.8)
                history.append((day, passed))
                if not passed:
                    cylinder.status, cylinder.scrapped_on = "scrapped", day
                    break
            for day, passed in history:
                inspections.append((cylinder, day, passed))
                if passed:
                    cylinder.last_inspected_on = day
            end = add_years(made, 12)
            if cylinder.status == "in_use" and end <= LAST_DAY and rng.random() < 0.85:
                cylinder.status = "scrapped"
                cylinder.scrapped_on = min(end + dt.timedelta(days=rng.randint(0, 60)), LAST_DAY)
            elif cylinder.status == "in_use" and rng.random() < 0.01:
                cylinder.status = "cancelled"  # lost or moved out of the county
                # (after its last passed inspection: a deregistered cylinder is not
                # inspected again, lpg_retirement_final)
                cylinder.scrapped_on = max(
                    cylinder.registered_on,
                    cylinder.last_inspected_on or cylinder.registered_on,
                    dt.date(2021, 1, 1),
                )
            cylinder.derive()
            cylinders.append(cylinder)
    insert_with_history(cylinders, Cylinder, user=ctx.users["admin"], change_reason="示例数据")
    records = []
    for cylinder, day, passed in inspections:
        record = _inspection(rng, cylinder, day, passed)
        record.derive()
        records.append(record)
    insert_with_history(
        records, CylinderInspection, user=ctx.users["admin"], change_reason="示例数据"
    )
    return cylinders


def _inspection(rng: Any, cylinder: Any, day: dt.date, passed: bool) -> Any:
    from zhujian.domains.lpg.models import CylinderInspection

    record = CylinderInspection(
        cylinder=cylinder,
        inspected_on=day,
        body=rng.choice(BODIES),
        report_number=f"QP{day:%Y%m%d}{rng.randint(1000, 9999)}",
        inspector=rng.choice(["孙立群", "赵海涛", "刘建华", "马晓东"]),
        result="passed" if passed else "scrapped",
    )
    if not passed:
        setattr(record, rng.choice(["wall_ok", "hydro_ok", "weld_ok"]), False)
    return record


def _customers(ctx: DemoContext, stations: list[Any]) -> dict[int, list[Any]]:
    """Each station's users, in the villages and communities of its township."""
    from zhujian.domains.lpg.models import Customer, Cylinder
    from zhujian.imports.bulk import insert_with_history

    rng = ctx.rng
    rows, area = [], {}
    seq = 0
    for station in stations:
        circulating = Cylinder.objects.filter(
            company_id=station.company_id, status="in_use"
        ).count()
        share = 2 if station.code in ("CZ01", "CZ02") else 1
        count = int(circulating * 0.85 / share)
        units = ctx.villages[station.org_unit_id]
        area[station.pk] = []
        for n in range(count):
            seq += 1
            kind = _weighted(rng, CUSTOMER_KINDS)
            resident = kind == "resident"
            customer = Customer(
                org_unit=rng.choice(units),
                code=f"YH{seq:06d}",
                kind=kind,
                name=ctx.person()
                if resident
                else f"{ctx.person()}{rng.choice(['饭店', '快餐', '食堂', '加工坊'])}",
                id_masked=f"3713{'*' * 10}{rng.randrange(10000):04d}"
                if resident or rng.random() < 0.3
                else "",
                credit_code="" if resident else f"91371399MA{rng.randrange(10**8):08d}",
                phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                address=f"{rng.choice(units).name}{rng.randint(1, 300)}号",
                registered_on=dt.date(2020, 4, 1) + dt.timedelta(days=rng.randrange(780))
                if n >= 2
                else dt.date(2022, 6, 20) + dt.timedelta(days=n),  # new users, no gas yet
                verified=n < 2 or rng.random() > 0.03,
                has_alarm=kind == "restaurant" and rng.random() < 0.75,
            )
            rows.append(customer)
            area[station.pk].append(customer)
    insert_with_history(rows, Customer, user=ctx.users["admin"], change_reason="示例数据")
    return area


@dataclass
class Simulation:
    """June of one year at some stations: fills at the station, deliveries and returns on
    delivery rounds, overdue cylinders sent for inspection, worn-out ones scrapped.

    The generator keeps its own books (which cylinder is full, at whose home) and foresees
    each fill's verdict with the same :func:`rules.check` the server applies; terminals
    upload every third day, handhelds once a week, and a terminal uploads before an
    inspection record is entered, so the server sees each cylinder's scans in order."""

    ctx: Any
    year: int
    stations: list[Any]
    devices: dict[int, dict[str, Any]]
    cylinders: list[Any]
    customers: dict[int, list[Any]]
    seq: int = 0
    queued: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    strangers: list[Any] = field(default_factory=list)

    def run(self) -> None:
        rng = self.ctx.rng
        start = dt.date(self.year, 6, 1)
        by_company: dict[int, list[Any]] = {}
        self.strangers = [c for c in self.cylinders if c.registered_on < start]
        for cylinder in self.cylinders:
            if cylinder.registered_on < start and cylinder.status == "in_use":
                by_company.setdefault(cylinder.company_id, []).append(cylinder)
        state = {}
        for station in self.stations:
            own = by_company.get(station.company_id, [])
            if station.code in ("CZ01", "CZ02"):  # the big company's two stations share
                own = own[station.code == "CZ02" :: 2]
            verified = [
                c for c in self.customers[station.pk] if c.verified and c.registered_on < start
            ]
            held, stock = {}, []  # customer pk -> the cylinder at home; cylinders at the station
            for cylinder in own:
                if verified and rng.random() < 0.88:
                    held[verified.pop(rng.randrange(len(verified))).pk] = cylinder
                else:
                    stock.append(cylinder)
            state[station.pk] = {
                "empty": stock,
                "full": [],
                "held": held,
                "by_pk": {c.pk: c for c in self.customers[station.pk]},
                "need": {pk: start + dt.timedelta(days=rng.randrange(30)) for pk in held},
                "later": [],  # (day, what, cylinder)
                "problem": station.code == "CZ03" or rng.random() < 0.15,
            }
        for offset in range(30):
            day = start + dt.timedelta(days=offset)
            for station in self.stations:
                self.day(station, day, state[station.pk])
                if offset % 3 == 2:
                    self.flush(self.devices[station.pk]["terminal"])
                if offset % 7 == 6:
                    self.flush(self.devices[station.pk]["handheld"])
        for devices in self.devices.values():
            for device in devices.values():
                self.flush(device)

    def event(self, device: Any, kind: str, code: str, at: dt.datetime, **extra: Any) -> None:
        self.seq += 1
        self.queued.setdefault(device.pk, []).append(
            {
                "id": f"{self.year}-{self.seq:07d}",
                "kind": kind,
                "code": code,
                "at": at.isoformat(),
                **extra,
            }
        )

    def flush(self, device: Any) -> None:
        from zhujian.domains.lpg import conf, ingest

        events = self.queued.pop(device.pk, [])
        size = conf.batch_max_events()
        for start in range(0, len(events), size):
            batch = events[start : start + size]
            # Uploaded an hour after its last scan: the simulated clock, not today's.
            sent = max(dt.datetime.fromisoformat(e["at"]) for e in batch) + dt.timedelta(hours=1)
            ingest.ingest(device, batch, now=sent)

    def at(self, day: dt.date, minute: int) -> dt.datetime:
        minute = min(minute, 11 * 60)
        return timezone.make_aware(
            dt.datetime(day.year, day.month, day.day, 7 + minute // 60, minute % 60)
        )

    def day(self, station: Any, day: dt.date, st: dict[str, Any]) -> None:
        from zhujian.domains.lpg import rules
        from zhujian.domains.lpg.models import Cylinder

        rng = self.ctx.rng
        terminal = self.devices[station.pk]["terminal"]
        operator = f"{station.name[:2]}充装工{rng.randint(1, 3)}号"
        minute = 0
        todo = [x for x in st["later"] if x[0] == day]
        st["later"] = [x for x in st["later"] if x[0] != day]
        for _, what, cylinder in todo:
            if what == "inspected":  # the inspection body's record, a week after sending
                self.flush(terminal)
                fresh = Cylinder.objects.get(pk=cylinder.pk)
                if fresh.scrapped_on is not None:  # retired meanwhile: never inspected again
                    continue
                passed = rng.random() < 0.85
                record = _inspection(rng, fresh, day, passed)
                record._change_reason = "示例数据"
                record.save()
                if passed:
                    st["empty"].append(Cylinder.objects.get(pk=cylinder.pk))
                continue
            minute += 2
            self.event(terminal, what, cylinder.code, self.at(day, minute), operator=operator)
        fills, st["empty"] = st["empty"], []
        for cylinder in fills:
            minute += 1
            low, high = FILL_KG[cylinder.spec]
            weight = Decimal(str(round(rng.uniform(low, high), 2)))
            self.event(
                terminal,
                "fill",
                cylinder.code,
                self.at(day, minute),
                operator=operator,
                weight_kg=str(weight),
            )
            verdict = rules.check("fill", cylinder.code, day, station.company_id, cylinder)
            if verdict.accepted:
                st["full"].append(cylinder)
            elif verdict.reason == "overdue" and rng.random() < 0.7:
                st["later"].append(
                    (day + dt.timedelta(days=rng.randint(1, 4)), "inspect", cylinder)
                )
                st["later"].append(
                    (day + dt.timedelta(days=rng.randint(8, 14)), "inspected", cylinder)
                )
            elif verdict.reason == "expired" and rng.random() < 0.6:
                st["later"].append((day + dt.timedelta(days=rng.randint(1, 6)), "scrap", cylinder))
        odds = 0.35 if st["problem"] else 0.04
        while rng.random() < odds:  # cylinders brought in that the station may not fill
            minute += 1
            stranger = rng.choice(self.strangers).code
            code = stranger if rng.random() < 0.6 else f"37{rng.randrange(10**10):010d}"
            self.event(
                terminal, "fill", code, self.at(day, minute), operator=operator, weight_kg="14.50"
            )
        self.deliveries(station, day, st)

    def deliveries(self, station: Any, day: dt.date, st: dict[str, Any]) -> None:
        rng = self.ctx.rng
        handheld = self.devices[station.pk]["handheld"]
        deliverer = f"{station.name[:2]}配送员{rng.randint(1, 4)}号"
        minute = 60
        for customer_pk in sorted(pk for pk, when in st["need"].items() if when <= day):
            if not st["full"]:
                break
            code = st["by_pk"][customer_pk].code
            full = st["full"].pop(0)
            minute += rng.randint(5, 15)
            at = self.at(day, minute)
            self.event(handheld, "deliver", full.code, at, customer=code, deliverer=deliverer)
            empty = st["held"].pop(customer_pk, None)
            if empty is not None:
                back = at + dt.timedelta(minutes=1)
                self.event(handheld, "return", empty.code, back, customer=code, deliverer=deliverer)
                st["empty"].append(empty)
            st["held"][customer_pk] = full
            st["need"][customer_pk] = day + dt.timedelta(days=rng.randint(24, 36))
        strangers = [c for c in st["by_pk"].values() if not c.verified]
        if strangers and st["full"] and rng.random() < (0.4 if st["problem"] else 0.1):
            self.event(
                handheld,
                "deliver",
                st["full"][0].code,
                self.at(day, minute + 7),
                customer=rng.choice(strangers).code,
                deliverer=deliverer,
            )
