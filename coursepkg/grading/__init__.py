"""Grading: a submitted notebook is parsed here, run in a sandbox, and scored by a hidden suite.

The folders are the trust boundary (docs/DESIGN.md, "The trust boundary"):

``trusted/``
    everything that decides a score, running as the grader: parsing the notebook as data
    (``notebook``), the trusted pytest run (``runner``, ``entry``, ``plugin``, ``results``),
    the handle on the student's process (``submission``), the sandbox that holds it
    (``sandbox``, ``nursery``), the report and Gradescope's results (``report``,
    ``gradescope``) and class grading (``classroom``).
``sandboxed/``
    what runs inside the sandbox, beside the student's code: the ``zygote`` that forks one
    worker per submission, ``confine`` (what a worker does to itself before the student's
    code runs), the ``worker`` that executes the cells and answers calls, and the
    ``helpers`` it may run on the student's objects. Nothing here is trusted; what it sends
    back is data to be checked.
``protocol``
    the wire format, plain values only, with its bounds and schemas: the one module both
    sides import.

The hidden suites live in the repository's ``tests/hidden_suites`` and are never importable
from this package, nor visible in the sandbox.
"""
