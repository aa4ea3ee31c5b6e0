"""How much sign-ins slow the rest of the server: ``/api/health``'s median, idle and while
sign-ins run, as a ratio (issue 14's goal: within 3x of idle with 6 concurrent sign-ins).

Starts the app as ``make run`` does (``streamlit run app.py``, the demo data in a temporary
SQLite file) on a free port, with the real Argon2 profile (``RFC_9106_LOW_MEMORY`` unless
``ROADMAP_ARGON2_PROFILE`` says otherwise). Then ``--probes`` sequential health requests
idle, and as many again while ``--concurrent`` threads sign in over and over (each as its
own demo account, with its password: no failure, so the throttle never steps in). Prints
the medians, the ratio and the sign-ins' own median; asserts nothing.

    python bench/sign_in.py
    python bench/sign_in.py --concurrent 6 --probes 60
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACCOUNTS = ["admin", "exec", "lead", "orgrep", "staff", "member"]
GOAL = 3.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(port: int, method: str, path: str, body: str = "") -> tuple[int, float]:
    """The status and the wall time in milliseconds of one request on a new connection."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if method == "POST":
        headers["Origin"] = f"http://localhost:{port}"
    start = time.perf_counter()
    conn = http.client.HTTPConnection("localhost", port, timeout=120)
    conn.request(method, path, body or None, headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, (time.perf_counter() - start) * 1000


def health_median(port: int, probes: int) -> float:
    times = []
    for _ in range(probes):
        status, ms = request(port, "GET", "/api/health")
        assert status == 200, status
        times.append(ms)
        time.sleep(0.02)
    return statistics.median(times)


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ROADMAP_DATA_DIR": str(data_dir),
        "ROADMAP_DATABASE_URL": f"sqlite:///{data_dir / 'roadmap.db'}",
        "ROADMAP_SECRET_KEY": "bench-secret-key",
        "ROADMAP_SECRETS_FILE": str(data_dir / "secrets.toml"),
    }
    subprocess.run(
        [str(BIN / "roadmap"), "init-db", "--demo-if-empty"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    command = [str(BIN / "streamlit"), "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if request(port, "GET", "/api/health")[0] == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError((data_dir / "server.log").read_text()[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=6, help="sign-ins at once (6)")
    parser.add_argument("--probes", type=int, default=40, help="health requests per phase (40)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and log")
    args = parser.parse_args()
    profile = os.environ.get("ROADMAP_ARGON2_PROFILE", "RFC_9106_LOW_MEMORY")
    load = os.getloadavg()[0]
    print(f"# {platform.node()}, {os.cpu_count()} CPUs, load {load:.1f}, Argon2 {profile}")

    tmp = Path(tempfile.mkdtemp(prefix="bench-sign-in-"))
    try:
        port = free_port()
        server = start_server(tmp, port)
        try:
            health_median(port, 5)  # warm up
            idle = health_median(port, args.probes)

            stop = threading.Event()
            sign_ins: list[float] = []
            statuses: set[int] = set()

            def sign_in_repeatedly(username: str) -> None:
                body = urlencode({"username": username, "password": "demo"})
                while not stop.is_set():
                    status, ms = request(port, "POST", "/auth/login", body)
                    statuses.add(status)
                    sign_ins.append(ms)

            names = [ACCOUNTS[n % len(ACCOUNTS)] for n in range(args.concurrent)]
            threads = [threading.Thread(target=sign_in_repeatedly, args=(u,)) for u in names]
            for thread in threads:
                thread.start()
            time.sleep(1.0)  # every thread inside a sign-in
            loaded = health_median(port, args.probes)
            stop.set()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        if args.keep:
            print(f"# the server's data and log: {tmp}")
        else:
            shutil.rmtree(tmp)

    ratio = loaded / idle
    verdict = "within" if ratio <= GOAL else "ABOVE"
    print(f"/api/health median idle:                      {idle:8.1f} ms")
    print(f"/api/health median, {args.concurrent} sign-ins at once:       {loaded:8.1f} ms")
    print(f"ratio:                                        {ratio:8.2f}x ({verdict} {GOAL:g}x)")
    print(
        f"sign-ins: {len(sign_ins)}, median {statistics.median(sign_ins):.0f} ms, "
        f"statuses {sorted(statuses)}"
    )


if __name__ == "__main__":
    main()
