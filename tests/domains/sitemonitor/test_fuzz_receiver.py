"""Property-based fuzzing of the running receiver through real sockets (issue 21).

Hypothesis generates well-formed packets with hostile fields (DataTime, values, flags,
CN, MN, password), mutates packets byte by byte (with and without a recomputed CRC) and
sends raw junk, all from registered devices' connections. Whatever it sends:

- the receiver stays up and answers a registered device's good packet afterwards;
- every well-formed good packet is acknowledged;
- what is stored is exactly what was acknowledged: each acknowledged data packet is one
  reading (device, data type, DataTime), and nothing unacknowledged is stored.

Not marked ``fuzz``: it is short (bounded examples) and CI runs it on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.domains.sitemonitor.conftest import TZ, register
from zhujian.domains.sitemonitor import conf
from zhujian.domains.sitemonitor import protocol as p
from zhujian.domains.sitemonitor.models import FACTOR_COLUMNS, Reading

DEVICES = [(f"FUZZ{i:020d}", f"Fz{i}pw7q2w9e4r") for i in range(3)]
FACTORS = ("a34002", "a34004", "a34001", "LA", "a01001", "a01002")

decimals = st.decimals(min_value=0, max_value=60, places=3, allow_nan=False).map(str)
hostile_numbers = st.one_of(
    decimals,
    st.sampled_from(["1e308", "-1", "nan", "inf", "-inf", "1_0", " 1", "", "0x10", "9" * 30]),
    st.floats().map(repr),
    st.text(alphabet="0123456789.-eE+", max_size=12),
)
datatime_texts = st.one_of(
    st.text(alphabet="0123456789", min_size=14, max_size=14),
    st.sampled_from(["00010101000000", "20990101000000", "99991231235959", "20261301000000"]),
    st.text(max_size=16),
)


def _segment(qn: str, cn: str, pw: str, mn: str, cp: dict[str, str], flag: str = "5") -> bytes:
    items = ";".join(f"{k}={v}" for k, v in cp.items())
    return f"QN={qn};ST=22;CN={cn};PW={pw};MN={mn};Flag={flag};CP=&&{items}&&".encode(
        "utf-8", "surrogatepass"
    )


def _frame(segment: bytes, crc: int | None = None) -> bytes:
    crc = p.crc_hj212(segment) if crc is None else crc
    return b"##%04d%s%04X\r\n" % (len(segment), segment, crc)


@st.composite
def good_packets(draw, qn: str, now: dt.datetime) -> bytes:
    mn, pw = draw(st.sampled_from(DEVICES))
    cn = draw(st.sampled_from(["2011", "2051", "2061", "2031"]))
    at = now - dt.timedelta(seconds=draw(st.integers(0, 30 * 86400)))
    suffix = "Rtd" if cn == "2011" else "Avg"
    cp = {"DataTime": f"{at:%Y%m%d%H%M%S}"}
    for factor in draw(st.lists(st.sampled_from(FACTORS), unique=True, max_size=4)):
        cp[f"{factor}-{suffix}"] = draw(decimals)
        cp[f"{factor}-Flag"] = draw(st.sampled_from("NTMC"))
    return _frame(_segment(qn, cn, pw, mn, cp))


@st.composite
def hostile_packets(draw, qn: str, now: dt.datetime) -> bytes:
    mn, pw = draw(st.sampled_from(DEVICES))
    if draw(st.integers(0, 4)) == 0:  # mostly a registered device, to reach the checks
        mn = draw(st.text(max_size=30))
    cn = draw(st.sampled_from(["2011", "2011", "2051", "2061", "2031", "9014", "", "20111"]))
    cp = {"DataTime": draw(datatime_texts)}
    for factor in draw(st.lists(st.sampled_from(FACTORS), unique=True, max_size=3)):
        cp[f"{factor}-{'Rtd' if cn == '2011' else 'Avg'}"] = draw(hostile_numbers)
        cp[f"{factor}-Flag"] = draw(st.text(max_size=3))
    return _frame(_segment(qn, cn, pw, mn, cp, draw(st.sampled_from(["5", "4", "x", "99999"]))))


@st.composite
def mutated(draw, base: bytes) -> bytes:
    """Byte-level changes after the QN (so an ack still names the packet sent)."""
    data = bytearray(base)
    keep = base.index(b";ST=") + 1
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(keep, max(keep, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    if draw(st.booleans()) and data.startswith(b"##") and data.endswith(b"\r\n"):
        segment = bytes(data[6:-6])  # recompute the length and the CRC: reach the parser
        return _frame(segment)
    return bytes(data)


def _qn_of(frame: bytes) -> str:
    seg, _ = p.split_frame(frame)
    return p.parse_segment(frame, seg).qn


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_packets_never_stop_the_receiver_and_only_acknowledged_data_is_stored(
    live, fuzz_devices, data
):
    now = dt.datetime.now(TZ).replace(microsecond=0)
    sent: dict[str, bytes] = {}  # QN → the bytes sent with it
    good: set[str] = set()
    frames = []
    for kind in data.draw(
        st.lists(st.sampled_from(["good", "hostile", "mutated", "junk"]), min_size=1, max_size=12)
    ):
        qn = f"{next(SERIAL):017d}"
        if kind == "junk":
            frames.append(data.draw(st.binary(max_size=120)))
            continue
        frame = data.draw(
            good_packets(qn, now)
            if kind == "good" or (kind == "mutated" and data.draw(st.booleans()))
            else hostile_packets(qn, now)
        )
        if kind == "mutated":
            frame = data.draw(mutated(frame))
        elif kind == "good":
            good.add(qn)
        sent[qn] = frame
        frames.append(frame)
    conn = live.connect()
    mn, pw = DEVICES[0]
    marker = f"{next(SERIAL):017d}"
    payload = b"".join(frames)
    cut = data.draw(st.integers(0, len(payload)))
    conn.send(payload[:cut])  # one stream, split anywhere
    conn.send(payload[cut:])
    # A dangling half packet is ended, then a registered device's packet must be answered.
    conn.send(b"\r\n" + _frame(_segment(marker, "9999", pw, mn, {})))
    acked = set()
    while (qn := _qn_of(conn.reply())) != marker:
        acked.add(qn)
    conn.close()
    assert good <= acked
    assert acked <= set(sent)
    live.flush()
    for qn in acked:
        frame = sent[qn]
        packet = p.parse_segment(frame, p.split_frame(frame)[0])
        if packet.cn in p.STORED_CNS:
            EXPECTED.add((fuzz_devices[packet.mn], packet.cn, packet.cp["DataTime"][:14]))
    stored = {
        (device_id, cn, f"{at.astimezone(TZ):%Y%m%d%H%M%S}")
        for device_id, cn, at in Reading.objects.filter(
            device_id__in=fuzz_devices.values()
        ).values_list("device_id", "cn", "data_time")
    }
    assert stored == EXPECTED
    # … and nothing stored is implausible: no far-off time, no value a monitor cannot give
    limits = conf.plausible()
    earliest = now - dt.timedelta(days=conf.max_age_days())
    latest = now + dt.timedelta(seconds=conf.clock_skew())
    for row in Reading.objects.filter(device_id__in=fuzz_devices.values()):
        assert earliest <= row.data_time <= latest
        for factor, column in FACTOR_COLUMNS.items():
            value = getattr(row, column)
            assert value is None or limits[factor][0] <= value <= limits[factor][1]
    assert live.receiver.stats["errors"] == 0
    assert live.receiver.store.written["dropped"] == 0


SERIAL = itertools.count(10**15)
EXPECTED: set[tuple[int, str, str]] = set()


def setup_function() -> None:
    EXPECTED.clear()


@pytest.fixture
def fuzz_devices(live) -> dict[str, int]:
    ids = {mn: register(mn, pw, code=f"T-FZ{mn[-3:]}").pk for mn, pw in DEVICES}
    live.reload()
    # Each device reports once first, as a device in the field has: the fuzzer's wrong
    # passwords then count towards the guessing alarm but never lock the devices out.
    conn = live.connect()
    for mn, pw in DEVICES:
        qn = f"{next(SERIAL):017d}"
        conn.send(_frame(_segment(qn, "9999", pw, mn, {})))
        assert _qn_of(conn.reply()) == qn
    conn.close()
    return ids
