"""The benchmark's closed-loop load: a run must end on its duration, never on its request bound
(a bound that stops it early would be reported as the whole duration's throughput)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from performance.bench import load, measures


class _Created(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Created)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _run(base_url, *, duration, max_requests):
    return load._python_closed(base_url, "/x/", {"a": 1}, "t", 2, duration, max_requests, None)


def test_a_load_run_stopped_by_its_request_bound_is_refused_not_reported(local_server):
    # wrk reports the whole duration as the time of a run its count stopped early, which made a
    # fast endpoint look capped at bound ÷ duration: such a run must not become a figure.
    capped = _run(local_server, duration=30, max_requests=5)
    assert capped["requests"] == 5 and capped["reached_bound"]
    with pytest.raises(SystemExit, match="reached its request bound"):
        measures._timed_out(capped, "bare create", "--bare-max-requests")

    timed = _run(local_server, duration=0.2, max_requests=10**9)
    assert not timed["reached_bound"] and timed["requests"] > 0
    assert measures._timed_out(timed, "bare create", "--bare-max-requests") is timed


def result_line(**figures):
    values = {"requests": 3000, "duration_us": 10_000_000, "non2xx": 0, "stopped": 0, "errors": 0}
    values.update(p50=4000, p95=9000, p99=12000, max=20000, **figures)
    return "RESULT " + " ".join(f"{key}={value}" for key, value in values.items())


def test_a_wrk_run_is_bound_stopped_when_any_one_thread_stopped_at_its_quota():
    # One thread stopping early while the other runs on also understates the throughput: the
    # stopped thread's share of the time is counted as if it had been sending all along.
    one_stopped = load.wrk_result(result_line(stopped=1), "", 8)
    none_stopped = load.wrk_result(result_line(non2xx=100), "", 8)

    assert one_stopped["reached_bound"] and not none_stopped["reached_bound"]
    assert none_stopped["throughput"] == 290.0 and none_stopped["p99"] == 12.0
    with pytest.raises(RuntimeError, match="wrk failed"):
        load.wrk_result("unable to connect", "", 8)
