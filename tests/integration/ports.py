"""Ports for the integration tests' servers (the parity scripts import it)."""
import random
import socket


def free_port():
    """A free loopback port outside the kernel's ephemeral range, so that no
    outgoing connection's local port takes it before the server binds it
    (as lib.sh's free_port: below the range when there is room, else above
    it, else anywhere)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            elo, ehi = (int(x) for x in f.read().split()[:2])
    except (OSError, ValueError):
        elo, ehi = 32768, 60999
    lo, hi = 20000, 60000
    if elo >= lo + 2000:
        hi = elo
    elif ehi <= 65535 - 2000:
        lo, hi = ehi + 1, 65536
    for _ in range(100):
        port = random.randrange(lo, hi)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port")
