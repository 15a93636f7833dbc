"""The trusted pytest run's results, as the grader receives them: read with bounds, checked.

The trusted pytest process writes one JSON object per line to a pipe (see
:mod:`coursepkg.grading.trusted.plugin`); :class:`ResultsReader` collects at most
``MAX_BYTES`` of it, checks every line against its schema (anything else is ignored and
noted) and turns them into a :class:`~coursepkg.grading.trusted.report.GradeReport`. The
records pass through the trusted side only, but they carry the student's messages and
output, so their sizes are bounded here too.
"""

from __future__ import annotations

import json

from coursepkg.grading import protocol
from coursepkg.grading.trusted.report import GradeReport, TestResult

MAX_BYTES = 8 * 2**20
_NAME = protocol.Text(300)
_CELL_ERROR = protocol.Record({"number": protocol.CELL_NUMBER, "error": protocol.ERROR})
RECORDS = {
    "collected": protocol.Record(
        {"event": "collected", "name": _NAME, "points": float, "hint": protocol.Text(4000)}
    ),
    "result": protocol.Record(
        {"event": "result", "name": _NAME, "passed": bool, "message": protocol.Text(4000)}
    ),
    "notebook": protocol.Record(
        {
            "event": "notebook",
            "cell_errors": protocol.Sequence(_CELL_ERROR, 100),
            "fatal_cell": protocol.ANY,
        }
    ),
    "output": protocol.Record({"event": "output", "output": protocol.Text(40_000)}),
    "grader_failure": protocol.Record({"event": "grader_failure", "message": protocol.Text(4000)}),
}
COURSEPKG_IMPORT = (
    "the course package (coursepkg), which the grader does not provide: it runs "
    "notebooks without it, so the functions you hand in may use only Python, torch, numpy "
    "and scipy. Give the cells that try things out or run the public check the tag "
    "'practice' (cell metadata tags) and the grader skips them"
)


class ResultsReader:
    """Accumulates the trusted run's output (bounded) and builds the report from it."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self.data = bytearray()
        self.overflow = False

    def feed(self, chunk: bytes) -> None:
        room = self.max_bytes - len(self.data)
        if len(chunk) > room:
            self.overflow = True
        self.data += chunk[: max(room, 0)]

    def records(self) -> list[dict]:
        out = []
        for line in bytes(self.data).split(b"\n"):
            if not line.strip():
                continue
            try:
                record = protocol.loads(line, protocol.Limits(bytes=self.max_bytes, items=10_000))
                schema = RECORDS.get(record.get("event")) if type(record) is dict else None
                if schema is None:
                    continue
                protocol.check(record, schema, "result")
            except protocol.ProtocolError:
                continue
            out.append(record)
        return out

    def report(
        self, notebook: str, exercise: str, problems: list[str], timed_out: bool
    ) -> GradeReport:
        report = GradeReport(notebook=notebook, exercise=exercise, problems=list(problems))
        collected: dict[str, TestResult] = {}
        not_run = "not run: the exercise's time limit was reached" if timed_out else "not run"
        for record in self.records():
            event = record["event"]
            if event == "collected" and record["name"] not in collected:
                points = max(0.0, min(float(record["points"]), 1000.0))
                collected[record["name"]] = TestResult(
                    record["name"], points, 0.0, record["hint"], not_run
                )
            elif event == "result" and record["name"] in collected:
                test = collected[record["name"]]
                test.score = test.max_score if record["passed"] else 0.0
                test.message = "" if record["passed"] else record["message"]
            elif event == "notebook":
                report.problems.extend(_cell_problems(record))
            elif event == "output":
                report.output = record["output"][:20_000]
            elif event == "grader_failure":
                report.grader_failure = record["message"]
        if self.overflow:
            report.problems.append("the grading run's report was too long and was cut")
        if not collected:
            report.problems.append("the hidden suite did not run; no test was collected")
        report.tests = list(collected.values())
        return report


def _cell_problems(record: dict) -> list[str]:
    problems, imports = [], []
    for item in record["cell_errors"]:
        error, number = item["error"], item["number"]
        message = error["message"][:300]
        if error["type"] in ("ModuleNotFoundError", "ImportError") and "coursepkg" in message:
            imports.append(number)
        else:
            problems.append(f"code cell {number} raised {error['type']}: {message}")
    if imports:
        cells = ", ".join(str(n) for n in imports)
        which = f"code cell {cells} imports" if len(imports) == 1 else f"code cells {cells} import"
        problems.insert(0, f"{which} {COURSEPKG_IMPORT}")
    fatal = record["fatal_cell"]
    if type(fatal) is dict and type(fatal.get("number")) is int:
        reason = str(fatal.get("reason", ""))[:300]
        problems.append(
            f"code cell {fatal['number']} {reason}: it and the cells after it were not run, "
            "and the functions defined before it were graded"
        )
    return problems


def encode_cells(cells) -> str:
    """The cells as the trusted pytest process reads them (from its private folder)."""
    return json.dumps([{"number": c.number, "source": c.source} for c in cells])
