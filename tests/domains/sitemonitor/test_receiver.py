"""The receiver through real TCP sockets: acknowledgements, split and coalesced reads,
every rejection reason, storage in standard units, and connections that do not disturb
each other."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.domains.sitemonitor.conftest import (
    EXAMPLE,
    EXAMPLE_MN,
    MN,
    PW,
    TZ,
    packet,
    register,
    segment,
)
from zhujian.domains.sitemonitor import protocol as p
from zhujian.domains.sitemonitor.models import RawPacket, Reading, Rejection


def ack_qn(reply: bytes) -> str:
    seg, crc = p.split_frame(reply)
    assert crc == p.crc_hj212(seg)
    parsed = p.parse_segment(reply, seg)
    assert parsed.cn == "9014" and parsed.flag == 4
    return parsed.qn


def test_standard_example_packet_is_acknowledged_over_tcp(live):
    register(EXAMPLE_MN, "100000")
    live.reload()
    device = live.connect()
    device.send(EXAMPLE)
    reply = device.reply()
    assert ack_qn(reply) == "20160801085857223"
    assert b"MN=010000A8900016F000169DC0" in reply


def test_packet_split_across_reads_is_acknowledged(live):
    device = live.connect()
    data = packet(qn="20260101000000001")
    for piece in (data[:1], data[1:5], data[5:40], data[40:-1], data[-1:]):
        device.send(piece)
        time.sleep(0.02)  # let each piece arrive as a read of its own
    assert ack_qn(device.reply()) == "20260101000000001"


def test_coalesced_packets_are_each_acknowledged_in_order(live):
    device = live.connect()
    device.send(b"".join(packet(qn=f"2026010100000000{i}") for i in range(1, 4)))
    assert [ack_qn(device.reply()) for _ in range(3)] == [
        "20260101000000001",
        "20260101000000002",
        "20260101000000003",
    ]


def test_no_acknowledgement_unless_the_flag_asks(live):
    device = live.connect()
    device.send(packet(flag=4, qn="20260101000000001") + packet(flag=5, qn="20260101000000002"))
    assert ack_qn(device.reply()) == "20260101000000002"  # the first one got none
    live.flush()
    assert Reading.objects.filter(device__mn=MN).count() == 2


def _bad(kind: str) -> bytes:
    good = segment(qn="20260101000000009")
    if kind == "crc":
        return p.build(good, crc=p.crc_hj212(good.encode()) ^ 0x0101)
    if kind == "length":
        return b"##%04d" % (len(good) - 1) + p.build(good)[6:]
    if kind == "data":
        return p.build(good.replace("a34002-Rtd=0.05", "a34002-Rtd=0,05x"))
    if kind == "unknown_mn":
        return packet(mn="NOBODY00000000000000001")
    if kind == "password":
        return packet(pw="000000")
    if kind == "frame":
        return b"HELLO\r\n"
    raise AssertionError(kind)


@pytest.mark.parametrize("reason", ["crc", "length", "data", "unknown_mn", "password", "frame"])
def test_each_rejection_is_counted_per_device_and_reason_and_the_connection_goes_on(
    live, device, reason
):
    conn = live.connect()
    conn.send(_bad(reason) + packet(qn="20260101000000041"))
    conn.send(_bad(reason) + packet(qn="20260101000000042"))
    # only the good ones are answered
    assert [ack_qn(conn.reply()), ack_qn(conn.reply())] == [
        "20260101000000041",
        "20260101000000042",
    ]
    live.flush()
    mn = {"unknown_mn": "NOBODY00000000000000001", "frame": ""}.get(reason, MN)
    row = Rejection.objects.get(reason=reason)
    assert (row.mn, row.count) == (mn, 2)
    if reason not in ("unknown_mn", "frame"):
        assert row.device_id == device.pk
    refused = RawPacket.objects.filter(accepted=False, reason=reason)
    assert refused.count() == 2
    assert Reading.objects.filter(device=device).count() == 2
    assert live.receiver.stats["errors"] == 0


def test_refusals_add_up_across_batches(live):
    conn = live.connect()
    conn.send(_bad("password") + packet(qn="20260101000000001"))
    conn.reply()
    live.flush()
    conn.send(_bad("password") + _bad("password") + packet(qn="20260101000000002"))
    conn.reply()
    live.flush()
    assert Rejection.objects.get(mn=MN, reason="password").count == 3


def test_modbus_crc_is_accepted_only_where_the_device_is_set_so(live):
    modbus = register("MODBUS00000000000000001", "111111", crc="modbus", code="T-MB1")
    live.reload()
    conn = live.connect()
    for mn, pw, qn in ((modbus.mn, "111111", "20260101000000001"), (MN, PW, "20260101000000002")):
        seg = segment(mn=mn, pw=pw, qn=qn)
        conn.send(p.build(seg, crc=p.crc_modbus(seg.encode())))
    conn.send(packet(qn="20260101000000003"))
    assert [ack_qn(conn.reply()), ack_qn(conn.reply())] == [
        "20260101000000001",
        "20260101000000003",
    ]
    live.flush()
    assert Rejection.objects.get(reason="crc").mn == MN


def test_a_broken_connection_never_disturbs_the_others(live):
    noisy, quiet = live.connect(), live.connect()
    noisy.send(b"\xff\xfe" * 100 + b"##9999" + b"x" * 20000)  # junk, then an endless packet
    quiet.send(packet(qn="20260101000000001"))
    assert ack_qn(quiet.reply()) == "20260101000000001"
    noisy.send(packet(qn="20260101000000002"))  # the noisy one recovers too
    assert ack_qn(noisy.reply()) == "20260101000000002"
    assert live.receiver.stats["errors"] == 0


def test_realtime_minute_and_hourly_data_are_stored_in_standard_units(live):
    ug = register("MICROGRAM0000000000001", "222222", unit="ug", code="T-UG1")
    mixed = register("MIXED00000000000000001", "333333", factor_units="a34004=ug", code="T-MX1")
    live.reload()
    conn = live.connect()
    at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
    values = {"a34002": 80, "a34004": 40, "LA": 61.5, "a01001": 12.5}
    conn.send(packet(mn=ug.mn, pw="222222", cn="2011", values=values, at=at))
    conn.send(packet(mn=ug.mn, pw="222222", cn="2051", values=values, at=at))
    conn.send(packet(mn=ug.mn, pw="222222", cn="2061", values=values, at=at))
    conn.send(packet(mn=ug.mn, pw="222222", cn="2031", values=values, at=at))  # daily: ack only
    conn.send(packet(mn=mixed.mn, pw="333333", values={"a34002": 0.08, "a34004": 40}, at=at))
    for _ in range(5):
        conn.reply()
    live.flush()
    rows = {r.cn: r for r in Reading.objects.filter(device=ug)}
    assert set(rows) == {"2011", "2051", "2061"}
    assert rows["2011"].pm10 == pytest.approx(0.08) and rows["2011"].pm25 == pytest.approx(0.04)
    assert rows["2061"].noise == 61.5 and rows["2061"].temperature == 12.5
    assert rows["2051"].data_time == at
    row = Reading.objects.get(device=mixed)
    assert (row.pm10, row.pm25) == (pytest.approx(0.08), pytest.approx(0.04))
    assert RawPacket.objects.filter(device=ug, accepted=True).count() == 4


def test_a_removed_device_is_unknown_after_the_registry_is_reloaded(live, device):
    device.removed_on = device.installed_on + dt.timedelta(days=1)
    device.save()
    live.reload()
    conn = live.connect()
    conn.send(packet() + EXAMPLE)
    live.settle(2)
    live.flush()
    assert Rejection.objects.get(mn=MN).reason == "unknown_mn"


def test_an_overlong_mn_is_a_data_refusal_and_later_batches_still_land(live):
    """A forged MN longer than the standard's 24 characters is refused as broken data
    (and its count stored under the first 24 characters): it must never reach a column
    that cannot hold it, or the writer would retry that batch forever."""
    conn = live.connect()
    conn.send(packet(mn="X" * 300) + packet(qn="20260101000000051"))
    assert ack_qn(conn.reply()) == "20260101000000051"
    live.flush()
    conn.send(packet(qn="20260101000000052"))
    assert ack_qn(conn.reply()) == "20260101000000052"
    live.flush()
    assert Rejection.objects.get(reason="data").mn == "X" * 24
    assert Reading.objects.filter(device__mn=MN).count() == 2


def test_made_up_mns_cannot_grow_the_counts_or_the_raw_store_without_bound(live, monkeypatch):
    from zhujian.domains.sitemonitor import server

    monkeypatch.setattr(server, "MAX_UNKNOWN_SOURCES", 3)
    monkeypatch.setattr(server, "RAW_SAMPLE_UNKNOWN", 2)
    conn = live.connect()
    for i in range(8):
        conn.send(packet(mn=f"FORGED{i:018d}"))
    for _ in range(3):
        conn.send(packet(mn="FORGED000000000000000000"))
    conn.send(packet(qn="20260101000000061"))
    assert ack_qn(conn.reply()) == "20260101000000061"
    live.flush()
    rows = {r.mn: r.count for r in Rejection.objects.filter(reason="unknown_mn")}
    assert rows == {
        "FORGED000000000000000000": 4,
        "FORGED000000000000000001": 1,
        "FORGED000000000000000002": 1,
        server.OTHER_SOURCES: 5,
    }
    assert len(live.receiver.rejected) == 4
    # two raw copies per unregistered source at most
    assert RawPacket.objects.filter(accepted=False, mn=server.OTHER_SOURCES).count() == 2
    assert RawPacket.objects.filter(accepted=False, mn="FORGED000000000000000000").count() == 2


def test_a_row_the_database_refuses_is_dropped_alone_and_never_blocks_the_writer(live, caplog):
    """A batch the database refuses for one row is written row by row: the good rows
    land, the bad one is logged and dropped, and the next batch is not held up."""

    store = live.receiver.store
    conn = live.connect()
    conn.send(packet(qn="20260101000000071"))
    conn.reply()
    store.raw.append((None, "M" * 24, None, "", False, "data", "no time"))  # NOT NULL
    live.flush()
    assert store.written["dropped"] == 1
    assert store._retry is None
    conn.send(packet(qn="20260101000000072"))
    conn.reply()
    live.flush()
    assert Reading.objects.filter(device__mn=MN).count() == 2


def _closed_by_server(device, timeout: float = 5.0) -> bool:
    """True when the server has closed ``device``'s connection (a read gives nothing)."""
    device.sock.settimeout(timeout)
    try:
        return device.sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_a_connection_silent_past_the_idle_limit_is_closed_and_a_talking_one_is_not(live):
    live.receiver.idle_seconds = 0.3
    silent, talking = live.connect(), live.connect()
    time.sleep(0.5)
    talking.send(packet(qn="20260101000000091"))
    assert ack_qn(talking.reply()) == "20260101000000091"
    assert live.call(live.receiver.close_idle) == 1
    assert _closed_by_server(silent)
    talking.send(packet(qn="20260101000000092"))
    assert ack_qn(talking.reply()) == "20260101000000092"  # still served
    assert live.receiver.stats["idle_closed"] == 1


def test_no_connection_is_closed_for_silence_when_the_limit_is_off(live):
    live.receiver.idle_seconds = 0
    device = live.connect()
    time.sleep(0.2)
    assert live.call(live.receiver.close_idle) == 0
    device.send(packet(qn="20260101000000093"))
    assert ack_qn(device.reply()) == "20260101000000093"


def test_connections_over_the_cap_are_closed_at_once_and_counted(live):
    live.receiver.max_connections = 2
    first, second = live.connect(), live.connect()
    first.send(packet(qn="20260101000000094"))
    assert ack_qn(first.reply()) == "20260101000000094"
    extra = live.connect()
    assert _closed_by_server(extra)
    assert live.receiver.stats["refused_connections"] == 1
    second.send(packet(qn="20260101000000095"))
    assert ack_qn(second.reply()) == "20260101000000095"  # the ones inside still served
    first.close()
    deadline = time.monotonic() + 5
    while len(live.receiver.connections) > 1:  # the server notices the closed socket
        assert time.monotonic() < deadline
        time.sleep(0.02)
    again = live.connect()  # a freed slot takes a new device
    again.send(packet(qn="20260101000000096"))
    assert ack_qn(again.reply()) == "20260101000000096"


def test_the_receiver_keeps_its_cap_below_the_open_file_limit(db):
    from zhujian.domains.sitemonitor.runner import build_receiver

    assert build_receiver(open_files=1024).max_connections == 960
    assert build_receiver().max_connections == 50_000
    assert build_receiver().idle_seconds == 900
