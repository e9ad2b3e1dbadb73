"""Shared pieces of the deployment tests: free ports, real servers started as subprocesses."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
# the world of a self-assessment cycle, shared with the assessments tests
sys.path.insert(0, str(TESTS / "assessments"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answers(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Poll `url` until it answers with any HTTP status; fail with the server's output if the
    process dies or the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"{url}: the server exited with {process.returncode}:\n{output}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def media_root(settings: object, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root  # type: ignore[attr-defined]
    return root


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto) on a free loopback port."""
    binary = Path(sys.executable).parent / "moto_server"
    if not binary.exists():
        pytest.skip(f"moto_server is not installed at {binary} (pip install 'moto[server]')")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(f"{endpoint}/", process)
        yield endpoint
    finally:
        stop(process)
