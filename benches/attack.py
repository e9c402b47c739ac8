#!/usr/bin/env python3
"""Load for benches/attack.sh, against a Custos server on 127.0.0.1 only.

  attack.py signin ADDR PID N [forwarded]   N concurrent API sign-ins with wrong passwords;
                                            with `forwarded`, each from its own address via
                                            X-Forwarded-For (the server must trust 127.0.0.1)
  attack.py flood ADDR SECONDS HELD         idle and slow connections for SECONDS, HELD at a
                                            time, probing /healthz every half second

Each prints one line of key=value figures. Bounded in count and time; stops by itself.
"""
import json
import socket
import sys
import threading
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def request(addr, raw, timeout=30.0):
    host, port = addr.rsplit(":", 1)
    t0 = time.monotonic()
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(raw)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return 0, time.monotonic() - t0
    try:
        status = int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        status = 0
    return status, time.monotonic() - t0


def signin(addr, pid, n, forwarded):
    idle = rss_kib(pid)
    peak = [idle]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    statuses = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def one(i):
        body = json.dumps({"username": f"user{i}", "password": "guess guess guess"}).encode()
        head = (
            f"POST /api/v1/sessions HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        )
        if forwarded:
            head += f"X-Forwarded-For: 10.{i // 250}.{i % 250 + 1}.1\r\n"
        barrier.wait()
        status, _ = request(addr, (head + "\r\n").encode() + body)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    done.set()
    sampler.join()
    time.sleep(1)
    after = rss_kib(pid)
    checked = statuses.count(401)
    print(
        f"requests={n} elapsed_s={elapsed:.2f} checked={checked} "
        f"busy_503={statuses.count(503)} throttled_429={statuses.count(429)} "
        f"other={n - checked - statuses.count(503) - statuses.count(429)} "
        f"checks_per_s={checked / elapsed:.1f} idle_mib={idle / 1024:.1f} "
        f"peak_mib={peak[0] / 1024:.1f} after_mib={after / 1024:.1f}"
    )


def flood(addr, seconds, held):
    host, port = addr.rsplit(":", 1)
    stop = time.monotonic() + seconds
    conns = []
    opened = 0
    probes = []

    def probe():
        while time.monotonic() < stop:
            status, took = request(
                addr, f"GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n".encode(), 10
            )
            probes.append((status, took))
            time.sleep(0.5)

    prober = threading.Thread(target=probe)
    prober.start()
    last_drip = time.monotonic()
    while time.monotonic() < stop and opened < 50_000:
        while len(conns) < held and opened < 50_000:
            s = socket.socket()
            s.settimeout(0.3)
            try:
                s.connect((host, int(port)))
            except OSError:
                s.close()
                break
            opened += 1
            s.setblocking(False)
            slow = opened % 2 == 0
            if slow:
                try:
                    s.send(b"GET / HTTP/1.1\r\nHost: flood\r\nX-Slow: ")
                except OSError:
                    pass
            conns.append((s, slow))
        drip = time.monotonic() - last_drip >= 0.5
        if drip:
            last_drip = time.monotonic()
        alive = []
        for s, slow in conns:
            try:
                if s.recv(512) == b"":
                    s.close()
                    continue
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                continue
            if drip and slow:
                try:
                    s.send(b"a")
                except BlockingIOError:
                    pass
                except OSError:
                    s.close()
                    continue
            alive.append((s, slow))
        conns = alive
        time.sleep(0.005)
    for s, _ in conns:
        s.close()
    prober.join()
    ok = sum(1 for s, _ in probes if s == 200)
    slowest = max((t for _, t in probes), default=0.0)
    print(
        f"seconds={seconds} connections_opened={opened} healthz_probes={len(probes)} "
        f"healthz_ok={ok} healthz_slowest_ms={slowest * 1000:.0f}"
    )


if __name__ == "__main__":
    if sys.argv[1] == "signin":
        signin(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), len(sys.argv) > 5)
    elif sys.argv[1] == "flood":
        flood(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
