"""CartPole-v1 for training: the same dynamics as the grader's (gymnasium's
classic-control CartPole-v1), in plain Python and NumPy, step for step.

    import sys; sys.path.insert(0, "/data")
    from cartpole import CartPole

    env = CartPole(seed=0)
    observation = env.reset()              # 4 float32 numbers
    observation, reward, terminated, truncated = env.step(1)

The state is (cart position, cart velocity, pole angle, pole angular velocity),
computed in float64 and observed as float32. Action 0 pushes the cart left with
10 N, action 1 right. Each step is 0.02 s of explicit Euler integration of the
equations of Barto, Sutton & Anderson (1983). The episode is terminated when
the pole leans past 12 degrees or the cart leaves [-2.4, 2.4] (the reward of
that step still counts), and truncated after 500 steps. A reset draws each of
the four numbers uniformly from [-0.05, 0.05).

``reset(seed=s)`` starts the same episode as gymnasium's ``env.reset(seed=s)``;
the grader's seeds are hidden, so a policy must hold the pole from any start.
"""

from __future__ import annotations

import math

import numpy as np

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_POLE + MASS_CART
HALF_LENGTH = 0.5  # half the pole's length
POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH
FORCE = 10.0
TAU = 0.02  # seconds per step
ANGLE_LIMIT = 12 * 2 * math.pi / 360  # radians
POSITION_LIMIT = 2.4
MAX_STEPS = 500


class CartPole:
    def __init__(self, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)
        self.state = np.zeros(4)
        self.steps = 0

    def reset(self, seed: int | None = None) -> np.ndarray:
        """A new episode (from a fresh generator when ``seed`` is given); its observation."""
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.state = self.rng.uniform(low=-0.05, high=0.05, size=(4,))
        self.steps = 0
        return np.array(self.state, dtype=np.float32)

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool]:
        """(observation, reward, terminated, truncated) after pushing left (0) or right (1)."""
        if action not in (0, 1):
            raise ValueError(f"an action is 0 or 1, not {action!r}")
        x, x_dot, theta, theta_dot = self.state
        force = FORCE if action == 1 else -FORCE
        costheta = np.cos(theta)
        sintheta = np.sin(theta)
        # The operations in gymnasium's order, so that every bit agrees.
        temp = (force + POLE_MASS_LENGTH * np.square(theta_dot) * sintheta) / TOTAL_MASS
        thetaacc = (GRAVITY * sintheta - costheta * temp) / (
            HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * np.square(costheta) / TOTAL_MASS)
        )
        xacc = temp - POLE_MASS_LENGTH * thetaacc * costheta / TOTAL_MASS
        x = x + TAU * x_dot
        x_dot = x_dot + TAU * xacc
        theta = theta + TAU * theta_dot
        theta_dot = theta_dot + TAU * thetaacc
        self.state = np.array((x, x_dot, theta, theta_dot), dtype=np.float64)
        self.steps += 1
        terminated = bool(
            x < -POSITION_LIMIT or x > POSITION_LIMIT or theta < -ANGLE_LIMIT or theta > ANGLE_LIMIT
        )
        truncated = self.steps >= MAX_STEPS
        return np.array(self.state, dtype=np.float32), 1.0, terminated, truncated
