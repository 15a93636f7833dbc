"""Grading: notebooks are parsed here, run in a separate sandboxed process, scored by hidden suites.

Modules: ``notebook`` (parse a submission), ``protocol`` (plain values on the wire),
``sandbox`` (how the student's process is limited), ``worker`` (the student's process),
``student`` (the trusted side's handle on it), ``plugin`` (pytest fixture and marker),
``trusted`` (the trusted pytest process's entry point), ``runner`` (grade one notebook),
``classroom`` (grade a folder in parallel, into a gradebook), ``report`` (table and Gradescope
JSON), ``gradescope`` (the autograder bundle's entry point), ``exercises`` (student notebooks
generated from solutions). The release (student edition, bundle) is ``coursepkg.release``.
"""
