"""Redis stopped: pages still serve, tasks queued by requests are kept, and go out once it is back."""

import re
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from challenges.models import Challenge
from challenges.tasks import advance_clock
from cohorts.calendar import Phase
from core import tasking
from core.models import TaskOutbox
from members.policy import OK
from tests.access_world import URL_KWARGS, build_world
from tests.factories import AcceleratorFactory, ChallengeFactory, CohortFactory
from tests.hardening.redis_tools import SpareRedis, celery_broker, free_port, redis_available
from tests.processes import start_worker, stop

pytestmark = [pytest.mark.slow]  # starts its own redis-server on a spare port


@pytest.fixture
def spare_redis():
    if not redis_available():
        pytest.skip("needs redis-server and redis-cli on PATH")
    redis = SpareRedis(free_port())
    redis.start()
    try:
        with celery_broker(redis.url):
            yield redis
    finally:
        redis.stop()


def pages_for(world, role: str) -> list[str]:
    from tests.members.test_access_matrix import NAMES, PATTERNS

    paths = []
    for route, pattern in PATTERNS:
        policy = getattr(pattern.callback, "access_policy", None)
        if policy is not None and policy.expected("GET", role) == OK:
            kwargs = {name: URL_KWARGS[name](world) for name in pattern.pattern.converters}
            paths.append(reverse(NAMES[route], kwargs=kwargs))
    return paths


@pytest.mark.django_db(transaction=True)
def test_it_serves_pages_and_keeps_tasks_while_redis_is_down_then_sends_them(client, spare_redis):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    world = build_world()
    accelerator = AcceleratorFactory(time_zone="Asia/Tashkent")
    today = accelerator.local_today()
    cohort = CohortFactory(
        accelerator=accelerator, launch_date=today - timedelta(days=5), design_start=today - timedelta(days=40)
    )
    waiting = ChallengeFactory(cohort=cohort)
    spare_redis.stop()
    every_page_serves(client, world)
    kept = tasks_are_kept(client, world, accelerator)
    the_worker_runs_them_once_redis_is_back(spare_redis, waiting, kept)


def every_page_serves(client, world):
    for role in ("superuser", "official_in_scope", "team_lead", "admin"):
        client.force_login(world.people[role])
        for path in pages_for(world, role):
            started = time.monotonic()
            response = client.get(path)
            assert response.status_code == 200, (role, path, response.status_code)
            assert time.monotonic() - started < 5, f"{path} hung on the dead broker"


def tasks_are_kept(client, world, accelerator) -> list[str]:
    # A request whose write queues a task on commit (raising a blocker e-mails the sponsor and coach).
    client.force_login(world.people["team_lead"])
    try:
        url = reverse("blocker_raise", kwargs={"challenge_id": world.challenge.pk})
    except NoReverseMatch:
        url = None
    if url:
        due = (timezone.localdate() + timedelta(days=7)).isoformat()
        owner = world.people["team_lead"].pk
        data = {"description": "The registry has not sent the data", "severity": "high"}
        response = client.post(url, {**data, "owner": owner, "decision_needed_by": due})
        assert response.status_code in (200, 302), response.status_code
        assert world.challenge.blockers.filter(description__startswith="The registry").exists()
    # And a task queued from code, the way services queue them.
    tasking.enqueue(advance_clock, [accelerator.pk])
    kept = list(TaskOutbox.objects.values_list("task_name", flat=True))
    assert "challenges.tasks.advance_clock" in kept
    if url:
        assert len(kept) >= 2, kept
    assert tasking.outbox_resend() == 0  # still down: nothing lost, nothing sent
    assert TaskOutbox.objects.count() == len(kept)
    assert TaskOutbox.objects.order_by("id").first().attempts == 1  # tried, kept
    return kept


def the_worker_runs_them_once_redis_is_back(spare_redis, waiting, kept):
    # Redis is back: the sweep hands everything over, a real worker runs it.
    spare_redis.start()
    worker = start_worker("redis-back", REDIS_URL=spare_redis.url)
    output = ""
    try:
        assert tasking.outbox_resend() == len(kept)
        assert TaskOutbox.objects.count() == 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Challenge.objects.get(pk=waiting.pk).phase == Phase.ACCELERATION:
                break
            time.sleep(0.5)
        time.sleep(2)  # let the worker finish what it holds (the e-mails of the blocker, if any)
    finally:
        output = stop(worker)
    assert Challenge.objects.get(pk=waiting.pk).phase == Phase.ACCELERATION, output[-3000:]
    for task_name in set(kept):
        assert re.search(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", output), output[-3000:]
    assert "Traceback" not in output, output[-3000:]


@pytest.mark.django_db
def test_enqueue_on_commit_sends_nothing_for_a_rolled_back_write(spare_redis, django_capture_on_commit_callbacks):
    from django.db import transaction

    challenge = ChallengeFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        tasking.enqueue_on_commit(advance_clock, [challenge.cohort.accelerator_id])
        raise RuntimeError("the write failed")
    assert spare_redis.queue_length() == 0
    with django_capture_on_commit_callbacks(execute=True):
        tasking.enqueue_on_commit(advance_clock, [challenge.cohort.accelerator_id])
    assert spare_redis.queue_length() == 1
    assert TaskOutbox.objects.count() == 0


@pytest.mark.django_db
def test_tasks_are_declared_with_late_acks_and_retries():
    from accelerators.celery import app

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours
    assert app.conf.task_acks_late is True and app.conf.task_reject_on_worker_lost is True
    for task in ours:
        assert isinstance(task, tasking.OutboxTask), task.name
        assert task.acks_late, task.name
    assert advance_clock.autoretry_for and advance_clock.retry_backoff


@pytest.mark.django_db
def test_the_sweep_sends_in_order_and_stops_at_the_first_failure(spare_redis):
    for n in range(3):
        TaskOutbox.objects.create(task_name="challenges.tasks.advance_clock", args=[[n]])
    assert tasking.outbox_resend() == 3
    assert spare_redis.queue_length() == 3
    assert not TaskOutbox.objects.exists()
