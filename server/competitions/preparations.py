"""An uploaded bundle version's way in, as its instructor sees it: staged ->
preparing (its prepare.py in a worker's sandbox) -> checking reference (its
reference solution through the normal pipeline) -> ready, or failed with a
reason. The worker moves it up to "checking reference" (``worker.preparation``);
the check is settled here, when the page asks, from the reference submission's
final state: one guarded UPDATE, so asking twice changes nothing.

A challenge whose latest version is not ready cannot be published: a new one
stays a draft (seen by its instructor and staff only) until then, and a
published one whose new version's reference misses its stated result is taken
off the site."""

from __future__ import annotations

from server.competitions.models import Challenge, Preparation
from server.submissions.models import Submission

# How far a reference may fall short of the score its bundle states: the
# baselines are written with four significant digits.
TOLERANCE_RELATIVE = 5e-4


def latest_preparation(*, challenge: Challenge) -> Preparation | None:
    """The challenge's latest uploaded version (None for a repository bundle)."""
    return challenge.preparations.order_by("-created_at", "-id").first()


def preparation_settle(*, preparation: Preparation) -> Preparation:
    """Decide the reference check once its submission has finished."""
    if preparation.state != Preparation.State.CHECKING:
        return preparation
    submission = Submission.objects.filter(id=preparation.reference_submission_id or 0).first()
    if submission is not None and submission.state not in Submission.FINAL_STATES:
        return preparation
    shortfall = (
        "The reference submission is gone."
        if submission is None
        else reference_shortfall(challenge=preparation.challenge, submission=submission)
    )
    state = Preparation.State.READY if shortfall is None else Preparation.State.FAILED
    settled = Preparation.objects.filter(
        pk=preparation.pk, state=Preparation.State.CHECKING
    ).update(state=state, reason=shortfall or "")
    if settled and shortfall is not None:
        Challenge.objects.filter(pk=preparation.challenge_id).update(is_published=False)
    preparation.refresh_from_db()
    return preparation


def reference_shortfall(*, challenge: Challenge, submission: Submission) -> str | None:
    """Why the reference run misses the result the bundle states (None: it reaches it)."""
    if submission.state not in (Submission.State.SCORED, Submission.State.HELD):
        why = submission.failure_reason or submission.state
        return f"The reference solution did not score ({why})."
    target = challenge.reference_result
    if target is None or submission.public_score is None or submission.private_score is None:
        return None  # the bundle states no result to reach
    share = float(challenge.grading.get("public_fraction", 0.5))
    score = share * submission.public_score + (1 - share) * submission.private_score
    stated = share * target.score + (1 - share) * target.score_on(private=True)
    slack = TOLERANCE_RELATIVE * max(abs(stated), 1.0)
    missed = score < stated - slack if challenge.direction == "higher" else (score > stated + slack)
    if not missed:
        return None
    return (
        f"The reference solution scored {score:.4f}, short of the {stated:.4f} "
        f"the bundle states for {target.name!r}: this challenge cannot be published."
    )


def publish_refusal(*, challenge: Challenge) -> str | None:
    """Why the challenge cannot be published now (None: it can)."""
    preparation = latest_preparation(challenge=challenge)
    if preparation is None:
        return None
    preparation = preparation_settle(preparation=preparation)
    if preparation.state == Preparation.State.READY:
        return None
    if preparation.state == Preparation.State.FAILED:
        return f"It cannot be published: its latest bundle failed. {preparation.reason}"
    return f"It cannot be published yet: its latest bundle is {preparation.get_state_display()}."
