"""Resources per source, attacked from other addresses (127.0.0.2… are loopback too):
password guessing, raw copies of refused packets, connection slots (issue 21)."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.exceptions import ValidationError

from tests.domains.sitemonitor.conftest import MN, PW, WAIT, Device, packet, register
from zhujian.domains.sitemonitor import protocol as p
from zhujian.domains.sitemonitor.models import (
    Alarm,
    DeviceProtocol,
    RawPacket,
    Rejection,
    password_problem,
)


class From(Device):
    """A connection from another loopback address."""

    def __init__(self, port: int, host: str) -> None:
        self.sock = socket.create_connection(
            ("127.0.0.1", port), timeout=WAIT, source_address=(host, 0)
        )
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""


def connect_from(live, host: str) -> From:
    conn = From(live.port, host)
    live.devices.append(conn)
    return conn


def qn_of(reply: bytes) -> str:
    seg, _ = p.split_frame(reply)
    return p.parse_segment(reply, seg).qn


def refusals(mn: str) -> dict[str, int]:
    return dict(Rejection.objects.filter(mn=mn).values_list("reason", "count"))


def test_password_guessing_is_throttled_the_right_guess_gets_no_answer_and_raises_an_alarm(
    live, device
):
    real = live.connect()  # the device reports from its own address first
    real.send(packet(qn="20260101000000001"))
    assert qn_of(real.reply()) == "20260101000000001"
    attacker = connect_from(live, "127.0.0.2")
    guesses = [f"{n:06d}" for n in range(600000, 600030)] + [PW]  # the right one last
    attacker.send(b"".join(packet(pw=pw, qn=f"{i:017d}") for i, pw in enumerate(guesses)))
    live.settle(1 + len(guesses))
    assert live.receiver.stats["acks"] == 1  # the device's own packet only
    live.flush()
    assert refusals(MN) == {"password": 5, "throttled": 26}
    alarm = Alarm.objects.get(device=device, kind="auth")
    assert alarm.cleared_at is None and alarm.hazard is None
    # the device itself is not locked out by the guesser
    real.send(packet(qn="20260101000000002"))
    assert qn_of(real.reply()) == "20260101000000002"
    # nor is the attacker's right password answered later in the window
    attacker.send(packet(qn="20260101000000003") + packet(qn="20260101000000004", mn="X" * 5))
    live.settle(2 + len(guesses) + 2)
    assert live.receiver.stats["acks"] == 2


def test_one_address_guessing_across_devices_is_locked_out_of_all_of_them(live, device):
    others = [register(f"OTHER{i:019d}", f"abc{i}def{i}9", code=f"T-O{i}") for i in range(3)]
    live.reload()
    attacker = connect_from(live, "127.0.0.3")
    frames = [packet(mn=d.mn, pw=f"zz{n}yy{n}", qn=f"{n:017d}") for n in range(4) for d in others]
    frames.append(packet(mn=others[2].mn, pw="abc2def29", qn="20260101000000009"))
    attacker.send(b"".join(frames))
    live.settle(len(frames))
    assert live.receiver.stats["acks"] == 0
    assert live.receiver.stats["password_failures"] == 10  # then the address is locked
    # a device that has reported from its own address still gets through
    neighbour = live.connect()
    neighbour.send(packet(mn=others[0].mn, pw="abc0def09", qn="20260101000000010"))
    assert qn_of(neighbour.reply()) == "20260101000000010"


def test_refused_packets_of_a_real_mn_keep_samples_and_counts_not_every_byte(
    live, device, settings
):
    attacker = connect_from(live, "127.0.0.4")
    live.receiver.auth_failures_per_mn = live.receiver.auth_failures_per_address = 0
    bad = p.build(packet(qn="1").decode()[6:-6].replace("a34002-Rtd=0.05", "a34002-Rtd=x"))
    for _ in range(4):
        attacker.send(packet(pw="wrong1pw", qn="2") * 50 + bad * 50)
    live.settle(400)
    live.flush()
    assert refusals(MN) == {"password": 200, "data": 200}
    raw = RawPacket.objects.filter(mn=MN, accepted=False)
    assert raw.count() == 20  # per address and hour: 20 (the setting), whatever the reason
    assert raw.filter(reason="password").count() == 20


def test_one_address_cannot_take_every_connection_slot(live, device):
    live.receiver.max_per_address = 3
    greedy = [connect_from(live, "127.0.0.5") for _ in range(4)]
    greedy[-1].sock.settimeout(WAIT)
    assert greedy[-1].sock.recv(1) == b""  # the fourth is closed at once
    assert live.receiver.stats["refused_per_address"] == 1
    other = live.connect()  # another address still gets a slot
    other.send(packet(qn="20260101000000001"))
    assert qn_of(other.reply()) == "20260101000000001"


def test_a_connection_that_never_authenticates_is_closed_soon_even_if_it_talks(live, device):
    live.receiver.auth_seconds = 5
    talker = connect_from(live, "127.0.0.6")
    talker.send(b"junk\r\n")
    device_conn = live.connect()
    device_conn.send(packet(qn="20260101000000001"))
    assert qn_of(device_conn.reply()) == "20260101000000001"
    live.settle(2)
    later = time.monotonic() + 6  # six seconds on: the talker still has not authenticated
    assert live.call(lambda: live.receiver.close_idle(later)) == 1
    talker.sock.settimeout(WAIT)
    assert talker.sock.recv(1) == b""
    assert live.receiver.stats["unauthenticated_closed"] == 1
    device_conn.send(packet(qn="20260101000000002"))
    assert qn_of(device_conn.reply()) == "20260101000000002"


def test_the_per_source_limits_are_settings_with_their_defaults(db, settings):
    from zhujian.domains.sitemonitor.runner import build_receiver

    receiver = build_receiver()
    assert (receiver.max_per_address, receiver.auth_seconds) == (256, 30)
    assert (receiver.auth_failures_per_mn, receiver.auth_failures_per_address) == (5, 10)
    assert (receiver.auth_window, receiver.raw_samples) == (600, 20)
    settings.ZHUJIAN_HJ212_MAX_PER_ADDRESS = 2000
    assert build_receiver().max_per_address == 2000


@pytest.mark.parametrize(
    ("password", "ok"),
    [("123456", False), ("abcdef", False), ("a1a1a1", False), ("ab1", False),
     ("zj7Q2x", True), ("Site9Dust2026", True), ("密码abc123", False)],
)  # fmt: skip
def test_device_passwords_must_resist_online_guessing(password, ok):
    assert (password_problem(password) == "") is ok


def test_a_weak_device_password_is_refused_with_a_chinese_message(db, device):
    protocol = DeviceProtocol.objects.get(device=device)
    protocol.password = "123456"
    with pytest.raises(ValidationError) as err:
        protocol.full_clean()
    assert "字母和数字" in str(err.value.message_dict["password"])
