"""HJ 212-2017 framing, parsing and CRC: plain Python, no Django, no I/O.

A packet is ``##`` + 4 decimal digits (length of the data segment) + data segment +
4 hex digits (CRC of the data segment) + ``\\r\\n``. The data segment is
``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;CP=&&…&&``; inside ``CP`` groups are separated by
``;`` and the items of a group by ``,`` (``a34004-Rtd=36,a34004-Flag=N``).

:class:`Framer` cuts a TCP byte stream into frames: a read may hold part of a packet or
several packets, and junk between packets is skipped (and reported) without losing the
packets around it. Nothing here raises on bad input: each problem is a :class:`Reject`
with its reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum

HEADER = b"##"
TRAILER = b"\r\n"
MAX_SEGMENT = 9999  # four decimal digits
MAX_FRAME = 2 + 4 + MAX_SEGMENT + 4 + 2

# Command numbers (CN) this receiver knows.
CN_REALTIME = "2011"
CN_MINUTE = "2051"
CN_HOURLY = "2061"
CN_DAILY = "2031"
CN_DATA_ACK = "9014"
DATA_CNS = {CN_REALTIME, CN_MINUTE, CN_HOURLY, CN_DAILY}
STORED_CNS = {CN_REALTIME, CN_MINUTE, CN_HOURLY}

FLAG_ACK = 0x01  # bit 0: the device wants a data acknowledgement
FLAG_SPLIT = 0x02  # bit 1: the packet carries PNUM/PNO (a split message)
FLAG_VERSION_2017 = 0x04  # version bits V0..V5 = 000001: HJ 212-2017


class Reason(StrEnum):
    """Why a packet was refused (the codes counted per device)."""

    FRAME = "frame", "报文格式错误"
    LENGTH = "length", "长度错误"
    CRC = "crc", "CRC校验错误"
    DATA = "data", "数据段格式错误"
    UNKNOWN_MN = "unknown_mn", "未登记的设备"
    PASSWORD = "password", "访问密码错误"
    FUTURE = "future", "数据时间超前"
    TOO_OLD = "too_old", "数据时间过早"
    RANGE = "range", "数值超出合理范围"
    THROTTLED = "throttled", "密码错误过多，暂停接收"

    def __new__(cls, value: str, label: str = "") -> Reason:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label  # type: ignore[attr-defined]
        return obj


REASON_LABELS: dict[str, str] = {r.value: r.label for r in Reason}  # type: ignore[attr-defined]


def _table() -> list[int]:
    table = []
    for n in range(256):
        reg = n
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
        table.append(reg)
    return table


_T = _table()


def crc_hj212(data: bytes) -> int:
    """HJ 212-2017 Appendix A: reg = 0xFFFF; per byte reg = (reg >> 8) ^ byte, then eight
    shifts with 0xA001. (Eight shifts of ``reg`` equal ``(reg >> 8) ^ T[reg & 0xFF]``.)"""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ byte
        reg = (reg >> 8) ^ _T[reg & 0xFF]
    return reg


def crc_modbus(data: bytes) -> int:
    """CRC-16/MODBUS, which some devices send instead (accepted only where set per device)."""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ _T[(reg ^ byte) & 0xFF]
    return reg


@dataclass(slots=True)
class Frame:
    """One ``##…\\r\\n`` frame as received (not yet checked)."""

    raw: bytes


@dataclass(slots=True)
class Reject:
    reason: Reason
    raw: bytes
    mn: str = ""
    detail: str = ""


@dataclass(slots=True)
class Packet:
    raw: bytes
    segment: str
    qn: str
    st: str
    cn: str
    pw: str
    mn: str
    flag: int
    cp: dict[str, str] = field(default_factory=dict)

    @property
    def wants_ack(self) -> bool:
        return bool(self.flag & FLAG_ACK)


class Framer:
    """Cuts a byte stream into frames; keeps what is incomplete for the next read."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = bytearray()

    def feed(self, data: bytes) -> list[Frame | Reject]:
        buf = self.buf
        buf += data
        out: list[Frame | Reject] = []
        pos = 0
        end = len(buf)
        while pos < end:
            start = buf.find(HEADER, pos)
            if start < 0:
                # Keep a lone trailing '#' (maybe the first half of a header).
                keep = end - 1 if buf[end - 1 : end] == b"#" else end
                self._junk(buf, pos, keep, out)
                pos = keep
                break
            # Junk ending in '#' right before a packet ("###0101…"): the header is the
            # last two of the run, or the packet after the junk would be lost with it.
            while buf[start + 2 : start + 3] == b"#":
                start += 1
            self._junk(buf, pos, start, out)
            stop = buf.find(TRAILER, start + 2)
            if stop < 0:
                if end - start > MAX_FRAME:
                    out.append(
                        Reject(Reason.LENGTH, bytes(buf[start : start + 64]), detail="无结束符")
                    )
                    pos = end
                else:
                    pos = start
                break
            # A packet cut short and followed by a new one: start at the last header.
            last = buf.rfind(HEADER, start + 2, stop)
            if last >= 0:
                out.append(Reject(Reason.LENGTH, bytes(buf[start:last]), detail="报文不完整"))
                start = last
            out.append(Frame(bytes(buf[start : stop + 2])))
            pos = stop + 2
        del buf[:pos]
        return out

    @staticmethod
    def _junk(buf: bytearray, a: int, b: int, out: list[Frame | Reject]) -> None:
        if b > a and bytes(buf[a:b]).strip():
            out.append(Reject(Reason.FRAME, bytes(buf[a:b][:64]), detail="包头不是##"))


_MN_RE = re.compile(rb";MN=([^;]*);")
_MN_VALID = re.compile(r"[0-9A-Za-z]{1,24}\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")
#: QN is ``YYYYMMDDhhmmsszzz``; some devices leave it out (it is echoed in the ack).
_QN_VALID = re.compile(r"\d{0,20}\Z")
#: HJ 212 values are plain decimals (the standard's N14.2 and the like): no exponent, no
#: ``inf``/``nan``, no ``1_000`` (which Python's float() would take).
NUMBER_RE = re.compile(r"-?\d{1,14}(?:\.\d{1,10})?\Z")
#: HJ 212-2017 data flags: N normal, F stopped, M maintenance, S manual, D fault,
#: C calibration, T over range, B communication fault.
DATA_FLAGS = frozenset("NFMSDCTB")


def printable(data: bytes | str) -> str:
    """``data`` as text any database column takes: non-ASCII and control characters
    (NUL, which PostgreSQL refuses in text, among them) written as ``\\xNN``."""
    text = data.decode("ascii", "backslashreplace") if isinstance(data, bytes) else data
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def peek_mn(raw: bytes) -> str:
    """The MN of a frame, read without trusting anything else in it ('' if none)."""
    m = _MN_RE.search(raw)
    if not m:
        return ""
    return printable(m.group(1)[:24])[:24]


def split_frame(raw: bytes) -> tuple[bytes, int] | Reject:
    """(data segment, CRC sent) of a frame, or a length/format rejection."""
    if len(raw) < 12 or not raw.startswith(HEADER) or not raw.endswith(TRAILER):
        return Reject(Reason.FRAME, raw[:64], peek_mn(raw), "包头或包尾错误")
    digits = raw[2:6]
    if not digits.isdigit():
        return Reject(Reason.LENGTH, raw[:64], peek_mn(raw), "长度字段不是4位数字")
    length = int(digits)
    segment = raw[6:-6]
    if len(segment) != length:
        return Reject(
            Reason.LENGTH, raw[:64], peek_mn(raw), f"声明长度{length}，实际{len(segment)}"
        )
    crc_text = raw[-6:-2]
    try:
        crc = int(crc_text, 16)
    except ValueError:
        return Reject(Reason.CRC, raw[:64], peek_mn(raw), "CRC不是4位十六进制数")
    return segment, crc


def parse_segment(raw: bytes, segment: bytes) -> Packet | Reject:
    """Parse a data segment whose length and CRC were checked."""
    mn = peek_mn(raw)
    try:
        text = segment.decode("ascii")
    except UnicodeDecodeError:
        return Reject(Reason.DATA, raw[:64], mn, "含非ASCII字符")
    if _CONTROL_BYTES.search(segment):
        return Reject(Reason.DATA, raw[:64], mn, "含控制字符")
    at = text.find("CP=&&")
    if at < 0 or not text.endswith("&&") or len(text) < at + 7:
        return Reject(Reason.DATA, raw[:64], mn, "缺少CP=&&…&&")
    header: dict[str, str] = {}
    for item in text[:at].split(";"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            return Reject(Reason.DATA, raw[:64], mn, f"字段“{item[:20]}”缺少“=”")
        header[key] = value
    for key in ("ST", "CN", "PW", "MN"):
        if key not in header:
            return Reject(Reason.DATA, raw[:64], mn, f"缺少{key}")
    if not _MN_VALID.match(header["MN"]):
        return Reject(Reason.DATA, raw[:64], mn, "MN应为1—24位字母或数字")
    flag_text = header.get("Flag", "0")
    if not (flag_text.isdigit() and len(flag_text) <= 3):
        return Reject(Reason.DATA, raw[:64], mn, "Flag不是数字")
    if not _QN_VALID.match(header.get("QN", "")):
        return Reject(Reason.DATA, raw[:64], mn, "QN应为不超过20位的数字")
    if len(header["CN"]) > 4 or len(header["ST"]) > 4 or len(header["PW"]) > 32:
        return Reject(Reason.DATA, raw[:64], mn, "ST、CN或PW过长")
    cp: dict[str, str] = {}
    body = text[at + 5 : -2]
    if body:
        for group in body.split(";"):
            for item in group.split(","):
                if not item:
                    continue
                key, sep, value = item.partition("=")
                if not sep or not key:
                    return Reject(Reason.DATA, raw[:64], mn, f"数据项“{item[:20]}”缺少“=”")
                cp[key] = value
    return Packet(
        raw=raw,
        segment=text,
        qn=header.get("QN", ""),
        st=header["ST"],
        cn=header["CN"],
        pw=header["PW"],
        mn=header["MN"],
        flag=int(flag_text),
        cp=cp,
    )


def parse_time(text: str, tz: dt.tzinfo) -> dt.datetime | None:
    """``YYYYMMDDhhmmss`` (DataTime) or ``YYYYMMDDhhmmsszzz`` (QN) as an aware datetime."""
    if len(text) not in (14, 17) or not text.isdigit():
        return None
    try:
        value = dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    if len(text) == 17:
        value = value.replace(microsecond=int(text[14:]) * 1000)
    return value.replace(tzinfo=tz)


def build(segment: str, crc: int | None = None) -> bytes:
    """A whole packet for ``segment`` (with its HJ 212 CRC unless ``crc`` is given)."""
    data = segment.encode("ascii")
    value = crc_hj212(data) if crc is None else crc
    return b"##%04d%s%04X\r\n" % (len(data), data, value)


def ack_for(packet: Packet) -> bytes:
    """The data acknowledgement (CN=9014) of a packet whose Flag asked for one."""
    return build(
        f"QN={packet.qn};ST=91;CN={CN_DATA_ACK};PW={packet.pw};MN={packet.mn};"
        f"Flag={FLAG_VERSION_2017};CP=&&&&"
    )


def qn_of(moment: dt.datetime) -> str:
    """A request number (QN) for ``moment``: YYYYMMDDhhmmsszzz."""
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"
