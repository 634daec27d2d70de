"""The "queue and workers" page: instructors and staff only, with a live part
htmx refreshes; and the health check the deployment calls."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from server.accounts.models import User
from worker import liveness
from worker.queues import SUBMISSION_QUEUES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(platform_settings):  # type: ignore[no-untyped-def]
    from worker import broker as broker_module

    client = broker_module.client()
    yield client
    client.delete(*client.scan_iter(match="milestones:*"), *SUBMISSION_QUEUES)


def _user(name: str, **roles: bool) -> User:
    return User.objects.create_user(username=name, password="pw-for-tests-1", **roles)


def test_anonymous_visitors_are_sent_to_log_in(client, broker):
    response = client.get("/operations/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_students_are_refused(client, broker):
    client.force_login(_user("stu"))
    assert client.get("/operations/").status_code == 403
    assert client.get("/operations/live/").status_code == 403


@pytest.mark.parametrize("roles", [{"is_instructor": True}, {"is_staff": True}])
def test_instructors_and_staff_see_queues_workers_running_and_failures(client, broker, roles):
    heartbeat = liveness.Heartbeat(name="cpu@host-7", queues=["cpu"], concurrency=4, gpus=[])
    heartbeat.beat()
    client.force_login(_user("boss", **roles))
    page = client.get("/operations/").content.decode()
    for heading in ("Queues", "Workers alive", "Running now", "Failures in the last hour"):
        assert heading in page
    assert all(f'data-queue="{queue}"' in page for queue in SUBMISSION_QUEUES)
    assert 'data-worker="cpu@host-7"' in page
    assert 'hx-get="/operations/live/"' in page
    live = client.get("/operations/live/").content.decode()
    assert 'id="operations-live"' in live and "<html" not in live


def test_no_worker_alive_is_said_plainly(client, broker):
    client.force_login(_user("boss", is_instructor=True))
    assert 'data-workers="0"' in client.get("/operations/live/").content.decode()


def test_health_check_answers_when_database_and_redis_do(client, broker):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_health_command_checks_a_named_worker_and_the_reaper(broker):
    call_command("platform_health")
    with pytest.raises(CommandError, match="no heartbeat from worker cpu@nowhere"):
        call_command("platform_health", "--worker", "cpu@nowhere")
    liveness.Heartbeat(name="cpu@here", queues=["cpu"], concurrency=1, gpus=[]).beat()
    call_command("platform_health", "--worker", "cpu@here")
    with pytest.raises(CommandError, match="reaper"):
        call_command("platform_health", "--reaper")
    call_command("requeue_stale")
    call_command("platform_health", "--reaper")
