#!/usr/bin/env python3
"""Parity oracle: ours against Debian's redis_exporter 1.45.0 on the same
Redis 7 server (a primary with keys in several databases, TTLs, latency
tracking, error replies, and a replica attached so the replication families
carry values).

Compares per family: presence, TYPE, HELP, label names and label-value sets;
values where they cannot move between two reads (config, key counts, memory
limits, instance info, replication state) or move slowly (uptime, start
time). Every family of tests/fixtures/redis/redis.contract (what 1.45.0 emits
against Redis 7.0) must be in ours.

usage: parity_redis.py EXPORTERBOX_BIN [GO_BIN]
Exits 0 when everything matches, 77 (ctest's "skipped") when the Go exporter
or redis-server is missing, 1 otherwise.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from ports import free_port  # tests/integration/ports.py

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACT = os.path.join(HERE, "..", "fixtures", "redis", "redis.contract")
# Families only one side has, on purpose (README: "Differences from upstream").
ONLY_THEIRS = re.compile(r"^(go_|promhttp_)")
ONLY_OURS = re.compile(r"^(redis_scrape_collector_(duration_seconds|success)|exporterbox_build_info)$")
# Families whose values must agree (after both scraped the same state).
STABLE_VALUES = re.compile(
    r"^redis_(config_\w+|memory_max_bytes|db_keys|db_keys_expiring|connected_slaves|"
    r"aof_enabled|cluster_enabled|rdb_last_bgsave_status|process_id|instance_info|"
    r"slave_info|master_link_up|key_size|key_value|keys_count|replication_backlog_bytes|"
    r"repl_backlog_is_active|loading_dump_file|up|exporter_last_scrape_error|"
    r"pubsub_channels|number_of_cached_scripts)$")
# Values that move by a second or so between the two reads.
CLOSE_VALUES = re.compile(r"^redis_(uptime_in_seconds|start_time_seconds|db_avg_ttl_seconds)$")
# Label values that differ on purpose: upstream fills redis_exporter_build_info
# with Go's build data; ours with exporterbox's version.
IGNORE_LABEL_VALUES = {"redis_exporter_build_info"}
# Families whose label-value sets depend on each side's own commands (CLIENT
# SETNAME, SCAN, CONFIG GET, PFCOUNT...; upstream's PFCOUNT on every string key
# it checks is an error reply that ours then counts too): the set differs,
# the form does not.
OWN_COMMANDS = re.compile(r"^redis_(commands_\w+|latency_percentiles_usec|errors_total)$")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def parse(text):
    """family name -> {type, help, samples: [(name, {labels}, value)]}"""
    fams = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, name, rest = (line.split(" ", 3) + [""])[:4]
            fam = fams.setdefault(name, {"type": None, "help": None, "samples": []})
            fam["help" if kind == "HELP" else "type"] = rest
            continue
        m = SAMPLE.match(line)
        if not m:
            continue
        name, labels = m.group(1), dict(LABEL.findall(m.group(3) or ""))
        base = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and name[: -len(suffix)] in fams:
                base = name[: -len(suffix)]
        fam = fams.setdefault(base, {"type": None, "help": None, "samples": []})
        fam["samples"].append((name, labels, float(m.group(4))))
    return fams


def cli(port, *args, db=0):
    subprocess.run(["redis-cli", "-p", str(port), "-n", str(db), *args],
                   check=True, stdout=subprocess.DEVNULL)


def wait_ping(port):
    for _ in range(200):
        r = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True)
        if "PONG" in r.stdout:
            return
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def get(url):
    with urllib.request.urlopen(url, timeout=20) as r:
        return r.read().decode()


def wait_http(url):
    for _ in range(200):
        try:
            return get(url)
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"no answer from {url}")


def label_names(fam):
    return {frozenset(k for k in labels if k != "quantile") for _, labels, _ in fam["samples"]}


def label_values(fam):
    return sorted({tuple(sorted(labels.items())) for _, labels, _ in fam["samples"]})


def compare(theirs, ours):
    for name in sorted(theirs):
        if ONLY_THEIRS.match(name) or name.startswith("process_"):
            continue
        t = theirs[name]
        if name not in ours:
            check(False, f"{name}: missing in ours")
            continue
        o = ours[name]
        check(t["type"] == o["type"], f"{name}: type {o['type']} != {t['type']}")
        check(t["help"] == o["help"], f"{name}: HELP {o['help']!r} != {t['help']!r}")
        check(label_names(t) <= label_names(o) or not t["samples"],
              f"{name}: label names {label_names(o)} != {label_names(t)}")
        if name not in IGNORE_LABEL_VALUES and not OWN_COMMANDS.match(name):
            check(label_values(t) == label_values(o),
                  f"{name}: label values\n  ours   {label_values(o)}\n  theirs {label_values(t)}")
        if STABLE_VALUES.match(name) or CLOSE_VALUES.match(name):
            tv = {(n, tuple(sorted(l.items()))): v for n, l, v in t["samples"]}
            ov = {(n, tuple(sorted(l.items()))): v for n, l, v in o["samples"]}
            slack = 3 if CLOSE_VALUES.match(name) else 0
            for key, v in tv.items():
                check(key in ov and abs(ov[key] - v) <= slack,
                      f"{name}{dict(key[1])}: value {ov.get(key)} != {v}")
    for name in sorted(ours):
        if name.startswith("process_"):
            continue
        check(name in theirs or ONLY_OURS.match(name) or OWN_COMMANDS.match(name),
              f"{name}: only in ours")


def main():
    ours_bin = sys.argv[1]
    go_bin = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/prometheus-redis-exporter"
    for tool in (go_bin, shutil.which("redis-server"), shutil.which("redis-cli")):
        if not tool or not os.access(tool, os.X_OK):
            print(f"SKIP: {tool or 'redis-server/redis-cli'} not installed")
            return 77
    tmp = tempfile.mkdtemp()
    procs = []
    try:
        primary, replica = free_port(), free_port()
        for port, extra in ((primary, []), (replica, ["--replicaof", "127.0.0.1", str(primary)])):
            os.makedirs(f"{tmp}/{port}")
            procs.append(subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir",
                 f"{tmp}/{port}", "--save", "", "--latency-tracking", "yes", *extra],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_ping(port)
        cli(primary, "SET", "plain", "42")
        cli(primary, "RPUSH", "queue", "a", "b")
        cli(primary, "SET", "ttl", "x", "EX", "100000", db=3)
        cli(primary, "SET", "other", "y", db=5)
        cli(primary, "CONFIG", "SET", "maxmemory", "200000000")
        subprocess.run(["redis-cli", "-p", str(primary), "NOSUCH"], capture_output=True)
        for _ in range(100):
            r = subprocess.run(["redis-cli", "-p", str(replica), "INFO", "replication"],
                               capture_output=True, text=True)
            if "master_link_status:up" in r.stdout:
                break
            time.sleep(0.1)
        args = ["--check-keys", "db0=queue", "--check-single-keys", "db0=plain",
                "--count-keys", "db3=*"]
        go_port = free_port()
        procs.append(subprocess.Popen(
            [go_bin, "-redis.addr", f"redis://127.0.0.1:{primary}",
             "-web.listen-address", f"127.0.0.1:{go_port}", *[a.replace("--", "-", 1) for a in args]],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        our_port = free_port()
        procs.append(subprocess.Popen(
            [ours_bin, "redis-exporter", "-redis.addr", f"redis://127.0.0.1:{primary}",
             "-web.listen-address", f"127.0.0.1:{our_port}", *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_http(f"http://127.0.0.1:{go_port}/metrics")
        wait_http(f"http://127.0.0.1:{our_port}/metrics")
        for kind, q in (("metrics", ""), ("scrape", f"?target=redis://127.0.0.1:{replica}")):
            path = "/metrics" if kind == "metrics" else "/scrape"
            theirs = parse(get(f"http://127.0.0.1:{go_port}{path}{q}"))
            ours = parse(get(f"http://127.0.0.1:{our_port}{path}{q}"))
            print(f"{kind}: theirs {len(theirs)} families, ours {len(ours)}")
            compare(theirs, ours)
            if kind == "metrics":
                with open(CONTRACT) as f:
                    for line in f:
                        if line.startswith("#") or not line.strip():
                            continue
                        name, typ, labels = line.split()
                        fam = ours.get(name)
                        check(fam is not None and fam["type"] == typ,
                              f"contract: {name} {typ} missing or mistyped in ours")
                        if fam and labels != "-":
                            want = set(labels.split(","))
                            got = set().union(*label_names(fam)) if fam["samples"] else set()
                            check(want - {"quantile"} <= got | {"quantile"},
                                  f"contract: {name} labels {got} lack {want}")
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
