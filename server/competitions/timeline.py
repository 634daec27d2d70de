"""The landing page's timeline: the milestones of the field from 1943 to today,
each shown as its challenge when one is offered, else as upcoming."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from server.competitions.models import Challenge


@dataclass(frozen=True)
class Milestone:
    year: int
    title: str
    people: str
    idea: str
    keywords: tuple[str, ...]  # a challenge of the same year whose slug holds one offers it

    def offered_by(self, challenge: Challenge) -> bool:
        return challenge.year == self.year and any(k in challenge.slug for k in self.keywords)


MILESTONES = (
    Milestone(1943, "The logical neuron", "McCulloch & Pitts",
              "A neuron as a threshold unit: networks of them compute logic.", ("logical-neuron", "mcculloch", "pitts")),
    Milestone(1958, "The perceptron", "Rosenblatt",
              "A machine that learns its weights from examples, and provably converges.", ("perceptron",)),
    Milestone(1986, "Backpropagation", "Rumelhart, Hinton & Williams",
              "Hidden units trained by propagating errors backwards learn their own features.", ("xor", "backprop")),
    Milestone(1997, "Long short-term memory", "Hochreiter & Schmidhuber",
              "Gated memory cells carry information across hundreds of time steps.", ("lstm",)),
    Milestone(1998, "LeNet-5", "LeCun, Bottou, Bengio & Haffner",
              "Convolutions and pooling, trained end to end, read handwritten digits.", ("lenet", "mnist")),
    Milestone(2006, "Deep belief nets", "Hinton, Osindero & Teh",
              "Greedy layer-wise pretraining makes deep networks trainable.", ("belief", "dbn")),
    Milestone(2012, "AlexNet", "Krizhevsky, Sutskever & Hinton",
              "ReLUs and dropout in a deep convolutional net on GPUs nearly halve the ImageNet error.",
              ("alexnet", "imagenet", "relu", "dropout")),
    Milestone(2013, "Word vectors", "Mikolov et al.",
              "Predicting context words gives embeddings where meaning is geometry.", ("word2vec",)),
    Milestone(2013, "Deep Q-learning", "Mnih et al.",
              "A network learns what each action is worth from play and reward alone.", ("dqn",)),
    Milestone(2014, "Generative adversarial nets", "Goodfellow et al.",
              "A generator and a discriminator trained against each other.", ("gan",)),
    Milestone(2015, "Residual networks", "He, Zhang, Ren & Sun",
              "Identity shortcuts let networks grow to a hundred layers and more.", ("resnet", "residual")),
    Milestone(2017, "Graph convolutional networks", "Kipf & Welling",
              "Each node mixes its features with its neighbours': convolution on any graph.", ("graph-convolution", "gcn")),
    Milestone(2017, "The transformer", "Vaswani et al.",
              "Attention is all you need: no recurrence, no convolution.", ("transformer",)),
    Milestone(2020, "Denoising diffusion", "Ho, Jain & Abbeel",
              "Learning to undo noise, step by step, generates images.", ("diffusion", "ddpm")),
)  # fmt: skip


@dataclass(frozen=True)
class TimelineItem:
    year: int
    challenge: Challenge | None  # None: a milestone not offered yet
    milestone: Milestone | None


def timeline(challenges: Iterable[Challenge]) -> list[TimelineItem]:
    """Every offered challenge, and every milestone no challenge offers, by year."""
    challenges = list(challenges)
    items = [
        TimelineItem(c.year, c, next((m for m in MILESTONES if m.offered_by(c)), None))
        for c in challenges
    ]
    items += [
        TimelineItem(m.year, None, m)
        for m in MILESTONES
        if not any(m.offered_by(c) for c in challenges)
    ]
    return sorted(items, key=lambda item: (item.year, item.challenge is None))
