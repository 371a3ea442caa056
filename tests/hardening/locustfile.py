"""Mixed journeys for the load test: team leads post check-ins, officials browse the dashboards.

Driven by tests/hardening/test_load.py (headless, loopback only, bounded). The seed file
(``LOAD_SEED_FILE``) says which accounts and pages exist; every check-in the server acknowledged
(a redirect after the POST) is appended to ``LOAD_ACK_FILE`` so the test can find it in the database.
"""

import itertools
import json
import os
import re
import uuid

from locust import HttpUser, between, task

SEED = json.loads(open(os.environ["LOAD_SEED_FILE"], encoding="utf-8").read())
ACK_FILE = os.environ["LOAD_ACK_FILE"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_leads = itertools.cycle(SEED["leads"])
_officials = itertools.cycle(SEED["officials"])


def csrf_from(response) -> str:
    found = CSRF.search(response.text or "")
    return found.group(1) if found else response.cookies.get("csrftoken", "") or ""


def record(challenge_id: int, token: str, state: str) -> None:
    with open(ACK_FILE, "a", encoding="utf-8") as log:
        log.write(json.dumps({"challenge_id": challenge_id, "done": token, "state": state}) + "\n")


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def sign_in(self, person: dict) -> None:
        """Use the session the seed made (password hashing is not what is measured); log in if none."""
        if person.get("session"):
            self.client.cookies.set(SEED["session_cookie"], person["session"])
            return
        email = person["email"]
        page = self.client.get(SEED["login"], name="login page")
        with self.client.post(
            SEED["login"],
            {"username": email, "password": SEED["password"], "csrfmiddlewaretoken": csrf_from(page)},
            allow_redirects=False,
            name="log in",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in refused ({response.status_code})")


class TeamLead(SignedIn):
    weight = 1

    def on_start(self):
        self.lead = next(_leads)
        self.sign_in(self.lead)
        self.value = 39.0

    @task(3)
    def post_a_checkin(self):
        if not (self.lead["page"] and self.lead["checkin"]):
            return
        page = self.client.get(self.lead["page"], name="challenge page")
        if page.status_code != 200:
            return  # already counted as a failure; no form to post from
        token = f"load-{uuid.uuid4()}"
        self.value = max(20.5, self.value - 0.25)
        record(self.lead["challenge_id"], token, "sent")
        with self.client.post(
            self.lead["checkin"],
            {
                "value": f"{self.value:.2f}",
                "done": token,
                "next_steps": "Keep going",
                "confidence": "4",
                "csrfmiddlewaretoken": csrf_from(page),
            },
            allow_redirects=False,
            name="post check-in",
            catch_response=True,
        ) as response:
            if response.status_code in (301, 302, 303):
                record(self.lead["challenge_id"], token, "acknowledged")
            else:
                response.failure(f"check-in not acknowledged ({response.status_code})")

    @task(1)
    def my_challenges(self):
        if SEED["my"]:
            self.client.get(SEED["my"], name="my challenges")


class Official(SignedIn):
    weight = 1

    def on_start(self):
        self.sign_in(next(_officials))

    @task(4)
    def browse(self):
        for path in SEED["dashboards"]:
            self.client.get(path, name=path.rstrip("/").rsplit("/", 1)[-1] or "dashboards")

    @task(1)
    def filter_the_board(self):
        if SEED["board"]:
            self.client.get(SEED["board"] + "?status=at_risk&q=Load", name="board filtered")
