"""The draw algorithm, without a database: known answers, and what changes what.

The known answers were computed by this implementation and checked against an
independent JavaScript implementation written from docs/domains/housing.md
(docs/domains/housing-draw-reference.js).
"""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.draw.algorithm import DrawError

INPUTS = ["0372", "9151", "4410"]
LIST_SHA256 = "bf2825b518832586faafd3d3a8604eb54014086eccceebb96716a11d448a880b"
SEED = "d91504ad521ddc3b6d9818d76bb2e311744dc1e0ee5dae68f540cec27647dad5"


def small_list() -> dict:
    return {
        "format": alg.LIST_FORMAT,
        "round": {"code": "T-1", "name": "测试轮次", "project": "测试项目"},
        "households": [
            {"seq": i, "code": f"H{i:02d}", "name": f"户主{i}", "id": "", "group": ""}
            for i in range(1, 6)
        ],
        "units": [
            {"seq": i, "code": f"{i}01室", "group": "", "layout": "两室", "area": "80.00"}
            for i in range(1, 5)
        ],
    }


def big_list(n: int = 30, groups: tuple[str, ...] = ("",)) -> dict:
    doc = small_list()
    doc["households"] = [
        {
            "seq": i,
            "code": f"H{i:03d}",
            "name": f"户主{i}",
            "id": "",
            "group": groups[i % len(groups)],
        }
        for i in range(1, n + 1)
    ]
    doc["units"] = [
        {
            "seq": i,
            "code": f"U{i:03d}",
            "group": groups[i % len(groups)],
            "layout": "",
            "area": "90.00",
        }
        for i in range(1, n + 1)
    ]
    return doc


def test_canonical_form_sorts_keys_without_spaces_in_utf8():
    assert alg.canonical({"b": 1, "a": ["户", None]}) == '{"a":["户",null],"b":1}'.encode()


def test_canonical_form_refuses_floats_and_booleans():
    with pytest.raises(DrawError):
        alg.canonical({"area": 80.5})
    with pytest.raises(DrawError):
        alg.canonical({"ok": True})


def test_list_digest_is_sha256_of_the_canonical_bytes():
    doc = small_list()
    assert alg.list_digest(doc) == hashlib.sha256(alg.canonical(doc)).hexdigest() == LIST_SHA256


def test_seed_is_sha256_of_tag_digest_and_inputs_joined_by_newlines():
    text = "\n".join(["zhujian-draw-seed/1", LIST_SHA256, *INPUTS])
    assert alg.seed_from(LIST_SHA256, INPUTS) == hashlib.sha256(text.encode()).hexdigest() == SEED


def test_stream_is_sha256_in_counter_mode_read_as_big_endian_words():
    stream = alg.Stream(SEED, "A组")
    key = bytes.fromhex(SEED) + b"zhujian-draw-stream/1\x00" + "A组".encode() + b"\x00"
    expected = []
    for counter in (0, 1):
        block = hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        expected += [int.from_bytes(block[i : i + 4], "big") for i in range(0, 32, 4)]
    assert [stream.u32() for _ in range(16)] == expected


def test_stream_known_answer():
    stream = alg.Stream(SEED, "")
    assert [stream.u32() for _ in range(3)] == [118076865, 1476235905, 3159550954]


def test_known_answer_of_a_small_draw():
    result = [a.as_dict() for a in alg.assign(small_list(), SEED)]
    assert [(r["position"], r["household"], r["unit"]) for r in result] == [
        (1, 3, 1),
        (2, 5, 2),
        (3, 4, 3),
        (4, 2, 4),
        (5, 1, None),  # more households than units: the last one waits (轮候)
    ]


def test_below_is_uniform_by_rejection_not_modulo():
    stream = alg.Stream(SEED, "")
    counts = Counter(stream.below(3) for _ in range(30_000))
    assert set(counts) == {0, 1, 2}
    assert all(9_500 < c < 10_500 for c in counts.values())


def test_below_rejects_words_above_the_last_whole_multiple():
    class Fixed(alg.Stream):
        def __init__(self, words):
            self.words = iter(words)

        def u32(self):
            return next(self.words)

    # n = 3: 2^32 mod 3 = 1, so 2^32 - 1 is refused and the next word is used.
    assert Fixed([2**32 - 1, 7]).below(3) == 7 % 3


def test_shuffle_is_a_permutation():
    items = list(range(1, 101))
    shuffled = alg.shuffle(items, alg.Stream(SEED, ""))
    assert sorted(shuffled) == items and shuffled != items


def test_same_list_and_seed_give_the_same_result():
    assert alg.assign(big_list(), SEED) == alg.assign(big_list(), SEED)


def test_any_change_to_the_list_changes_the_digest():
    doc = big_list()
    before = alg.list_digest(doc)
    doc["households"][7]["name"] = "户主8甲"
    assert alg.list_digest(doc) != before
    doc = big_list()
    doc["units"][0]["area"] = "90.01"
    assert alg.list_digest(doc) != before


def test_a_changed_input_changes_the_seed_and_the_result():
    other = alg.seed_from(LIST_SHA256, ["0372", "9151", "4411"])
    assert other != SEED
    assert alg.assign(big_list(), other) != alg.assign(big_list(), SEED)


def test_a_changed_list_changes_the_seed_even_with_the_same_inputs():
    doc = big_list()
    seed = alg.seed_from(alg.list_digest(doc), INPUTS)
    doc["households"][0]["code"] = "H001甲"
    assert alg.seed_from(alg.list_digest(doc), INPUTS) != seed


def test_one_bit_of_seed_changes_the_result():
    flipped = f"{int(SEED[0], 16) ^ 1:x}{SEED[1:]}"
    assert alg.assign(big_list(), flipped) != alg.assign(big_list(), SEED)


def test_households_draw_only_units_of_their_group():
    doc = big_list(40, ("A组", "B组"))
    units = {u["seq"]: u["group"] for u in doc["units"]}
    households = {h["seq"]: h["group"] for h in doc["households"]}
    for a in alg.assign(doc, SEED):
        assert a.unit is None or a.household is None or units[a.unit] == households[a.household]
        assert a.group == (households.get(a.household) or units.get(a.unit))


def test_one_groups_result_does_not_depend_on_another_group():
    doc = big_list(40, ("A组", "B组"))
    before = [a for a in alg.assign(doc, SEED) if a.group == "A组"]
    doc["households"] = [h for h in doc["households"] if h["group"] == "A组" or h["seq"] != 2]
    assert [a for a in alg.assign(doc, SEED) if a.group == "A组"] == before


def test_units_left_over_are_listed_without_a_household():
    doc = small_list()
    doc["households"] = doc["households"][:2]
    result = alg.assign(doc, SEED)
    assert [(a.position, a.household) for a in result[2:]] == [(None, None), (None, None)]
    assert [a.unit for a in result] == [1, 2, 3, 4]


def test_a_list_out_of_order_is_refused():
    doc = small_list()
    doc["households"].reverse()
    with pytest.raises(DrawError, match="序号"):
        alg.assign(doc, SEED)


def test_inputs_must_be_digits():
    with pytest.raises(DrawError, match="数字"):
        alg.seed_from(LIST_SHA256, ["12a4"])
    with pytest.raises(DrawError):
        alg.seed_from(LIST_SHA256, [])
