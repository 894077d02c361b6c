#!/usr/bin/env python3
"""e2e_config.py SOURCE_DIR OUT_DIR AM_ADDR WEBHOOK_URL JOB=ADDR...

Writes into OUT_DIR the shipped docker/ files rewritten for a test on
loopback, changing only what a test must:
- prometheus.yml: every job named JOB=ADDR scrapes ADDR (other jobs are
  dropped), scrape and evaluation every second, alerts to AM_ADDR;
- alert-rules.yml: every `for` 2s; recording-rules.yml: groups every 1s
  (expressions, labels and annotations untouched);
- alertmanager.yml: the routing tree, inhibition and time intervals as
  shipped; each receiver delivers to WEBHOOK_URL/<receiver name> instead of
  Slack, PagerDuty or mail; groups are sent at once; templates from the
  source tree.
Also writes, for the test to ask Prometheus about:
- series.txt: "JOB NAME" for every exporter series an alert or recording
  rule reads (JOB from the name's prefix: pg_ postgres, redis_, kafka_, node_);
- records.txt: "JOB NAME" for every recording rule (JOB from its group)."""
import os
import re
import sys

import yaml

src, out, am_addr, webhook = sys.argv[1:5]
targets = dict(arg.split("=", 1) for arg in sys.argv[5:])
prom_dir = os.path.join(src, "docker", "prometheus")
am_dir = os.path.join(src, "docker", "alertmanager")


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def dump(doc, name):
    with open(os.path.join(out, name), "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)


prom = load(os.path.join(prom_dir, "prometheus.yml"))
prom["global"]["scrape_interval"] = prom["global"]["evaluation_interval"] = "1s"
prom["alerting"]["alertmanagers"] = [{"static_configs": [{"targets": [am_addr]}]}]
jobs = []
for job in prom["scrape_configs"]:
    if job["job_name"] in targets:
        job["scrape_interval"] = "1s"
        job["scrape_timeout"] = "1s"
        for sc in job["static_configs"]:
            sc["targets"] = [targets[job["job_name"]]]
        jobs.append(job)
missing = set(targets) - {j["job_name"] for j in jobs}
if missing:
    sys.exit(f"no such job in prometheus.yml: {sorted(missing)}")
prom["scrape_configs"] = jobs
prom.pop("remote_write", None)
dump(prom, "prometheus.yml")

rules = load(os.path.join(prom_dir, "alert-rules.yml"))
for group in rules["groups"]:
    for rule in group["rules"]:
        if "for" in rule:
            rule["for"] = "2s"
dump(rules, "alert-rules.yml")
recording = load(os.path.join(prom_dir, "recording-rules.yml"))
for group in recording["groups"]:
    group["interval"] = "1s"
dump(recording, "recording-rules.yml")

JOB_OF_PREFIX = {"pg": "postgres", "redis": "redis", "kafka": "kafka", "node": "node"}
JOB_OF_GROUP = {"kafka": "kafka", "postgres": "postgres", "redis": "redis", "system": "node"}
# A series name: not part of a recording rule's name (those have colons).
SERIES = re.compile(r"(?<![\w:])((pg|redis|kafka|node)_[A-Za-z0-9_]*)(?![\w:])")
used = set()
records = []
for group in rules["groups"] + recording["groups"]:
    for rule in group["rules"]:
        used.update((JOB_OF_PREFIX[m.group(2)], m.group(1))
                    for m in SERIES.finditer(rule["expr"]))
        if "record" in rule:
            records.append((JOB_OF_GROUP[group["name"].split("-")[0]], rule["record"]))
with open(os.path.join(out, "series.txt"), "w") as f:
    f.writelines(f"{job} {name}\n" for job, name in sorted(used))
with open(os.path.join(out, "records.txt"), "w") as f:
    f.writelines(f"{job} {name}\n" for job, name in records)

am = load(os.path.join(am_dir, "alertmanager.yml"))
am["global"] = {"resolve_timeout": "5m"}
am["templates"] = [os.path.join(am_dir, "templates", "*.tmpl")]
am["route"].update(group_wait="0s", group_interval="1s")
am["receivers"] = [{"name": r["name"],
                    "webhook_configs": [{"url": f"{webhook}/{r['name']}",
                                         "send_resolved": False}]}
                   for r in am["receivers"]]
dump(am, "alertmanager.yml")
