#!/usr/bin/env python3
"""webhook_receiver.py OUT_FILE — Alertmanager's webhook receiver for tests.

Listens on a free loopback port, logs `msg="listening on" address=HOST:PORT`
on stderr (the line tests/integration/lib.sh's srv_start waits for), and for
every POST appends one line to OUT_FILE: the path (the receiver's name) and
the alert names, e.g. `/ops-team PostgreSQLDown`. Runs until killed."""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

OUT = sys.argv[1]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        names = sorted({a["labels"].get("alertname", "") for a in body.get("alerts", [])})
        with open(OUT, "a") as f:
            f.write(f"{self.path} {' '.join(names)}\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(f'level=info msg="listening on" address=127.0.0.1:{server.server_port}',
      file=sys.stderr, flush=True)
server.serve_forever()
