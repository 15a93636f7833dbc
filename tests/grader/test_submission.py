"""The trusted side's handle on a submission: deadlines, fatal cells, the sandbox's failures."""

from __future__ import annotations

import time

import pytest
import torch

from coursepkg.grading.trusted import sandbox
from coursepkg.grading.trusted.notebook import CodeCell
from coursepkg.grading.trusted.nursery import Nursery
from coursepkg.grading.trusted.submission import (
    OUTPUT_CAP,
    GraderFailure,
    StudentError,
    StudentTimeout,
    Submission,
)

pytestmark = pytest.mark.skipif(
    sandbox.mode() != "bwrap", reason="bubblewrap is not installed (the reduced mode)"
)

DEFINITIONS = """
import os

def double(x):
    return 2 * x

def fork_and_wait():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
"""


def portable_cells(*more: str) -> list[CodeCell]:
    """Code cells 1, 2, ...: the definitions above, then ``more``."""
    return [CodeCell(i + 1, source) for i, source in enumerate((DEFINITIONS, *more))]


@pytest.fixture(scope="module")
def nursery():
    with Nursery() as started:
        started.wait_ready()
        yield started


def test_a_call_returns_plain_values(nursery):
    with Submission(portable_cells(), nursery=nursery.client) as sub:
        assert sub.call("double", 21) == 42
        assert torch.equal(sub.call("double", torch.ones(3)), torch.full((3,), 2.0))


def test_a_worker_that_stops_reading_cannot_block_the_grader(nursery):
    stop_reading = (
        "import time\nimport coursepkg.grading.protocol as protocol\n"
        "protocol.read_message = lambda *a, **k: time.sleep(3600)"
    )
    big = torch.zeros(4 * 2**20)  # 16 MiB of arguments, far more than a pipe holds
    with Submission(portable_cells(stop_reading), nursery=nursery.client) as sub:
        sub.ensure_started()
        start = time.monotonic()
        with pytest.raises(StudentTimeout, match="did not return within 2 s"):
            sub.call("double", big, timeout=2)
        assert time.monotonic() - start < 10


def test_a_cell_that_never_ends_costs_only_what_depends_on_it(nursery):
    loop = "while True:\n    pass"
    with Submission(portable_cells(loop), nursery=nursery.client, load_timeout=3) as sub:
        assert sub.call("double", 4) == 8
        assert sub.fatal_cell["number"] == 2
        assert "did not finish within 3 s" in sub.fatal_cell["reason"]


def test_a_cell_that_ends_the_process_costs_only_what_depends_on_it(nursery):
    with Submission(portable_cells("import os\nos._exit(3)"), nursery=nursery.client) as sub:
        assert sub.call("double", 4) == 8
        assert sub.fatal_cell["number"] == 2
        assert "exited with code 3" in sub.fatal_cell["reason"]


def test_output_is_capped(nursery):
    flood = "import sys\nfor _ in range(1000):\n    sys.stdout.write('x' * 10000)"
    with Submission(portable_cells(flood), nursery=nursery.client) as sub:
        assert sub.call("double", 1) == 2
    assert len(sub.output) <= OUTPUT_CAP and sub.output.startswith("x")


def test_a_sandbox_that_fails_is_the_graders_failure_not_the_students():
    nursery = Nursery().start()
    nursery.wait_ready()
    nursery.process.kill()
    nursery.process.wait()
    try:
        with Submission(portable_cells(), nursery=nursery.client) as sub:
            with pytest.raises(GraderFailure):
                sub.call("double", 1)
    finally:
        nursery.close()


def test_an_unknown_function_is_the_students_error(nursery):
    with Submission(portable_cells(), nursery=nursery.client) as sub:
        with pytest.raises(StudentError, match="not defined by the notebook"):
            sub.call("triple", 1)


def test_a_plotting_cell_runs_in_the_sandbox(nursery):
    plot = (
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots()\nax.plot([1, 2, 3])\nfig.savefig('/tmp/figure.png')"
    )
    with Submission(portable_cells(plot), nursery=nursery.client) as sub:
        assert sub.call("double", 2) == 4
        assert sub.cell_errors == []
