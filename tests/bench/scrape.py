#!/usr/bin/env python3
"""Scrape client and report maker for tests/bench/bench.sh (standard library only).

  scrape.py measure --label L --side ours|theirs --scenario S --url URL --pid PID
                    -n N [--gzip] [--binary PATH] >> results.jsonl
      N sequential scrapes over one keep-alive connection (as Prometheus
      does), after a short warm-up. Prints one JSON line: latency median and
      p95 (request sent to last body byte), server CPU per scrape (utime+stime
      of PID from /proc/PID/stat, delta over the N scrapes / N), peak RSS
      (VmHWM of PID so far), body size, number of samples.

  scrape.py report results.jsonl
      Prints a plain table and a markdown table: ours, theirs and ours/theirs
      per scenario and encoding.
"""
import argparse
import gzip
import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse

WARMUP = 20
# What Prometheus sends, minus OpenMetrics (node_exporter 1.5 does not offer
# it, so both sides answer the same format).
ACCEPT = "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def percentile(sorted_values, p):
    k = (len(sorted_values) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def measure(a):
    url = urllib.parse.urlsplit(a.url)
    path = url.path + ("?" + url.query if url.query else "")
    headers = {"Accept": ACCEPT, "X-Prometheus-Scrape-Timeout-Seconds": "10",
               "User-Agent": "exporterbox-bench"}
    if a.gzip:
        headers["Accept-Encoding"] = "gzip"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)

    def scrape():
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            sys.exit(f"scrape.py: {a.url}: status {resp.status}")
        if a.gzip and resp.getheader("Content-Encoding") != "gzip":
            sys.exit(f"scrape.py: {a.url}: asked for gzip, got none")
        return body

    deadline = time.monotonic() + 10
    while True:  # the server may log before it accepts
        try:
            body = scrape()
            break
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            conn.close()
            time.sleep(0.05)
    for _ in range(WARMUP):
        body = scrape()
    lat = []
    cpu0 = cpu_ticks(a.pid)
    for _ in range(a.n):
        t0 = time.perf_counter()
        body = scrape()
        lat.append((time.perf_counter() - t0) * 1000.0)
    cpu1 = cpu_ticks(a.pid)
    conn.close()
    plain = gzip.decompress(body) if a.gzip else body
    samples = sum(1 for line in plain.split(b"\n") if line and not line.startswith(b"#"))
    lat.sort()
    tick_ms = 1000.0 / os.sysconf("SC_CLK_TCK")
    out = {
        "label": a.label, "side": a.side, "scenario": a.scenario,
        "encoding": "gzip" if a.gzip else "identity", "n": a.n,
        "median_ms": statistics.median(lat), "p95_ms": percentile(lat, 95),
        "cpu_ms": (cpu1 - cpu0) * tick_ms / a.n,
        "rss_mib": vm_hwm_kib(a.pid) / 1024.0,
        "body_bytes": len(body), "samples": samples,
        "binary_bytes": os.path.getsize(a.binary) if a.binary else 0,
    }
    print(json.dumps(out))


def fmt(v, unit):
    if unit == "bytes":
        return f"{v / 1024:.1f} KiB" if v < 1024 * 1024 else f"{v / 1048576:.2f} MiB"
    if unit == "mib":
        return f"{v:.1f} MiB"
    if unit == "int":
        return str(int(v))
    return f"{v:.3f}"


COLUMNS = [  # key, heading, unit
    ("median_ms", "median ms", "ms"),
    ("p95_ms", "p95 ms", "ms"),
    ("cpu_ms", "CPU ms/scrape", "ms"),
    ("rss_mib", "peak RSS", "mib"),
    ("body_bytes", "body", "bytes"),
    ("samples", "samples", "int"),
    ("binary_bytes", "binary", "bytes"),
]


def report(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    index = {(r["scenario"], r["encoding"], r["side"]): r for r in rows}
    table = []
    for scenario in dict.fromkeys(r["scenario"] for r in rows):
        for encoding in ("identity", "gzip"):
            ours = index.get((scenario, encoding, "ours"))
            theirs = index.get((scenario, encoding, "theirs"))
            for r in (ours, theirs):
                if r:
                    table.append([scenario, encoding, r["label"]] +
                                 [fmt(r[k], u) for k, _, u in COLUMNS])
            if ours and theirs:
                table.append([scenario, encoding, "ours/theirs"] +
                             [f"{ours[k] / theirs[k]:.3g}" if theirs[k] else "-"
                              for k, _, _ in COLUMNS])
    heads = ["scenario", "encoding", "exporter"] + [h for _, h, _ in COLUMNS]
    widths = [max(len(str(x)) for x in col) for col in zip(heads, *table)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))
    print(line(heads))
    print(line(["-" * w for w in widths]))
    for row in table:
        print(line(row))
    print()
    print("| " + " | ".join(heads) + " |")
    print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(heads))) + "|")
    for row in table:
        cells = [f"**{c}**" if row[2] == "ours/theirs" and i >= 3 else str(c)
                 for i, c in enumerate(row)]
        print("| " + " | ".join(cells) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--label", required=True)
    m.add_argument("--side", choices=("ours", "theirs"), required=True)
    m.add_argument("--scenario", required=True)
    m.add_argument("--url", required=True)
    m.add_argument("--pid", type=int, required=True)
    m.add_argument("-n", type=int, default=500)
    m.add_argument("--gzip", action="store_true")
    m.add_argument("--binary")
    r = sub.add_parser("report")
    r.add_argument("results")
    a = p.parse_args()
    if a.cmd == "measure":
        measure(a)
    else:
        report(a.results)


if __name__ == "__main__":
    main()
