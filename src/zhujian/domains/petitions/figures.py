"""（八）信访 figures: cases by channel (线上 + 线下 = total), 办结 and deadlines.

A case counts in the period it was received; it is 办结 once answered (accepted cases)
or once the written notice was given (items transferred or told to use another
procedure). The platform names in the sentence (“12345首发”平台, 12345热线) are the names
recorded on the cases, not text in the template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from zhujian.domains.petitions.models import (
    DEADLINES,
    OFFLINE_CHANNELS,
    ONLINE_CHANNELS,
    Channel,
    Kind,
    PetitionCase,
    Routing,
    Satisfaction,
)
from zhujian.figures import headlines
from zhujian.figures.catalog import (
    Aggregate,
    Computed,
    EvalContext,
    count,
    rate,
    register,
    sum_of,
)
from zhujian.figures.periods import Period

CASES = PetitionCase


def _received(ctx: EvalContext) -> QuerySet:
    return ctx.base(CASES).filter(
        received_on__gte=ctx.period.start, received_on__lte=ctx.period.end
    )


def platform_stem(name: str | None, *suffixes: str) -> str | None:
    """A platform's name without the words the sentence adds: 12345首发平台 → 12345."""
    if not name:
        return None
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return name


def platform_name(fid: str, label: str, channels: tuple[str, ...], *suffixes: str) -> Computed:
    """The platform most cases of ``channels`` in the period came through, stemmed."""

    def cases(ctx: EvalContext) -> QuerySet:
        return _received(ctx).filter(channel__in=channels).exclude(platform="")

    def value(ctx: EvalContext) -> str | None:
        top = (
            cases(ctx)
            .order_by()
            .values("platform")
            .annotate(n=Count("pk"))
            .order_by("-n", "platform")
            .first()
        )
        return platform_stem(top["platform"], *suffixes) if top else None

    return Computed(id=fid, label=label, fn=value, records_model=CASES, records_fn=cases)


def _case_count(
    fid: str, label: str, where: Q | Callable[[Period], Q] | None = None, **kw: Any
) -> Aggregate:
    return count(fid, label, CASES, date="received_on", where=where, unit="件", **kw)


register(
    _case_count("petition.received", "受理信访事项"),
    _case_count("petition.online", "线上信访事项", Q(channel__in=ONLINE_CHANNELS)),
    _case_count("petition.offline", "线下信访事项（来信来访）", Q(channel__in=OFFLINE_CHANNELS)),
    _case_count("petition.letters", "来信", Q(channel=Channel.LETTER)),
    _case_count("petition.visits", "来访", Q(channel=Channel.VISIT)),
    _case_count("petition.web", "网上信访", Q(channel=Channel.ONLINE)),
    _case_count("petition.hotline", "12345热线工单", Q(channel=Channel.HOTLINE)),
    _case_count("petition.shoufa", "首发平台事项", Q(channel=Channel.SHOUFA)),
    _case_count("petition.transfer", "内网转派事项", Q(channel=Channel.TRANSFER)),
    sum_of(
        "petition.shoufa_transfer",
        "首发平台及内网转派事项",
        "petition.shoufa",
        "petition.transfer",
        unit="件",
    ),
    sum_of(
        "petition.channels_total",
        "各渠道合计（线上+线下）",
        "petition.online",
        "petition.offline",
        unit="件",
    ),
    platform_name(
        "petition.shoufa_platform",
        "首发平台名称（不含“首发”）",
        (Channel.SHOUFA,),
        "平台",
        "首发",
    ),
    platform_name(
        "petition.hotline_platform", "热线名称（不含“热线”）", (Channel.HOTLINE,), "热线"
    ),
    _case_count("petition.appeals", "申诉求决类", Q(kind=Kind.APPEAL)),
    _case_count("petition.accusations", "检举控告类", Q(kind=Kind.ACCUSATION)),
    _case_count("petition.suggestions", "建议意见类", Q(kind=Kind.SUGGESTION)),
    count(
        "petition.closed",
        "已办结信访事项",
        CASES,
        date="received_on",
        where=lambda p: Q(closed_on__lte=p.end),
        unit="件",
    ),
    rate(
        "petition.close_rate", "信访事项办结率", "petition.closed", "petition.received", good="up"
    ),
    count(
        "petition.replied_late",
        "超期答复的信访事项",
        CASES,
        date="received_on",
        where=Q(replied_on__gt=F("reply_due_on")),
        unit="件",
        good="down",
    ),
    count(
        "petition.extended",
        "延期办理的信访事项",
        CASES,
        date="received_on",
        where=Q(extension_days__isnull=False),
        unit="件",
    ),
    count(
        "petition.overdue",
        "逾期未办结的信访事项（期末）",
        CASES,
        mode="all",
        where=lambda p: DEADLINES.overdue_q(p.end),
        unit="件",
        good="down",
    ),
    count(
        "petition.evaluated",
        "已评价的信访事项",
        CASES,
        date="received_on",
        where=~Q(satisfaction=Satisfaction.NONE),
        unit="件",
    ),
    count(
        "petition.satisfied",
        "满意和基本满意的信访事项",
        CASES,
        date="received_on",
        where=Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC]),
        unit="件",
    ),
    rate("petition.satisfaction_rate", "信访人满意率", "petition.satisfied", "petition.evaluated"),
)

# --- closure and the two rates a petition office is assessed on -----------------------------
#
# 信访工作条例: a written notice whether the item is accepted within 15 days of receipt
# (第二十三条; 5 working days for items transferred elsewhere), an answer within 60 days
# of acceptance plus one approved extension (第三十四条). Each rate is over the period's
# cases whose deadline had come by the period's end (or that were met before it).

# the deadline that closes a case: the answer for accepted ones, the notice for the others
_CLOSE_BY_ANSWER = Q(routing=Routing.ACCEPT)


def _notice_due_by(period: Period) -> Q:
    return Q(notice_due_on__lte=period.end) | Q(notified_on__lte=period.end)


def _noticed_in_time(period: Period) -> Q:
    return Q(notified_on__lte=period.end) & Q(notified_on__lte=F("notice_due_on"))


def _close_due_by(period: Period) -> Q:
    due = (_CLOSE_BY_ANSWER & Q(reply_due_on__lte=period.end)) | (
        ~_CLOSE_BY_ANSWER & Q(notice_due_on__lte=period.end)
    )
    return due | Q(closed_on__lte=period.end)


def _closed_in_time(period: Period) -> Q:
    in_time = (_CLOSE_BY_ANSWER & Q(closed_on__lte=F("reply_due_on"))) | (
        ~_CLOSE_BY_ANSWER & Q(closed_on__lte=F("notice_due_on"))
    )
    return Q(closed_on__lte=period.end) & in_time


def _open_at_end(ctx: EvalContext) -> QuerySet:
    """The period's cases not closed by its end."""
    end = ctx.period.end
    return _received(ctx).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))


def closure_words(ctx: EvalContext) -> str | None:
    """“已经全部办结” only when it is so; otherwise how many are closed and how many open
    (and how many of those are past their deadline)."""
    received = _received(ctx).count()
    if not received:
        return "无信访事项"
    still_open = _open_at_end(ctx)
    open_count = still_open.count()
    if not open_count:
        return "已经全部办结"
    words = f"已办结{received - open_count}件，尚有{open_count}件正在办理"
    late = still_open.filter(DEADLINES.overdue_q(ctx.period.end)).count()
    if late:
        words += f"（其中{late}件已超过办理期限）"
    return words


def _closure_records(ctx: EvalContext) -> QuerySet:
    still_open = _open_at_end(ctx)
    return still_open if still_open.exists() else _received(ctx)


register(
    Computed(
        id="petition.closure",
        label="信访事项办结情况（全部办结，或已办结与尚在办理的件数）",
        fn=closure_words,
        records_model=CASES,
        records_fn=_closure_records,
    ),
    _case_count(
        "petition.notice_due",
        "期末前应书面告知受理与否的信访事项（告知期限已到或已告知）",
        _notice_due_by,
    ),
    _case_count(
        "petition.noticed_in_time",
        "在告知期限内书面告知受理与否的信访事项",
        _noticed_in_time,
    ),
    rate(
        "petition.timely_acceptance_rate",
        "及时受理率（告知期限内书面告知的事项 ÷ 期末前应告知的事项）",
        "petition.noticed_in_time",
        "petition.notice_due",
    ),
    _case_count(
        "petition.close_due",
        "期末前应办结的信访事项（办理期限已到或已办结）",
        _close_due_by,
    ),
    _case_count(
        "petition.closed_in_time",
        "在办理期限内办结的信访事项（受理的按答复期限，转送、告知的按告知期限）",
        _closed_in_time,
    ),
    rate(
        "petition.on_time_closure_rate",
        "按期办结率（期限内办结的事项 ÷ 期末前应办结的事项）",
        "petition.closed_in_time",
        "petition.close_due",
    ),
)

headlines.register(
    "petition", "petition.received", "petition.close_rate", "petition.overdue", "petition.hotline"
)
headlines.register("petition", "petition.received", trend=True)
