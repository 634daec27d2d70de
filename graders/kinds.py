"""Kinds of grading: how a challenge's ``[grading]`` table becomes a spec.

``kind`` in the table picks the entry (``labels`` when absent). Each kind parses
the rest of the table itself, collecting every problem into one
``GradingSpecError``, and returns a spec that is either ``FileGraded`` or
``LiveGraded`` (``graders.graded``). Adding a kind is adding a module and one
entry here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from graders.cloze import ClozeSpec
from graders.errors import GradingSpecError
from graders.graded import GradedSpec
from graders.interactive import InteractiveSpec
from graders.labels import GradingSpec
from graders.registry import Registry
from graders.samples import SamplesSpec

Parser = Callable[[Mapping[str, object]], GradedSpec]

KINDS: Registry[Parser] = Registry(
    "kind of grading",
    [
        ("labels", GradingSpec.from_dict),
        ("interactive", InteractiveSpec.from_dict),
        ("samples", SamplesSpec.from_dict),
        ("cloze", ClozeSpec.from_dict),
    ],
)


def load_spec(table: Mapping[str, object]) -> GradedSpec:
    """The spec of a ``[grading]`` table of any kind, or ``GradingSpecError``."""
    if not isinstance(table, Mapping):
        raise GradingSpecError(["the [grading] table must be a table"])
    kind = table.get("kind", "labels")
    if not isinstance(kind, str) or kind not in KINDS:
        raise GradingSpecError([f"kind must be one of {', '.join(sorted(KINDS))}, got {kind!r}"])
    return KINDS[kind]({key: value for key, value in table.items() if key != "kind"})
