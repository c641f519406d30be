"""Load generators, bounded in count and time, aimed only at 127.0.0.1.

``closed_loop`` drives N concurrent keep-alive clients with wrk (Debian's package) and a Lua
script that POSTs JSON, each request to the next id of a per-thread slice of pre-created missions;
without wrk, a threaded Python client does the same. ``paced`` sends requests at a fixed rate
(open loop) and records each request's send and receive times for the freshness measure.
"""

import http.client
import itertools
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

LUA = r"""
local ids, n, sent, quota = {}, 0, 0, QUOTA
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  non2xx = 0
  stopped = 0
  if IDS_FILE ~= "" then
    local i = 0
    for line in io.lines(IDS_FILE) do
      if i % NTHREADS == tid then ids[#ids + 1] = line end
      i = i + 1
    end
    if #ids < quota then quota = #ids end
  end
end
function request()
  sent = sent + 1
  local path = PATH
  if #ids > 0 then path = string.gsub(PATH, "{id}", ids[math.min(sent, #ids)]) end
  return wrk.format("POST", path, HEADERS, BODY)
end
function response(status, headers, body)
  n = n + 1
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if n >= quota then
    stopped = 1
    wrk.thread:stop()
  end
end
function done(summary, latency, requests)
  local bad, stopped_threads = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    stopped_threads = stopped_threads + t:get("stopped")
  end
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d stopped=%d errors=%d " ..
    "p50=%d p95=%d p99=%d max=%d\n",
    summary.requests, summary.duration, bad, stopped_threads,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _lua_str(value):
    return "[==[" + value + "]==]"


def closed_loop(*, base_url, path, body, token, clients, duration, max_requests, ids=None):
    """Throughput and latency of ``clients`` concurrent clients; stops after ``duration`` seconds or
    ``max_requests`` requests (or when the ids run out), whichever comes first.

    ``reached_bound`` says the count stopped it: wrk still reports the whole ``duration`` as the
    run's time then, so its throughput would be understated (``api_compare`` refuses such a run)."""
    if shutil.which("wrk"):
        return _wrk(base_url, path, body, token, clients, duration, max_requests, ids)
    return _python_closed(base_url, path, body, token, clients, duration, max_requests, ids)


def _wrk(base_url, path, body, token, clients, duration, max_requests, ids):
    threads = min(clients, 2)
    with tempfile.TemporaryDirectory() as tmp:
        ids_file = ""
        if ids:
            ids_file = str(Path(tmp) / "ids.txt")
            Path(ids_file).write_text("\n".join(str(i) for i in ids) + "\n")
        headers = (
            '{["Content-Type"]="application/json", ["Authorization"]=' + _lua_str(f"Token {token}") + "}"
        )
        script = (
            LUA.replace("QUOTA", str(max(1, max_requests // threads)))
            .replace("NTHREADS", str(threads))
            .replace("IDS_FILE", _lua_str(ids_file))
            .replace("HEADERS", headers)
            .replace("PATH", _lua_str(path))
            .replace("BODY", _lua_str(json.dumps(body)))
        )
        script_file = Path(tmp) / "post.lua"
        script_file.write_text(script)
        argv = [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(clients),
            "-d",
            f"{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script_file),
            base_url,
        ]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60, check=False)  # noqa: S603
    return wrk_result(out.stdout, out.stderr, clients)


def wrk_result(stdout, stderr, clients):
    """The figures of the RESULT line the script's ``done`` prints. A run is ``reached_bound`` when
    any thread stopped at its request quota: wrk still waits out the whole duration and reports it
    as the run's time, so the throughput would be understated."""
    match = re.search(r"RESULT (.*)", stdout)
    if not match:
        raise RuntimeError(f"wrk failed: {stdout}\n{stderr}")
    r = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    seconds = r["duration_us"] / 1e6
    ok = r["requests"] - r["non2xx"]
    return {
        "tool": "wrk",
        "clients": clients,
        "requests": r["requests"],
        "non2xx": r["non2xx"],
        "errors": r["errors"],
        "seconds": seconds,
        "throughput": ok / seconds if seconds else 0.0,
        "p50": r["p50"] / 1000,
        "p95": r["p95"] / 1000,
        "p99": r["p99"] / 1000,
        "max": r["max"] / 1000,
        "reached_bound": r["stopped"] > 0,
    }


class _Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1."""

    def __init__(self, base_url, token):
        host, port = base_url.split("//", 1)[1].rstrip("/").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}

    def post(self, path, body):
        self.conn.request("POST", path, body=body, headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        return response.status


def _python_closed(base_url, path, body, token, clients, duration, max_requests, ids):
    payload = json.dumps(body)
    counter, lock = itertools.count(), threading.Lock()
    limit = min(max_requests, len(ids)) if ids else max_requests
    deadline = time.monotonic() + duration
    samples, bad = [], [0]

    def worker():
        client = _Client(base_url, token)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter)
            if i >= limit:
                return
            target = path.replace("{id}", str(ids[i])) if ids else path
            start = time.monotonic()
            status = client.post(target, payload)
            with lock:
                samples.append((time.monotonic() - start) * 1000)
                bad[0] += not 200 <= status < 300

    began = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    return {
        "tool": "python",
        "clients": clients,
        "requests": len(samples),
        "non2xx": bad[0],
        "errors": 0,
        "seconds": seconds,
        "throughput": (len(samples) - bad[0]) / seconds,
        "reached_bound": len(samples) >= limit,
        **percentiles(samples),
    }


def percentiles(samples):
    if not samples:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    if len(samples) == 1:
        return {"p50": samples[0], "p95": samples[0], "p99": samples[0], "max": samples[0]}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(samples)}


def paced(*, base_url, path, body, token, ids, rate, max_seconds, workers=24):
    """Send one POST per id at ``rate`` per second (open loop), at most ``max_seconds`` long.
    Returns [(id, sent_epoch, received_epoch, status)]; the clock is the machine's, shared with
    PostgreSQL's, so receive times compare directly with values' timestamps."""
    payload = json.dumps(body)
    counter, lock, records = itertools.count(), threading.Lock(), []
    start = time.monotonic() + 0.2
    stop = start + max_seconds

    def worker():
        client = _Client(base_url, token)
        while True:
            with lock:
                i = next(counter)
            if i >= len(ids):
                return
            slot = start + i / rate
            if slot > stop:
                return
            time.sleep(max(0.0, slot - time.monotonic()))
            sent = time.time()
            status = client.post(path.replace("{id}", str(ids[i])), payload)
            with lock:
                records.append((ids[i], sent, time.time(), status))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return records
