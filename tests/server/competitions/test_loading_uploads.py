"""An instructor's bundle zip goes through the validation of load_challenges: every
problem listed at once, and nothing half-created when there is one. A valid one
is only staged here: its prepare.py runs in a worker's sandbox
(tests/server/bundles/test_sandboxed_prepare.py)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.bundles.bundle import BundleError
from server.competitions.loading import challenge_upload
from server.competitions.models import Challenge
from tests.support.bad_zips import BAD_ZIPS
from tests.support.bundle_zips import SLUG, bundle_files, zip_upload
from tests.support.factories import make_challenge, make_user

pytestmark = pytest.mark.django_db


def _problems(user, upload) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(BundleError) as caught:
        challenge_upload(user=user, archive=upload)
    return caught.value.problems


def _nothing_created(site) -> bool:  # type: ignore[no-untyped-def]
    bundles = Path(site.UPLOADED_BUNDLES_DIR)
    leftovers = list(bundles.rglob("*")) if bundles.exists() else []
    return not Challenge.objects.filter(slug=SLUG).exists() and not leftovers


def test_a_valid_bundle_becomes_a_draft_challenge_owned_by_its_uploader(site):
    teacher = make_user("teacher", instructor=True)
    outcome = challenge_upload(user=teacher, archive=zip_upload(bundle_files(), folder="xor/"))
    assert (outcome.slug, outcome.action) == (SLUG, "staged")
    challenge = Challenge.objects.get(slug=SLUG)
    assert challenge.owner == teacher and not challenge.is_published
    # Staged, not prepared: no code of the bundle ran in this process.
    assert challenge.data_status == "preparing" and not challenge.public_dir.exists()
    [preparation] = challenge.preparations.all()
    assert preparation.state == "staged"
    assert Path(preparation.bundle_dir).is_relative_to(site.UPLOADED_BUNDLES_DIR)
    assert len(preparation.baselines) == 3  # XOR: two methods and the Bayes bound


def test_uploading_again_stages_a_version_and_keeps_the_current_one_until_prepared(site):
    teacher = make_user("teacher", instructor=True)
    challenge_upload(user=teacher, archive=zip_upload(bundle_files()))
    readme = b"# XOR, revised\n\nNew text for the page.\n"
    outcome = challenge_upload(
        user=teacher, archive=zip_upload(bundle_files(**{"README.md": readme}))
    )
    assert outcome.action == "updated"
    challenge = Challenge.objects.get(slug=SLUG)
    assert "New text for the page" not in challenge.description_html
    latest = challenge.preparations.first()
    assert latest is not None and "New text for the page" in str(latest.fields)
    assert len(list((Path(site.UPLOADED_BUNDLES_DIR) / SLUG).iterdir())) == 2


def test_invalid_toml_is_reported_and_nothing_is_created(site):
    teacher = make_user("teacher", instructor=True)
    problems = _problems(teacher, zip_upload(bundle_files(**{"challenge.toml": b"slug = [oops"})))
    assert any("not valid TOML" in problem for problem in problems)
    assert _nothing_created(site)


def test_every_problem_is_listed_at_once(site):
    teacher = make_user("teacher", instructor=True)
    toml = bundle_files()["challenge.toml"].decode().replace('"accuracy"', '"vibes"')
    files = bundle_files(**{"challenge.toml": toml.encode(), "prepare.py": None})
    files["../escape.py"] = b"print('out')"
    files["/etc/cron.d/evil"] = b"* * * * * root sh"
    problems = " | ".join(_problems(teacher, zip_upload(files)))
    assert "missing file prepare.py" in problems
    assert "vibes" in problems
    assert "unsafe path in the zip: '../escape.py'" in problems
    assert "unsafe path in the zip: '/etc/cron.d/evil'" in problems
    assert _nothing_created(site)
    assert not (Path(site.UPLOADED_BUNDLES_DIR).parent / "escape.py").exists()


def test_a_link_inside_the_zip_is_refused(site):
    teacher = make_user("teacher", instructor=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in bundle_files().items():
            archive.writestr(name, content)
        link = zipfile.ZipInfo("starter/data")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc")
    problems = _problems(teacher, SimpleUploadedFile("b.zip", buffer.getvalue()))
    assert problems == ["link or special file in the zip: 'starter/data'"]
    assert _nothing_created(site)


def test_a_file_that_is_no_zip_is_refused(site):
    teacher = make_user("teacher", instructor=True)
    problems = _problems(teacher, SimpleUploadedFile("bundle.zip", b"PK not really"))
    assert problems == ["the file is not a zip archive (or it is damaged)"]


def test_a_zip_without_challenge_toml_says_where_it_was_looked_for(site):
    teacher = make_user("teacher", instructor=True)
    problems = _problems(teacher, zip_upload({"notes.txt": b"hello"}))
    assert "no challenge.toml at the zip's root or in its one top folder" in problems


def test_another_owners_slug_cannot_be_taken_over(site):
    make_challenge(SLUG, owner=make_user("first", instructor=True))
    intruder = make_user("second", instructor=True)
    problems = _problems(intruder, zip_upload(bundle_files()))
    assert problems == [f"the slug {SLUG!r} belongs to another challenge"]
    assert Challenge.objects.get(slug=SLUG).owner.username == "first"


@pytest.mark.parametrize("kind", list(BAD_ZIPS))
def test_a_bundle_zip_that_cannot_be_unpacked_is_a_problem_listed_never_a_500(
    client, site, kind: str
):  # type: ignore[no-untyped-def]
    make, words = BAD_ZIPS[kind]
    owner = make_user("owner", instructor=True)
    client.force_login(owner)
    upload = SimpleUploadedFile("b.zip", make(list(bundle_files().items())))
    response = client.post("/instructor/upload/", {"bundle": upload})
    assert response.status_code == 400
    assert words in response.content.decode() or "cannot be unpacked" in response.content.decode()
    assert _nothing_created(site)
