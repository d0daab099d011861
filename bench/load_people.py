"""The people bench/load.py simulates with locust: leaders, TRIO members and employees using
the pages (services/web) as a browser does, one person per simulated user.

Each signs in through the development sign-in (the form and its CSRF token), then goes from
page to page with a pause between pages (BENCH_THINK_SECONDS on average, half to one and a
half times it). Every page must answer 200 (a form step its redirect, 303): a redirect to
the sign-in page or any other answer is an error. What each kind of person does, by weight:

  leader    my overview 4, the framework 2, a dialogue of the unit 3, an own action and
            its status changed 2, a dialogue recorded 1 (the form, a pause to type, the
            review, a pause, save, the dialogue's page)
  TRIO      my overview 2, the TRIO's view 4, a dialogue from it 4, the framework 2
  employee  my overview 4, the framework 3, an own action 3 and its status changed 1 or
            its due date moved 1, the dialogue it was agreed in 2

Nobody else changes a person's own actions meanwhile, so no change meets a conflict.
BENCH_LOAD_PEOPLE names the JSON file bench/load.py writes: each person's id, kind, unit,
own actions, and the unit's employees.
"""

from __future__ import annotations

import json
import os
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, task

PEOPLE = json.loads(Path(os.environ["BENCH_LOAD_PEOPLE"]).read_text(encoding="utf-8"))
THINK = float(os.environ.get("BENCH_THINK_SECONDS", "10"))
LINK = {kind: re.compile(rf'href="/{kind}/([A-Za-z0-9-]+)"') for kind in ("dialogues", "actions")}
ACTION = {"focus_area": "innovative_communities", "commitment": "courage_and_learning"}
SETTINGS = ("work_community", "individual_leader", "specific_task")


class FormFields(HTMLParser):
    """The fields one form of a page sends as a browser would: inputs (checkboxes and radio
    buttons when checked), each select's selected (or first) option, textareas."""

    def __init__(self, form_id: str):
        super().__init__()
        self._form_id = form_id
        self._inside = False
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._textarea: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._inside = attrs.get("id") == self._form_id
        if not self._inside or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = (attrs["name"], [], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(attrs.get("value") or "")
            if "selected" in attrs:
                self._select[2].append(attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select is not None:
            name, options, selected = self._select
            if selected or options:
                self.fields[name] = (selected or options)[0]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(html: str, form_id: str) -> dict[str, str]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return found.group(1) if found else ""


class Person(HttpUser):
    """One person of the organisation, signed in through the development sign-in."""

    abstract = True
    waiting: list[dict] = []  # the people of the class's kind nobody plays yet
    wait_time = between(THINK / 2, THINK * 1.5)

    def on_start(self):
        self.person = self.waiting.pop()
        self.dialogues: list[str] = []
        self.statuses = {action_id: "open" for action_id in self.person["actions"]}
        page = self.page("/sign-in", "/sign-in")
        with self.client.post("/sign-in/dev", name="/sign-in/dev", allow_redirects=False,
                              catch_response=True, data={
                                  "csrf_token": csrf_token(page), "sub": self.person["id"],
                                  "next": "/overview"}) as answer:
            if answer.status_code != 302:
                answer.failure(f"signing in as {self.person['id']}: {answer.status_code}")
        self.overview()

    def page(self, path: str, name: str) -> str:
        """GET a page that must answer 200; its HTML ("" if it did not)."""
        with self.client.get(path, name=name, allow_redirects=False,
                             catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")
                return ""
            return answer.text

    def post(self, path: str, name: str, data: dict, expect: int) -> str:
        """POST a form; the answer must be `expect`: a redirect's Location, else the HTML,
        is returned ("" if it was not)."""
        with self.client.post(path, name=name, data=data, allow_redirects=False,
                              catch_response=True) as answer:
            if answer.status_code != expect:
                answer.failure(f"{answer.status_code}: {answer.text[:300]}")
                return ""
            return answer.headers["Location"] if expect in (302, 303) else answer.text

    def remember_dialogues(self, html: str) -> None:
        found = LINK["dialogues"].findall(html)
        if found:
            self.dialogues = found

    def overview(self):
        self.remember_dialogues(self.page("/overview", "/overview"))

    def framework(self):
        self.page("/framework", "/framework")

    def read_dialogue(self):
        if self.dialogues:
            self.page(f"/dialogues/{random.choice(self.dialogues)}", "/dialogues/[id]")

    def own_action(self) -> tuple[str, str] | None:
        """An own action's page (its dialogue remembered): its id and HTML."""
        if not self.statuses:
            return None
        action_id = random.choice(list(self.statuses))
        html = self.page(f"/actions/{action_id}", "/actions/[id]")
        self.remember_dialogues(html)
        return action_id, html

    def change_status(self):
        """An own action's page, a pause, its status changed: open and in progress in turn."""
        shown = self.own_action()
        if shown is None:
            return
        action_id, html = shown
        self.wait()
        status = "in_progress" if self.statuses[action_id] == "open" else "open"
        changed = self.post(f"/actions/{action_id}/status", "/actions/[id]/status",
                            {"csrf_token": csrf_token(html), "status": status}, 302)
        if changed:
            self.statuses[action_id] = status
            self.page(changed, "/actions/[id]")

    def move_due_date(self):
        """An own action's page, a pause, its due date moved with a reason."""
        shown = self.own_action()
        if shown is None:
            return
        action_id, html = shown
        self.wait()
        due_on = date.today() + timedelta(days=random.randint(30, 90))
        moved = self.post(f"/actions/{action_id}/due-date", "/actions/[id]/due-date",
                          {"csrf_token": csrf_token(html), "due_on": due_on.isoformat(),
                           "reason": "Vi venter på budgettet."}, 302)
        if moved:
            self.page(moved, "/actions/[id]")


class Leader(Person):
    waiting = [p for p in PEOPLE if p["kind"] == "leader"]
    fixed_count = len(waiting)

    @task(4)
    def my_overview(self):
        self.overview()

    @task(2)
    def read_framework(self):
        self.framework()

    @task(3)
    def read_a_dialogue(self):
        self.read_dialogue()

    @task(2)
    def update_an_action(self):
        self.change_status()

    @task(1)
    def record_a_dialogue(self):
        """The record form as a leader fills it in: participants, answers, ratings and
        weights, an action; the review; save."""
        setting = random.choice(SETTINGS)
        unit = self.person["unit_id"]
        html = self.page(f"/dialogues/new?unit_id={unit}&setting={setting}", "/dialogues/new")
        fields = form_fields(html, "record-form")
        if not fields:
            return
        owner = self.person["id"]
        if setting != "individual_leader":
            owner = random.choice(self.person["employees"])
            row = next((name for name, value in fields.items()
                        if name.endswith("-person_id") and value == owner), None)
            if row is None:
                raise RuntimeError(f"the record form lists no row for {owner}")
            fields[row.replace("-person_id", "-included")] = "yes"
        for name in list(fields):
            if name.startswith("answers-"):
                fields[name] = "Vi talte om, hvordan vi deler viden på tværs af teamene."
            elif name.endswith("-weight"):
                fields[name] = "25"
                fields[name.replace("-weight", "-rating")] = str(random.randint(1, 5))
        if setting == "specific_task":
            fields["task_description"] = "Ny mødestruktur"
        fields.update({"actions-0-title": "Fælles videndeling hver måned",
                       "actions-0-owner_id": owner, "actions-0-due_on":
                       (date.today() + timedelta(days=60)).isoformat(),
                       **{f"actions-0-{key}": value for key, value in ACTION.items()}})
        self.wait()  # typing
        review = self.post("/dialogues/new", "/dialogues/new (review)",
                           {**fields, "step": "review"}, 200)
        if not review:
            return
        self.wait()  # reading it over
        saved = self.post("/dialogues/new", "/dialogues/new (save)",
                          {**form_fields(review, "review-form"), "step": "save"}, 303)
        if saved:
            self.page(saved, "/dialogues/[id]")


class Trio(Person):
    waiting = [p for p in PEOPLE if p["kind"] == "trio"]
    fixed_count = len(waiting)

    @task(2)
    def my_overview(self):
        self.overview()

    @task(4)
    def trio_view(self):
        self.remember_dialogues(self.page("/trio", "/trio"))

    @task(4)
    def read_a_dialogue(self):
        self.read_dialogue()

    @task(2)
    def read_framework(self):
        self.framework()


class Employee(Person):
    waiting = [p for p in PEOPLE if p["kind"] == "employee"]
    fixed_count = len(waiting)

    @task(4)
    def my_overview(self):
        self.overview()

    @task(3)
    def read_framework(self):
        self.framework()

    @task(3)
    def read_an_action(self):
        self.own_action()

    @task(1)
    def update_an_action(self):
        self.change_status()

    @task(1)
    def move_an_action(self):
        self.move_due_date()

    @task(2)
    def read_its_dialogue(self):
        self.read_dialogue()
