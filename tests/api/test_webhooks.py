"""Webhooks, for real: a local HTTP receiver (a thread with http.server) and a real Celery worker.

The receiver checks each delivery's signature as the README tells integrators to, answers 500 to
the first attempt of each delivery and 204 after; the worker retries, and a delivery is marked
delivered only after the 2xx. Phase changes and check-ins both arrive, each once per delivery id.
"""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from api.models import WebhookDelivery, WebhookEndpoint
from api.webhooks import deliveries_send, sign, verify
from challenges.clock import clock_tick
from challenges.posting import checkin_post
from tests.factories import ChallengeFactory, CohortFactory
from tests.processes import start_worker, stop

SECRET = "whsec_test-secret"


class Receiver:
    def __init__(self, *, fail_first: bool):
        self.received: list[dict] = []
        self.attempts: dict[str, int] = {}
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                delivery = self.headers["Accelerators-Delivery"]
                if not verify(secret=SECRET, header=self.headers["Accelerators-Signature"], body=body):
                    receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                receiver.attempts[delivery] = receiver.attempts.get(delivery, 0) + 1
                if fail_first and receiver.attempts[delivery] == 1:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.received.append(
                    {"delivery": delivery, "event": self.headers["Accelerators-Event"], **json.loads(body)}
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_signature_is_hmac_sha256_of_timestamp_and_body():
    body = b'{"a": 1}'
    header = sign(secret=SECRET, timestamp=1700000000, body=body)
    assert header.startswith("t=1700000000,v1=")
    assert verify(secret=SECRET, header=header, body=body, now=1700000100)
    assert not verify(secret=SECRET, header=header, body=b'{"a": 2}', now=1700000100)
    assert not verify(secret="other", header=header, body=body, now=1700000100)
    assert not verify(secret=SECRET, header=header, body=body, now=1700000000 + 3600)  # too old: a replay


@pytest.mark.django_db
def test_a_delivery_is_pending_until_a_2xx_and_recorded_once(world):
    with Receiver(fail_first=True) as receiver:
        endpoint = WebhookEndpoint.objects.create(accelerator=world.accelerator, url=receiver.url, secret=SECRET)
        data = {"value": "35", "done": "Counted again", "confidence": "3"}
        assert checkin_post(challenge=world.challenges[0], by=world.lead, data=data).saved
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.event == "checkin.recorded"
        assert deliveries_send(delivery_ids=[delivery.pk]) == [delivery.pk]  # the 500
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
        assert deliveries_send(delivery_ids=[delivery.pk]) == []
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 2, 204)
        assert deliveries_send(delivery_ids=[delivery.pk]) == []  # delivered: not sent again
        assert len(receiver.received) == 1 and receiver.bad_signatures == 0
        assert receiver.received[0]["id"] == str(delivery.delivery_id)
        assert receiver.received[0]["data"]["checkin"]["value"] == "35.0000"


@pytest.mark.django_db
def test_another_accelerators_endpoint_hears_nothing(world):
    WebhookEndpoint.objects.create(accelerator=world.other, url="http://127.0.0.1:9/hooks", secret=SECRET)
    checkin_post(challenge=world.challenges[0], by=world.lead, data={"value": "35", "done": "x", "confidence": "3"})
    assert not WebhookDelivery.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_phase_changes_and_check_ins_with_retries(settings):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the worker process needs a file-backed test database")
    from tests.api.conftest import build_api_world

    world = build_api_world()
    with Receiver(fail_first=True) as receiver:
        WebhookEndpoint.objects.create(accelerator=world.accelerator, url=receiver.url, secret=SECRET)
        worker = start_worker("webhooks", WEBHOOK_RETRY_FACTOR="1", WEBHOOK_RETRY_MAX="2")
        try:
            today = world.accelerator.local_today()
            launch = today - timedelta(days=1)
            cohort = CohortFactory(
                accelerator=world.accelerator, launch_date=launch, design_start=launch - timedelta(days=20)
            )
            ChallengeFactory(cohort=cohort)
            clock_tick()  # design → acceleration: one transition
            data = {"value": "35", "done": "Counted again", "confidence": "3"}
            assert checkin_post(challenge=world.challenges[0], by=world.lead, data=data).saved
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if WebhookDelivery.objects.filter(state="delivered").count() == 2:
                    break
                time.sleep(0.5)
            states = list(WebhookDelivery.objects.values_list("event", "state", "attempts"))
            assert sorted(states) == [("challenge.phase_changed", "delivered", 2), ("checkin.recorded", "delivered", 2)]
            assert sorted(r["event"] for r in receiver.received) == ["challenge.phase_changed", "checkin.recorded"]
            assert len({r["delivery"] for r in receiver.received}) == 2
            assert all(n == 2 for n in receiver.attempts.values()) and receiver.bad_signatures == 0
            phase = next(r for r in receiver.received if r["event"] == "challenge.phase_changed")
            assert (phase["data"]["from_phase"], phase["data"]["to_phase"]) == ("design", "acceleration")
        finally:
            output = stop(worker)
            if WebhookDelivery.objects.filter(state="delivered").count() != 2:
                print(output)
