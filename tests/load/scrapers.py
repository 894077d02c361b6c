#!/usr/bin/env python3
"""scrapers.py URL PID SECONDS CONCURRENCY [COUNT_CMD [MUST_HAVE]]

CONCURRENCY threads scrape URL (loopback) in a loop for SECONDS; every
second the exporter's RSS, fd and thread counts are sampled from /proc/PID,
and COUNT_CMD (a shell command printing how many connections the target's
server sees from the exporter) is run every 5 s; a scrape only counts as good when its body has the line
MUST_HAVE (e.g. "redis_up 1"). Prints one line of
key=value figures; exits 1 when a scrape failed, or RSS/fds/threads grew
after a warm-up under the same load (a fifth of SECONDS, 5 to 30 s, run
before the measured SECONDS).
"""
import gzip
import http.client
import os
import subprocess
import sys
import threading
import time
import urllib.parse

URL, PID, SECONDS, CONC = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
COUNT_CMD = sys.argv[5] if len(sys.argv) > 5 else ""
MUST_HAVE = ("\n" + sys.argv[6] + "\n").encode() if len(sys.argv) > 6 and sys.argv[6] else b""
u = urllib.parse.urlsplit(URL)
stop = time.monotonic() + SECONDS
lock = threading.Lock()
ok = failed = 0
latencies = []
errors = {}


def scraper():
    global ok, failed
    while time.monotonic() < stop:
        t0 = time.monotonic()
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            c.request("GET", u.path + ("?" + u.query if u.query else ""),
                      headers={"Accept-Encoding": "gzip"})
            r = c.getresponse()
            body = r.read()
            c.close()
            if r.getheader("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            good = r.status == 200 and len(body) > 0 and MUST_HAVE in body
            why = f"status {r.status}" if r.status != 200 else "body without " + repr(MUST_HAVE)
        except OSError as e:
            good, why = False, type(e).__name__
        dt = time.monotonic() - t0
        with lock:
            if good:
                ok += 1
                latencies.append(dt)
            else:
                failed += 1
                errors[why] = errors.get(why, 0) + 1


def proc():
    with open(f"/proc/{PID}/status") as f:
        st = dict(line.split(":", 1) for line in f)
    return (int(st["VmRSS"].split()[0]), len(os.listdir(f"/proc/{PID}/fd")),
            int(st["Threads"]))


def quiet_counts(baseline=None):
    """fds and threads with no scrape in flight (waits up to 10 s for them to settle)."""
    deadline = time.monotonic() + 10
    while True:
        _, fds, thr = proc()
        if baseline is None or (fds <= baseline[0] and thr <= baseline[1]) \
                or time.monotonic() > deadline:
            return fds, thr
        time.sleep(0.2)


def run_scrapers(seconds):
    """CONC scraper threads for seconds; returns them started."""
    global stop
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=scraper, daemon=True) for _ in range(CONC)]
    for t in threads:
        t.start()
    return threads


def main():
    global ok, failed
    # Warm-up under the same load, then a quiet baseline: the scrapers'
    # worker pools grow to what the load needs and keep those workers.
    warm = min(max(5.0, SECONDS / 5), 30.0)
    for t in run_scrapers(warm):
        t.join(60)
    warm_failed = failed
    ok = failed = 0
    latencies.clear()
    time.sleep(1)
    idle = quiet_counts()
    start = time.monotonic()
    threads = run_scrapers(SECONDS)
    samples, conns = [], []
    last_count = -5.0
    while time.monotonic() < stop:
        now = time.monotonic() - start
        samples.append((now,) + proc())
        if COUNT_CMD and now - last_count >= 5:
            last_count = now
            out = subprocess.run(COUNT_CMD, shell=True, capture_output=True, text=True).stdout
            try:
                conns.append(int(out.strip() or "-1"))
            except ValueError:
                conns.append(-1)
        time.sleep(1)
    for t in threads:
        t.join(60)
    failed += warm_failed
    idle_end = quiet_counts(idle)
    after = samples
    rss_warm, rss_end = after[0][1], samples[-1][1]
    rss_max = max(s[1] for s in after)
    fds_max, thr_max = max(s[2] for s in after), max(s[3] for s in after)
    lat = sorted(latencies)
    med = lat[len(lat) // 2] * 1000 if lat else 0
    p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else 0
    fields = [f"scrapes={ok}", f"failed={failed}", f"per_s={ok / SECONDS:.0f}",
              f"median_ms={med:.1f}", f"p99_ms={p99:.1f}",
              f"rss_kb_warm={rss_warm}", f"rss_kb_end={rss_end}", f"rss_kb_max={rss_max}",
              f"fds_idle={idle[0]}", f"fds_max={fds_max}", f"fds_idle_end={idle_end[0]}",
              f"threads_idle={idle[1]}", f"threads_max={thr_max}",
              f"threads_idle_end={idle_end[1]}"]
    if conns:
        fields.append(f"server_conns={min(conns)}..{max(conns)}")
    if errors:
        fields.append("errors=" + ",".join(f"{k}:{v}" for k, v in errors.items()))
    print(" ".join(fields), flush=True)
    # Flat: after warm-up RSS grows by at most 10% (and 1 MiB); with no
    # scrape in flight, fds and threads are back where they were before the
    # load (connection threads come and go; the scraper's workers are kept).
    grew = rss_end > max(rss_warm * 1.10, rss_warm + 1024)
    bad = failed > 0 or grew or idle_end[0] > idle[0] or idle_end[1] > idle[1]
    if conns and (min(conns) != 1 or max(conns) != 1):
        bad = True          # the target's server sees exactly one connection
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
