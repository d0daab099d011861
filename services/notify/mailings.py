"""The kinds of email: whom each goes to and what it says, looked up when it is sent.

A mailing's `load` returns None when there is nothing (left) to send: the
dialogue or action is gone, the action is finished, or the date it was meant
for has moved.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date

from services.notify.composing import Invitation
from services.notify.directory import Directory
from services.notify.framework import Framework, FrameworkClient

FINISHED = ("done", "dropped")


@dataclass(frozen=True)
class Recipient:
    person_id: str
    role: str  # leader, unit_leader, tr, amr, participant, owner, leaders_leader
    # May read the dialogue (the assessment service says who may): is told its texts. An
    # owner who may not is told of their own actions alone.
    reader: bool = True


@dataclass
class Loaded:
    """What a mailing looked up once for all its recipients."""

    data: dict
    facts: dict
    recipients: list[Recipient]


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for recipient in recipients:
        if recipient.person_id:
            seen.setdefault(recipient.person_id, recipient)
    return list(seen.values())


def _trio(unit: dict | None) -> list[Recipient]:
    """The unit's TR and AMR."""
    if unit is None:
        return []
    return [Recipient(unit.get("tr_id"), "tr"), Recipient(unit.get("amr_id"), "amr")]


def told(dialogue: dict, wanted: list[Recipient], owners: list[str] = ()) -> list[Recipient]:
    """Who of `wanted` is emailed about the dialogue, and how.

    Who may learn what is the assessment service's rule: it names the dialogue's `readers`,
    the only ones told its texts, and the owners told of their own actions alone
    (`owners_told`; none of a private dialogue, which is its leader's alone).
    """
    readers, owners_told = set(dialogue["readers"]), set(dialogue["owners_told"])
    recipients = [r for r in wanted if r.person_id in readers]
    recipients += [Recipient(owner, "owner", reader=False)
                   for owner in owners if owner in owners_told]
    return _unique(recipients)


def top_areas(weights: dict[str, int], count: int) -> list[str]:
    """The focus areas weighted highest (ties keep the dialogue's order)."""
    ranked = sorted(weights.items(), key=lambda item: -item[1])
    return [area for area, _weight in ranked[:count]]


class Mailing(ABC):
    """One kind of email: whom it goes to and what its templates are given."""

    kind: str
    invites = False

    @abstractmethod
    def load(
        self, directory: Directory, data: dict, people: list[str] | None = None
    ) -> Loaded | None:
        """Look up what the emails need; people, if given, are the recipients a fan-out chose."""

    @abstractmethod
    def context(self, loaded: Loaded, framework: Framework, recipient: Recipient) -> dict:
        """What the templates are given for one recipient."""

    def template(self, recipient: Recipient) -> str:
        """The templates (per language, .txt and .html) that write the recipient's email."""
        return self.kind

    def framework_version(self, loaded: Loaded) -> int | None:
        """The framework version whose texts the email quotes; None: it quotes none."""
        return loaded.facts["dialogue"]["framework_version"]

    def invitation(
        self, loaded: Loaded, framework: Framework, recipient: Recipient, base_url: str
    ) -> Invitation | None:
        return None


class DialogueSummary(Mailing):
    """The dialogue as recorded, to everyone it concerns who may read it; an owner who may
    not gets a note of their own actions instead (template `action_agreed`)."""

    kind = "dialogue_summary"
    invites = True

    def load(self, directory, data, people=None):
        dialogue = directory.dialogue(data["dialogue_id"])
        if dialogue is None:
            return None
        owners = [a["owner_id"] for a in dialogue["actions"]]
        participants = [p["person_id"] for p in dialogue["participants"]]
        unit = directory.unit(dialogue["unit_id"]) or {}
        # The unit's own leader is told when the leader's leader recorded the dialogue.
        wanted = [Recipient(dialogue["leader_id"], "leader"),
                  Recipient(unit.get("leader_id"), "unit_leader"), *_trio(unit),
                  *[Recipient(p, "participant") for p in participants],
                  *[Recipient(o, "owner") for o in owners]]
        # The dialogue names its leader, participants and owners: no lookup of its own.
        return Loaded(data, {"dialogue": dialogue, "names": dialogue["people"]},
                      told(dialogue, wanted, owners))

    def template(self, recipient):
        return self.kind if recipient.reader else "action_agreed"

    def context(self, loaded, framework, recipient):
        dialogue, names = loaded.facts["dialogue"], loaded.facts["names"]
        actions = [_action_view(a, framework, recipient, names) for a in dialogue["actions"]]
        common = {"role": recipient.role, "leader_name": names.get(dialogue["leader_id"])}
        if not recipient.reader:
            return {**common, "actions": [a for a in actions if a["yours"]]}
        answers = dialogue["answers"]
        return {
            **common,
            "dialogue": dialogue,
            "setting": framework.setting_title(dialogue["setting"]),
            "participants": [names[p["person_id"]] for p in dialogue["participants"]
                             if p["person_id"] in names],
            # In the framework's order, as the content API lists the questions.
            "answers": [(q["text"], answers[q["key"]])
                        for q in framework.questions(dialogue["setting"]) if q["key"] in answers],
            "areas": [{**a, "title": framework.area_title(a["focus_area"])}
                      for a in dialogue["focus_areas"]],
            "strengths": [{**s, "title": framework.area_title(s["focus_area"])}
                          for s in dialogue.get("strengths", [])],
            "developments": [{**d, "title": framework.area_title(d["focus_area"])}
                             for d in dialogue.get("development_areas", [])],
            "actions": actions,
        }

    def invitation(self, loaded, framework, recipient, base_url):
        if not recipient.reader:  # the follow-up is the dialogue's, not the action's
            return None
        dialogue = loaded.facts["dialogue"]
        link = f"{base_url}/dialogues/{dialogue['id']}"
        title = framework.setting_title(dialogue["setting"])
        label = {"da": "Opfølgende dialog", "en": "Follow-up dialogue"}[framework.lang]
        return Invitation(
            uid=f"follow-up-{dialogue['id']}@lederdialog", on=date.fromisoformat(
                dialogue["follow_up_on"]),
            summary=f"{label}: {title}", description=link, url=link,
        )


def _action_view(
    action: dict, framework: Framework, recipient: Recipient, names: dict[str, str]
) -> dict:
    """What an email says of an action: never its history, reasons or reflection."""
    return {
        **{name: action[name] for name in ("id", "title", "due_on", "status")},
        "area": framework.area_title(action["focus_area"]),
        "commitment_text": framework.commitment(action["focus_area"], action["commitment"]),
        "owner_name": names.get(action["owner_id"]),
        "yours": action["owner_id"] == recipient.person_id,
    }


class ActionMailing(Mailing):
    """Reminders and escalations of one action, for the due date they were planned for.

    An escalation that nobody above may be told of (a private dialogue's action) goes to
    the dialogue's leader instead."""

    def __init__(self, kind: str, roles: tuple[str, ...]):
        self.kind = kind
        self.roles = roles

    def load(self, directory, data, people=None):
        action = directory.action(data["action_id"])
        if action is None or action["status"] in FINISHED or action["due_on"] != data["due_on"]:
            return None
        dialogue = directory.dialogue(action["dialogue_id"])
        if dialogue is None:
            return None
        wanted, owners = [], []
        if "owner" in self.roles:
            wanted.append(Recipient(action["owner_id"], "owner"))
            owners.append(action["owner_id"])
        if "leader" in self.roles:
            wanted.append(Recipient(dialogue["leader_id"], "leader"))
        if "above" in self.roles:
            unit = directory.unit(dialogue["unit_id"])
            parent = directory.unit(unit["parent_id"]) if unit and unit["parent_id"] else None
            wanted += [Recipient(parent and parent.get("leader_id"), "leaders_leader"),
                       *_trio(unit)]
        recipients = told(dialogue, wanted, owners)
        if "above" in self.roles and not recipients:
            recipients = told(dialogue, [Recipient(dialogue["leader_id"], "leader")])
        return Loaded(data, {"action": action, "dialogue": dialogue, "names": dialogue["people"]},
                      recipients)

    def context(self, loaded, framework, recipient):
        action, dialogue = loaded.facts["action"], loaded.facts["dialogue"]
        names = loaded.facts["names"]
        overdue = (date.fromisoformat(loaded.data["send_on"])
                   - date.fromisoformat(action["due_on"])).days
        return {
            "role": recipient.role,
            "action": _action_view(action, framework, recipient, names),
            "leader_name": names.get(dialogue["leader_id"]),
            # Which dialogue it came from, only for those who may read that dialogue.
            "dialogue": dialogue if recipient.reader else None,
            "setting": framework.setting_title(dialogue["setting"]) if recipient.reader else None,
            "days_overdue": overdue,
        }


class FollowUpPrompt(Mailing):
    kind = "follow_up"

    def __init__(self, areas: int = 2):
        self.areas = areas

    def load(self, directory, data, people=None):
        dialogue = directory.dialogue(data["dialogue_id"])
        if dialogue is None or dialogue["follow_up_on"] != data["follow_up_on"]:
            return None
        wanted = [Recipient(dialogue["leader_id"], "leader"),
                  *_trio(directory.unit(dialogue["unit_id"]))]
        return Loaded(data, {"dialogue": dialogue}, told(dialogue, wanted))

    def context(self, loaded, framework, recipient):
        dialogue = loaded.facts["dialogue"]
        weights = {a["focus_area"]: a["weight"] for a in dialogue["focus_areas"]}
        areas = [framework.area(key) for key in top_areas(weights, self.areas)]
        return {
            "role": recipient.role,
            "dialogue": dialogue,
            "setting": framework.setting_title(dialogue["setting"]),
            "questions": framework.questions(dialogue["setting"]),
            "areas": [a for a in areas if a is not None],
        }


class FrameworkChanged(Mailing):
    kind = "framework_changed"

    def __init__(self, framework_client: FrameworkClient):
        self._framework = framework_client

    def load(self, directory, data, people=None):
        if not data.get("previous_version_id") or not data.get("changed_paths"):
            return None
        changes = self._framework.diff(data["previous_version_id"], data["version_id"])
        if people is not None:  # a part of the fan-out: its leaders were listed already
            return Loaded(data, {"changes": changes}, [Recipient(p, "leader") for p in people])
        leaders = [Recipient(unit["leader_id"], "leader")
                   for page in directory.units() for unit in page if unit.get("leader_id")]
        return Loaded(data, {"changes": changes}, _unique(leaders))

    def framework_version(self, loaded):
        return loaded.data["version_id"]

    def context(self, loaded, framework, recipient):
        wanted = set(loaded.data["changed_paths"])
        changes = [
            {**change, "section": framework.section_title(change["path"])}
            for change in loaded.facts["changes"]
            if change["lang"] == framework.lang and change["path"] in wanted
        ]
        return {"role": recipient.role, "version": loaded.data["version_id"], "changes": changes}


class ActionsToReassign(Mailing):
    """A person left: the leader of each dialogue in which they own actions not finished
    hears which of those need a new owner (their titles: the leader may read the dialogue).
    Actions finished or handed over since are left out; nothing goes to the leaver."""

    kind = "actions_to_reassign"

    def load(self, directory, data, people=None):
        leaver = data["person_id"]
        actions = [action for action in map(directory.action, data["open_action_ids"])
                   if action and action["status"] not in FINISHED
                   and action["owner_id"] == leaver]
        dialogues = {dialogue_id: directory.dialogue(dialogue_id)
                     for dialogue_id in dict.fromkeys(a["dialogue_id"] for a in actions)}
        by_leader: dict[str, list[dict]] = {}
        for action in sorted(actions, key=lambda a: (a["due_on"], a["title"])):
            dialogue = dialogues[action["dialogue_id"]]
            if dialogue is not None and dialogue["leader_id"] != leaver:
                by_leader.setdefault(dialogue["leader_id"], []).append(action)
        if not by_leader:
            return None
        # Each of the dialogues names the people it names, the action's owner among them.
        name = next(d["people"].get(leaver) for d in dialogues.values() if d is not None)
        if name == leaver:  # an erased person: their name is their pseudonym, nobody's name
            name = None
        return Loaded(data, {"actions": by_leader, "leaver_name": name},
                      [Recipient(leader, "leader") for leader in by_leader])

    def framework_version(self, loaded):
        return None

    def context(self, loaded, framework, recipient):
        return {
            "role": recipient.role, "leaver_name": loaded.facts["leaver_name"],
            "left_on": loaded.data["left_on"],
            "actions": [{name: action[name] for name in ("id", "title", "due_on")}
                        for action in loaded.facts["actions"][recipient.person_id]],
        }


def mailings(framework_client: FrameworkClient, *, follow_up_areas: int) -> dict[str, Mailing]:
    """Every kind of email by its name."""
    kinds = [
        DialogueSummary(),
        ActionMailing("action_reminder", ("owner",)),
        ActionMailing("action_due", ("owner",)),
        ActionMailing("action_overdue", ("owner", "leader")),
        ActionMailing("action_escalated", ("above",)),
        FollowUpPrompt(follow_up_areas),
        FrameworkChanged(framework_client),
        ActionsToReassign(),
    ]
    return {mailing.kind: mailing for mailing in kinds}
