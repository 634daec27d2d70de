"""Environment name (``environment`` in a ``[grading]`` table) -> class.

Adding an environment is adding a module and listing its class here."""

from __future__ import annotations

from graders.interactive.cartpole import CartPole
from graders.interactive.char_lm import CharLM
from graders.interactive.environment import Environment
from graders.registry import Registry

ENVIRONMENTS: Registry[type[Environment]] = Registry(
    "environment", [(cls.name, cls) for cls in (CharLM, CartPole)]
)
