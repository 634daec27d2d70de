"""What podman runs in place of runc and conmon, for the tests' engine (see ``worker.runtimes.podman``)."""
