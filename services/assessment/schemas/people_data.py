"""Schemas of a person's data: the export (GDPR Art. 15) and the answer to an erasure."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.assessment.schemas.actions import ActionSchema
from services.assessment.schemas.dialogues import DialogueSchema, RevisionSchema
from services.assessment.schemas.org import PersonSchema
from services.assessment.schemas.reads import ReadSchema


class ErasedSchema(Schema):
    id = fields.String(attribute="pseudonym", metadata={
        "description": "The pseudonym that replaced the person's id (erased-<16 hex>)"})
    erased_at = fields.DateTime()


class PersonChangeSchema(Schema):
    field = fields.String(metadata={
        "description": "name, email, language, unit_id, left_on, or erased"})
    old_value = fields.String(allow_none=True, metadata={
        "description": "null for a name or email of an erased person"})
    new_value = fields.String(allow_none=True)
    changed_by = fields.String()
    changed_at = fields.DateTime()


class ExportedDialogueSchema(DialogueSchema):
    role = fields.String(allow_none=True, metadata={"description": (
        "The person's part: leader, or their role as a participant (as the latest revision "
        "naming them says)")})
    readable = fields.Boolean(metadata={"description": (
        "Whether the person may read the dialogue: only then does the export hold more than "
        "its id, unit, setting, day and the person's role")})
    earlier_revisions = fields.List(fields.Nested(RevisionSchema), metadata={
        "description": "The revisions before the current one, oldest first"})


class ExportedReadSchema(ReadSchema):
    dialogue_id = fields.String()


class EmailsSchema(Schema):
    person_id = fields.String()
    deliveries = fields.List(fields.Dict(), metadata={"description": "The emails sent"})
    planned = fields.List(fields.Dict(), metadata={"description": "Reminders not yet sent"})
    dead_letters = fields.List(fields.Dict(), metadata={
        "description": "Emails the SMTP server refused for good"})
    truncated = fields.List(fields.String(), metadata={
        "description": "The lists notify cut short at its limit"})


class PersonExportSchema(Schema):
    person = fields.Nested(PersonSchema)
    exported_at = fields.DateTime()
    history = fields.List(fields.Nested(PersonChangeSchema), metadata={
        "description": "The changes to the person's record, oldest first"})
    dialogues = fields.List(fields.Nested(ExportedDialogueSchema), metadata={"description": (
        "The dialogues the person led or took part in (now or in an earlier revision), "
        "oldest first")})
    actions = fields.List(fields.Nested(ActionSchema), metadata={
        "description": "The actions the person owns, with their history"})
    reads = fields.List(fields.Nested(ExportedReadSchema), metadata={
        "description": "Who read the dialogues the person led, oldest first"})
    own_reads = fields.List(fields.Nested(ExportedReadSchema), metadata={
        "description": "The person's own reads of dialogues, oldest first"})
    emails = fields.Nested(EmailsSchema, metadata={"description": "What notify holds"})
