#!/usr/bin/env python3
"""fake_postgres.py PORT_FILE MODE_FILE UPSTREAM_PORT

A misbehaving PostgreSQL for misbehave_postgres.sh. Listens on a free
loopback port (written to PORT_FILE), and for each new connection reads the
mode from MODE_FILE. Except in proxy mode it speaks enough of the v3
protocol to be connected to: SSLRequest/GSSENCRequest -> 'N', startup ->
AuthenticationOk, ParameterStatus, BackendKeyData, ReadyForQuery; the
exporter's session setup (the first query: SET ...; SELECT version()) is
answered properly; then, from the first query a collector sends (simple, or
Parse/Bind/Execute: Parse and Bind are acknowledged, the misbehaviour starts
at Execute), per mode:

  silent     never answer
  garbage    answer with bytes that are not the protocol
  midclose   start a row description, then close the connection
  rows       a result of endless 100-byte rows (millions), as fast as read
  hugefield  one row whose only field is 1 GiB long, as fast as read
  dribble    start a row, then one byte every 0.2 s, for ever
  proxy      forward the connection to the real server on 127.0.0.1:UPSTREAM_PORT

A CancelRequest connection is read and closed (the query is not stopped:
this server does not listen). Runs until killed; one thread per connection.
"""
import os
import socket
import struct
import sys
import threading
import time

PORT_FILE, MODE_FILE, UPSTREAM = sys.argv[1], sys.argv[2], int(sys.argv[3])
SSL_REQUEST, GSSENC_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102


def mode():
    try:
        with open(MODE_FILE) as f:
            return f.read().strip()
    except OSError:
        return "proxy"


def msg(kind, body=b""):
    return kind + struct.pack("!i", len(body) + 4) + body


def cstr(s):
    return s.encode() + b"\0"


def row_description(name):
    # name, table oid, column no, type oid (text=25), size, typmod, format
    return msg(b"T", struct.pack("!h", 1) + cstr(name) + struct.pack("!ihihih", 0, 0, 25, -1, -1, 0))


def data_row(value):
    return msg(b"D", struct.pack("!hi", 1, len(value)) + value)


def ready():
    return msg(b"Z", b"I")


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def startup(conn):
    """The startup phase; False for a cancel request (nothing more to do)."""
    while True:
        length, code = struct.unpack("!ii", recv_exact(conn, 8))
        rest = recv_exact(conn, length - 8)
        if code in (SSL_REQUEST, GSSENC_REQUEST):
            conn.sendall(b"N")
            continue
        if code == CANCEL_REQUEST:
            return False
        del rest
        params = [("server_version", "15.0"), ("server_encoding", "UTF8"),
                  ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY"),
                  ("integer_datetimes", "on"), ("standard_conforming_strings", "on")]
        out = msg(b"R", struct.pack("!i", 0))
        for k, v in params:
            out += msg(b"S", cstr(k) + cstr(v))
        out += msg(b"K", struct.pack("!ii", 4242, 1234)) + ready()
        conn.sendall(out)
        return True


def read_message(conn):
    kind = recv_exact(conn, 1)
    (length,) = struct.unpack("!i", recv_exact(conn, 4))
    return kind, recv_exact(conn, length - 4)


def answer_setup(conn, sql):
    out = b""
    for _ in range(sql.count(b"SET ")):
        out += msg(b"C", cstr("SET"))
    out += row_description("version") + data_row(b"PostgreSQL 15.0 (fake_postgres.py)")
    out += msg(b"C", cstr("SELECT 1")) + ready()
    conn.sendall(out)


def misbehave(conn, m):
    if m == "silent":
        while conn.recv(65536):
            pass
    elif m == "garbage":
        while True:
            conn.sendall(b"!!garbage\x00\xff not the protocol" + os.urandom(512))
            if not conn.recv(65536):
                return
    elif m == "midclose":
        conn.sendall(row_description("x")[:9])
    elif m == "rows":
        conn.sendall(row_description("x"))
        batch = data_row(b"r" * 89) * 10000
        while True:
            conn.sendall(batch)
    elif m == "hugefield":
        size = 1 << 30
        conn.sendall(row_description("x") + msg(b"D", b"")[:1] +
                     struct.pack("!ihi", 4 + 2 + 4 + size, 1, size))
        chunk = b"x" * 65536
        for _ in range(size // len(chunk)):
            conn.sendall(chunk)
        while conn.recv(65536):
            pass
    elif m == "dribble":
        for b in row_description("x") + data_row(b"d" * 100000):
            conn.sendall(bytes([b]))
            time.sleep(0.2)


def serve_fake(conn, m):
    if not startup(conn):
        return
    setup_done = False
    while True:
        kind, body = read_message(conn)
        if kind == b"X":
            return
        if kind == b"Q" and not setup_done:
            setup_done = True
            answer_setup(conn, body)
        elif kind == b"P":
            conn.sendall(msg(b"1"))
        elif kind == b"B":
            conn.sendall(msg(b"2"))
        elif kind == b"S":
            conn.sendall(ready())
        elif kind in (b"Q", b"E"):
            misbehave(conn, m)
            return
        # D (Describe) and others: answered with the Execute's reply


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


def handle(conn):
    m = mode()
    try:
        if m == "proxy":
            up = socket.create_connection(("127.0.0.1", UPSTREAM))
            threading.Thread(target=pump, args=(up, conn), daemon=True).start()
            pump(conn, up, watch_mode=True)   # a kept connection sees the next mode
            up.close()
        else:
            serve_fake(conn, m)
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
