#!/usr/bin/env python3
"""compose_check.py SOURCE_DIR BIN — docker/docker-compose.yml agrees with
the files it mounts and the binary it runs (there is no Docker engine here to
run `docker compose config`):

- every ./path it mounts exists; the Prometheus rule files it mounts are the
  ones prometheus.yml names;
- every secret a service uses is defined, from an environment variable, and
  every /run/secrets/NAME alertmanager.yml or the postgres init script reads
  is given to that service;
- each exporter service runs the exporterbox image with an applet BIN knows
  (`BIN --list`) as its command, and each Prometheus job's target is that
  service on the applet's port (node-exporter: on the host's network);
- Prometheus gets retention and WAL compression as flags, and prometheus.yml
  has no `storage:` block;
- nothing in docker/ mentions podman.
Prints ok/FAIL per check; exit 1 on any failure, 77 without PyYAML."""
import os
import re
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed")
    sys.exit(77)

SRC, BIN = sys.argv[1], sys.argv[2]
DOCKER = os.path.join(SRC, "docker")
failed = passed = 0


def check(name, ok, detail=""):
    global failed, passed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}" + (f"\n     | {detail}" if detail else ""))


def load(*parts):
    with open(os.path.join(DOCKER, *parts)) as f:
        return yaml.safe_load(f)


compose = load("docker-compose.yml")
prom = load("prometheus", "prometheus.yml")
services = compose["services"]
secrets = compose.get("secrets", {})
applets = subprocess.run([BIN, "--list"], capture_output=True, text=True,
                         check=True).stdout.split()

# Mounted files exist; the rule files mounted are the ones Prometheus loads.
for name, svc in services.items():
    for vol in svc.get("volumes", []):
        src = vol.split(":")[0]
        if src.startswith("./"):
            check(f"{name}: mounts existing {src}",
                  os.path.exists(os.path.join(DOCKER, src)))
mounted = {os.path.basename(v.split(":")[1]) for v in services["prometheus"]["volumes"]
           if v.startswith("./prometheus/")}
for rf in prom["rule_files"]:
    check(f"prometheus: rule file {rf} is mounted", rf in mounted)

# Secrets: defined, from the environment, given where they are read.
for name, svc in services.items():
    for s in svc.get("secrets", []):
        check(f"{name}: secret {s} is defined from the environment",
              "environment" in secrets.get(s, {}))


def secrets_read(path):
    with open(path) as f:
        return set(re.findall(r"/run/secrets/([a-z_]+)", f.read()))


for svc, path in (("alertmanager", ("alertmanager", "alertmanager.yml")),
                  ("postgres", ("postgres", "10-exporter-role.sh"))):
    need = secrets_read(os.path.join(DOCKER, *path))
    given = set(services[svc].get("secrets", []))
    check(f"{svc}: gets the secrets {'/'.join(path)} reads ({len(need)})",
          need and need <= given, f"missing: {sorted(need - given)}")

# Exporters: our image, a known applet, scraped where they listen.
PORT = {"node-exporter": "9100", "redis-exporter": "9121",
        "postgres-exporter": "9187", "kafka-lag-exporter": "9308"}
JOB = {"node-exporter": "node", "redis-exporter": "redis",
       "postgres-exporter": "postgres", "kafka-lag-exporter": "kafka"}
jobs = {j["job_name"]: j for j in prom["scrape_configs"]}
for name, svc in services.items():
    if svc.get("image") != "exporterbox:latest":
        continue
    applet = svc["command"][0]
    check(f"{name}: runs applet {applet} of {BIN}", applet in applets)
    check(f"{name}: built from docker/Dockerfile",
          svc.get("build", {}).get("dockerfile") == "docker/Dockerfile")
    targets = [t for sc in jobs[JOB[applet]]["static_configs"] for t in sc["targets"]]
    if svc.get("network_mode") == "host":
        want = f"host.docker.internal:{PORT[applet]}"
        check(f"{name}: on the host network, scraped at {want}",
              targets == [want] and "host.docker.internal:host-gateway"
              in services["prometheus"].get("extra_hosts", []), f"targets {targets}")
    else:
        want = f"{name}:{PORT[applet]}"
        check(f"{name}: job {JOB[applet]} scrapes {want}", targets == [want]
              and PORT[applet] in svc.get("expose", []), f"targets {targets}")
check("four exporters in the stack", sum(
    1 for s in services.values() if s.get("image") == "exporterbox:latest") == 4)

# Retention: flags, not the seed's storage block.
flags = " ".join(services["prometheus"]["command"])
for flag in ("--storage.tsdb.retention.time=90d", "--storage.tsdb.retention.size=50GB",
             "--storage.tsdb.wal-compression"):
    check(f"prometheus: {flag}", flag in flags)
check("prometheus.yml has no storage: block", "storage" not in prom)

# Docker users need nothing of podman.
hits = subprocess.run(["grep", "-ril", "podman", DOCKER], capture_output=True,
                      text=True).stdout.split()
check("nothing in docker/ mentions podman", not hits, " ".join(hits))

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
