#!/usr/bin/env python3
"""hostile_client.py PORT PID MAX_CONNECTIONS HEADER_TIMEOUT TELEMETRY_PATH

Hostile HTTP clients against one exporter on 127.0.0.1:PORT (process PID,
started with --web.max-connections=MAX_CONNECTIONS and
--web.read-header-timeout=HEADER_TIMEOUT by hostile_http.sh): bad methods,
huge and many headers, huge URLs, garbage bytes, a TLS hello on plain HTTP,
HTTP/1.0, pipelining, odd query strings, more idle connections than allowed,
slowloris. After each, the server must still answer a normal scrape; at the
end threads and fds are back to what they were and RSS is bounded.

Prints "ok NAME" / "FAIL NAME: why" lines (read by hostile_http.sh), one
per check. Checks never depend on speed: every wait is a generous upper
bound with polling.
"""
import os
import socket
import sys
import time

PORT, PID, MAXCONN, HDR_TIMEOUT = (int(a) for a in sys.argv[1:5])
TELEMETRY = sys.argv[5]
HOST = "127.0.0.1"
FAILED = 0


def report(name, ok, why=""):
    global FAILED
    if ok:
        print(f"ok {name}", flush=True)
    else:
        FAILED += 1
        print(f"FAIL {name}: {why}", flush=True)


def connect(timeout=10.0):
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_all(s, limit=1 << 24):
    """Everything until EOF (or timeout, or limit bytes)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def exchange(raw, timeout=10.0):
    """Sends raw, returns what came back before the server closed (b"" on reset)."""
    s = connect(timeout)
    try:
        s.sendall(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass
    data = read_all(s)
    s.close()
    return data


def status_of(resp):
    """The status code of the first response in resp, or 0 (closed, nothing sent)."""
    if not resp.startswith(b"HTTP/"):
        return 0
    try:
        return int(resp.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return -1


def scrape_ok():
    """A normal scrape answers 200 with a body."""
    try:
        resp = exchange(f"GET {TELEMETRY} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    except OSError as e:
        return False, f"scrape: {e}"
    head, _, body = resp.partition(b"\r\n\r\n")
    return status_of(resp) == 200 and len(body) > 0, head[:200].decode("latin-1")


def alive(name, within=0.0):
    """A normal scrape works (within seconds: while closed slots are freed)."""
    deadline = time.monotonic() + within
    ok, why = scrape_ok()
    while not ok and time.monotonic() < deadline:
        time.sleep(0.2)
        ok, why = scrape_ok()
    report(f"{name}: a normal scrape still works", ok, why)


def proc_counts():
    threads = len(os.listdir(f"/proc/{PID}/task"))
    fds = len(os.listdir(f"/proc/{PID}/fd"))
    rss = 0
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    return threads, fds, rss


def expect_status(name, raw, allowed):
    try:
        resp = exchange(raw)
    except OSError as e:
        resp, code = b"", f"error {e}"
    code = status_of(resp)
    report(name, code in allowed, f"status {code} not in {sorted(allowed)}: {resp[:120]!r}")
    alive(name)


def bad_methods():
    for m in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW", "get"]:
        target = "example.com:443" if m == "CONNECT" else TELEMETRY
        raw = f"{m} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        expect_status(f"method {m}: refused", raw, {400, 405, 501})
    body = b"x" * 200000
    raw = (f"POST {TELEMETRY} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
           "Connection: close\r\n\r\n").encode() + body
    expect_status("POST with a 200 KB body: refused", raw, {0, 405, 413})
    raw = (f"POST {TELEMETRY} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
           "Connection: close\r\n\r\nzz\r\n").encode()
    expect_status("POST with a bad chunked body: refused", raw, {0, 400, 405})


def huge_requests():
    big = "a" * 100000
    expect_status("one 100 KB header: 431 or closed",
                  f"GET {TELEMETRY} HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n".encode(),
                  {0, 400, 413, 431})
    many = "".join(f"X-H{i}: v\r\n" for i in range(20000))
    expect_status("20000 headers: 431 or closed",
                  f"GET {TELEMETRY} HTTP/1.1\r\nHost: x\r\n{many}\r\n".encode(), {0, 400, 413, 431})
    expect_status("100 KB URL: 414 or closed",
                  f"GET /{big} HTTP/1.1\r\nHost: x\r\n\r\n".encode(), {0, 400, 414, 431})
    expect_status("100 KB query string: 414 or closed",
                  f"GET {TELEMETRY}?collect[]={big} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
                  {0, 400, 414, 431})
    expect_status("header line without a colon: 400",
                  f"GET {TELEMETRY} HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n".encode(),
                  {0, 400})


def garbage():
    rnd = os.urandom(8192)
    expect_status("8 KB of random bytes: 400 or closed", rnd + b"\r\n\r\n", {0, 400, 505})
    expect_status("NUL bytes in the request line: 400 or closed",
                  b"GET /met\x00rics HTTP/1.1\r\nHost: x\r\n\r\n", {0, 400, 404})
    hello = bytes.fromhex("16030100a5010000a10303") + os.urandom(32) + b"\x00" * 64
    expect_status("TLS ClientHello on plain HTTP: 400 or closed", hello, {0, 400})
    expect_status("HTTP/9.9: refused", f"GET {TELEMETRY} HTTP/9.9\r\nHost: x\r\n\r\n".encode(),
                  {0, 400, 505})
    expect_status("bare LF line ends: served or 400",
                  f"GET {TELEMETRY} HTTP/1.1\nHost: x\nConnection: close\n\n".encode(), {200, 400})


def versions_and_pipelining():
    resp = exchange(f"GET {TELEMETRY} HTTP/1.0\r\n\r\n".encode())
    report("HTTP/1.0 without Host: 200 and closed", status_of(resp) == 200, resp[:120])
    two = f"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\nGET {TELEMETRY} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    resp = exchange(two.encode())
    # MHD answers the first and closes (every response here says
    # Connection: close); what matters is an answer, no hang, no crash.
    report("two pipelined requests: the first answered, then closed",
           status_of(resp) == 200 and resp.count(b"HTTP/1.1 200") in (1, 2), resp[:200])
    alive("pipelining")
    expect_status("HTTP/1.1 without Host: 400 or served",
                  f"GET {TELEMETRY} HTTP/1.1\r\nConnection: close\r\n\r\n".encode(), {200, 400})


BASE = (0, 0, 0)


def odd_queries():
    for q in ["collect[]=%ZZ", "collect[]=%00", "collect[]=%C0%AF", "collect%5B%5D=x",
              "a&&&=&=x&", "collect[]=" + "%FF" * 1000, "target=%00", "target=%0d%0aX:1",
              "exclude[]=../../etc/passwd", "format=%", "collect[]=" + "+" * 50,
              "collect[]=a;b|c`d$(e)"]:
        for path in [TELEMETRY, "/", "/scrape", "/probe"]:
            raw = f"GET {path}?{q} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
            resp = exchange(raw)
            code = status_of(resp)
            if not 200 <= code < 500:
                report(f"query {path}?{q[:30]}: no 5xx", False, f"status {code}")
                break
            if b"\r\nX:1" in resp.partition(b"\r\n\r\n")[0]:
                report(f"query {path}?{q[:30]}: no header injection", False, resp[:200])
    report("odd query strings: every answer 2xx-4xx, no injected header", True)
    alive("odd query strings")


def idle_flood():
    """More idle connections than --web.max-connections."""
    extra = 20
    socks = []
    for _ in range(MAXCONN + extra):
        try:
            socks.append(connect(5))
        except OSError:
            break
    time.sleep(0.5)
    threads, _, _ = proc_counts()
    report(f"{len(socks)} idle connections: threads stay bounded ({threads})",
           threads <= BASE[0] + MAXCONN + 4, f"{threads} threads, baseline {BASE[0]}")
    # Over the limit, a new connection is refused (closed), not served.
    refused = 0
    for s in socks[MAXCONN:]:
        s.settimeout(5)
        try:
            s.sendall(f"GET {TELEMETRY} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            if read_all(s, 1) == b"":
                refused += 1
        except OSError:
            refused += 1
    report("connections over the limit are closed", refused >= extra - 2,
           f"{refused} of {extra} closed")
    for s in socks:
        s.close()
    alive("after the idle flood", within=15)


def slowloris():
    """Headers dribbled a byte a second: each connection is cut by the header timeout."""
    n = min(8, MAXCONN - 1)
    socks = []
    for _ in range(n):
        s = connect(5)
        s.sendall(f"GET {TELEMETRY} HTTP/1.1\r\nHost: x\r\n".encode())
        socks.append(s)
    cut = [False] * n
    limit = HDR_TIMEOUT * 3 + 15      # generous: never a timing assertion
    start = time.monotonic()
    while not all(cut) and time.monotonic() - start < limit:
        for i, s in enumerate(socks):
            if cut[i]:
                continue
            try:
                s.sendall(b"X")
                s.settimeout(0.01)
                if s.recv(1) == b"":
                    cut[i] = True
            except socket.timeout:
                pass
            except OSError:
                cut[i] = True
        time.sleep(1)
    for s in socks:
        s.close()
    report(f"slowloris: all {n} dribbling connections cut by --web.read-header-timeout",
           all(cut), f"{sum(cut)} of {n} cut within {limit}s")
    alive("after slowloris", within=15)


def back_to_baseline():
    """Threads and fds return to the baseline (connection threads exit); RSS bounded."""
    deadline = time.monotonic() + 30
    while True:
        threads, fds, rss = proc_counts()
        if (threads <= BASE[0] and fds <= BASE[1]) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    report(f"threads back to baseline ({threads} <= {BASE[0]})", threads <= BASE[0])
    report(f"fds back to baseline ({fds} <= {BASE[1]})", fds <= BASE[1])
    bound = max(2 * BASE[2], BASE[2] + 16384)
    report(f"RSS bounded ({BASE[2]} kB -> {rss} kB, bound {bound} kB)", rss <= bound)


def main():
    global BASE  # pylint: disable=global-statement
    ok, why = scrape_ok()
    report("baseline scrape: 200", ok, why)
    # Warm-up: the scrape routes first, so the scrapers' kept workers and
    # /scrape's cached targets (bounded, by design) are in the baseline.
    odd_queries()
    versions_and_pipelining()
    BASE = proc_counts()
    print(f"# baseline threads={BASE[0]} fds={BASE[1]} rss_kb={BASE[2]}", flush=True)
    bad_methods()
    huge_requests()
    garbage()
    idle_flood()
    slowloris()
    back_to_baseline()
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
