"""The draw's workflow on the database: freeze and publish, public inputs, the lottery's
numbers, run, redraw.

No one can choose the outcome (issue 20): the list, and the lottery draw whose numbers will
enter the seed, are frozen and published first; the publication period (公示,
``ZHUJIAN_DRAW_PUBLICATION_DAYS``) runs; public inputs are typed before that lottery is
drawn; its numbers are typed after. When the last input is typed nobody can know the
lottery's numbers, and when they are known every other input is fixed. Times are the
server's clock (``at`` exists for the demo and the tests; no page passes it).

Each step locks the round's row (``select_for_update``) so two clicks cannot run it twice,
checks the round's status, and saves through the models, so the audit trail records who
did what and ``FinalRecord`` refuses anything out of order.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhujian.core import bounds
from zhujian.core.models import User
from zhujian.domains.housing import conf
from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.draw.algorithm import DrawError
from zhujian.domains.housing.models import (
    AllocationRound,
    DrawResult,
    PublicInput,
    PublishedList,
    RoundHousehold,
    RoundStatus,
    RoundUnit,
)


def list_document(round: AllocationRound) -> dict[str, Any]:
    """The round's list as the algorithm reads it, from its current rows (plain values:
    a list of 50,000 households is read without building 50,000 model instances)."""
    households = round.households.order_by("seq").values_list(
        "seq", "household_code", "head_name", "id_number", "group"
    )
    units = round.units.order_by("seq").values_list("seq", "code", "group", "layout", "floor_area")
    document: dict[str, Any] = {
        "format": alg.LIST_FORMAT,
        "round": {"code": round.code, "name": round.name, "project": round.project.name},
        "households": [
            {"seq": seq, "code": code, "name": name, "id": id_number, "group": group}
            for seq, code, name, id_number, group in households
        ],
        "units": [
            {"seq": seq, "code": code, "group": group, "layout": layout, "area": f"{area:.2f}"}
            for seq, code, group, layout, area in units
        ],
    }
    if round.beacon_source or round.beacon_issue or round.beacon_date:
        document["beacon"] = {
            "source": round.beacon_source,
            "issue": round.beacon_issue,
            "date": round.beacon_date.isoformat() if round.beacon_date else "",
        }
    return document


def published_list(round: AllocationRound) -> dict[str, Any]:
    """The frozen list as published (for a draft round: its current rows)."""
    if round.status == RoundStatus.DRAFT:
        return list_document(round)
    return json.loads(round.published_list.document)


def _locked(round: AllocationRound) -> AllocationRound:
    return AllocationRound.objects.select_for_update().select_related("project").get(pk=round.pk)


def _as(obj: Any, user: User, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason


def _now() -> dt.datetime:
    """The server's clock (one place, so tests can move it through a draw's calendar)."""
    return timezone.now()


def _day(when: dt.datetime) -> dt.date:
    """The Beijing (``TIME_ZONE``) calendar day of a moment."""
    return timezone.localdate(when) if timezone.is_aware(when) else when.date()


def publication_ends(round: AllocationRound) -> dt.date | None:
    """The first day the round may be drawn: its publication day plus the period."""
    if round.published_at is None:
        return None
    return _day(round.published_at) + dt.timedelta(days=conf.draw_publication_days())


def _check_beacon_declared(r: AllocationRound, today: dt.date) -> None:
    """Before freezing: the lottery whose numbers will enter the seed is named, and it is
    drawn no earlier than the end of the publication period."""
    if not (r.beacon_source.strip() and r.beacon_issue.strip() and r.beacon_date):
        raise DrawError(
            "公示前须声明公开随机数：请在轮次记录中填写“公开随机数来源”（如：中国福利彩票3D）、"
            "“开奖期号”和“开奖日期”"
        )
    days = conf.draw_publication_days()
    earliest = today + dt.timedelta(days=days)
    if r.beacon_date < earliest:
        raise DrawError(
            f"开奖日期 {r.beacon_date} 过早：公示期为{days}天，今天公示，所声明的开奖日期"
            f"应不早于 {earliest}（公示期满之日）"
        )


def freeze(round: AllocationRound, user: User, at: dt.datetime | None = None) -> AllocationRound:
    """Freeze the list and publish it with its SHA-256 (公示): no household or unit may
    change after this."""
    with transaction.atomic():
        r = _locked(round)
        if r.status != RoundStatus.DRAFT:
            raise DrawError(f"本轮{r.get_status_display()}，不能再次公示")
        if not r.project.accepted_on:
            raise DrawError(f"“{r.project}”尚未完成综合验收，不能公示分房名单")
        when = at or _now()
        _check_beacon_declared(r, _day(when))
        document = list_document(r)
        alg.check_list(document)
        PublishedList.objects.create(round=r, document=alg.canonical(document).decode("utf-8"))
        r.list_sha256 = alg.list_digest(document)
        r.status = RoundStatus.PUBLISHED
        r.published_at = when
        r.published_by = user
        _as(r, user, "公示并冻结分房名单")
        r.save()
    return r


def _fits(model: type, name: str, text: str) -> None:
    """Refuse text longer than its column holds (the field's max_length, or the bound for
    text without one): PostgreSQL would fail the write, SQLite would store it whole."""
    field = model._meta.get_field(name)
    limit = bounds.text_max_length(field)
    if limit is not None and len(text) > limit:
        raise DrawError(f"{field.verbose_name}最多{limit}个字")


def add_input(
    round: AllocationRound,
    entered_by: str,
    value: str,
    user: User,
    at: dt.datetime | None = None,
) -> PublicInput:
    """Record digits typed in public, and who typed them."""
    who = " ".join(str(entered_by).split())
    if not who:
        raise DrawError("请填写输入人（如：第12号家庭代表 王某某）")
    _fits(PublicInput, "entered_by", who)
    digits = alg.check_input(value)
    with transaction.atomic():
        r = _locked(round)
        if r.status != RoundStatus.PUBLISHED:
            raise DrawError("只有名单已公示、尚未摇号的轮次才能录入公开输入")
        when = at or _now()
        if r.beacon_value:
            raise DrawError("开奖号码已录入，不能再录入公开输入（否则输入人可按已知号码挑选数字）")
        if r.beacon_date is not None and _day(when) >= r.beacon_date:
            raise DrawError(
                f"公开输入须在开奖日（{r.beacon_date}）之前录入：开奖当天起号码可能已知，"
                "再录入的数字可被挑选"
            )
        last = r.inputs.aggregate(m=Max("seq"))["m"] or 0
        entry = PublicInput(
            round=r,
            seq=last + 1,
            entered_by=who,
            value=digits,
            entered_at=when,
            recorded_by=user,
        )
        entry.save()
    return entry


def set_beacon(
    round: AllocationRound, value: str, user: User, at: dt.datetime | None = None
) -> AllocationRound:
    """Record the declared lottery draw's published numbers, after its drawing day."""
    numbers = alg.check_beacon_value(value)
    _fits(AllocationRound, "beacon_value", numbers)
    with transaction.atomic():
        r = _locked(round)
        if r.status != RoundStatus.PUBLISHED:
            raise DrawError("只有名单已公示、尚未摇号的轮次才能录入开奖号码")
        if r.beacon_date is None:
            raise DrawError("本轮公示时未声明公开随机数，不能录入开奖号码")
        if r.beacon_value:
            raise DrawError(f"开奖号码已于{r.beacon_entered_at:%Y-%m-%d %H:%M}录入，不能更改")
        when = at or _now()
        if _day(when) <= r.beacon_date:
            raise DrawError(
                f"{r.beacon_source}第{r.beacon_issue}期于{r.beacon_date}开奖，"
                "请在开奖结果公布后（次日起）录入开奖号码"
            )
        needed = conf.draw_min_inputs()
        count = r.inputs.count()
        if count < needed:
            raise DrawError(
                f"公开输入不足：开奖前至少需要{needed}个，已录入{count}个；"
                "本轮不能再录入输入，请发起重新摇号"
            )
        r.beacon_value = numbers
        r.beacon_entered_at = when
        _as(r, user, f"录入开奖号码：{r.beacon_source}第{r.beacon_issue}期 {numbers}"[:100])
        r.save()
    return r


def run(
    round: AllocationRound,
    user: User,
    signed_by: str,
    at: dt.datetime | None = None,
) -> AllocationRound:
    """Draw: seed from the list's digest and the public inputs, the result by the published
    algorithm, stored and final."""
    signer = " ".join(str(signed_by).split())
    if not signer:
        raise DrawError("请填写签发人")
    _fits(AllocationRound, "signed_by", signer)
    with transaction.atomic():
        r = _locked(round)
        if r.status != RoundStatus.PUBLISHED:
            raise DrawError("本轮已摇号，结果不能更改" if r.is_final else "名单尚未公示，不能摇号")
        inputs = [i.value for i in r.inputs.order_by("seq")]
        needed = conf.draw_min_inputs()
        if len(inputs) < needed:
            raise DrawError(f"公开输入不足：至少需要{needed}个，已录入{len(inputs)}个")
        when = at or _now()
        ends = publication_ends(r)
        if ends is None or _day(when) < ends:
            raise DrawError(
                f"公示期未满：名单于{_day(r.published_at)}公示，公示期"
                f"{conf.draw_publication_days()}天，{ends}起方可摇号"
            )
        document = json.loads(r.published_list.document)
        beacon = alg.beacon_of(document)
        if beacon is None:
            raise DrawError(
                "本轮名单公示时未声明公开随机数（开奖期号），种子可被最后一位输入人挑选，"
                "不能摇号：请联系系统管理员"
            )
        if not r.beacon_value:
            raise DrawError(
                f"请先录入{beacon['source']}第{beacon['issue']}期（{beacon['date']}开奖）的开奖号码"
            )
        if alg.list_digest(document) != r.list_sha256:
            raise DrawError("公示名单与其摘要不符，摇号中止：请联系系统管理员核查")
        if list_document(r) != document:
            raise DrawError("名单记录与公示名单不一致，摇号中止：请联系系统管理员核查")
        seed = alg.seed_from(r.list_sha256, inputs, r.beacon_value)
        allotments = alg.assign(document, seed)
        households = dict(r.households.values_list("seq", "pk"))
        units = dict(r.units.values_list("seq", "pk"))
        rows = [
            DrawResult(
                round_id=r.pk,
                group=a.group,
                position=a.position,
                household_id=households[a.household] if a.household else None,
                unit_id=units[a.unit] if a.unit else None,
            )
            for a in allotments
        ]
        DrawResult.objects.bulk_create(rows, batch_size=2000)
        r.seed = seed
        r.result_sha256 = alg.result_digest(r.list_sha256, seed, allotments)
        r.status = RoundStatus.DRAWN
        r.drawn_at = when
        r.drawn_on = _day(when)
        r.drawn_by = user
        r.signed_by = signer[:32]
        _as(r, user, f"摇号（种子 {seed[:12]}…）")
        r.save()
    return r


def redraw(round: AllocationRound, user: User, reason: str) -> AllocationRound:
    """A new round that replaces a drawn one, with the same list to correct and publish
    again; the old round stays as it was, pointing at its replacement."""
    why = str(reason).strip()
    if len(why) < 4:
        raise DrawError("请写明重新摇号的原因（至少4个字）")
    _fits(AllocationRound, "redraw_reason", why)
    with transaction.atomic():
        r = _locked(round)
        if r.status != RoundStatus.DRAWN:
            raise DrawError("只有已摇号的轮次才能发起重新摇号")
        if AllocationRound.objects.filter(redraw_of=r).exists():
            raise DrawError("本轮已发起过重新摇号")
        n = 2
        while AllocationRound.objects.filter(code=f"{r.code}-R{n}").exists():
            n += 1
        new = AllocationRound(
            code=f"{r.code}-R{n}"[:40],
            name=r.name,
            project=r.project,
            org_unit_id=r.org_unit_id,
            scheduled_on=r.scheduled_on,
            venue=r.venue,
            supervisors=r.supervisors,
            beacon_source=r.beacon_source,
            redraw_of=r,
            redraw_reason=why,
        )
        _as(new, user, f"重新摇号：{why}"[:100])
        new.save()
        for h in r.households.order_by("seq"):
            copy = RoundHousehold(
                round=new,
                seq=h.seq,
                household_code=h.household_code,
                head_name=h.head_name,
                id_number=h.id_number,
                group=h.group,
            )
            _as(copy, user, "重新摇号：沿用原名单")
            copy.save()
        for u in r.units.order_by("seq"):
            copy = RoundUnit(
                round=new,
                seq=u.seq,
                code=u.code,
                group=u.group,
                layout=u.layout,
                floor_area=u.floor_area,
            )
            _as(copy, user, "重新摇号：沿用原房源")
            copy.save()
    return new


def published_record(code: str) -> Any:
    """What the platform published under a round code (``files.Published``), or None for a
    code that names no round or only one still in draft (answered alike)."""
    from zhujian.domains.housing.draw.files import Published

    row = (
        AllocationRound.objects.filter(code=str(code)[:40])
        .exclude(status=RoundStatus.DRAFT)
        .values("code", "status", "list_sha256", "seed", "result_sha256")
        .first()
    )
    if row is None:
        return None
    return Published(
        code=row["code"],
        status=RoundStatus(row["status"]).label,
        list_sha256=row["list_sha256"],
        seed=row["seed"],
        result_sha256=row["result_sha256"],
    )


def recomputed(round: AllocationRound) -> dict[int, alg.Allotment] | None:
    """The drawn round's result recomputed from what was published (the frozen list, the
    lottery's numbers, the inputs), by household seq, when it matches every published
    digest; None when anything differs. Cached per round and result digest: the public
    look-up page asks it for every resident."""
    if round.status != RoundStatus.DRAWN or not round.result_sha256:
        return None
    key = f"housing-draw-recomputed:{round.pk}:{round.result_sha256}"
    hit = cache.get(key)
    if hit is None:
        hit = _recompute(round)
        cache.set(key, hit, 24 * 3600)
    if not hit:
        return None
    return {a[2]: alg.Allotment(*a) for a in hit if a[2] is not None}


def _recompute(round: AllocationRound) -> list[tuple[Any, ...]]:
    document = json.loads(round.published_list.document)
    if alg.list_digest(document) != round.list_sha256:
        return []
    inputs = [i.value for i in round.inputs.order_by("seq")]
    beacon = round.beacon_value if alg.beacon_of(document) is not None else None
    try:
        seed = alg.seed_from(round.list_sha256, inputs, beacon)
    except DrawError:
        return []
    if seed != round.seed:
        return []
    allotments = alg.assign(document, seed)
    if alg.result_digest(round.list_sha256, seed, allotments) != round.result_sha256:
        return []
    return [(a.group, a.position, a.household, a.unit) for a in allotments]
