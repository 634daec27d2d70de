"""Uploads that carry the challenge's hidden data are run, scored, and held for
review with what was found and where; honest uploads are not."""

from __future__ import annotations

import base64
import csv
import gzip
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from server.submissions.models import Submission
from tests.support.char_lm import UNIFORM
from tests.support.pipeline import queued_submission, zip_of
from tests.support.programs import reference_code
from worker.execution import execute_submission

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
COPY_ANSWERS = b"import shutil\nshutil.copy('answers.csv', '/output/predictions.csv')\n"


def test_a_copy_of_the_hidden_labels_scores_perfectly_and_is_held(xor_challenge):
    with (xor_challenge.hidden_dir / "labels.csv").open(newline="") as handle:
        rows = [(row["id"], row["label"]) for row in csv.DictReader(handle)]
    answers = "id,label\n" + "".join(f"{i},{label}\n" for i, label in rows)
    upload = zip_of({"main.py": COPY_ANSWERS, "answers.csv": answers.encode()})
    submission = queued_submission(xor_challenge, b"")
    submission.upload.save("upload.zip", ContentFile(upload), save=True)
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == Submission.State.HELD, submission.failure_reason
    assert submission.public_score == 1.0
    assert "Hidden data in the upload" in submission.hold_reason
    assert "hidden labels (as numbers in text)" in submission.hold_reason
    assert "answers.csv" in submission.hold_reason


def test_the_honest_reference_is_not_held(xor_challenge):
    submission = queued_submission(xor_challenge, reference_code())
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert (submission.state, submission.hold_reason) == (Submission.State.SCORED, "")


def test_hidden_text_wrapped_in_base64_and_gzip_is_found(load_challenge, settings):
    if not (Path(settings.DATASETS_DIR) / "tinyshakespeare" / "input.txt").is_file():
        pytest.skip("Tiny Shakespeare is not installed (manage.py fetch_datasets)")
    challenge = load_challenge("2017-tiny-transformer")
    hidden = (challenge.hidden_dir / "text.txt").read_bytes()[20_000:22_000]
    wrapped = base64.b64encode(gzip.compress(hidden)).decode()
    submission = queued_submission(challenge, (UNIFORM + f"\nNOTES = '{wrapped}'\n").encode())
    execute_submission(submission_id=submission.id)
    submission.refresh_from_db()
    assert submission.state == Submission.State.HELD, submission.failure_reason
    assert "hidden text (main.py > base64@" in submission.hold_reason
    assert "> gzip@0, at byte" in submission.hold_reason
