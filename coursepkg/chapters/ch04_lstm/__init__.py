"""Chapter 4, "LSTM: gates and a cell-state highway" (``book/04_lstm.ipynb``)."""
