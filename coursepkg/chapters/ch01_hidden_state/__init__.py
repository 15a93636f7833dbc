"""Chapter 1, "The hidden state as memory" (``book/01_hidden_state.ipynb``).

A threshold RNN whose hidden state is the finite-state machine that detects ``ACG`` and stays
bound; an Elman RNN trained on the same task, and whether its hidden states cluster by the
machine's states. ``experiments``, ``figures``, ``explorer`` and ``claims`` as every chapter.
"""
