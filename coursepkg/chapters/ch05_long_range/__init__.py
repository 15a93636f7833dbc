"""Chapter 5, "Reaching far: hierarchical and dilated RNNs" (``book/05_long_range.ipynb``)."""
