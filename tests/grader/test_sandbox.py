from pathlib import Path

from coursepkg.grading.trusted import sandbox
from coursepkg.grading.trusted.sandbox import Sandbox


def test_a_checkout_under_tmp_is_mounted_back_into_the_private_tmp(monkeypatch, tmp_path):
    needed = [Path("/tmp/ci/.venv"), Path("/tmp/ci"), Path("/usr/lib/python3")]
    monkeypatch.setattr(sandbox, "_needed_paths", lambda: needed)
    script = Sandbox(
        hidden=[Path("/tmp/ci/tests/hidden_suites")], drop_privileges=True
    )._namespace_script(["python"], tmp_path, tmp_path / "stage")
    lines = script.splitlines()
    binds = [line for line in lines if line.startswith("mount --bind")]
    assert binds == [f"mount --bind /tmp/ci {tmp_path / 'stage' / '0'}"]
    moved = next(i for i, line in enumerate(lines) if line.startswith("mount --move"))
    private_tmp = next(i for i, line in enumerate(lines) if "coursepkg-tmp /tmp" in line)
    hidden = next(i for i, line in enumerate(lines) if "/tmp/ci/tests/hidden_suites" in line)
    assert private_tmp < moved < hidden  # back after /tmp is replaced, and hidden after that
