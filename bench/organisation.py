"""A generated organisation of teams, and the dialogues a team's leader records.

A team is one unit with its leader, TR, AMR and employees (every fifth person reads English).
Each team records the three kinds of dialogue the demo shows, with the same recipients:

  work_community     shared, the TRIO and two employees take part; two actions (an
                     employee's, the leader's): a summary to 5 people
  individual_leader  the leader's own reflection, private, no action: to the leader alone
  specific_task      shared, the leader, the TR and an employee; one action (the
                     employee's): to 4 people (the AMR is told as the unit's TRIO)

So ten emails per three dialogues, as notify sends them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

ROOT = "kommune"
DIRECTOR = "direktoer"
AREAS = ("competent_communities", "innovative_communities", "meaningful_communities",
         "reliable_communities")
KINDS = ("work_community", "individual_leader", "specific_task")


@dataclass(frozen=True)
class Team:
    number: int
    employees: int = 2

    @property
    def unit_id(self) -> str:
        return f"u{self.number:05d}"

    @property
    def leader(self) -> str:
        return f"l{self.number:05d}"

    @property
    def tr(self) -> str:
        return f"t{self.number:05d}"

    @property
    def amr(self) -> str:
        return f"a{self.number:05d}"

    def employee(self, index: int) -> str:
        return f"e{self.number:05d}x{index % self.employees}"

    def people(self) -> list[tuple[str, str]]:
        """(id, name) of everyone in the team, the leader first."""
        return [(self.leader, f"Leder Nummer {self.number:05d}"),
                (self.tr, f"Tillid Nummer {self.number:05d}"),
                (self.amr, f"Arbejdsmiljø Nummer {self.number:05d}"),
                *[(self.employee(i), f"Ansat {i} Nummer {self.number:05d}")
                  for i in range(self.employees)]]


def language(number: int) -> str:
    return "en" if number % 5 == 4 else "da"


def org_csv(teams: list[Team]) -> bytes:
    """The organisation as POST /api/v1/org/import takes it: a municipality led by its
    director, each team's unit below it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "id", "name", "email", "language", "unit_id", "parent_id",
                     "leader_id", "tr_id", "amr_id"])
    writer.writerow(["unit", ROOT, "Gentofte Kommune", "", "", "", "", DIRECTOR, "", ""])
    for team in teams:
        writer.writerow(["unit", team.unit_id, f"Enhed {team.number}", "", "", "", ROOT,
                         team.leader, team.tr, team.amr])
    writer.writerow(["person", DIRECTOR, "Dorthe Direktør", f"{DIRECTOR}@gentofte.test", "da",
                     ROOT, "", "", "", ""])
    number = 0
    for team in teams:
        for person_id, name in team.people():
            writer.writerow(["person", person_id, name, f"{person_id}@gentofte.test",
                             language(number), team.unit_id, "", "", "", ""])
            number += 1
    return out.getvalue().encode()


def dialogue_body(team: Team, kind: str, number: int, today: date | None = None) -> dict:
    """A valid dialogue of the kind (one of KINDS), held number % 28 + 1 days ago; the
    employees taking part follow number, so a team's employees take turns."""
    today = today or date.today()
    held_on = today - timedelta(days=number % 28 + 1)
    first, second = team.employee(2 * number), team.employee(2 * number + 1)
    weights = (30, 20, 30, 20)
    body = {
        "setting": kind, "unit_id": team.unit_id, "held_on": held_on.isoformat(),
        "focus_areas": [{"focus_area": area, "rating": 1 + (number + n) % 5, "weight": weight}
                        for n, (area, weight) in enumerate(zip(AREAS, weights, strict=True))],
        "strengths": [], "development_areas": [], "actions": [],
    }
    if kind == "work_community":
        body.update(
            participants=[{"person_id": team.leader, "role": "leader"},
                          {"person_id": team.tr, "role": "tr"},
                          {"person_id": team.amr, "role": "amr"},
                          {"person_id": first, "role": "employee"},
                          {"person_id": second, "role": "employee"}],
            answers={
                "wc_collaboration": "Vi deler ansvaret for god ledelse i teamene, men "
                                    "beslutninger kommer ofte for sent ud.",
                "wc_expectations": "Lederen er tydelig om rammerne; vi tager selv initiativ.",
            },
            strengths=[{"focus_area": "meaningful_communities",
                        "text": "Stærke relationer og tillid i teamene."}],
            development_areas=[{"focus_area": "innovative_communities",
                                "text": "Vi afprøver for sjældent nye arbejdsformer."}],
            actions=[
                _action("Fast punkt om nye arbejdsformer på teammøderne", first,
                        today + timedelta(days=30), "innovative_communities",
                        "courage_and_learning"),
                _action("Beslutningslog delt med hele personalet", team.leader,
                        today + timedelta(days=14), "competent_communities",
                        "transparency_and_delegation"),
            ],
        )
    elif kind == "individual_leader":
        body.update(
            participants=[],
            answers={
                "individual_focus_areas": "Jeg bruger mest tid på drift og for lidt på "
                                          "innovation.",
                "individual_strengths": "Jeg skaber tryghed og lytter.",
                "individual_development": "At give plads til eksperimenter.",
            },
            development_areas=[{"focus_area": "innovative_communities",
                                "text": "Turde eksperimentere."}],
        )
    else:
        body.update(
            task_description="Ny vagtplan for weekender",
            participants=[{"person_id": team.leader, "role": "leader"},
                          {"person_id": team.tr, "role": "tr"},
                          {"person_id": first, "role": "employee"}],
            answers={"task_focus_areas": "Sikker drift og ordentlighed, og at alle bliver "
                                         "hørt."},
            actions=[_action("Udkast til vagtplan i høring hos medarbejderne", first,
                             today + timedelta(days=21), "reliable_communities",
                             "proactive_management")],
        )
    return body


def _action(title: str, owner_id: str, due_on: date, area: str, commitment: str) -> dict:
    return {"title": title, "owner_id": owner_id, "due_on": due_on.isoformat(),
            "focus_area": area, "commitment": commitment}
