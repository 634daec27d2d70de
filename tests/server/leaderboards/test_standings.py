"""The kept standings are the boards a full recomputation gives, after random
sequences of what moves entrants: scores (some held, then released), rescores,
finals marked and unmarked, disqualifications and reinstatements, teams formed,
phases added and removed, the finals rule changed. The recomputation here is the
rules written out over every scored submission, with graders.ranking."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

import pytest

from graders import Scores
from graders.ranking import Entry, rank
from server.competitions import services as competitions
from server.competitions.models import Challenge, Disqualification, Phase
from server.leaderboards import standings
from server.leaderboards.selectors import Scope, board_rows
from server.site import clock
from server.submissions import lifecycle
from server.submissions.errors import SubmissionRefused
from server.submissions.models import Submission
from server.submissions.services import submission_select
from server.teams.models import Membership
from server.teams.services import TeamRefused, team_create, team_join
from tests.support.factories import make_challenge, make_submission, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _in_scope(submission: Submission, phase: Phase | None) -> bool:
    if phase is None:
        return True
    if submission.phase_id is not None:
        return submission.phase_id == phase.pk
    return phase.starts_at <= submission.created_at < phase.ends_at


def _key(submission: Submission) -> str:
    return f"team:{submission.team_id}" if submission.team_id else submission.user.username


def expected(
    challenge: Challenge, phase: Phase | None, private: bool
) -> list[tuple[str, float, int]]:
    """(entrant, score, submission) best first: the rules, from every scored row."""
    barred = set(
        Disqualification.objects.filter(challenge=challenge).values_list("user", flat=True)
    )
    barred_teams = set(
        Membership.objects.filter(challenge=challenge, user__in=barred).values_list(
            "team", flat=True
        )
    )
    rows = [
        s
        for s in Submission.objects.filter(challenge=challenge, state="scored").select_related(
            "user"
        )
        if _in_scope(s, phase) and s.user_id not in barred and s.team_id not in barred_teams
    ]
    entries = []
    for key in {_key(s) for s in rows}:
        mine = [s for s in rows if _key(s) == key]
        public = [
            Entry(key, s.public_score, s.created_at, s.id)
            for s in mine
            if s.public_score is not None
        ]
        if not private:
            entries += public
            continue
        with_private = [s for s in mine if s.private_score is not None]
        chosen = [s for s in with_private if s.selected]
        if not chosen:  # none marked: the max_final best by public score
            ordered = sorted(
                with_private,
                key=lambda s: (
                    -s.public_score if challenge.direction == "higher" else s.public_score,
                    s.created_at,
                    s.id,
                ),
            )
            chosen = ordered[: challenge.max_final]
        entries += [Entry(key, s.private_score, s.created_at, s.id) for s in chosen]
    ranked = rank(entries, direction=challenge.direction)
    return [(r.participant, r.score, r.submission_id) for r in ranked if not r.is_baseline]  # type: ignore[misc]


def kept(challenge: Challenge, phase: Phase | None, private: bool) -> list[tuple[str, float, int]]:
    rows = board_rows(challenge=challenge, scope=Scope(phase), private=private)
    return [(r.key, r.score, r.submission_id) for r in rows if not r.is_baseline]  # type: ignore[misc]


def _score(submission: Submission, rng: random.Random, *, held: bool = False) -> None:
    Submission.objects.filter(pk=submission.pk).update(state="running", attempt=1)
    public = round(rng.uniform(0.4, 1.0), 2)  # ties happen: they go to the earlier
    scores = Scores(
        public=public, private=round(rng.uniform(0.4, 1.0), 2), n_public=10, n_private=10
    )
    facts = lifecycle.RunFacts(sandbox_status="exited", wall_seconds=1.0, cpu_seconds=1.0)
    lifecycle.finish_scored(
        submission_id=submission.pk,
        attempt=1,
        scores=scores,
        facts=facts,
        hold_reason="beyond the plausible" if held else "",
    )


@pytest.mark.parametrize("seed", range(6))
def test_the_kept_boards_are_a_full_recomputation_after_random_changes(site, seed):
    rng = random.Random(seed)
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(
        owner=owner, team_size=3, max_final=2, teams_lock_at=clock.now() + 48 * HOUR
    )
    people = [make_user(f"p{n}") for n in range(7)]
    phases: list[Phase] = []
    for step in range(70):
        action = rng.choice(
            ["score"] * 8
            + [
                "held",
                "rescore",
                "select",
                "disqualify",
                "reinstate",
                "team",
                "phase",
                "unphase",
                "finals",
            ]
        )
        person = rng.choice(people)
        scored = list(Submission.objects.filter(challenge=challenge, state="scored"))
        if action in ("score", "held"):
            membership = Membership.objects.filter(user=person, challenge=challenge).first()
            late_for = rng.choice(phases) if phases and rng.random() < 0.3 else None
            submission = make_submission(
                user=person,
                challenge=challenge,
                state="queued",
                created_at=clock.now() - dt.timedelta(minutes=rng.randrange(0, 40 * 60)),
                team=membership.team if membership is not None else None,
                phase=late_for,  # accepted for a phase outside its window: late or extended
            )
            _score(submission, rng, held=action == "held")
            if action == "held" and rng.random() < 0.7:
                lifecycle.release(submission_id=submission.pk)
        elif action == "rescore" and scored:
            target = rng.choice(scored)
            lifecycle.rescore(submission_id=target.pk)
            if rng.random() < 0.5:
                _score(target, rng)
        elif action == "select" and scored:
            target = rng.choice(scored)
            with contextlib.suppress(SubmissionRefused):  # the finals cap: nothing changes
                submission_select(user=target.user, submission=target, selected=not target.selected)
        elif action == "disqualify":
            competitions.participant_disqualify(
                challenge=challenge, username=person.username, reason="test", by=owner
            )
        elif action == "reinstate":
            barred = Disqualification.objects.filter(challenge=challenge).first()
            if barred is not None:
                competitions.participant_reinstate(
                    challenge=challenge, disqualification_id=barred.pk
                )
        elif action == "team":
            other = rng.choice(people)
            try:
                team = Membership.objects.filter(user=other, challenge=challenge).first()
                if team is None:
                    made = team_create(user=other, challenge=challenge, name=f"t{step}")
                    team_join(user=person, challenge=challenge, code=made.code)
                else:
                    team_join(user=person, challenge=challenge, code=team.team.code)
            except TeamRefused:
                pass
        elif action == "phase":
            start = clock.now() - dt.timedelta(hours=rng.randrange(0, 40))
            with contextlib.suppress(competitions.ChangeRefused):  # overlapping phases
                phases.append(
                    competitions.phase_create(
                        challenge=challenge,
                        name=f"P{step}",
                        starts_at=start,
                        ends_at=start + dt.timedelta(hours=rng.randrange(1, 20)),
                    )
                )
        elif action == "unphase" and phases:
            gone = phases.pop(rng.randrange(len(phases)))
            competitions.phase_delete(challenge=challenge, phase_id=gone.pk)
        elif action == "finals":
            challenge.refresh_from_db()
            competitions.challenge_set_rules(
                challenge=challenge,
                daily_limit=None,
                max_final=rng.choice([1, 2, 3]),
                is_published=True,
                team_size=3,
                teams_lock_at=challenge.teams_lock_at,
            )
        if step % 10 == 9 or step == 69:
            fresh = Challenge.objects.prefetch_related("phases", "baselines").get(pk=challenge.pk)
            for phase in [None, *fresh.phases.all()]:
                for private in (False, True):
                    assert kept(fresh, phase, private) == expected(fresh, phase, private), (
                        f"seed {seed}, step {step}, phase {phase}, private {private}"
                    )
            assert standings.agrees(challenge=fresh)


def test_a_rebuild_finds_what_a_change_by_hand_left_behind(site):
    challenge = make_challenge()
    ada = make_user("ada")
    kept_row = make_submission(user=ada, challenge=challenge, public=0.7)
    Submission.objects.filter(pk=kept_row.pk).update(public_score=0.95)  # by hand, no hook
    assert not standings.agrees(challenge=challenge)
    standings.rebuild(challenge=challenge)
    assert standings.agrees(challenge=challenge)
    assert kept(challenge, None, False) == [("ada", 0.95, kept_row.pk)]
