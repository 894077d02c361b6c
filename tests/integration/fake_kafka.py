#!/usr/bin/env python3
"""fake_kafka.py PORT_FILE MODE_FILE [UPSTREAM_HOST:PORT]

A misbehaving Kafka broker for misbehave_kafka.sh and kafka_e2e.sh. Listens
on a free loopback port (written to PORT_FILE), and for each new connection
reads the mode from MODE_FILE:

  silent     accept, read, never answer
  garbage    answer every request with random bytes (random frame lengths)
  midclose   start a response frame (100000 bytes announced), then close
  huge       announce a 2 GiB response frame, then send bytes as fast as
             the client reads
  big        announce a frame of BIG_MB (default 90) MiB, below librdkafka's
             own 100 MB receive limit, then send bytes as fast as the
             client reads
  dribble    announce a 1000-byte frame, then one byte every 0.2 s
  proxy      forward to the real broker UPSTREAM_HOST:PORT (the mock cluster)
  sasl       a broker that wants SASL/PLAIN (ApiVersions v0, SaslHandshake v1):
             the client's PLAIN token from SaslAuthenticate is appended to
             SASL_CAPTURE (a file, one line of hex per token), then the connection closed

Runs until killed. One thread per connection; nothing is kept.
"""
import os
import socket
import struct
import sys
import threading
import time

PORT_FILE, MODE_FILE = sys.argv[1], sys.argv[2]
UPSTREAM = sys.argv[3] if len(sys.argv) > 3 else ""
BIG = int(os.environ.get("BIG_MB", "90")) << 20
CHUNK = b"x" * 65536


def mode():
    try:
        with open(MODE_FILE) as f:
            return f.read().strip()
    except OSError:
        return "silent"


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        part = conn.recv(n - len(data))
        if not part:
            raise OSError("closed")
        data += part
    return data


def read_request(conn):
    """One Kafka request frame: (api_key, api_version, correlation id, body)."""
    size = struct.unpack(">i", recv_exact(conn, 4))[0]
    frame = recv_exact(conn, size)
    api_key, version, corr = struct.unpack(">hhi", frame[:8])
    client_len = struct.unpack(">h", frame[8:10])[0]
    return api_key, version, corr, frame[10 + max(client_len, 0):]


def respond(conn, corr, body):
    frame = struct.pack(">i", corr) + body
    conn.sendall(struct.pack(">i", len(frame)) + frame)


def api_versions(ranges, err=0):
    """An ApiVersions v0 response body: error, [api_key, min, max]."""
    body = struct.pack(">hi", err, len(ranges))
    return body + b"".join(struct.pack(">hhh", *r) for r in ranges)


def sasl(conn):
    """ApiVersions (a v0 answer, after refusing newer ones), SaslHandshake v1,
    then the SaslAuthenticate v0 request, whose PLAIN token is captured."""
    while True:
        api_key, version, corr, body = read_request(conn)
        if api_key == 18 and version > 0:     # ApiVersions: ask for v0
            respond(conn, corr, api_versions([(18, 0, 0)], err=35))
        elif api_key == 18:
            respond(conn, corr, api_versions([(18, 0, 0), (17, 0, 1), (36, 0, 0), (3, 0, 1)]))
        elif api_key == 17:                   # SaslHandshake
            mech = b"PLAIN"
            respond(conn, corr, struct.pack(">hih", 0, 1, len(mech)) + mech)
        elif api_key == 36:                   # SaslAuthenticate: bytes auth_bytes
            size = struct.unpack(">i", body[:4])[0]
            with open(os.environ["SASL_CAPTURE"], "a") as f:
                f.write(body[4:4 + size].hex() + "\n")
            return
        else:
            return


def stream(conn, announced):
    conn.sendall(struct.pack(">I", announced))
    sent = 0
    while sent < announced:
        n = min(len(CHUNK), announced - sent)
        conn.sendall(CHUNK[:n])
        sent += n


def serve(conn, m):
    conn.settimeout(None)
    if m == "proxy":
        host, port = UPSTREAM.rsplit(":", 1)
        up = socket.create_connection((host, int(port)))
        threading.Thread(target=pump, args=(up, conn), daemon=True).start()
        pump(conn, up)
        up.close()
        return
    if m == "sasl":
        sasl(conn)
        return
    if m == "silent":
        while conn.recv(65536):
            pass
        return
    conn.recv(65536)          # the client's first request
    if m == "garbage":
        while True:
            conn.sendall(struct.pack(">i", 24) + os.urandom(24) + os.urandom(512))
            if not conn.recv(65536):
                return
    elif m == "midclose":
        conn.sendall(struct.pack(">i", 100000) + b"\x00\x00\x00\x01" + b"y" * 100)
    elif m == "huge":
        stream(conn, 0x7FFFFFF0)
    elif m == "big":
        stream(conn, BIG)
        while conn.recv(65536):
            pass
    elif m == "dribble":
        conn.sendall(struct.pack(">i", 1000))
        while True:
            conn.sendall(b"a")
            time.sleep(0.2)


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
