#!/usr/bin/env python3
"""fake_redis.py PORT_FILE MODE_FILE UPSTREAM_PORT

A misbehaving Redis for misbehave_redis.sh. Listens on a free loopback port
(written to PORT_FILE), and for each new connection reads the mode from
MODE_FILE:

  silent     accept, read, never answer
  garbage    answer every read with bytes that are not RESP
  midclose   start a bulk reply, then close the connection
  huge       answer every command with a bulk string of HUGE_MB (default 512) MiB,
             sent as fast as the client reads
  hugearray  answer with a multi-bulk header of 100 million elements, then
             elements as fast as the client reads
  dribble    start a bulk reply, then one byte every 0.2 s, for ever
  proxy      forward to the real redis-server on 127.0.0.1:UPSTREAM_PORT
  hugecmd:NAME     proxy command by command, but answer every NAME command
                   (GET, SCAN, CLUSTER, ...) as huge does; for CLUSTER, INFO
                   replies say cluster_enabled:1, so that CLUSTER INFO is asked
  dribblecmd:NAME  the same, answering NAME as dribble does
  lateinfo:NAME    the same, but INFO is answered LATE_S (default 5) seconds
                   late and NAME never: a read that starts late in the scrape

Runs until killed. One thread per connection; nothing is kept.
"""
import os
import socket
import sys
import threading
import time

PORT_FILE, MODE_FILE, UPSTREAM = sys.argv[1], sys.argv[2], int(sys.argv[3])
HUGE = int(os.environ.get("HUGE_MB", "512")) << 20
CHUNK = b"x" * 65536


def mode():
    try:
        with open(MODE_FILE) as f:
            return f.read().strip()
    except OSError:
        return "proxy"


def pump(src, dst, watch_mode=False):
    """Copies src to dst; watch_mode: stop once the mode is no longer proxy."""
    try:
        while True:
            data = src.recv(65536)
            if not data or (watch_mode and mode() != "proxy"):
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def parse_command(buf):
    """One RESP command (an array of bulk strings) at the start of buf:
    (args, rest), or None while incomplete."""
    i = buf.find(b"\r\n")
    if i < 0:
        return None
    pos, args = i + 2, []
    for _ in range(int(buf[1:i])):
        j = buf.find(b"\r\n", pos)
        if j < 0:
            return None
        n = int(buf[pos + 1:j])
        if len(buf) < j + 2 + n + 2:
            return None
        args.append(buf[j + 2:j + 2 + n])
        pos = j + 2 + n + 2
    return args, buf[pos:]


def reply_end(buf, pos):
    """Where the RESP2 reply starting at pos ends, or None while incomplete."""
    j = buf.find(b"\r\n", pos)
    if j < 0:
        return None
    kind = buf[pos:pos + 1]
    if kind in (b"+", b"-", b":"):
        return j + 2
    n = int(buf[pos + 1:j])
    if kind == b"$":
        end = j + 2 + n + 2 if n >= 0 else j + 2
        return end if len(buf) >= end else None
    pos = j + 2
    for _ in range(max(n, 0)):
        pos = reply_end(buf, pos)
        if pos is None:
            return None
    return pos


def split_reply(buf):
    """(the first reply in buf, the rest), or None while incomplete."""
    end = reply_end(buf, 0)
    return None if end is None else (buf[:end], buf[end:])


def recv_until(sock, buf, parse):
    while True:
        parsed = parse(buf)
        if parsed is not None:
            return parsed
        data = sock.recv(65536)
        if not data:
            raise OSError("closed")
        buf += data


def send_huge(conn):
    conn.sendall(b"$%d\r\n" % HUGE)
    sent = 0
    while sent < HUGE:
        n = min(len(CHUNK), HUGE - sent)
        conn.sendall(CHUNK[:n])
        sent += n
    conn.sendall(b"\r\n")


def send_dribble(conn):
    conn.sendall(b"$100000\r\n")
    while True:
        conn.sendall(b"a")
        time.sleep(0.2)


LATE_S = float(os.environ.get("LATE_S", "5"))


def serve_per_command(conn, m):
    """hugecmd:, dribblecmd:, lateinfo:NAME: a proxy that answers NAME itself."""
    kind, name = m.split(":", 1)
    up = socket.create_connection(("127.0.0.1", UPSTREAM))
    buf = ubuf = b""
    try:
        while mode() == m:
            args, buf = recv_until(conn, buf, parse_command)
            if args[0].upper() == name.encode():
                if kind == "lateinfo":
                    continue      # never answered
                (send_huge if kind == "hugecmd" else send_dribble)(conn)
                continue
            if kind == "lateinfo" and args[0].upper() == b"INFO":
                time.sleep(LATE_S)
            up.sendall(b"*%d\r\n" % len(args) +
                       b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
            reply, ubuf = recv_until(up, ubuf, split_reply)
            if name == "CLUSTER" and args[0].upper() == b"INFO":
                reply = reply.replace(b"cluster_enabled:0", b"cluster_enabled:1")
            conn.sendall(reply)
    finally:
        up.close()


def serve(conn, m):
    conn.settimeout(None)
    if m.startswith(("hugecmd:", "dribblecmd:", "lateinfo:")):
        serve_per_command(conn, m)
        return
    if m == "proxy":
        up = socket.create_connection(("127.0.0.1", UPSTREAM))
        threading.Thread(target=pump, args=(up, conn), daemon=True).start()
        pump(conn, up, watch_mode=True)   # a kept connection sees the next mode
        up.close()
        return
    if m == "silent":
        while conn.recv(65536):
            pass
        return
    conn.recv(65536)          # the client's commands
    if m == "garbage":
        while True:
            conn.sendall(b"!!garbage\x00\xff\r\nnot resp at all\r\n" + os.urandom(512))
            if not conn.recv(65536):
                return
    elif m == "midclose":
        conn.sendall(b"$100000\r\n# Server\r\nredis_version:7.0.0\r\n")
    elif m == "huge":
        send_huge(conn)
        while conn.recv(65536):
            pass
    elif m == "hugearray":
        conn.sendall(b"*100000000\r\n")
        element = b":1\r\n" * 16384
        while True:
            conn.sendall(element)
    elif m == "dribble":
        send_dribble(conn)


def handle(conn):
    try:
        serve(conn, mode())
    except OSError:
        pass
    finally:
        conn.close()


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    tmp = PORT_FILE + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(tmp, PORT_FILE)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
