"""Chapter 3, "Vanishing gradients and BPTT" (``book/03_vanishing_gradients.ipynb``).

Gradient norms through time against the spectral radius, the distal-enhancer task for a
vanilla RNN and an LSTM, and the horizon of truncated BPTT. ``experiments``, ``figures``,
``explorer`` and ``claims`` as every chapter.
"""
