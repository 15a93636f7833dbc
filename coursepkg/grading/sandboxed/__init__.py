"""What runs in the student's process, beside the student's code: untrusted by design.

Modules here import only the standard library, torch/numpy and
:mod:`coursepkg.grading.protocol`, so the student's process needs nothing else of coursepkg.
"""

MODEL_MODULES: tuple[str, ...] = (
    "coursepkg.models.bidirectional",  # ex09 explains a DirectionalLSTM (chapter 6)
    "coursepkg.models.enhancer_promoter",  # chapter 7's classifier
)
"""Modules of ``coursepkg.models`` whose classes the worker may build from a
:class:`~coursepkg.grading.protocol.ModelSpec` (the models exercises hand to a student's
function). Each must import only torch and other modules listed here, and hold no answer."""
