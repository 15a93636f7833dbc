"""Grading: a submitted notebook is parsed here, run elsewhere, and scored by a hidden suite.

The folders are the trust boundary:

``trusted/``
    everything that decides a score, running as the grader: parsing the notebook as data
    (``notebook``), the trusted pytest run (``runner``, ``entry``, ``plugin``), the handle on
    the student's process (``submission``), how that process is confined (``sandbox``), the
    report and Gradescope's results (``report``, ``gradescope``) and class grading
    (``classroom``).
``sandboxed/``
    what runs inside the student's process, beside the student's code: the ``worker`` that
    executes the cells and answers calls, and the ``helpers`` it may run on the student's
    objects. Nothing here is trusted; what it sends back is data to be checked.
``protocol``
    the wire format, plain values only: the one module both sides import.

The hidden suites live in the repository's ``tests/hidden_suites`` and are never importable
from this package.
"""
