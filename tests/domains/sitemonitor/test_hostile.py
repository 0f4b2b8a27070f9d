"""The receiver under attack from outside, through real sockets (third audit, issue 21).

Rule: nothing is acknowledged that cannot be stored. Good packets from many devices are
interleaved with hostile ones in the same connections and the same write batches; every
acknowledged reading must be stored, no hostile one acknowledged, and each refusal
counted by its reason. These tests run on SQLite and, with ``DATABASE_URL`` set, on
PostgreSQL (CI runs both).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.sitemonitor.conftest import TZ, packet, register, segment
from zhujian.domains.sitemonitor import protocol as p
from zhujian.domains.sitemonitor.models import RawPacket, Reading, Rejection


def acked_qns(conn, marker: str) -> set[str]:
    """QNs of every ack the connection received up to the ack of ``marker``."""
    got: set[str] = set()
    while True:
        reply = conn.reply()
        seg, _ = p.split_frame(reply)
        qn = p.parse_segment(reply, seg).qn
        if qn == marker:
            return got
        got.add(qn)


def with_datatime(seg: str, text: str) -> str:
    start = seg.index("DataTime=") + len("DataTime=")
    return seg[:start] + text + seg[start + 14 :]


def hostile(kind: str, mn: str, pw: str, qn: str, now: dt.datetime) -> bytes:
    """A packet from a registered device, with the right password, that must be refused."""
    seg = segment(mn=mn, pw=pw, qn=qn, at=now)
    if kind == "year_1":  # overflows when converted to UTC; unreadable on PostgreSQL
        return p.build(with_datatime(seg, "00010101000000"))
    if kind == "year_2099":  # would stay the site's "latest" value for good
        return packet(mn=mn, pw=pw, qn=qn, at=now.replace(year=2099))
    if kind == "huge":
        return packet(mn=mn, pw=pw, qn=qn, at=now, values={"a34002": "1e308"})
    if kind == "huge_digits":
        return packet(mn=mn, pw=pw, qn=qn, at=now, values={"a34002": "9" * 14})
    if kind == "negative":
        return packet(mn=mn, pw=pw, qn=qn, at=now, values={"a34002": "-0.5"})
    if kind == "nan":
        return packet(mn=mn, pw=pw, qn=qn, at=now, values={"a34004": "nan"})
    if kind == "nul":
        return p.build(seg.replace("a34004-Flag=N", "a34004-Flag=N\x00"))
    if kind == "long_flag":
        return packet(mn=mn, pw=pw, qn=qn, at=now, flags={"a34002": "N" * 500})
    raise AssertionError(kind)


HOSTILE_KINDS = {
    "year_1": "too_old",
    "year_2099": "future",
    "huge": "data",
    "huge_digits": "range",
    "negative": "range",
    "nan": "data",
    "nul": "data",
    "long_flag": "data",
}


def test_hostile_packets_interleaved_with_good_ones_never_cost_an_acknowledged_reading(live):
    devices = [register(f"GOOD{i:020d}", f"pw{i}good12345", code=f"T-G{i}") for i in range(6)]
    live.reload()
    conns = [live.connect() for _ in devices]
    now = dt.datetime.now(TZ).replace(microsecond=0)
    sent: dict[str, tuple[int, dt.datetime]] = {}  # good QN → (device, DataTime)
    acked: set[str] = set()
    serial = 0
    for round_ in range(len(HOSTILE_KINDS)):
        for i, (device, conn) in enumerate(zip(devices, conns, strict=True)):
            kind = list(HOSTILE_KINDS)[(round_ + i) % len(HOSTILE_KINDS)]
            pw = f"pw{i}good12345"
            serial += 1
            at = now - dt.timedelta(minutes=round_, seconds=i)
            good_qn, bad_qn, marker = (f"{serial * 10 + k:017d}" for k in (1, 2, 3))
            sent[good_qn] = (device.pk, at)
            data = (
                packet(mn=device.mn, pw=pw, qn=good_qn, at=at)
                + hostile(kind, device.mn, pw, bad_qn, now)
                + p.build(segment(mn=device.mn, pw=pw, qn=marker, cn="9999"))
            )
            conn.send(data)
            acked |= acked_qns(conn, marker)
        live.flush()  # each batch holds good rows and whatever the hostile ones left
    assert acked == set(sent)  # every good one answered, no hostile one
    stored = set(Reading.objects.filter(device__in=devices).values_list("device_id", "data_time"))
    assert stored == set(sent.values())
    assert live.receiver.store.written["dropped"] == 0
    counts = {
        reason: sum(
            Rejection.objects.filter(reason=reason, device__in=devices).values_list(
                "count", flat=True
            )
        )
        for reason in set(HOSTILE_KINDS.values())
    }
    assert counts == {"too_old": 6, "future": 6, "data": 24, "range": 12}
    assert live.receiver.stats["errors"] == 0
    # every raw copy reads back as text
    assert all("\x00" not in t for t in RawPacket.objects.values_list("text", flat=True))


@pytest.mark.parametrize(
    ("value", "reason"),
    [("1e308", "data"), ("99999999999999", "range"), ("-0.5", "range"), ("inf", "data")],
)
def test_an_implausible_value_is_refused_and_never_becomes_the_latest(live, device, value, reason):
    conn = live.connect()
    at = dt.datetime.now(TZ).replace(microsecond=0)
    conn.send(packet(values={"a34002": value}, at=at, qn="20260101000000001"))
    conn.send(packet(at=at - dt.timedelta(minutes=1), qn="20260101000000002"))
    seg, _ = p.split_frame(conn.reply())
    assert p.parse_segment(b"", seg).qn == "20260101000000002"
    live.flush()
    assert [r.pm10 for r in Reading.objects.filter(device=device)] == [0.05]
    assert Rejection.objects.get(device=device).reason == reason


def test_a_reading_dated_2099_is_refused_and_never_becomes_the_latest(live, device, settings):
    conn = live.connect()
    now = dt.datetime.now(TZ).replace(microsecond=0)
    skew = live.receiver.clock_skew
    conn.send(packet(at=now.replace(year=2099), qn="20260101000000001"))
    conn.send(packet(at=now + skew + dt.timedelta(seconds=5), qn="20260101000000002"))
    conn.send(packet(at=now + skew - dt.timedelta(seconds=30), qn="20260101000000003"))
    seg, _ = p.split_frame(conn.reply())
    assert p.parse_segment(b"", seg).qn == "20260101000000003"  # within the skew: taken
    live.flush()
    assert Reading.objects.filter(device=device).count() == 1
    assert Rejection.objects.get(device=device, reason="future").count == 2


def test_a_reading_older_than_the_setting_is_refused_and_counted(live, device, settings):
    settings.ZHUJIAN_HJ212_MAX_AGE_DAYS = 30
    from zhujian.domains.sitemonitor.runner import build_receiver

    assert build_receiver().max_age == dt.timedelta(days=30)
    live.receiver.max_age = dt.timedelta(days=30)
    conn = live.connect()
    now = dt.datetime.now(TZ).replace(microsecond=0)
    conn.send(packet(at=now - dt.timedelta(days=31), qn="20260101000000001"))
    conn.send(packet(at=now - dt.timedelta(days=29), qn="20260101000000002"))
    seg, _ = p.split_frame(conn.reply())
    assert p.parse_segment(b"", seg).qn == "20260101000000002"
    live.flush()
    assert Reading.objects.filter(device=device).count() == 1
    assert Rejection.objects.get(device=device).reason == "too_old"


def test_a_row_no_backend_can_take_is_dropped_alone_and_the_database_never_holds_it(live, device):
    """Past the receiver's checks (another writer, a future bug): the database itself
    refuses a time it could not read back, and the batch loses only that row."""
    store = live.receiver.store
    good = dt.datetime.now(TZ).replace(microsecond=0)
    row = (None,) * 9 + ("",)
    for at in (dt.datetime(1, 1, 1, tzinfo=TZ), dt.datetime(1, 1, 1, tzinfo=dt.UTC), good):
        store.readings.append((device.pk, device.project_id, "2011", at, good, *row))
    live.flush()
    assert store.written["dropped_readings"] == 2
    assert list(Reading.objects.filter(device=device).values_list("data_time", flat=True)) == [good]
    assert Reading.objects.filter(device=device).count() == 1
