"""The draw's workflow on the database: freeze and publish, public inputs, run, redraw.

Each step locks the round's row (``select_for_update``) so two clicks cannot run it twice,
checks the round's status, and saves through the models, so the audit trail records who
did what and ``FinalRecord`` refuses anything out of order.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

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
    return {
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


def freeze(round: AllocationRound, user: User, at: dt.datetime | None = None) -> AllocationRound:
    """Freeze the list and publish it with its SHA-256 (公示): no household or unit may
    change after this."""
    with transaction.atomic():
        r = _locked(round)
        if r.status != RoundStatus.DRAFT:
            raise DrawError(f"本轮{r.get_status_display()}，不能再次公示")
        if not r.project.accepted_on:
            raise DrawError(f"“{r.project}”尚未完成综合验收，不能公示分房名单")
        document = list_document(r)
        alg.check_list(document)
        PublishedList.objects.create(round=r, document=alg.canonical(document).decode("utf-8"))
        r.list_sha256 = alg.list_digest(document)
        r.status = RoundStatus.PUBLISHED
        r.published_at = at or timezone.now()
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
        last = r.inputs.aggregate(m=Max("seq"))["m"] or 0
        entry = PublicInput(
            round=r,
            seq=last + 1,
            entered_by=who,
            value=digits,
            entered_at=at or timezone.now(),
            recorded_by=user,
        )
        entry.save()
    return entry


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
        document = json.loads(r.published_list.document)
        if alg.list_digest(document) != r.list_sha256:
            raise DrawError("公示名单与其摘要不符，摇号中止：请联系系统管理员核查")
        if list_document(r) != document:
            raise DrawError("名单记录与公示名单不一致，摇号中止：请联系系统管理员核查")
        seed = alg.seed_from(r.list_sha256, inputs)
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
        when = at or timezone.now()
        r.seed = seed
        r.result_sha256 = alg.result_digest(r.list_sha256, seed, allotments)
        r.status = RoundStatus.DRAWN
        r.drawn_at = when
        r.drawn_on = timezone.localdate(when) if timezone.is_aware(when) else when.date()
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
