"""Chapter 8, "Applications" (``book/08_applications.ipynb``).

The course's tools on real sequences: a bidirectional LSTM that reads a chloroplast genome
codon by codon and finds its genes; a next-residue LSTM of the fibronectin type III family
whose samples are judged by the family's profile HMM; and what that model expects along the
family's alignment against the conservation evolution left there. ``experiments``,
``figures``, ``explorer`` and ``claims`` as every chapter.
"""
