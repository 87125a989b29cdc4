"""Load test: staff browsing, searching, editing and calling the API at the same time.

Run by `shangyou bench load` (which starts `shangyou serve`, creates API tokens, writes the
plan file named by SHANGYOU_LOAD_PLAN and stops everything afterwards), or by hand against a
running server:

    SHANGYOU_LOAD_PLAN=/tmp/plan.json locust -f benchmarks/load/locustfile.py --headless \
        -u 50 -r 10 -t 5m --host http://127.0.0.1:8765

The plan (JSON): {"password", "users": [emails for session logins], "tokens": [API tokens],
"customer_ids": [...], "directory_ids": [...], "search_terms": [...], "directory_terms": [...]}.
Every virtual user logs in with a session (HTML pages) and uses a Bearer token (API); edits
(PATCH with the version just read) go to a slice of customers no other virtual user edits, so a
409 would be a bug, not a race.
"""

import itertools
import json
import os
import random
import re
from urllib.parse import quote

import requests
from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["SHANGYOU_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_numbers = itertools.count()


class StaffUser(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        n = next(_numbers)
        self.rng = random.Random(n)
        users, tokens = PLAN["users"], PLAN["tokens"]
        self.api_headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
        ids = PLAN["customer_ids"]
        # This user's own customers to edit: every 64th id from its offset.
        self.mine = ids[n % 64 :: 64] or ids
        # The login is not part of the measured mix (password hashing is slow by design): it
        # uses a plain requests session, whose cookies then go to locust's client.
        url = f"{self.host}/accounts/login/"
        with requests.Session() as login:
            page = login.get(url)
            match = CSRF_RE.search(page.text)
            done = login.post(
                url,
                data={
                    "email": users[n % len(users)],
                    "password": PLAN["password"],
                    "csrfmiddlewaretoken": match.group(1) if match else "",
                },
                headers={"Referer": url},
            )
            self.client.cookies.update(login.cookies)
        if "/accounts/login/" in done.url:
            raise RuntimeError(f"login as {users[n % len(users)]} failed")

    def _customer(self) -> int:
        return self.rng.choice(PLAN["customer_ids"])

    def _page(self, path: str, name: str) -> None:
        """An HTML page; a redirect to the login form counts as a failure."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if "/accounts/login/" in response.url:
                response.failure("redirected to the login form")

    # --- browsing (HTML, session) ---------------------------------------------------------
    @task(8)
    def customer_list(self):
        page = self.rng.choice((1, 1, 1, 2, 3, 10))
        self._page(f"/customers/?page={page}", "/customers/?page=N")

    @task(10)
    def customer_360(self):
        self._page(f"/customers/{self._customer()}/", "/customers/<id>/")

    @task(4)
    def directory_page(self):
        q = self.rng.choice(PLAN["directory_terms"])
        self._page(f"/network/?q={quote(q)}", "/network/?q=…")

    @task(4)
    def customer_search_page(self):
        q = self.rng.choice(PLAN["search_terms"])
        self._page(f"/customers/?q={quote(q)}", "/customers/?q=…")

    # --- API (Bearer token) ---------------------------------------------------------------
    @task(8)
    def api_search(self):
        q = self.rng.choice(PLAN["search_terms"])
        self.client.get(
            f"/api/v1/customers?q={quote(q)}", headers=self.api_headers, name="/api/v1/customers?q="
        )

    @task(6)
    def api_list(self):
        offset = self.rng.choice((0, 0, 0, 25, 50, 12475))
        self.client.get(
            f"/api/v1/customers?limit=25&offset={offset}",
            headers=self.api_headers,
            name="/api/v1/customers?offset=N",
        )

    @task(6)
    def api_timeline(self):
        self.client.get(
            f"/api/v1/customers/{self._customer()}/timeline",
            headers=self.api_headers,
            name="/api/v1/customers/<id>/timeline",
        )

    @task(6)
    def api_directory(self):
        q = self.rng.choice(PLAN["directory_terms"])
        self.client.get(
            f"/api/v1/directory?q={quote(q)}", headers=self.api_headers, name="/api/v1/directory?q="
        )

    @task(3)
    def api_profile(self):
        pk = self.rng.choice(PLAN["directory_ids"])
        self.client.get(
            f"/api/v1/profiles/{pk}", headers=self.api_headers, name="/api/v1/profiles/<id>"
        )

    # --- edits ----------------------------------------------------------------------------
    @task(5)
    def api_edit(self):
        pk = self.rng.choice(self.mine)
        got = self.client.get(
            f"/api/v1/customers/{pk}", headers=self.api_headers, name="/api/v1/customers/<id>"
        )
        if got.status_code != 200:
            return
        version = got.json()["version"]
        self.client.patch(
            f"/api/v1/customers/{pk}",
            json={"notes": f"负载测试备注 {self.rng.randrange(10**6)}", "version": version},
            headers=self.api_headers,
            name="/api/v1/customers/<id>",
        )
