#!/usr/bin/env python3
"""Parity oracle: ours against Debian's postgres_exporter 0.11.1 on one server.

Starts a PostgreSQL 15 cluster in a temp dir (initdb, loopback port, as the
postgres user when run as root), with a user table, then both exporters on
the same DSN, scrapes each, and compares per family of theirs: presence,
TYPE, HELP, label names (minus `server`, which current upstream dropped),
the label-value sets of families whose rows cannot change between two reads
(databases, lock modes, activity states, settings), and the values of every
pg_settings_* gauge. Intended differences are listed below and in the
README's "Differences from upstream".

usage: parity_postgres.py EXPORTERBOX_BIN [GO_BIN]
Exits 0 when everything matches, 77 (ctest's "skipped") when the Go exporter
or the server binaries are missing, 1 otherwise.
"""
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from ports import free_port  # tests/integration/ports.py

PG_BIN = "/usr/lib/postgresql/15/bin"
ONLY_THEIRS = re.compile(r"^(go_|promhttp_)")
# Settings our sessions set on purpose (statement_timeout, lock_timeout) or
# that Go's driver sets for its own session (extra_float_digits).
SESSION_SETTINGS = {"pg_settings_statement_timeout_seconds", "pg_settings_lock_timeout_seconds",
                    "pg_settings_extra_float_digits"}
STABLE_ROWS = ("pg_database_size_bytes", "pg_locks_count", "pg_stat_activity_count",
               "pg_stat_database_numbackends", "pg_stat_database_conflicts_confl_lock")
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
    fams = {}
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            _, kind, name, rest = (line.split(" ", 3) + [""])[:4]
            fam = fams.setdefault(name, {"type": None, "help": None, "samples": []})
            fam["help" if kind == "HELP" else "type"] = rest
            continue
        m = SAMPLE.match(line)
        if m:
            labels = dict(LABEL.findall(m.group(3) or ""))
            labels.pop("server", None)
            fams.setdefault(m.group(1), {"type": None, "help": None, "samples": []})[
                "samples"].append((labels, float(m.group(4))))
    return fams


def as_user(cmd):
    return ["runuser", "-u", "postgres", "--"] + cmd if os.geteuid() == 0 else cmd


def wait_listening(proc, log, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        text = open(log).read()
        m = re.search(r'msg="listening on" address=\S*:(\d+)', text)
        if m:
            return int(m.group(1))
        if "Listening on" in text:
            m = re.search(r'address=\S*:(\d+)', text)
            if m:
                return int(m.group(1))
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def fetch(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=20) as r:
        return r.read().decode()


def compare(theirs, ours):
    for name in sorted(theirs):
        if ONLY_THEIRS.match(name):
            continue
        t = theirs[name]
        o = ours.get(name)
        check(o is not None, f"{name}: missing in ours")
        if o is None:
            continue
        check(t["type"] == o["type"], f"{name}: TYPE {t['type']} vs ours {o['type']}")
        check(t["help"] == o["help"], f"{name}: HELP {t['help']!r} vs ours {o['help']!r}")
        tl = {k for labels, _ in t["samples"] for k in labels}
        ol = {k for labels, _ in o["samples"] for k in labels}
        check(tl == ol, f"{name}: labels {sorted(tl)} vs ours {sorted(ol)}")
        if name in STABLE_ROWS:
            ts = sorted(tuple(sorted(lab.items())) for lab, _ in t["samples"])
            os_ = sorted(tuple(sorted(lab.items())) for lab, _ in o["samples"])
            check(ts == os_, f"{name}: label values differ:\n  theirs {ts}\n  ours   {os_}")
        if name.startswith("pg_settings_") and name not in SESSION_SETTINGS:
            tv = [v for _, v in t["samples"]]
            ov = [v for _, v in o["samples"]]
            same = len(tv) == len(ov) and all(
                a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(tv, ov))
            check(same, f"{name}: value {tv} vs ours {ov}")


# Their flags ours does not take, on purpose (README): Go-specific help
# forms, systemd sockets, dumping the Go query maps, and 0.11.1's name for
# what upstream 0.13+ calls stat_bgwriter.
FLAGS_NOT_OURS = {"help-long", "help-man", "web.systemd-socket", "dumpmaps", "collector.bgwriter"}
# Upstream's environment twins (0.15), which --help must name.
UPSTREAM_ENV = ("PG_EXPORTER_WEB_LISTEN_ADDRESS", "PG_EXPORTER_WEB_TELEMETRY_PATH",
                "PG_EXPORTER_DISABLE_DEFAULT_METRICS", "PG_EXPORTER_DISABLE_SETTINGS_METRICS",
                "PG_EXPORTER_AUTO_DISCOVER_DATABASES", "PG_EXPORTER_EXTEND_QUERY_PATH",
                "PG_EXPORTER_CONSTANT_LABELS", "PG_EXPORTER_EXCLUDE_DATABASES",
                "PG_EXPORTER_INCLUDE_DATABASES", "PG_EXPORTER_METRIC_PREFIX")


def compare_flags(ours_bin, go_bin):
    """Every flag of theirs is one of ours (--[no-]x for booleans), and --help names the env twins."""
    theirs = subprocess.run([go_bin, "--help"], capture_output=True, text=True)
    ours = subprocess.run([ours_bin, "postgres-exporter", "--help"], capture_output=True, text=True)
    their_help, our_help = theirs.stdout + theirs.stderr, ours.stdout + ours.stderr
    ours_flags = set(re.findall(r"--(?:\[no-\])?([a-zA-Z][a-zA-Z0-9._-]*)", our_help))
    their_flags = set(re.findall(r"--([a-zA-Z][a-zA-Z0-9._-]*)", their_help)) - {"help", "version"}
    check(len(their_flags) > 10, f"theirs: --help lists flags ({len(their_flags)})")
    for flag in sorted(their_flags - FLAGS_NOT_OURS):
        check(flag in ours_flags, f"flag --{flag} exists in ours")
    for var in UPSTREAM_ENV:
        check(f"${var}" in our_help, f"ours: --help names ${var}")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    ours_bin = sys.argv[1]
    go_bin = sys.argv[2] if len(sys.argv) > 2 else "/usr/bin/prometheus-postgres-exporter"
    if not os.access(go_bin, os.X_OK) or not os.access(f"{PG_BIN}/initdb", os.X_OK):
        print(f"SKIP: {go_bin} or {PG_BIN}/initdb missing")
        return 77
    compare_flags(ours_bin, go_bin)
    tmp = tempfile.mkdtemp()
    os.chmod(tmp, 0o755)
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
    data = os.path.join(tmp, "data")
    procs = []
    started = False
    try:
        subprocess.run(as_user([f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "-A", "trust"]),
                       check=True, stdout=subprocess.DEVNULL)
        port = free_port()
        subprocess.run(as_user([f"{PG_BIN}/pg_ctl", "-D", data, "-l", f"{tmp}/server.log", "-w",
                                "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1",
                                "start"]), check=True, stdout=subprocess.DEVNULL)
        started = True
        subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                        "-c", "CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1)"],
                       check=True)
        dsn = f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
        env = dict(os.environ, DATA_SOURCE_NAME=dsn)
        go_port = free_port()
        go_log = os.path.join(tmp, "go.log")
        procs.append(subprocess.Popen([go_bin, f"--web.listen-address=127.0.0.1:{go_port}"],
                                      env=env, stderr=open(go_log, "w")))
        our_log = os.path.join(tmp, "ours.log")
        procs.append(subprocess.Popen([ours_bin, "postgres-exporter",
                                       "--web.listen-address=127.0.0.1:0"],
                                      env=env, stderr=open(our_log, "w")))
        our_port = wait_listening(procs[1], our_log)
        check(our_port is not None, "ours starts")
        deadline = time.time() + 20
        theirs_text = None
        while time.time() < deadline and theirs_text is None:
            try:
                theirs_text = fetch(go_port)
            except OSError:
                time.sleep(0.1)
        check(theirs_text is not None, "theirs answers")
        if our_port is None or theirs_text is None:
            return 1
        theirs, ours = parse(theirs_text), parse(fetch(our_port))
        check(theirs.get("pg_up", {}).get("samples", [({}, 0)])[0][1] == 1, "theirs: pg_up 1")
        compare(theirs, ours)
        extra = sorted(n for n in ours if n not in theirs and not n.startswith(("process_",)))
        print(f"families only ours has ({len(extra)}): " + " ".join(extra))
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        if started:
            subprocess.run(as_user([f"{PG_BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]),
                           stdout=subprocess.DEVNULL)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
