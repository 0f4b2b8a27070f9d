"""A fake upstream HJ 212 platform on 127.0.0.1: it reads packets from a TCP stream,
checks their CRC, answers each packet that asks for it (Flag bit A) with CN 9014 and the
same QN, and keeps what it received: every packet as it came (``received``) and each
(MN, QN) once (``stored``, the standard's way to recognise a repeat). It can be stopped
and started on the same port (an outage), and can withhold some acknowledgements."""

from __future__ import annotations

import random
import socket
import threading
from collections import Counter

from zhujian.domains.sitemonitor import protocol as p


class FakeHJ212Upstream:
    def __init__(self, password: str, *, seed: int = 0, lose_ack_rate: float = 0.0) -> None:
        self.password = password
        self.rng = random.Random(seed)
        self.lose_ack_rate = lose_ack_rate
        self.port = 0
        self.received: list[p.Packet] = []
        self.stored: dict[tuple[str, str], p.Packet] = {}
        self.refused: Counter[str] = Counter()
        self._sock: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._running = False
        self.lock = threading.Lock()

    def start(self) -> FakeHJ212Upstream:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(8)
        sock.settimeout(0.2)
        self.port = sock.getsockname()[1]
        self._sock, self._running = sock, True
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads = [thread]
        return self

    def stop(self) -> None:
        self._running = False
        for t in self._threads:
            t.join(timeout=2)
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _accept(self) -> None:
        while self._running:
            try:
                conn, _ = self._sock.accept()  # type: ignore[union-attr]
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        framer = p.Framer()
        conn.settimeout(0.2)
        with conn:
            while self._running:
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                for item in framer.feed(data):
                    if not isinstance(item, p.Frame):
                        self.refused["frame"] += 1
                        continue
                    split = p.split_frame(item.raw)
                    if isinstance(split, p.Reject) or split[1] != p.crc_hj212(split[0]):
                        self.refused["crc"] += 1
                        continue
                    packet = p.parse_segment(item.raw, split[0])
                    if isinstance(packet, p.Reject):
                        self.refused["data"] += 1
                        continue
                    if packet.pw != self.password:
                        self.refused["password"] += 1
                        continue
                    with self.lock:
                        self.received.append(packet)
                        self.stored.setdefault((packet.mn, packet.qn), packet)
                        lose = self.rng.random() < self.lose_ack_rate
                    if packet.wants_ack and not lose:
                        conn.sendall(p.ack_for(packet))
