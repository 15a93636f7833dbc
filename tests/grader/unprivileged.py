"""Running the grader as an unprivileged uid from tests that run as root: its non-root mode.

As a normal user the tests exercise the non-root mode directly. As root (CI), they run the
grader through :func:`run`: ``setpriv`` to a uid with no privileges and no passwd entry, in a
mount namespace of its own where a Python installed under a folder that uid cannot enter
(``/root/.pyenv``, say) is made reachable (the rest of that folder is covered by an empty
tmpfs). Nothing on the machine changes: the namespace ends with the command.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from coursepkg.grading.trusted.sandbox import reachable

REPO = Path(__file__).resolve().parents[2]
UID = 0x7DFF0000 + os.getpid() % 4096
"""An unprivileged uid for the grader (outside the sandbox's own pool)."""


def available() -> str:
    """Why the non-root mode cannot be run from here ("" when it can)."""
    if os.geteuid() != 0:
        return "not root: the tests run the non-root mode directly"
    for tool in ("setpriv", "unshare", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return ""


def _first_closed(path: Path) -> Path:
    for folder in [*reversed(path.parents), path]:
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return path


def command(argv: list[str], uid: int, stage: Path) -> list[str]:
    """``argv`` as ``uid``, with the interpreter and the checkout reachable (``stage``: an
    empty folder for the staging mounts)."""
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    needed = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), REPO}
    unreachable = sorted(p for p in needed if not reachable(p))
    if not unreachable:
        return [*drop, *argv]
    lines = ["set -e", f"mount -t tmpfs -o mode=0755,size=65536 stage {shlex.quote(str(stage))}"]
    for i, path in enumerate(unreachable):
        source, target = shlex.quote(str(path)), stage / str(i)
        lines.append(f"mkdir {target} && mount --rbind {source} {target}")
    for cover in sorted({_first_closed(p) for p in unreachable}):
        lines.append(f"mount -t tmpfs -o mode=0755,size=1m cover {shlex.quote(str(cover))}")
    for i, path in enumerate(unreachable):
        quoted = shlex.quote(str(path))
        lines.append(f"mkdir -p {quoted} && mount --move {stage / str(i)} {quoted}")
    lines.append('exec "$@"')
    script = "\n".join(lines)
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script, "x"] + [
        *drop,
        *argv,
    ]


def home(uid: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="coursepkg-test-home-"))
    os.chown(folder, uid, uid)
    return folder


def run(argv: list[str], uid: int, timeout: float, cwd: Path | None = None):
    """Run ``argv`` as ``uid``; returns the ``CompletedProcess`` (text output)."""
    folder = home(uid)
    stage = Path(tempfile.mkdtemp(prefix="coursepkg-test-stage-"))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "USER": "coursepkg-test",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": str(REPO),
    }
    try:
        return subprocess.run(
            command(argv, uid, stage),
            env=env,
            cwd=cwd or folder,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        stage.rmdir()


def hand_over(folder: Path, out: Path, uid: int) -> None:
    """Let ``uid`` read the class ``folder`` and write ``out``."""
    for path in [folder.parent, folder]:
        path.chmod(0o755)
    out.mkdir(parents=True, exist_ok=True)
    os.chown(out, uid, uid)
