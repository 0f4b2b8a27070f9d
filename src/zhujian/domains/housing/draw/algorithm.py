"""The resettlement draw (分房摇号): a public, deterministic, reproducible algorithm.

Nothing here touches the database or Django: anyone can re-run it from the published
files. docs/domains/housing.md states the same steps precisely enough to reimplement them
in another language; the known-answer tests in tests/domains/housing/test_draw_algorithm.py
pin them down.

1. **The list document** (published and frozen before the draw)::

       {"format": "zhujian-draw-list/1",
        "round": {"code": …, "name": …, "project": …},
        "households": [{"seq": 1, "code": …, "name": …, "id": …, "group": …}, …],
        "units": [{"seq": 1, "code": …, "group": …, "area": "89.50"}, …]}

   Households and units sorted by ``seq``; values are strings or integers only. Its
   **canonical bytes** are its JSON with keys sorted, no whitespace, non-ASCII characters
   written as UTF-8 (RFC 8785 for this subset). ``list_sha256`` = SHA-256 of those bytes.
   Since issue 20 the list also declares, before anyone can know it, the public random
   value the seed will take (``"beacon": {"source": …, "issue": …, "date": "YYYY-MM-DD"}``:
   a named lottery draw held after the publication (公示) period), so the digest commits
   to it.
2. **The seed.** For a list with a ``beacon`` (version 2): SHA-256 of the UTF-8 text
   ``"zhujian-draw-seed/2" LF list_sha256 LF beacon_value LF input_1 LF … LF input_n``
   (no final LF), where ``beacon_value`` is the lottery's published numbers written as
   digit groups separated by one space, and the inputs are the digit strings typed in
   public, in the order entered, all before the lottery was drawn. For an older list
   without ``beacon`` (version 1, verification only): ``"zhujian-draw-seed/1" LF
   list_sha256 LF input_1 LF … LF input_n``.
3. **The random stream of a group** = SHA-256 in counter mode: block ``i`` (from 0) is
   ``SHA-256(seed_bytes ‖ "zhujian-draw-stream/1" ‖ 0x00 ‖ UTF-8(group) ‖ 0x00 ‖ u64be(i))``;
   the blocks are read as consecutive big-endian unsigned 32-bit integers.
   ``below(n)``: draw ``x`` until ``x < 2^32 − (2^32 mod n)``, return ``x mod n``
   (rejection sampling: no modulo bias).
4. **Per group** (groups in order of their Unicode code points; the empty string is a group):
   the group's households in list order are shuffled by Fisher–Yates (Durstenfeld): for
   ``i`` from ``m−1`` down to 1, ``j = below(i+1)``, swap ``a[i]`` and ``a[j]``. The k-th
   household of the shuffled order (position k, from 1) gets the group's k-th unit in list
   order; households beyond the units wait (轮候, no unit); units beyond the households stay
   unassigned (position and household null).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

LIST_FORMAT = "zhujian-draw-list/1"
RESULT_FORMAT = "zhujian-draw-result/1"
SEED_TAG = "zhujian-draw-seed/1"
SEED_TAG_2 = "zhujian-draw-seed/2"
STREAM_TAG = b"zhujian-draw-stream/1"
INPUT_RE = re.compile(r"^[0-9]{1,20}$")
BEACON_VALUE_RE = re.compile(r"^[0-9]{1,10}( [0-9]{1,10}){0,19}$")
BEACON_SEPARATORS = re.compile(r"[\s,，、+＋|/]+")
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
_U32 = 1 << 32


class DrawError(ValueError):
    """A list, seed or input the algorithm cannot use; the message is Chinese."""


def canonical(value: Any, checked: bool = False) -> bytes:
    """Canonical JSON bytes of a document made of dicts, lists, strings, integers and null
    (``checked``: the caller has already run :func:`check_plain` on it)."""
    if not checked:
        check_plain(value)
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


_PLAIN = frozenset({str, int, type(None)})
_TEXT = frozenset({str})


def check_plain(value: Any) -> None:
    """Only dicts with text keys, lists, text, integers and null (no float, no bool).

    Iterative, with the types of a container's members collected in C (``set(map(type,
    …))``): a list of 50,000 households is some two million values, and a recursive
    ``isinstance`` walk took longer than the draw itself."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) in _PLAIN:
            continue
        if isinstance(item, dict):
            if not set(map(type, item)) <= _TEXT:
                raise DrawError("摇号文件的键必须是文字")
            members: Any = item.values()
        elif isinstance(item, list):
            members = item
        else:
            raise DrawError(f"摇号文件只能包含文字和整数（发现 {type(item).__name__}）")
        if not set(map(type, members)) <= _PLAIN:
            stack.extend(v for v in members if type(v) not in _PLAIN)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def list_digest(document: dict[str, Any], checked: bool = False) -> str:
    """``list_sha256``: the digest published with the frozen list."""
    return sha256_hex(canonical(document, checked))


def check_input(value: str) -> str:
    text = str(value).strip()
    if not INPUT_RE.match(text):
        raise DrawError("公开输入应为1至20位数字")
    return text


def check_seed(seed: str, what: str = "种子") -> str:
    """A SHA-256 value as 64 lower-case hexadecimal digits."""
    text = str(seed).strip().lower()
    if not HEX64_RE.match(text):
        raise DrawError(f"{what}应为64位十六进制数（SHA-256）")
    return text


BEACON_KEYS = ("source", "issue", "date")


def check_beacon_value(value: str) -> str:
    """A lottery draw's published numbers as digit groups separated by one space
    (``"3 7 2"``; ``"03,15,22+05"`` is read as ``"03 15 22 05"``)."""
    text = BEACON_SEPARATORS.sub(" ", str(value)).strip()
    if not BEACON_VALUE_RE.match(text):
        raise DrawError("开奖号码应为数字（各号码之间用空格分隔，最多20组，每组最多10位）")
    return text


def beacon_of(document: dict[str, Any]) -> dict[str, str] | None:
    """The public random value a list declares (version 2), or None (version 1)."""
    beacon = document.get("beacon") if isinstance(document, dict) else None
    if beacon is None:
        return None
    if (
        not isinstance(beacon, dict)
        or not all(isinstance(beacon.get(k), str) and beacon[k].strip() for k in BEACON_KEYS)
        or not DATE_RE.match(beacon["date"])
    ):
        raise DrawError("名单中的公开随机数声明不完整：应有来源、期号和开奖日期（YYYY-MM-DD）")
    return {k: beacon[k] for k in BEACON_KEYS}


def seed_from(list_sha256: str, inputs: Sequence[str], beacon_value: str | None = None) -> str:
    """The seed of a draw: the list's digest, the declared lottery's numbers (version 2;
    None for a version 1 list) and the public inputs, in entry order."""
    if not inputs:
        raise DrawError("没有公开输入，无法生成种子")
    head = [SEED_TAG, check_seed(list_sha256, "名单摘要")]
    if beacon_value is not None:
        head = [SEED_TAG_2, head[1], check_beacon_value(beacon_value)]
    text = "\n".join([*head, *(check_input(v) for v in inputs)])
    return sha256_hex(text.encode("utf-8"))


class Stream:
    """SHA-256 in counter mode, read as big-endian 32-bit integers."""

    def __init__(self, seed: str, group: str) -> None:
        self._key = (
            bytes.fromhex(check_seed(seed)) + STREAM_TAG + b"\x00" + group.encode("utf-8") + b"\x00"
        )
        self._counter = 0
        self._words: Iterator[int] = iter(())

    def _refill(self) -> None:
        block = hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()
        self._counter += 1
        self._words = iter(int.from_bytes(block[i : i + 4], "big") for i in range(0, 32, 4))

    def u32(self) -> int:
        for word in self._words:
            return word
        self._refill()
        return next(self._words)

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``, by rejection sampling."""
        if not 1 <= n < _U32:
            raise DrawError("随机数范围超出限制")
        limit = _U32 - (_U32 % n)
        while True:
            x = self.u32()
            if x < limit:
                return x % n


def shuffle[T](items: Sequence[T], stream: Stream) -> list[T]:
    """Fisher–Yates (Durstenfeld) from the last position down."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = stream.below(i + 1)
        out[i], out[j] = out[j], out[i]
    return out


@dataclass(frozen=True)
class Allotment:
    """One line of a result: a household's position in its group and its unit, or a unit
    left over (position and household None)."""

    group: str
    position: int | None
    household: int | None  # the household's seq in the list
    unit: int | None  # the unit's seq in the list

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "position": self.position,
            "household": self.household,
            "unit": self.unit,
        }


def check_list(document: dict[str, Any]) -> None:
    """The list document's shape: a draw refuses anything else."""
    if not isinstance(document, dict) or document.get("format") != LIST_FORMAT:
        raise DrawError(f"不是摇号名单文件（format 应为 {LIST_FORMAT}）")
    households, units = document.get("households"), document.get("units")
    if not isinstance(households, list) or not households:
        raise DrawError("名单中没有参加摇号的家庭")
    if not isinstance(units, list) or not units:
        raise DrawError("名单中没有房源")
    for what, rows in (("家庭", households), ("房源", units)):
        seqs = [row.get("seq") if isinstance(row, dict) else None for row in rows]
        if any(not isinstance(s, int) or isinstance(s, bool) for s in seqs):
            raise DrawError(f"{what}序号应为整数")
        if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
            raise DrawError(f"{what}应按序号从小到大排列且序号不重复")
        if any(not isinstance(row.get("group", ""), str) for row in rows):
            raise DrawError(f"{what}分组应为文字")
    beacon_of(document)
    check_plain(document)


def assign(document: dict[str, Any], seed: str, checked: bool = False) -> list[Allotment]:
    """The result of the draw for a list document and a seed (``checked``: the caller has
    already run :func:`check_list` on this document)."""
    if not checked:
        check_list(document)
    seed = check_seed(seed)
    # One pass per list, keeping list order within each group (a scan of the whole list
    # per group was quadratic: a file of 50,000 one-household groups took minutes).
    members_of: dict[str, list[int]] = {}
    offered_of: dict[str, list[int]] = {}
    for h in document["households"]:
        members_of.setdefault(h.get("group", ""), []).append(h["seq"])
    for u in document["units"]:
        offered_of.setdefault(u.get("group", ""), []).append(u["seq"])
    out: list[Allotment] = []
    for group in sorted(members_of.keys() | offered_of.keys()):
        members = members_of.get(group, [])
        offered = offered_of.get(group, [])
        order = shuffle(members, Stream(seed, group))
        for k, household in enumerate(order):
            unit = offered[k] if k < len(offered) else None
            out.append(Allotment(group, k + 1, household, unit))
        for unit in offered[len(order) :]:
            out.append(Allotment(group, None, None, unit))
    return out


def result_document(list_sha256: str, seed: str, allotments: Sequence[Allotment]) -> dict:
    return {
        "format": RESULT_FORMAT,
        "list_sha256": check_seed(list_sha256, "名单摘要"),
        "seed": check_seed(seed),
        "assignment": [a.as_dict() for a in allotments],
    }


def result_digest(list_sha256: str, seed: str, allotments: Sequence[Allotment]) -> str:
    return sha256_hex(canonical(result_document(list_sha256, seed, allotments)))
