"""Starter: a random agent that speaks the interactive protocol. It is a complete,
valid submission (a mean return of about 23); replace the policy with a deep
Q-network trained in the simulator to reach the reference's 500.

    python main.py             # reads /data (how the grader runs it)
    python main.py DATA_DIR    # anywhere else; queries come on stdin
    python local_eval.py       # plays the grader's part with the simulator of the data

The protocol (see the challenge page): print {"ready": true} once your agent is
trained, then for each query line {"query": n, "episodes": [...],
"observations": [[x, x_dot, theta, theta_dot], ...]} print one line
{"query": n, "actions": [0 or 1, ...]}: one action per observation, in order
(0 pushes the cart left, 1 right). Logs go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # stdout is for the protocol only


# TODO: a deep Q-network. Play episodes of CartPole in the simulator (epsilon-greedy),
# keep the transitions in a replay memory, and fit a small MLP's Q-values to
# reward + gamma * max Q_target(next observation) on random minibatches of it, with a
# target network copied from the Q-network every few hundred steps. Then act greedily.
class RandomAgent:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, observations: np.ndarray) -> list[int]:
        return self.rng.integers(0, 2, size=len(observations)).tolist()


def try_it(agent: RandomAgent, simulator, episodes: int = 20) -> float:  # type: ignore[no-untyped-def]
    """The agent's mean return in the simulator (training would go here)."""
    total = 0.0
    for seed in range(episodes):
        env = simulator(seed)
        observation, done = env.reset(), False
        while not done:
            observation, reward, terminated, truncated = env.step(agent.act(observation[None])[0])
            total += reward
            done = terminated or truncated
    return total / episodes


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/data")
    sys.path.insert(0, str(data))
    from cartpole import CartPole  # the simulator shipped with the data

    agent = RandomAgent(seed=0)
    log(f"random agent: mean return {try_it(agent, CartPole):.1f} in the simulator")

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        query = json.loads(line)
        actions = agent.act(np.array(query["observations"]))
        print(json.dumps({"query": query["query"], "actions": actions}), flush=True)


if __name__ == "__main__":
    main()
