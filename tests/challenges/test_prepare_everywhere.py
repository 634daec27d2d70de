"""Every bundle's prepare.py writes the same bytes on every machine. Each is prepared
in two fresh processes, one computing on one thread with this CPU's best kernels,
the other on two threads with other kernels (OpenBLAS's and NumPy's oldest x86-64
ones, as an older CPU would run), and both trees, public and hidden, must be the
same byte for byte. The checksums recorded below pin them across machines: a
machine, a NumPy or a change of prepare.py that moves a single byte fails here
(record the new checksums only with the baselines measured again)."""

from __future__ import annotations

import pytest

from graders.artifacts import checksum
from tests.support.bundles import DATASETS, ELSEWHERE, ONE_THREAD, PreparedOn, files_of
from tests.support.pipeline import CHALLENGES

RAW_DATA = {
    "1998-lenet-mnist": "mnist",
    "2006-deep-belief-nets": "mnist",
    "2012-relu-dropout": "mnist",
    "2013-word2vec-shakespeare": "tinyshakespeare",
    "2014-gan": "mnist",
    "2015-residual-mnist": "mnist",
    "2017-tiny-transformer": "tinyshakespeare",
    "2020-diffusion-mnist": "mnist",
}
# slug -> (checksum of public/, checksum of hidden/: the grader artifacts), as
# graders.artifacts.checksum computes them.
RECORDED = {
    "1943-logical-neuron": (
        "53cb7a9dd8fdbafd1a8cec0818340deeb9bb650f63e28a389b04ac5166dd3f2e",
        "e4ef7fd595775a8125e65ed6e3c15ee9262a9125f1c758c950e25e9449205cd3",
    ),
    "1958-perceptron": (
        "607b93694e6cf8201987df9230624e9303be1f23d8fa70ff3a37fa3fce04a2ca",
        "4742253aff219edf604792073954a7ba32e74e711ed035dc336f18f34fa261fd",
    ),
    "1986-xor-backprop": (
        "d5b7d1f87c88cc6dee281256ca9d5957a2d1f0c26daf4185b04d4a5ed111595b",
        "1041df373774d2ffffb5a64c871411609b206d3f84a20d7358e45be062af0366",
    ),
    "1997-lstm-adding": (
        "70140f91f7409456ef7894a403a176140eaa333f66a1755244179e4165daf0d3",
        "7f3fb77f915a860d00fc0dc977730080799872bcdfbbcc00d7a53ca1d4a886e8",
    ),
    "1998-lenet-mnist": (
        "474cde1b8ac6503445a3baaaf446a29b4e2e566fcb69f2cb38fd9ea97b3c0e5b",
        "96cb699be1c8f21399a4544f522dfd031ef271d2d5d5d6c4e64013a8aa64d3b7",
    ),
    "2006-deep-belief-nets": (
        "5604b2ca8c3917ef3c1f860bb7fd1b961f3c917bb22796d194a4150d3edfa1f0",
        "995c9d8c1bf298dde278a41cb22e12ad205cf8b329beb7f993a84522c50ebb4e",
    ),
    "2012-relu-dropout": (
        "d997fd6f9061bc1518dae338aa52da5c7d6bbca3793f8198e4dfcad089a2be53",
        "60a2da9e0cabdc02aebad1d9b19f10d23bdac07cf7f677af81dc1d74751d393e",
    ),
    "2013-dqn-cartpole": (
        "f8238339e904f443df93eb9352b8287b85bf7c4efd87fd4ebb53b2986d90d46c",
        "94efd0d10560c09b383062a5ec0da9d48566609f8f4d9dc520e0f704ba284113",
    ),
    "2013-word2vec-shakespeare": (
        "e592682e810e45d17b9bbb17bf1893ef8af08edc6e6b14934e9c1a11cd247742",
        "4ec805dfc50b03c54a5bc780bc8ecfa9dbf746759846b6e551ae59605034710a",
    ),
    "2014-gan": (
        "c0e8b553748373b6d9e1340baadf9f79d3cf348bc5a4f9210a2309b6ae6f775d",
        "2d5c6eb44449153e287f4e2c13880cb928088788860fa2d5a2466689dfec2a52",
    ),
    "2015-residual-mnist": (
        "e96d3ff618237e8e1858219447ea4d4ffafaaf70f4a32f67a2f0943cee8d0a2b",
        "759e8bc4867232f37604642128c1bc4f62a27999cb79fb8fca14b8275a38078b",
    ),
    "2017-graph-convolution": (
        "4a4c8e4619ceb15129a65bfbb92102b4b9a13751e3087e5053e542f734343a6e",
        "74eec04b687b6f4e29d77bdc347f066726e22c5e8c2b9439345b0b9d8c48987e",
    ),
    "2017-tiny-transformer": (
        "940341189451e95436b18ee15921532666522bbb7370386e32eb5245d20ac48d",
        "e28eb76971eeb77bc88eee22c9e277c6082c8d81a9e79326908d41fa919f3a31",
    ),
    # The 2014 GAN challenge's files: this bundle's prepare.py runs that one's.
    "2020-diffusion-mnist": (
        "c0e8b553748373b6d9e1340baadf9f79d3cf348bc5a4f9210a2309b6ae6f775d",
        "2d5c6eb44449153e287f4e2c13880cb928088788860fa2d5a2466689dfec2a52",
    ),
}
BUNDLES = sorted(path.name for path in CHALLENGES.iterdir() if (path / "prepare.py").is_file())


def test_every_bundle_has_its_checksums_recorded():
    assert sorted(RECORDED) == BUNDLES


@pytest.mark.parametrize("slug", BUNDLES)
def test_prepare_writes_the_same_bytes_under_any_threads_and_kernels(
    slug: str, prepared_on: PreparedOn
):
    if slug in RAW_DATA and not (DATASETS / RAW_DATA[slug]).is_dir():
        pytest.skip(f"{RAW_DATA[slug]} not installed in {DATASETS}")
    here, elsewhere = prepared_on(slug, ONE_THREAD), prepared_on(slug, ELSEWHERE)
    files, others = files_of(here), files_of(elsewhere)
    assert sorted(files) == sorted(others)
    assert [name for name in files if files[name] != others[name]] == []
    found = (checksum(here / "public"), checksum(here / "hidden"))
    print(f"{slug}: public {found[0]}, hidden {found[1]}")
    assert found == RECORDED.get(slug)
