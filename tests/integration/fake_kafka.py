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
  groups     a one-broker cluster (node 1, itself) that lists and describes
             consumer groups: ApiVersions, Metadata v1 (no topics, or the
             one topic FAKE_TOPIC names),
             ListGroups v0 and DescribeGroups v0 with the groups of GROUPS
             below; a request for any other API closes the connection (and
             is logged on stderr)

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


def answer_api_versions(conn, version, corr, ranges):
    """ApiVersions: a v0 answer with RANGES, after refusing newer requests
    (UNSUPPORTED_VERSION, which makes the client ask again with v0)."""
    if version > 0:
        respond(conn, corr, api_versions([(18, 0, 0)], err=35))
    else:
        respond(conn, corr, api_versions(ranges))


def sasl(conn):
    """ApiVersions, SaslHandshake v1, then the SaslAuthenticate v0 request,
    whose PLAIN token is captured."""
    while True:
        api_key, version, corr, body = read_request(conn)
        if api_key == 18:
            answer_api_versions(conn, version, corr,
                                [(18, 0, 0), (17, 0, 1), (36, 0, 0), (3, 0, 1)])
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


def kstr(text):
    """A Kafka STRING (int16 length) or, for None, a null NULLABLE_STRING."""
    if text is None:
        return struct.pack(">h", -1)
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def karray(items):
    """A Kafka ARRAY of already-encoded items (int32 count)."""
    return struct.pack(">i", len(items)) + b"".join(items)


# name: (state, protocol, members); "orders" has FAKE_ORDERS_MEMBERS members
# (default 3), to let the test see its check fail.
GROUPS = {
    "orders": ("Stable", "range", int(os.environ.get("FAKE_ORDERS_MEMBERS", "3"))),
    "billing": ("Stable", "roundrobin", 1),
    "empty": ("Empty", "", 0),
}


def metadata_v1(port):
    """Brokers [node_id, host, port, rack], controller_id, topics: none, or
    FAKE_TOPIC with one partition (0) led by node 1."""
    broker = struct.pack(">i", 1) + kstr("127.0.0.1") + struct.pack(">i", port) + kstr(None)
    topics = []
    if os.environ.get("FAKE_TOPIC"):
        part = struct.pack(">hii", 0, 0, 1) + karray([struct.pack(">i", 1)]) * 2
        topics.append(struct.pack(">h", 0) + kstr(os.environ["FAKE_TOPIC"])
                      + struct.pack(">?", False) + karray([part]))
    return karray([broker]) + struct.pack(">i", 1) + karray(topics)


def list_groups_v0():
    """error_code, groups [group_id, protocol_type]."""
    return struct.pack(">h", 0) + karray([kstr(g) + kstr("consumer") for g in GROUPS])


def member_v0(group, i):
    """member_id, client_id, client_host, metadata and assignment (empty bytes)."""
    client = "%s-client-%d" % (group, i)
    return (kstr("%s-%08x" % (client, 0x5eed0000 + i)) + kstr(client)
            + kstr("/127.0.0.%d" % (i + 1)) + struct.pack(">ii", 0, 0))


def describe_group_v0(name):
    """error_code, group_id, state, protocol_type, protocol, members; a group
    not known is "Dead" with no members, as a Kafka coordinator answers."""
    state, protocol, members = GROUPS.get(name, ("Dead", "", 0))
    return (struct.pack(">h", 0) + kstr(name) + kstr(state)
            + kstr("consumer" if name in GROUPS else "") + kstr(protocol)
            + karray([member_v0(name, i) for i in range(members)]))


def read_strings(body):
    """An ARRAY of STRING, the body of a DescribeGroups v0 request."""
    count, at, names = struct.unpack(">i", body[:4])[0], 4, []
    for _ in range(max(count, 0)):
        size = struct.unpack(">h", body[at:at + 2])[0]
        names.append(body[at + 2:at + 2 + size].decode())
        at += 2 + size
    return names


def groups(conn):
    """The one-broker cluster of the "groups" mode (see the top)."""
    port = conn.getsockname()[1]
    while True:
        api_key, version, corr, body = read_request(conn)
        if api_key == 18:
            answer_api_versions(conn, version, corr, [(18, 0, 0), (3, 0, 1), (16, 0, 0), (15, 0, 0)])
        elif api_key == 3 and version == 1:
            respond(conn, corr, metadata_v1(port))
        elif api_key == 16 and version == 0:
            respond(conn, corr, list_groups_v0())
        elif api_key == 15 and version == 0:
            respond(conn, corr, karray([describe_group_v0(g) for g in read_strings(body)]))
        else:
            print("groups: no answer to api key %d v%d" % (api_key, version),
                  file=sys.stderr, flush=True)
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
    if m == "groups":
        groups(conn)
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
