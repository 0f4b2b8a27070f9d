"""The floor the HJ 212 receiver is measured against: the least a receiver must do.

    python -m bench.hj212_floor --port 9213 --stats-file /tmp/floor.json

One asyncio server, no database and no registry: it cuts each connection's bytes at
``\\r\\n``, checks the length field and the HJ 212 CRC (the same table-driven algorithm,
written here on its own), reads QN, PW and MN from the header and answers ``CN=9014``
when the Flag asks. It writes the same counters as ``zhujian hj212 serve --stats-file``
(``frames``, ``cpu_s``, ``rss_mb``, ``time``), so ``bench/hj212_receiver.py`` times both
with the same simulator and prints the project's receiver against this floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import signal
import time
from pathlib import Path


def _table() -> list[int]:
    out = []
    for n in range(256):
        reg = n
        for _ in range(8):
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
        out.append(reg)
    return out


TABLE = _table()


def crc(data: bytes) -> int:
    reg = 0xFFFF
    for byte in data:  # HJ 212-2017 Appendix A (not CRC-16/MODBUS)
        reg = (reg >> 8) ^ byte
        reg = (reg >> 8) ^ TABLE[reg & 0xFF]
    return reg


class Floor(asyncio.Protocol):
    frames = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n")) >= 0:
            frame, self.buf = self.buf[:end], self.buf[end + 2 :]
            Floor.frames += 1
            start = frame.find(b"##")
            if start < 0:
                continue
            frame = frame[start:]
            segment = frame[6:-4]
            if not frame[2:6].isdigit() or int(frame[2:6]) != len(segment):
                continue
            try:
                if int(frame[-4:], 16) != crc(segment):
                    continue
            except ValueError:
                continue
            header = dict(
                item.split(b"=", 1)
                for item in segment.split(b";CP=", 1)[0].split(b";")
                if b"=" in item
            )
            if int(header.get(b"Flag", b"0") or 0) & 1:
                ack = b"QN=%s;ST=91;CN=9014;PW=%s;MN=%s;Flag=4;CP=&&&&" % (
                    header.get(b"QN", b""),
                    header.get(b"PW", b""),
                    header.get(b"MN", b""),
                )
                self.transport.write(b"##%04d%s%04X\r\n" % (len(ack), ack, crc(ack)))


async def main(host: str, port: int, stats_file: Path | None) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = await loop.create_server(Floor, host, port, backlog=4096, reuse_address=True)

    async def report() -> None:
        while True:
            await asyncio.sleep(1)
            if stats_file is not None:
                stats = {
                    "time": time.time(),
                    "cpu_s": time.process_time(),
                    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "frames": Floor.frames,
                    "written_readings": Floor.frames,  # nothing to write: never "behind"
                    "pending": 0,
                }
                tmp = stats_file.with_suffix(".tmp")
                tmp.write_text(json.dumps(stats))
                tmp.replace(stats_file)

    task = asyncio.create_task(report())
    await stop.wait()
    task.cancel()
    server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.hj212_floor")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats-file", type=Path)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(main(args.host, args.port, args.stats_file))
