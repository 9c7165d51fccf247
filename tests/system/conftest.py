"""System tests run real `medref serve` processes on 127.0.0.1 with their own SQLite databases."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_CONTENT, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(var: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"MEDREF_VAR_DIR": str(var), "DATABASE_URL": ""})
    return env


def medref(var: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "medref.cli", *args],
        env=env_for(var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@dataclass
class Server:
    var: Path
    port: int
    process: subprocess.Popen | None = None
    workers: int = 2

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "medref.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=env_for(self.var),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    return
            except OSError:
                time.sleep(0.2)
            finally:
                conn.close()
        raise RuntimeError("medref serve did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=30)

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers) at once, as a crash would."""
        os.killpg(self.process.pid, 9)
        self.process.wait(timeout=30)


def make_user(var: Path, email: str, password: str) -> None:
    code = (
        "from django.contrib.auth.models import User\n"
        f"User.objects.create_user({email!r}, {email!r}, {password!r})\n"
    )
    medref(var, "manage", "shell", "-c", code)


def sign_in(base: str, email: str, password: str) -> tuple[str, str]:
    """Sign in through the real form; return (cookie header, csrf token)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    response.read()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    body = f"username={email}&password={password}&csrfmiddlewaretoken={csrf}"
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": base + "/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies = response.getheader("Set-Cookie") or ""
    session = re.search(r"sessionid=([^;]+)", cookies).group(1)
    conn.close()
    new_csrf = re.search(r"csrftoken=([^;]+)", cookies)
    csrf = new_csrf.group(1) if new_csrf else csrf
    return f"sessionid={session}; csrftoken={csrf}", csrf


@pytest.fixture
def fixture_server(tmp_path):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("system tests run once, on their own SQLite servers")
    medref(tmp_path, "setup", "--content", str(FIXTURE_CONTENT))
    server = Server(tmp_path, free_port())
    server.start()
    yield server
    server.stop()
