"""An instructor's bundle zip goes through the loader of load_challenges: every
problem listed at once, and nothing half-created when there is one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from server.competitions.bundles import BundleError
from server.competitions.models import Challenge
from server.competitions.services import challenge_upload
from tests.server.factories import make_challenge, make_user

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]
XOR = REPO / "challenges" / "1986-xor-backprop"
SLUG = "1986-xor-uploaded"


def bundle_files(**changes: bytes | None) -> dict[str, bytes]:
    """The XOR bundle's files under a new slug; ``changes`` replace (or, with
    None, remove) files by their path in the zip."""
    files = {
        str(path.relative_to(XOR)): path.read_bytes()
        for path in sorted(XOR.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
    toml = files["challenge.toml"].decode().replace("1986-xor-backprop", SLUG)
    files["challenge.toml"] = toml.encode()
    for name, content in changes.items():
        name = name.replace("__", "/")
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    return files


def zip_upload(files: dict[str, bytes], *, folder: str = "") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}{name}" if not name.startswith(("/", "..")) else name,
                             content)  # fmt: skip
    return SimpleUploadedFile("bundle.zip", buffer.getvalue())


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
    assert (outcome.slug, outcome.action) == (SLUG, "created")
    challenge = Challenge.objects.get(slug=SLUG)
    assert challenge.owner == teacher and not challenge.is_published
    assert challenge.data_status == "ready" and (challenge.public_dir / "train.csv").is_file()
    assert Path(challenge.bundle_dir).is_relative_to(site.UPLOADED_BUNDLES_DIR)
    assert challenge.baselines.count() == 2


def test_uploading_again_updates_the_challenge_and_keeps_one_version(site):
    teacher = make_user("teacher", instructor=True)
    challenge_upload(user=teacher, archive=zip_upload(bundle_files()))
    readme = b"# XOR, revised\n\nNew text for the page.\n"
    outcome = challenge_upload(
        user=teacher, archive=zip_upload(bundle_files(**{"README.md": readme}))
    )
    assert outcome.action == "updated"
    assert "New text for the page" in Challenge.objects.get(slug=SLUG).description_html
    assert len(list((Path(site.UPLOADED_BUNDLES_DIR) / SLUG).iterdir())) == 1


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


def test_a_crashing_prepare_py_creates_nothing(site):
    teacher = make_user("teacher", instructor=True)
    crash = b"def prepare(**kwargs):\n    raise ValueError('seed file corrupt')\n"
    problems = _problems(teacher, zip_upload(bundle_files(**{"prepare.py": crash})))
    assert problems == ["prepare.py failed: ValueError: seed file corrupt"]
    assert _nothing_created(site)


def test_another_owners_slug_cannot_be_taken_over(site):
    make_challenge(SLUG, owner=make_user("first", instructor=True))
    intruder = make_user("second", instructor=True)
    problems = _problems(intruder, zip_upload(bundle_files()))
    assert problems == [f"the slug {SLUG!r} belongs to another challenge"]
    assert Challenge.objects.get(slug=SLUG).owner.username == "first"
