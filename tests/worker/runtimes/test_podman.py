"""podman's configuration for the tests' engine: Docker's seccomp rules for the
namespace, mount and keyring calls over podman's own profile, and runc's wrapper
that lowers a spec's rlimits to what runc may set (worker/runtimes/podman.py)."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest

from worker.runtimes import podman
from worker.runtimes.engine import within_limits

PROFILE = {
    "defaultAction": "SCMP_ACT_ERRNO",
    "syscalls": [
        {"names": ["read", "unshare", "mount", "keyctl", "clone"], "action": "SCMP_ACT_ALLOW"},
        {"names": ["setns"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
    ],
}


def _rules_for(profile: dict, name: str) -> list[dict]:
    return [rule for rule in profile["syscalls"] if name in rule["names"]]


def test_namespace_mount_and_keyring_calls_need_cap_sys_admin_as_on_docker():
    derived = podman.docker_seccomp_rules(PROFILE)
    unconditional = {
        name
        for rule in derived["syscalls"]
        if rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("includes") and not rule.get("args")
        for name in rule["names"]
    }
    assert unconditional == {"read"}
    for name in ("unshare", "mount", "setns"):
        assert any(
            r.get("includes") == {"caps": ["CAP_SYS_ADMIN"]} for r in _rules_for(derived, name)
        )
    assert _rules_for(derived, "keyctl") == []  # the default action refuses it
    [plain_clone] = [r for r in _rules_for(derived, "clone") if r.get("args")]
    assert plain_clone["args"][0]["value"] == podman.CLONE_NEW_NAMESPACES
    clone3 = _rules_for(derived, "clone3")[-1]
    assert clone3["action"] == "SCMP_ACT_ERRNO" and clone3["errnoRet"] == podman.ENOSYS


def test_the_configuration_names_the_wrappers_and_the_profile(tmp_path: Path):
    if not podman.PODMAN_SECCOMP.exists():
        pytest.skip("podman is not installed (its default seccomp profile is the base)")
    conf = podman.write_containers_conf(tmp_path / "containers.conf").read_text()
    assert f'seccomp_profile = "{tmp_path / "seccomp.json"}"' in conf
    assert 'runtime = "runc"' in conf and "runc-within-limits" in conf
    assert "conmon-in-bundle" in conf and 'network_backend = "netavark"' in conf
    assert json.loads((tmp_path / "seccomp.json").read_text())["syscalls"]


def test_rlimits_above_runcs_own_are_lowered_and_the_others_kept(tmp_path: Path):
    own_nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    spec = {
        "process": {
            "rlimits": [
                {"type": "RLIMIT_NOFILE", "hard": 1 << 40, "soft": 1 << 40},
                {"type": "RLIMIT_CPU", "hard": 9, "soft": 8},
                {"type": "RLIMIT_CORE", "hard": 0, "soft": 0},
            ]
        }
    }
    (tmp_path / "config.json").write_text(json.dumps(spec))
    assert within_limits.main(["--log", "x", "create", "--bundle", str(tmp_path), "id"]) == 0
    rlimits = json.loads((tmp_path / "config.json").read_text())["process"]["rlimits"]
    assert rlimits[0] == {"type": "RLIMIT_NOFILE", "hard": own_nofile, "soft": own_nofile}
    assert rlimits[1:] == spec["process"]["rlimits"][1:]


def test_an_exec_spec_is_found_by_its_process_flag(tmp_path: Path):
    process = tmp_path / "exec.json"
    assert within_limits.spec_path(["exec", "--process", str(process), "id"]) == process
    assert within_limits.spec_path(["create", f"--bundle={tmp_path}"]) == tmp_path / "config.json"
    assert within_limits.spec_path(["exec", "id", "true"]) is None
