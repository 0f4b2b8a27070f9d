// An independent implementation of Zhujian's resettlement draw (分房摇号), written from
// docs/domains/housing.md alone, to show the algorithm can be re-implemented without the
// platform. Node.js, standard library only:
//
//   node housing-draw-reference.js 摇号文件.json               # the file's own inputs
//   node housing-draw-reference.js 摇号文件.json SEED          # seed as announced
//   node housing-draw-reference.js 名单文件.json --beacon "3 7 2" 0815 4409 27
//                                      # a list, the lottery's numbers and the inputs
//
// Prints the list digest, the seed and one line per result row:
//   ["group", position, household seq, unit seq]   (null: waiting / unit left over)
"use strict";
const crypto = require("crypto");
const fs = require("fs");

// Canonical JSON: keys sorted, no whitespace, UTF-8 (the documents hold only objects,
// arrays, strings, integers and null).
function canonical(v) {
  if (v === null || typeof v === "number" || typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(canonical).join(",") + "]";
  return "{" + Object.keys(v).sort().map((k) => JSON.stringify(k) + ":" + canonical(v[k])).join(",") + "}";
}
const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest();

// Version 2 (the list declares a lottery draw, "beacon"): the lottery's numbers follow
// the digest, written as digit groups separated by one space. Version 1: no beacon.
function seedFrom(listSha256, inputs, beaconValue) {
  if (inputs.length === 0) throw new Error("no public inputs: no seed");
  const head = beaconValue === null
    ? ["zhujian-draw-seed/1", listSha256]
    : ["zhujian-draw-seed/2", listSha256, beaconValue.replace(/[\s,，、+＋|/]+/g, " ").trim()];
  const text = [...head, ...inputs].join("\n");
  return sha256(Buffer.from(text, "utf8")).toString("hex");
}

// SHA-256 in counter mode; below(n) draws uniformly from [0, n) by rejection sampling.
function stream(seedHex, group) {
  const key = Buffer.concat([
    Buffer.from(seedHex, "hex"),
    Buffer.from("zhujian-draw-stream/1"),
    Buffer.from([0]),
    Buffer.from(group, "utf8"),
    Buffer.from([0]),
  ]);
  let counter = 0n;
  const words = [];
  const u32 = () => {
    if (words.length === 0) {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(counter++);
      const block = sha256(Buffer.concat([key, c]));
      for (let i = 0; i < 32; i += 4) words.push(block.readUInt32BE(i));
    }
    return words.shift();
  };
  return (n) => {
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = u32();
      if (x < limit) return x % n;
    }
  };
}

function assign(list, seedHex) {
  const byCodePoint = (a, b) => {
    const x = Array.from(a).map((c) => c.codePointAt(0));
    const y = Array.from(b).map((c) => c.codePointAt(0));
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  };
  const groups = [...new Set([...list.households, ...list.units].map((r) => r.group))].sort(byCodePoint);
  const out = [];
  for (const g of groups) {
    const order = list.households.filter((h) => h.group === g).map((h) => h.seq);
    const units = list.units.filter((u) => u.group === g).map((u) => u.seq);
    const below = stream(seedHex, g);
    for (let i = order.length - 1; i > 0; i--) {
      const j = below(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    order.forEach((h, k) => out.push([g, k + 1, h, k < units.length ? units[k] : null]));
    units.slice(order.length).forEach((u) => out.push([g, null, null, u]));
  }
  return out;
}

const file = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const list = file.list || file; // a round file, or a bare list document
const digest = sha256(Buffer.from(canonical(list), "utf8")).toString("hex");
let args = process.argv.slice(3);
let beaconValue = list.beacon ? (file.beacon_value || "") : null;
if (args[0] === "--beacon") {
  beaconValue = args[1];
  args = args.slice(2);
}
const fileInputs = (file.inputs || []).slice().sort((a, b) => a.seq - b.seq).map((i) => i.value);
const seed = args.length === 1 && /^[0-9a-fA-F]{64}$/.test(args[0])
  ? args[0].toLowerCase()
  : seedFrom(digest, args.length ? args : fileInputs, beaconValue);
console.log(digest);
console.log(seed);
for (const row of assign(list, seed)) console.log(JSON.stringify(row));
