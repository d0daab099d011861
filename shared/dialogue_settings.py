"""Which reflection questions of the framework each kind of dialogue answers."""

# Dialogue setting -> (the framework setting, and its part or None for all of it).
SETTING_QUESTIONS = {
    "individual_leader": ("individual_leader", None),
    "work_community": ("work_community", "general"),
    "specific_task": ("work_community", "specific_task"),
    "leader_group": ("leader_group", None),
}
