"""Reference solution: a deep Q-network (Mnih et al. 2013, 2015) in NumPy, trained in
the simulator of /data, then graded interactively (see INTERACTIVE.md).

The Q-network is a small MLP (4 -> 64 -> 64 -> 2, ReLU) from the four
observations, scaled to about [-1, 1], to one value per action. The agent plays
epsilon-greedy (epsilon falling from 1 to 0.05 over the first steps), stores
every transition in a replay memory and, at every step, takes a gradient step of
Adam on a random minibatch of it, towards targets computed by a target network
(a copy of the Q-network refreshed every few hundred steps) with the error
clipped to [-1, 1] (the Huber loss), as in the Nature paper. A step that ends
the episode by the 500-step time limit is not a fall: its target still looks
ahead. Every few thousand steps the greedy policy plays evaluation episodes
(seeds of its own, never the grader's); the best weights are kept, and training
stops once they hold the pole for the whole 500 steps of every one of them, or
at the step count, or at the time budget. Then it prints ``{"ready": true}``
and answers each query with the greedy action of every observation.

    python main.py             # reads /data: the sandbox
    python main.py DATA_DIR    # anywhere else; the queries come on stdin

A ``budget.json`` beside this file (used by the tests) may shrink the work: any
key of CONFIG, e.g. {"steps": 3000}. Given its seed the run is deterministic.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as the sandbox grants

import numpy as np  # after the thread count is set

CONFIG = {
    "steps": 100_000,  # environment steps at most
    "run_seconds": 500,  # CPU and wall seconds for training (the run may take 600)
    "hidden": 64,
    "lr": 5e-4,
    "batch": 64,
    "gamma": 0.99,
    "memory": 50_000,
    "learning_starts": 1_000,
    "target_every": 500,  # steps between copies of the Q-network into the target network
    "epsilon_end": 0.05,
    "epsilon_steps": 10_000,
    "eval_every": 5_000,
    "eval_episodes": 20,
    "seed": 2013,
}
SCALE = np.array([2.4, 3.0, 0.21, 3.5])  # observations to about [-1, 1]
MAX_RETURN = 500.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # stdout is for the protocol only


def load_config() -> dict[str, float]:
    config = dict(CONFIG)
    budget = Path(__file__).resolve().parent / "budget.json"
    if budget.is_file():
        config.update(json.loads(budget.read_text()))
    return config


class QNetwork:
    """An MLP with ReLU hidden layers, its gradients by hand and Adam's moments."""

    def __init__(self, sizes: list[int], rng: np.random.Generator) -> None:
        self.params: list[np.ndarray] = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            self.params += [
                rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)),
                np.zeros(fan_out),
            ]
        self.moments = [(np.zeros_like(p), np.zeros_like(p)) for p in self.params]
        self.updates = 0

    def copy_weights(self) -> list[np.ndarray]:
        return [p.copy() for p in self.params]

    def load_weights(self, weights: list[np.ndarray]) -> None:
        self.params = [w.copy() for w in weights]

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Q-values of a batch of scaled observations, and each layer's input."""
        inputs = []
        for layer in range(0, len(self.params), 2):
            if layer:
                x = np.maximum(x, 0.0)
            inputs.append(x)
            x = x @ self.params[layer] + self.params[layer + 1]
        return x, inputs

    def backward(self, inputs: list[np.ndarray], grad_out: np.ndarray) -> list[np.ndarray]:
        grads: list[np.ndarray] = [np.empty(0)] * len(self.params)
        grad = grad_out
        for layer in range(len(self.params) - 2, -1, -2):
            grads[layer] = inputs[layer // 2].T @ grad
            grads[layer + 1] = grad.sum(axis=0)
            if layer:
                grad = (grad @ self.params[layer].T) * (inputs[layer // 2] > 0.0)
        return grads

    def adam_step(self, grads: list[np.ndarray], lr: float) -> None:
        self.updates += 1
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        for p, g, (m, v) in zip(self.params, grads, self.moments, strict=True):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            m_hat = m / (1 - beta1**self.updates)
            v_hat = v / (1 - beta2**self.updates)
            p -= lr * m_hat / (np.sqrt(v_hat) + eps)

    def greedy(self, observations: np.ndarray) -> np.ndarray:
        return np.argmax(self.forward(np.asarray(observations) / SCALE)[0], axis=1)


class Replay:
    """The last ``size`` transitions, sampled uniformly."""

    def __init__(self, size: int) -> None:
        self.states = np.zeros((size, 4))
        self.actions = np.zeros(size, dtype=np.int64)
        self.rewards = np.zeros(size)
        self.next_states = np.zeros((size, 4))
        self.falls = np.zeros(size)  # 1 where the episode ended by a fall: no look-ahead
        self.count = 0

    def add(self, state, action, reward, next_state, fell) -> None:  # type: ignore[no-untyped-def]
        i = self.count % len(self.actions)
        self.states[i], self.actions[i], self.rewards[i] = state, action, reward
        self.next_states[i], self.falls[i] = next_state, fell
        self.count += 1

    def sample(self, rng: np.random.Generator, batch: int):  # type: ignore[no-untyped-def]
        picks = rng.integers(0, min(self.count, len(self.actions)), size=batch)
        return (
            self.states[picks],
            self.actions[picks],
            self.rewards[picks],
            self.next_states[picks],
            self.falls[picks],
        )


def learn(q: QNetwork, target: QNetwork, batch, gamma: float, lr: float) -> float:  # type: ignore[no-untyped-def]
    states, actions, rewards, next_states, falls = batch
    ahead = target.forward(next_states / SCALE)[0].max(axis=1)
    goals = rewards + gamma * (1.0 - falls) * ahead
    values, inputs = q.forward(states / SCALE)
    rows = np.arange(len(actions))
    error = values[rows, actions] - goals
    grad_out = np.zeros_like(values)
    grad_out[rows, actions] = np.clip(error, -1.0, 1.0) / len(actions)  # the Huber loss
    q.adam_step(q.backward(inputs, grad_out), lr)
    return float(np.mean(np.minimum(np.abs(error), 1.0)))


def evaluate(q: QNetwork, simulator, seeds: list[int]) -> float:  # type: ignore[no-untyped-def]
    """The greedy policy's mean return over episodes of the simulator."""
    total = 0.0
    for seed in seeds:
        env = simulator(seed)
        observation, done = env.reset(), False
        while not done:
            action = int(q.greedy(observation[None])[0])
            observation, reward, terminated, truncated = env.step(action)
            total += reward
            done = terminated or truncated
    return total / len(seeds)


def train(simulator, config: dict[str, float]) -> QNetwork:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(int(config["seed"]))
    sizes = [4, int(config["hidden"]), int(config["hidden"]), 2]
    q, target = QNetwork(sizes, rng), QNetwork(sizes, rng)
    target.load_weights(q.params)
    memory = Replay(int(config["memory"]))
    env = simulator(int(rng.integers(2**31)))
    eval_seeds = [int(s) for s in rng.integers(2**31, size=int(config["eval_episodes"]))]
    best, best_weights = -1.0, q.copy_weights()
    observation = env.reset()
    started_cpu, started_wall = time.process_time(), time.monotonic()
    episode_return, returns, loss = 0.0, [], 0.0
    for step in range(1, int(config["steps"]) + 1):
        fraction = min(1.0, step / config["epsilon_steps"])
        epsilon = 1.0 + fraction * (config["epsilon_end"] - 1.0)
        if rng.random() < epsilon:
            action = int(rng.integers(2))
        else:
            action = int(q.greedy(observation[None])[0])
        next_observation, reward, terminated, truncated = env.step(action)
        memory.add(observation, action, reward, next_observation, float(terminated))
        episode_return += reward
        observation = next_observation
        if terminated or truncated:
            returns.append(episode_return)
            observation, episode_return = env.reset(), 0.0
        if step >= config["learning_starts"]:
            loss = learn(
                q, target, memory.sample(rng, int(config["batch"])), config["gamma"], config["lr"]
            )
        if step % config["target_every"] == 0:
            target.load_weights(q.params)
        if step % config["eval_every"] == 0:
            score = evaluate(q, simulator, eval_seeds)
            recent = np.mean(returns[-20:]) if returns else 0.0
            log(
                f"step {step}: epsilon {epsilon:.2f}, loss {loss:.4f}, last 20 episodes "
                f"{recent:.1f}, greedy {score:.1f} on {len(eval_seeds)} episodes"
            )
            if score > best:
                best, best_weights = score, q.copy_weights()
            if best >= MAX_RETURN:
                break
            used = max(time.process_time() - started_cpu, time.monotonic() - started_wall)
            if used > config["run_seconds"]:
                log(f"time budget spent after {step} steps")
                break
    q.load_weights(best_weights)
    log(f"kept the weights that scored {best:.1f} on the evaluation episodes")
    return q


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/data")
    sys.path.insert(0, str(data))
    from cartpole import CartPole  # the simulator shipped with the data

    started = time.process_time()
    q = train(CartPole, load_config())
    log(f"trained in {time.process_time() - started:.1f} CPU seconds")

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        query = json.loads(line)
        actions = q.greedy(np.array(query["observations"], dtype=np.float64)).tolist()
        print(json.dumps({"query": query["query"], "actions": actions}), flush=True)


if __name__ == "__main__":
    main()
