"""HJ 212-2017 framing, CRC and parsing, without a socket (the socket tests are in
test_receiver.py)."""

from __future__ import annotations

from tests.domains.sitemonitor.conftest import EXAMPLE, packet
from zhujian.domains.sitemonitor import protocol as p


def test_standard_example_checks_with_the_appendix_a_crc():
    segment, crc = p.split_frame(EXAMPLE)
    assert len(segment) == 101
    assert crc == 0x1C80 == p.crc_hj212(segment)


def test_standard_example_parses_into_its_fields():
    segment, _ = p.split_frame(EXAMPLE)
    packet = p.parse_segment(EXAMPLE, segment)
    assert isinstance(packet, p.Packet)
    assert (packet.qn, packet.st, packet.cn, packet.pw) == (
        "20160801085857223",
        "32",
        "1062",
        "100000",
    )
    assert packet.mn == "010000A8900016F000169DC0"
    assert packet.flag == 5 and packet.wants_ack
    assert packet.cp == {"RtdInterval": "30"}


def test_appendix_a_crc_differs_from_crc16_modbus():
    assert p.crc_modbus(b"123456789") == 0x4B37  # the catalogue check value
    segment, _ = p.split_frame(EXAMPLE)
    assert p.crc_modbus(segment) != p.crc_hj212(segment)


def test_changed_byte_breaks_the_crc():
    segment, crc = p.split_frame(EXAMPLE.replace(b"RtdInterval=30", b"RtdInterval=31"))
    assert p.crc_hj212(segment) != crc


def test_wrong_declared_length_is_refused():
    reject = p.split_frame(b"##0102" + EXAMPLE[6:])
    assert isinstance(reject, p.Reject) and reject.reason == p.Reason.LENGTH
    assert reject.mn == "010000A8900016F000169DC0"


def test_acknowledgement_echoes_qn_and_checks():
    segment, _ = p.split_frame(EXAMPLE)
    ack = p.ack_for(p.parse_segment(EXAMPLE, segment))
    assert ack.startswith(b"##") and ack.endswith(b"\r\n")
    ack_segment, crc = p.split_frame(ack)
    assert crc == p.crc_hj212(ack_segment)
    assert ack_segment == (
        b"QN=20160801085857223;ST=91;CN=9014;PW=100000;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&"
    )


def test_framer_joins_a_packet_fed_byte_by_byte():
    framer = p.Framer()
    out = []
    for i in range(len(EXAMPLE)):
        out += framer.feed(EXAMPLE[i : i + 1])
    assert out == [p.Frame(EXAMPLE)]


def test_framer_splits_coalesced_packets_and_skips_junk_between_them():
    second = packet()
    out = p.Framer().feed(EXAMPLE + b"\x00garbage" + second + EXAMPLE[:30])
    assert [type(x).__name__ for x in out] == ["Frame", "Reject", "Frame"]
    assert out[1].reason == p.Reason.FRAME
    assert out[2].raw == second


def test_framer_refuses_a_truncated_packet_and_keeps_the_next_one():
    out = p.Framer().feed(EXAMPLE[:40] + EXAMPLE)
    assert isinstance(out[0], p.Reject) and out[0].reason == p.Reason.LENGTH
    assert out[1] == p.Frame(EXAMPLE)


def test_framer_drops_an_endless_packet_without_growing():
    framer = p.Framer()
    out = framer.feed(b"##9999" + b"A" * (p.MAX_FRAME + 10))
    assert [x.reason for x in out] == [p.Reason.LENGTH]
    assert len(framer.buf) == 0


def test_broken_data_segment_is_refused_with_its_reason():
    raw = p.build("QN=1;ST=22;CN=2011;PW=1;MN=X;Flag=5;CP=&&a34002-Rtd&&")
    segment, _ = p.split_frame(raw)
    reject = p.parse_segment(raw, segment)
    assert isinstance(reject, p.Reject) and reject.reason == p.Reason.DATA


def test_junk_ending_in_a_hash_does_not_swallow_the_packet_after_it():
    """Found by the receiver's fuzz test: ``x#`` + ``##0101…`` made one frame of ``###…``
    and the good packet was refused with the junk."""
    frames = p.Framer().feed(b"x#" + EXAMPLE + b"###" + EXAMPLE)
    assert [f.raw for f in frames if isinstance(f, p.Frame)] == [EXAMPLE, EXAMPLE]
