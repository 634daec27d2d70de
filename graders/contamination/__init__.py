"""Finding a challenge's hidden data inside an upload.

Some hidden sets are public anyway (MNIST's test labels, the end of Tiny
Shakespeare): a submission that embeds them would top a board without learning
anything. Before a submission is run (and on every rescore) its upload is
scanned for the challenge's fingerprints, through the layers a student might
wrap them in (zip members, gzip, zlib, bz2 and lzma streams, base64):

- any 64-character window of the hidden text (``text``);
- any 64 consecutive hidden labels, as text digits or as bytes and little-endian
  integers of any width (``labels``);
- any hidden test image, as its 784 raw bytes (``images``).

A match holds the submission for an instructor's review; it is never a verdict
by itself. ``fingerprints`` builds them from a hidden folder, ``scan`` looks.
"""

from graders.contamination.fingerprints import Fingerprints, build_fingerprints
from graders.contamination.scan import Match, scan

__all__ = ["Fingerprints", "Match", "build_fingerprints", "scan"]
