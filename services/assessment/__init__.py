"""The assessment service: the organisation, dialogues, agreed actions and insights."""
