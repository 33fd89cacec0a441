"""The people bench/load.py simulates: case managers working their own caseload."""

import itertools
import json
import os
import random

from locust import HttpUser, between, task

PEOPLE = json.loads(open(os.environ["BENCH_PEOPLE"]).read())  # noqa: SIM115
TURN = itertools.count()


class CaseManager(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        me = PEOPLE[next(TURN) % len(PEOPLE)]
        self.clients = me["clients"]
        self.names = me["names"]
        self.client.cookies.set("sessionid", me["session"])
        self.client.headers["Host"] = "localhost"
        # The first page of each visit (and the CSRF cookie forms post with), counted apart from
        # the caseload opened while working: all fifty open it within the first ten seconds.
        self.client.get("/caseload/", name="caseload, first of the visit")

    def _someone(self) -> int:
        return random.choice(self.clients)

    def _post(self, url: str, data: dict[str, str], name: str) -> None:
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(url, data=data, headers={"X-CSRFToken": token}, name=name)

    @task(4)
    def my_day(self) -> None:
        self.client.get("/my-day/", name="my day")

    @task(4)
    def caseload(self) -> None:
        self.client.get("/caseload/", name="caseload")

    @task(2)
    def search(self) -> None:
        self._post("/caseload/", {"q": random.choice(self.names)}, "caseload search")

    @task(6)
    def overview(self) -> None:
        self.client.get(f"/clients/{self._someone()}/", name="client overview")

    @task(3)
    def timeline(self) -> None:
        self.client.get(f"/clients/{self._someone()}/timeline/", name="client timeline")

    @task(2)
    def check_ins(self) -> None:
        self.client.get(f"/clients/{self._someone()}/check-ins/", name="check-ins")

    @task(2)
    def plan(self) -> None:
        self.client.get(f"/clients/{self._someone()}/plan/", name="care plan")

    @task(2)
    def calendar(self) -> None:
        self.client.get(f"/clients/{self._someone()}/calendar/", name="client calendar")

    @task(2)
    def my_tasks(self) -> None:
        self.client.get("/tasks/", name="my tasks")

    @task(2)
    def record_check_in(self) -> None:
        self._post(
            f"/clients/{self._someone()}/check-ins/new/",
            {
                "mood": str(random.randint(3, 9)),
                "craving": str(random.randint(0, 6)),
                "used_since_last": "no",
                "meetings_since_last": "1",
                "sleep": "well",
                "stressors": "",
                "needs_help_with": "",
            },
            "record a check-in",
        )
