"""Grading: notebooks are parsed here, run in a separate sandboxed process, scored by hidden suites.

Modules: ``notebook`` (parse a submission), ``protocol`` (plain values on the wire),
``sandbox`` (how the student's process is limited), ``worker`` (the student's process),
``student`` (the trusted side's handle on it), ``plugin`` (pytest fixture and marker),
``runner`` (grade one notebook), ``report`` (table and Gradescope JSON), ``exercises``
(student notebooks generated from solutions).
"""
