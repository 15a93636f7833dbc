"""The set-up the README promises: the lock, the kernels, and JupyterLab from the same
environment (``make lab``)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    """The normalised project name of a requirement line (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _lock() -> dict[str, list[str]]:
    """``{name: [pinned lines]}`` of constraints.txt."""
    pins: dict[str, list[str]] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            pins.setdefault(_name(line), []).append(line.split(";")[0].strip())
    return pins


def test_the_lock_keeps_every_exact_pin_of_pins_in():
    lock = _lock()
    for line in (ROOT / "pins.in").read_text().splitlines():
        pin = line.split("#")[0].strip()
        if pin:
            assert lock.get(_name(pin)) == [pin], (
                f"constraints.txt has {lock.get(_name(pin))} for {pin}: run `make lock`"
            )


def test_the_lock_covers_every_dependency_and_pins_exact_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    lock = _lock()
    missing = sorted({_name(r) for r in wanted} - set(lock))
    assert not missing, f"constraints.txt lacks {missing}: run `make lock`"
    loose = [p for pins in lock.values() for p in pins if "==" not in p]
    assert not loose, f"not exact pins: {loose}"


def test_a_headless_kernel_starts_without_the_plain_tcp_warning(tmp_path):
    config = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    assert config.is_file(), f"{config} is missing: `make install` puts it there"
    script = (
        "import nbformat, nbclient\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('print(6 * 7)')])\n"
        "nbclient.NotebookClient(nb, kernel_name='python3').execute()\n"
        "print(nb.cells[0].outputs[0]['text'])\n"
    )
    env = dict(os.environ, HOME=str(tmp_path), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "42"
    assert "without encryption" not in done.stderr, done.stderr


def _lab_command() -> list[str]:
    """The command `make lab` runs (its last line; earlier lines would install)."""
    shown = subprocess.run(
        ["make", "-s", "-n", "lab"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return shown.stdout.strip().splitlines()[-1].split()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


def test_make_lab_opens_jupyterlab_on_the_course_with_a_kernel_that_has_coursepkg(tmp_path):
    command = _lab_command()
    assert command[0].endswith("jupyter") and "lab" in command, command
    port, token = _free_port(), "course-test"
    env = dict(
        os.environ,
        HOME=str(tmp_path),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
    )
    server = subprocess.Popen(
        [
            *command,
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.allow_root=True",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = _get(f"{base}/lab?token={token}")
                break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab did not start: {server.stderr.read().decode()[-2000:]}"
                    )
                time.sleep(0.5)
        assert status == 200
        status, _ = _get(f"{base}/api/contents/exercises/ex01_motif_fsm.ipynb?token={token}")
        assert status == 200
        _, body = _get(f"{base}/api/kernelspecs?token={token}")
        specs = json.loads(body)
        python = specs["kernelspecs"][specs["default"]]["spec"]["argv"][0]
        if not os.path.isabs(python):  # "python": the server's own interpreter (jupyter_client)
            python = str((ROOT / command[0]).with_name("python"))
        check = subprocess.run(  # (away from the checkout, whose coursepkg/ would import)
            [python, "-c", "import coursepkg"], cwd=tmp_path, capture_output=True, text=True
        )
        assert check.returncode == 0, f"the kernel's {python} cannot import coursepkg"
    finally:
        server.terminate()
        server.wait(timeout=30)
