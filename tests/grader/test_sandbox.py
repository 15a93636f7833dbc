"""The sandbox's view, its uids and its skeleton package (coursepkg.grading.trusted.sandbox).

Everything here builds its own folders under ``tmp_path``; nothing depends on where the
checkout or the machine's Python lives. Tests that need root say so and are skipped as a
normal user; those that need bubblewrap likewise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from coursepkg.grading.trusted import sandbox
from coursepkg.grading.trusted.nursery import Nursery

AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="needs root: uids and mounts of the root mode")
needs_bwrap = pytest.mark.skipif(sandbox.mode() != "bwrap", reason="bubblewrap is not installed")


def test_the_skeleton_holds_the_worker_and_no_course_code(tmp_path):
    skeleton = sandbox.stage_skeleton(tmp_path)
    files = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.py")}
    assert "coursepkg/__init__.py" in files
    assert "coursepkg/grading/protocol.py" in files
    assert "coursepkg/grading/sandboxed/worker.py" in files
    assert not [f for f in files if not f.startswith("coursepkg/grading/") and "/" in f[10:]]
    assert (skeleton / "coursepkg" / "__init__.py").read_text() == ""
    for forbidden in ("models", "analysis", "practice", "data", "chapters", "train.py"):
        assert not (skeleton / "coursepkg" / forbidden).exists(), forbidden
    assert not (skeleton / "coursepkg" / "grading" / "trusted").exists()


def test_model_modules_are_staged_with_empty_package_files(tmp_path, monkeypatch):
    from coursepkg.grading import sandboxed

    monkeypatch.setattr(sandboxed, "MODEL_MODULES", ("coursepkg.models.elman",))
    sandbox.stage_skeleton(tmp_path)
    assert (tmp_path / "coursepkg" / "models" / "elman.py").is_file()
    assert (tmp_path / "coursepkg" / "models" / "__init__.py").read_text() == ""
    monkeypatch.setattr(sandboxed, "MODEL_MODULES", ("os",))
    with pytest.raises(ValueError, match="only list coursepkg modules"):
        sandbox.stage_skeleton(tmp_path / "again")


def test_the_sandboxed_side_imports_nothing_else_of_coursepkg():
    folder = Path(sandbox.coursepkg.__file__).parent / "grading" / "sandboxed"
    for path in folder.glob("*.py"):
        for line in path.read_text().splitlines():
            if line.strip().startswith(("import coursepkg", "from coursepkg")):
                assert "coursepkg.grading.sandboxed" in line or "grading import protocol" in line, (
                    path.name,
                    line,
                )


def test_the_view_binds_python_and_covers_secrets_inside_bound_folders(tmp_path, monkeypatch):
    site = tmp_path / "venv" / "lib" / "site-packages"
    (site / "coursepkg").mkdir(parents=True)  # an installed (not editable) coursepkg
    (site / "numpy").mkdir()
    checkout = tmp_path / "venv" / "lib" / "site-packages" / "course-checkout"  # a secret inside
    (checkout / "tests" / "hidden_suites").mkdir(parents=True)
    elsewhere = tmp_path / "private"
    elsewhere.mkdir()
    monkeypatch.setattr(sandbox, "python_folders", lambda: [site])
    view = sandbox.build_view(tmp_path / "skeleton", [checkout, elsewhere])
    binds = dict(view.binds)
    assert site in binds and binds[tmp_path / "skeleton"] == sandbox.SKELETON_INSIDE
    inside = binds[site]  # where site-packages is in the sandbox
    assert inside / "coursepkg" in view.covers and inside / "course-checkout" in view.covers
    assert elsewhere not in view.covers  # (never bound: nothing to cover)
    assert view.sys_path[0] == str(sandbox.SKELETON_INSIDE) and str(inside) in view.sys_path
    args = sandbox.bwrap_arguments(view, 2**20)
    for option in ("--unshare-all", "--die-with-parent", "--new-session", "--clearenv"):
        assert option in args
    assert args[args.index(str(inside / "course-checkout")) - 1] == "--tmpfs"
    assert "/home" not in args and str(tmp_path / "private") not in args


def test_python_folders_under_a_private_folder_are_bound_elsewhere(tmp_path, monkeypatch):
    """A checkout (and its .venv) under /tmp: the sandbox's and each worker's own tmpfs on
    /tmp would hide its site-packages, so it is bound under RELOCATED and sys.path says so."""
    site = tmp_path / "course" / ".venv" / "lib" / "site-packages"
    (site / "coursepkg").mkdir(parents=True)
    monkeypatch.setattr(sandbox, "python_folders", lambda: [site])
    monkeypatch.setattr(sandbox, "PRIVATE_FOLDERS", (tmp_path,))
    view = sandbox.build_view(tmp_path / "skeleton")
    inside = dict(view.binds)[site]
    assert sandbox.RELOCATED in inside.parents
    assert view.sys_path == [str(sandbox.SKELETON_INSIDE), str(inside)]
    assert view.covers == [inside / "coursepkg"]
    monkeypatch.setattr(sandbox, "PRIVATE_FOLDERS", ())
    assert dict(sandbox.build_view(tmp_path / "skeleton").binds)[site] == site


def test_unreachable_folders_are_staged(tmp_path):
    closed = tmp_path / "closed"
    inner = closed / "python"
    inner.mkdir(parents=True)
    closed.chmod(0o700)
    tmp_path.chmod(0o755)
    assert not sandbox.reachable(inner)
    script, staged = sandbox.staging_script([inner], tmp_path / "stage")
    assert staged == {inner: tmp_path / "stage" / "0"}
    assert f"mount --rbind {inner} {tmp_path / 'stage' / '0'}" in script
    assert script.endswith('exec "$@"')


def test_the_uid_pool_gives_each_sandbox_its_own_uid(tmp_path):
    pool = sandbox.UidPool(first=0x7E7E0000, count=3, folder=tmp_path)
    first, lock = pool.acquire()
    second, other = pool.acquire()
    assert first != second
    lock.close()
    again, third = pool.acquire()
    assert again == first  # released, so taken again
    other.close()
    third.close()


def test_a_busy_uid_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "running_uids", lambda: {0x7E7E0000})
    uid, lock = sandbox.UidPool(first=0x7E7E0000, count=2, folder=tmp_path).acquire()
    assert uid == 0x7E7E0001
    lock.close()


@needs_root
def test_exit_code_126_is_execve_after_setuid_over_rlimit_nproc(tmp_path):
    """Why gradings failed with "exited with code 126" when every student ran as nobody.

    ``setresuid`` to a uid that already runs its ``RLIMIT_NPROC`` processes succeeds but marks the
    process when the uid runs more than the limit; its next ``execve`` then fails with EAGAIN,
    and setpriv reports that as exit code 126.
    Anything else running as that uid on the machine counted: other gradings, other jobs.
    """
    uid, limit = 0x7E7F0000 + os.getpid() % 4096, 20
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    sleepers = [subprocess.Popen([*drop, "sleep", "60"]) for _ in range(limit + 5)]
    try:
        deadline = time.monotonic() + 30
        while processes_of(uid) < limit + 5:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        done = subprocess.run(
            ["prlimit", f"--nproc={limit}", *drop, "/bin/true"],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 126, done
        assert "Resource temporarily unavailable" in done.stderr
    finally:
        for process in sleepers:
            process.kill()
            process.wait()


def processes_of(uid: int) -> int:
    from coursepkg.grading.sandboxed.confine import _processes_of

    return _processes_of(uid)


@needs_bwrap
def test_a_uid_crowded_with_processes_does_not_stop_a_worker(tmp_path):
    """RLIMIT_NPROC is set inside each worker's own user namespace, where only that
    namespace's processes count: the same uid running many processes elsewhere changes
    nothing (as one uid for every student did, see the test above)."""
    from coursepkg.grading.sandboxed.confine import WorkerLimits
    from coursepkg.grading.trusted.submission import Submission
    from tests.grader.test_submission import portable_cells

    with Nursery() as nursery:
        if nursery.uid is not None:
            drop = ["setpriv", f"--reuid={nursery.uid}", f"--regid={nursery.uid}", "--"]
        else:
            drop = []
        crowd = [subprocess.Popen([*drop, "sleep", "60"]) for _ in range(40)]
        try:
            limits = WorkerLimits(processes=30)
            with Submission(portable_cells(), nursery=nursery.client, limits=limits) as sub:
                assert sub.call("fork_and_wait") == 0
        finally:
            for process in crowd:
                process.kill()
                process.wait()


@needs_bwrap
def test_the_sandbox_keeps_no_folder_behind():
    nursery = Nursery().start()
    nursery.wait_ready()
    made = [*nursery._folders, nursery._log]
    assert made and all(path.exists() for path in made)
    nursery.close()
    assert not [path for path in made if path.exists()]


def test_root_without_bubblewrap_refuses_unless_asked(monkeypatch):
    if not AS_ROOT:
        pytest.skip("needs root: the reduced mode is refused only as root")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("COURSEPKG_SANDBOX", raising=False)
    with pytest.raises(sandbox.SandboxUnavailable, match="needs bubblewrap"):
        Nursery().start()
