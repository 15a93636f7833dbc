"""Chapter 2, "Conditioning the initial state" (``book/02_conditioning.ipynb``).

Four RNNs that differ only in ``h_0`` (zero, one shared learned vector, an embedding of the
cell type, an MLP of baseline omics) trained on simulated expression trajectories.
``experiments``, ``figures``, ``explorer`` and ``claims`` as every chapter.
"""
