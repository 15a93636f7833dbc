"""Maintainer tools: writing the student notebooks, the Colab install cells and the release.

Nothing here is used by a chapter, an exercise or the grader; it runs from the instructors'
repository (``coursepkg exercises``, ``coursepkg colab``, ``coursepkg release``). The Sphinx
extensions that build the book live beside the book, in ``book/_ext``.
"""
