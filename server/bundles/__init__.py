"""The challenge-bundle toolkit. No Django here.

Plain functions over folders and files, shared by ``manage.py load_challenges``,
an instructor's uploaded zip and the benchmarks:

- ``bundle``: reading and validating a bundle folder (``challenge.toml`` and the
  files beside it), every problem collected in one round trip;
- ``archives``: unpacking an uploaded bundle zip, refusing unsafe members;
- ``preparation``: running a trusted (repository) bundle's ``prepare.py`` in-process
  at setup; an uploaded bundle's runs in a worker's sandbox (``worker.preparation``);
- ``datasets``: installing the raw datasets ``prepare.py`` reads, checksummed;
- ``markdown``: a bundle's README rendered as sanitised HTML.

The Django side (rows, uploads, the instructor's pages) lives in
``server.competitions`` and ``server.instructor``.
"""
