"""Raw public datasets as the challenges' ``prepare.py`` read them.

They live here, beside the scoring code, because a bundle may import
``graders`` and nothing else of ours; like the rest of ``graders`` this
package imports no framework. ``CATALOG`` lists every raw file a bundle may
need, by dataset: what ``manage.py fetch_datasets`` installs and checks.
"""

from __future__ import annotations

from graders.datasets import mnist, shakespeare
from graders.datasets.raw import DatasetChecksumError, RawFile, read_content, verify

__all__ = ["CATALOG", "DatasetChecksumError", "RawFile", "read_content", "verify"]

CATALOG: dict[str, tuple[RawFile, ...]] = {
    mnist.FOLDER: mnist.RAW_FILES,
    shakespeare.FOLDER: (shakespeare.FILE,),
}
