#!/usr/bin/env python3
"""Parity oracle: ours against Debian's node_exporter 1.5.0 on the same host.

Runs both with the same collectors (ours: every collector we have; theirs:
--collector.disable-defaults plus the same ones, with upstream's default
exclude patterns, since Debian patches them), scrapes each, and compares
per family: presence, TYPE, HELP, label names, and the label-value sets
(which CPUs and modes, which mount points, which meminfo fields). Values are
compared where they cannot move between two reads (memory total, filesystem
size, boot time) or move slowly (CPU seconds).

usage: parity_node.py EXPORTERBOX_BIN [GO_BIN]
       parity_node.py --fixtures EXPORTERBOX_BIN [GO_BIN]
       parity_node.py --netlink EXPORTERBOX_BIN [GO_BIN]
       parity_node.py --btrfs EXPORTERBOX_BIN [GO_BIN]

The --fixtures mode is the oracle of the collectors whose sources this host
lacks (nfs, nfsd, infiniband, bcache, btrfs, xfs, zfs) and of the optional
families (cpu info, flags and bugs; softirqs), on fixed files: both
exporters read tests/fixtures/node (--path.procfs/--path.sysfs) with only
those collectors on, and every family must match exactly, values included
(the files do not change between the two reads). The --netlink mode does
the same for the netclass collector with --collector.netclass.netlink on
this host's real interfaces (RTM_GETLINK and ethtool's netlink family), and
--btrfs for the btrfs collector on this host's mounted Btrfs filesystems
(their devices come from ioctls; btrfs_mounted_node.sh mounts one).

Exits 0 when everything matches, 77 (ctest's "skipped") when the Go exporter
is not installed, 1 otherwise.
"""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from ports import free_port  # tests/integration/ports.py

MOUNT_POINTS_EXCLUDE = ("^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|"
                        "var/lib/containers/storage/.+)($|/)")
# Families only one side has, on purpose (README: "Differences from upstream").
ONLY_THEIRS = re.compile(r"^(go_|promhttp_)")
# Label-value differences on purpose, each in the README's list: we keep a
# textfile sample whose file gives no HELP, upstream drops it.
INTENDED_LABEL_VALUES = {"textfile_temperature_celsius"}
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


def our_collectors(ours_bin):
    """Every collector ours has, read from its --help (never a second list)."""
    text = subprocess.run([ours_bin, "node-exporter", "--help"], capture_output=True,
                          text=True, check=True).stdout
    return sorted(set(re.findall(r"--(?:\[no-\])?collector\.([a-z_]+)\b(?!\.)", text)))


def start(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        m = re.search(r'address=\[?([0-9.:]+?)\]?:(\d+)', line)
        if "istening on" in line and m:
            return proc, int(m.group(2))
    proc.kill()
    sys.exit("could not start: %s" % " ".join(cmd))


def scrape(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30) as r:
        return r.read().decode()


def label_names(fam):
    return sorted({k for _, labels, _ in fam["samples"] for k in labels})


def label_sets(fam):
    return sorted(tuple(sorted(l.items())) for _, l, _ in fam["samples"])


def main():
    args = sys.argv[1:]
    mode = args[0] if args[:1] in (["--fixtures"], ["--netlink"], ["--btrfs"]) else None
    if mode:
        args = args[1:]
    ours_bin = args[0]
    go_bin = args[1] if len(args) > 1 else "/usr/bin/prometheus-node-exporter"
    if not os.access(go_bin, os.X_OK):
        print("skipped: %s not installed" % go_bin)
        return 77
    if mode == "--fixtures":
        return main_fixtures(ours_bin, go_bin)
    if mode == "--netlink":
        return main_exact(ours_bin, go_bin, ["--collector.disable-defaults",
                                             "--collector.netclass",
                                             "--collector.netclass.netlink"])
    if mode == "--btrfs":
        return main_exact(ours_bin, go_bin, ["--collector.disable-defaults",
                                             "--collector.btrfs"])
    textfile_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "fixtures", "node", "textfile")
    # Upstream's defaults where Debian patches them (README).
    common = ["--collector.filesystem.mount-points-exclude=" + MOUNT_POINTS_EXCLUDE,
              "--collector.netdev.device-exclude=",
              "--collector.textfile.directory=" + textfile_dir]
    collectors = [c for c in our_collectors(ours_bin) if c != "disable"]
    print("collectors:", " ".join(collectors))
    ours, ours_port = start([ours_bin, "node-exporter", "--web.listen-address=127.0.0.1:0"] + common)
    theirs_port = free_port()
    theirs = subprocess.Popen(
        [go_bin, "--web.listen-address=127.0.0.1:%d" % theirs_port,
         "--collector.disable-defaults"] + ["--collector." + c for c in collectors] + common,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                go_text = scrape(theirs_port)
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("Go exporter did not answer")
        our_text = scrape(ours_port)
        go_text = scrape(theirs_port)
    finally:
        for p in (ours, theirs):
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=10)

    go, us = parse(go_text), parse(our_text)
    for name in sorted(set(go) | set(us)):
        if ONLY_THEIRS.match(name):
            continue
        check(name in us, "family missing from ours: " + name)
        check(name in go, "family only in ours: " + name)
        if name not in us or name not in go:
            continue
        g, o = go[name], us[name]
        check(g["type"] == o["type"], "%s: TYPE %s, upstream %s" % (name, o["type"], g["type"]))
        check(g["help"] == o["help"], "%s: HELP %r, upstream %r" % (name, o["help"], g["help"]))
        check(label_names(g) == label_names(o),
              "%s: labels %s, upstream %s" % (name, label_names(o), label_names(g)))
        volatile = name in ("node_scrape_collector_duration_seconds", "node_exporter_build_info",
                            "node_textfile_mtime_seconds") or name.startswith("process_")
        volatile = volatile or name in INTENDED_LABEL_VALUES
        if not volatile:
            check(label_sets(g) == label_sets(o),
                  "%s: label values differ:\n  ours     %s\n  upstream %s"
                  % (name, label_sets(o)[:6], label_sets(g)[:6]))
    compare_values(go, us)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


# Collectors whose sources are fixtures only, and the flags that widen them.
FIXTURE_COLLECTORS = ["bcache", "btrfs", "cpu", "infiniband", "nfs", "nfsd", "stat", "xfs",
                      "zfs"]
FIXTURE_FLAGS = ["--collector.bcache.priorityStats", "--collector.cpu.info",
                 "--collector.cpu.info.flags-include=^(aes|avx.*|vmx)$",
                 "--collector.cpu.info.bugs-include=spectre", "--collector.stat.softirq"]
# Families that say nothing about the collectors themselves.
FIXTURE_SKIP = re.compile(r"^(go_|promhttp_|process_|node_exporter_build_info$|"
                          r"node_scrape_collector_duration_seconds$)")


def scrape_pair(ours_cmd, go_cmd):
    """Starts both exporters, scrapes each once, stops them."""
    ours, ours_port = start(ours_cmd)
    theirs_port = free_port()
    theirs = subprocess.Popen(go_cmd + ["--web.listen-address=127.0.0.1:%d" % theirs_port],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                go_text = scrape(theirs_port)
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("Go exporter did not answer")
        return scrape(ours_port), go_text
    finally:
        for p in (ours, theirs):
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=10)


def samples_by_labels(fam):
    return {tuple(sorted(l.items())) + (n,): v for n, l, v in fam["samples"]}


def main_fixtures(ours_bin, go_bin):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "node")
    common = ["--path.procfs=" + os.path.join(root, "proc"),
              "--path.sysfs=" + os.path.join(root, "sys"),
              "--collector.disable-defaults"]
    common += ["--collector." + c for c in FIXTURE_COLLECTORS] + FIXTURE_FLAGS
    return main_exact(ours_bin, go_bin, common)


def main_exact(ours_bin, go_bin, common):
    """Both exporters with the same flags; every family and value must match."""
    print("flags:", " ".join(common))
    our_text, go_text = scrape_pair(
        [ours_bin, "node-exporter", "--web.listen-address=127.0.0.1:0"] + common,
        [go_bin] + common)
    go, us = parse(go_text), parse(our_text)
    for name in sorted(set(go) | set(us)):
        if FIXTURE_SKIP.match(name):
            continue
        check(name in us, "family missing from ours: " + name)
        check(name in go, "family only in ours: " + name)
        if name not in us or name not in go:
            continue
        g, o = go[name], us[name]
        check(g["type"] == o["type"], "%s: TYPE %s, upstream %s" % (name, o["type"], g["type"]))
        check(g["help"] == o["help"], "%s: HELP %r, upstream %r" % (name, o["help"], g["help"]))
        gs, os_ = samples_by_labels(g), samples_by_labels(o)
        for key in sorted(set(gs) | set(os_)):
            check(key in gs and key in os_ and gs[key] == os_[key],
                  "%s%s: %s, upstream %s" % (name, dict(key[:-1]), os_.get(key), gs.get(key)))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def value(fams, name, **labels):
    for _, l, v in fams.get(name, {"samples": []})["samples"]:
        if all(l.get(k) == x for k, x in labels.items()):
            return v
    return None


def compare_values(go, us):
    """Values that cannot move, or move little, between the two reads."""
    for name in ("node_memory_MemTotal_bytes", "node_boot_time_seconds",
                 "node_memory_SwapTotal_bytes", "node_memory_Hugepagesize_bytes"):
        check(value(go, name) == value(us, name),
              "%s: %s, upstream %s" % (name, value(us, name), value(go, name)))
    for _, l, v in go.get("node_filesystem_size_bytes", {"samples": []})["samples"]:
        check(value(us, "node_filesystem_size_bytes", **l) == v,
              "node_filesystem_size_bytes%s differs" % l)
    for _, l, v in go.get("node_cpu_seconds_total", {"samples": []})["samples"]:
        ours_v = value(us, "node_cpu_seconds_total", **l)
        check(ours_v is not None and abs(ours_v - v) < 5,
              "node_cpu_seconds_total%s: %s, upstream %s" % (l, ours_v, v))
    for name in ("node_time_seconds", "node_load1"):
        a, b = value(go, name), value(us, name)
        check(a is not None and b is not None and abs(a - b) < 5,
              "%s: %s, upstream %s" % (name, b, a))
    check(value(go, "node_textfile_scrape_error") == value(us, "node_textfile_scrape_error"),
          "node_textfile_scrape_error differs")
    # Which collectors succeed on this host (and which have no data) is
    # part of parity too.
    for _, l, v in go.get("node_scrape_collector_success", {"samples": []})["samples"]:
        ours_v = value(us, "node_scrape_collector_success", **l)
        check(ours_v == v, "collector %s: success %s, upstream %s" % (l.get("collector"), ours_v, v))


if __name__ == "__main__":
    sys.exit(main())
