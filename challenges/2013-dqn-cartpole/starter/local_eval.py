"""Play the grader's part on your own machine: run your program, speak the
interactive protocol with it over stdin/stdout, and report its mean return.

    python local_eval.py [--program main.py] [--data data] [--episodes 100]

The grader's seeds are hidden, so this plays episodes of the simulator in the
data (``cartpole.py``: the grader's dynamics, step for step) on seeds of its
own, exactly as the grader plays its own: every query holds the observations of
the episodes still running. Your program's stderr is shown as it runs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", type=Path, default=Path("main.py"))
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=10**6)
    args = parser.parse_args()
    sys.path.insert(0, str(args.data))
    from cartpole import CartPole

    envs = [CartPole() for _ in range(args.episodes)]
    observations = [env.reset(seed=args.first_seed + i) for i, env in enumerate(envs)]
    process = subprocess.Popen(
        [sys.executable, str(args.program), str(args.data)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    started = time.monotonic()
    ready = process.stdout.readline()
    if json.loads(ready or "null") != {"ready": True}:
        raise SystemExit(f'the first line on stdout must be {{"ready": true}}, got {ready!r}')
    print(f"ready after {time.monotonic() - started:.1f} s", file=sys.stderr)
    returns, running, number = [0.0] * len(envs), list(range(len(envs))), 0
    while running:
        rows = [[float(str(v)) for v in observations[i]] for i in running]
        process.stdin.write(
            json.dumps({"query": number, "episodes": running, "observations": rows}) + "\n"
        )
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        assert answer["query"] == number, f"answer to query {number} carries {answer['query']}"
        assert len(answer["actions"]) == len(running), "one action per observation"
        still = []
        for i, action in zip(running, answer["actions"], strict=True):
            assert action in (0, 1) and type(action) is int, f"an action is 0 or 1, not {action!r}"
            observations[i], reward, terminated, truncated = envs[i].step(action)
            returns[i] += reward
            if not (terminated or truncated):
                still.append(i)
        running, number = still, number + 1
    process.stdin.close()
    process.wait(timeout=30)
    print(f"mean return {sum(returns) / len(returns):.2f} over {len(returns)} episodes")


if __name__ == "__main__":
    main()
