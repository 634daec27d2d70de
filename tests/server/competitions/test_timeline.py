from __future__ import annotations

import datetime as dt

from django.utils import timezone

from server.competitions.models import Challenge
from server.competitions.timeline import MILESTONES, timeline
from server.site import clock


def test_the_clock_travels_and_keeps_running():
    target = timezone.now() + dt.timedelta(days=3)
    with clock.travelled(to=target):
        assert abs((clock.now() - target).total_seconds()) < 1
    assert abs((clock.now() - timezone.now()).total_seconds()) < 1
    clock.travel_by(dt.timedelta(hours=-2))
    assert clock.now() < timezone.now() - dt.timedelta(hours=1)
    clock.reset()


def test_timeline_shows_offered_challenges_in_place_of_their_milestones():
    offered = [
        Challenge(slug="1958-perceptron", year=1958, title="The perceptron"),
        Challenge(slug="1999-custom-idea", year=1999, title="Something new"),
    ]
    items = timeline(offered)
    years = [item.year for item in items]
    assert years == sorted(years) and years[0] == 1943
    assert len(items) == len(MILESTONES) + 1  # the perceptron replaced, the custom one added
    perceptron = next(item for item in items if item.year == 1958)
    assert perceptron.challenge is offered[0] and perceptron.milestone.people == "Rosenblatt"
    assert next(item for item in items if item.year == 1999).milestone is None


def test_the_dqn_challenge_offers_deep_q_learning_and_word_vectors_stay_upcoming():
    dqn = Challenge(slug="2013-dqn-cartpole", year=2013, title="Deep Q-learning balances a pole")
    of_2013 = [item for item in timeline([dqn]) if item.year == 2013]
    assert [(item.challenge, item.milestone.title) for item in of_2013 if item.milestone] == [
        (dqn, "Deep Q-learning"),
        (None, "Word vectors"),
    ]


def test_both_challenges_of_2013_open_their_milestones_side_by_side():
    dqn = Challenge(slug="2013-dqn-cartpole", year=2013, title="Deep Q-learning balances a pole")
    vectors = Challenge(slug="2013-word2vec-shakespeare", year=2013, title="Word vectors")
    of_2013 = [item for item in timeline([vectors, dqn]) if item.year == 2013]
    assert [(item.challenge, item.milestone.title) for item in of_2013 if item.milestone] == [
        (vectors, "Word vectors"),
        (dqn, "Deep Q-learning"),
    ]


def test_the_logical_neuron_challenge_opens_1943():
    neuron = Challenge(slug="1943-logical-neuron", year=1943, title="The logical neuron")
    first = timeline([neuron])[0]
    assert (first.year, first.challenge, first.milestone.people) == (
        1943,
        neuron,
        "McCulloch & Pitts",
    )
    assert all(item.challenge is not None for item in timeline([neuron]) if item.year == 1943)


def test_the_landing_page_shows_1943_open_once_its_bundle_is_loaded(client, load_challenge):  # type: ignore[no-untyped-def]
    load_challenge("1943-logical-neuron")
    html = client.get("/").content.decode()
    card = html[html.index('id="challenge-1943-logical-neuron"') :].split("</li>")[0]
    assert "The logical neuron" in card and "McCulloch &amp; Pitts" in card
    assert "upcoming" not in card and "Data not installed" not in card
    assert "The logical neuron <span" not in html  # no upcoming card for 1943 beside it
    page = client.get("/challenges/1943-logical-neuron/").content.decode()
    assert "1943: a logical calculus of nervous activity" in page and "0.9616" in page


def test_the_graph_convolution_challenge_opens_its_2017_milestone_beside_the_transformer():
    gcn = Challenge(slug="2017-graph-convolution", year=2017, title="Graph convolutional networks")
    of_2017 = [item for item in timeline([gcn]) if item.year == 2017]
    assert [(item.challenge, item.milestone.people) for item in of_2017 if item.milestone] == [
        (gcn, "Kipf & Welling"),
        (None, "Vaswani et al."),
    ]


def test_the_landing_page_shows_the_gcn_open_once_its_bundle_is_loaded(client, load_challenge):  # type: ignore[no-untyped-def]
    load_challenge("2017-graph-convolution")
    html = client.get("/").content.decode()
    card = html[html.index('id="challenge-2017-graph-convolution"') :].split("</li>")[0]
    assert "Graph convolutional networks" in card and "Kipf &amp; Welling" in card
    assert "upcoming" not in card and "Data not installed" not in card
    assert "Graph convolutional networks <span" not in html  # no upcoming card beside it
    page = client.get("/challenges/2017-graph-convolution/").content.decode()
    assert "2017: the graph convolutional network" in page and "0.8225" in page


def test_the_landing_page_shows_word_vectors_open_once_its_bundle_is_loaded(client, load_challenge):  # type: ignore[no-untyped-def]
    challenge = load_challenge("2013-word2vec-shakespeare")
    assert challenge.data_status == "ready", challenge.data_problem
    html = client.get("/").content.decode()
    card = html[html.index('id="challenge-2013-word2vec-shakespeare"') :].split("</li>")[0]
    assert "Word vectors from Tiny Shakespeare" in card and "Mikolov et al." in card
    assert "upcoming" not in card and "Data not installed" not in card
    assert "Word vectors <span" not in html  # no upcoming card for it beside it
    page = client.get("/challenges/2013-word2vec-shakespeare/").content.decode()
    assert "2013: word2vec" in page and "0.4522" in page


def test_the_relu_and_dropout_challenge_opens_the_2012_milestone():
    relu = Challenge(slug="2012-relu-dropout", year=2012, title="ReLU and dropout on 1,000 digits")
    of_2012 = [item for item in timeline([relu]) if item.year == 2012]
    assert [(item.challenge, item.milestone.people) for item in of_2012 if item.milestone] == [
        (relu, "Krizhevsky, Sutskever & Hinton")
    ]
    assert all(item.challenge is not None for item in of_2012)  # no upcoming AlexNet beside it


def test_the_landing_page_shows_relu_and_dropout_open_once_its_bundle_is_loaded(
    client, load_challenge
):  # type: ignore[no-untyped-def]
    challenge = load_challenge("2012-relu-dropout")
    assert challenge.data_status == "ready", challenge.data_problem
    html = client.get("/").content.decode()
    card = html[html.index('id="challenge-2012-relu-dropout"') :].split("</li>")[0]
    assert "ReLU and dropout on 1,000 digits" in card
    assert "Krizhevsky, Sutskever &amp; Hinton" in card
    assert "upcoming" not in card and "Data not installed" not in card
    assert "AlexNet <span" not in html  # no upcoming card for 2012 beside it
    page = client.get("/challenges/2012-relu-dropout/").content.decode()
    assert "2012: dropout" in page and "0.9212" in page


def test_the_landing_page_shows_deep_belief_nets_open_once_its_bundle_is_loaded(
    client, load_challenge
):  # type: ignore[no-untyped-def]
    load_challenge("2006-deep-belief-nets")
    html = client.get("/").content.decode()
    card = html[html.index('id="challenge-2006-deep-belief-nets"') :].split("</li>")[0]
    assert (
        "Deep belief nets: digits from 100 labels" in card and "Hinton, Osindero &amp; Teh" in card
    )
    assert "upcoming" not in card
    assert "Deep belief nets <span" not in html  # no upcoming card for 2006 beside it
    page = client.get("/challenges/2006-deep-belief-nets/").content.decode()
    assert "2006: a fast learning algorithm for deep belief nets" in page and "0.7506" in page


def test_the_residual_challenge_opens_its_2015_milestone():
    resnet = Challenge(slug="2015-residual-mnist", year=2015, title="Residual networks on MNIST")
    of_2015 = [item for item in timeline([resnet]) if item.year == 2015]
    assert [(item.challenge, item.milestone.people) for item in of_2015 if item.milestone] == [
        (resnet, "He, Zhang, Ren & Sun")
    ]


def test_the_landing_page_shows_residual_networks_open_once_its_bundle_is_loaded(
    client, load_challenge
):  # type: ignore[no-untyped-def]
    challenge = load_challenge("2015-residual-mnist")
    assert challenge.data_status == "ready", challenge.data_problem
    html = client.get("/").content.decode()
    card = html[html.index('id="challenge-2015-residual-mnist"') :].split("</li>")[0]
    assert "Residual networks on MNIST" in card and "He, Zhang, Ren &amp; Sun" in card
    assert "upcoming" not in card and "Data not installed" not in card
    assert "Residual networks <span" not in html  # no upcoming card for it beside it
    page = client.get("/challenges/2015-residual-mnist/").content.decode()
    assert "degradation problem" in page and "0.9820" in page


def test_the_landing_page_shows_denoising_diffusion_open_once_its_bundle_is_loaded(
    client, load_challenge
):  # type: ignore[no-untyped-def]
    load_challenge("2020-diffusion-mnist")
    html = client.get("/").content.decode()
    card = html[html.index('id="challenge-2020-diffusion-mnist"') :].split("</li>")[0]
    assert "Denoising diffusion" in card and "Ho, Jain &amp; Abbeel" in card
    assert "upcoming" not in card
    assert "Denoising diffusion <span" not in html  # no upcoming card for 2020 beside it
    page = client.get("/challenges/2020-diffusion-mnist/").content.decode()
    assert "2020: DDPM" in page and "11.21" in page
