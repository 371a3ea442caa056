"""locust: one user class that GETs one page as fast as it can (manage.py bench_pages --tool locust)."""

import json
import os

from locust import HttpUser, constant, task

HEADERS = json.loads(os.environ["BENCH_HEADERS"])
PATH = os.environ["BENCH_PATH"]


class Reader(HttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        self.client.get(PATH, headers=HEADERS, name="page")
