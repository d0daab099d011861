"""Request and response schemas of the content API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from services.content.document import LANGUAGES
from shared.validation import Count, Key, Line, Text

Lang = fields.String(validate=validate.OneOf(LANGUAGES), metadata={
    "description": "Language of the texts; default from Accept-Language, else da"
})


class LangArgs(Schema):
    lang = Lang


class QuestionArgs(LangArgs):
    setting = Key(metadata={"description": "Only this setting's questions"})
    version = Count(strict=False, metadata={"description": "Default: current version"})


class FocusAreaArgs(LangArgs):
    version = Count(strict=False, metadata={"description": "Default: current version"})


class DiffArgs(Schema):
    from_id = Count(data_key="from", required=True, strict=False)
    to_id = Count(data_key="to", required=True, strict=False)


class VersionSummarySchema(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "draft or published"})
    based_on_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    published_by = fields.String(allow_none=True)


class IntroSectionSchema(Schema):
    key = fields.String()
    title = fields.String()
    paragraphs = fields.List(fields.String())
    quote = fields.String()


class CommitmentSchema(Schema):
    key = fields.String()
    text = fields.String()
    pledge = fields.String(
        metadata={"description": "The commitment as it follows 'We will do this by:'"}
    )


class FocusAreaSchema(Schema):
    key = fields.String()
    title = fields.String()
    statement = fields.String()
    commitments = fields.List(fields.Nested(CommitmentSchema))
    leader_role = fields.List(fields.String())


class PartSchema(Schema):
    key = fields.String()
    title = fields.String()


class QuestionSchema(Schema):
    key = fields.String()
    part = fields.String(allow_none=True)
    text = fields.String()


class SettingQuestionSchema(QuestionSchema):
    setting = fields.String()


class SettingSchema(Schema):
    key = fields.String()
    title = fields.String()
    led_by = fields.String(allow_none=True)
    parts = fields.List(fields.Nested(PartSchema))
    questions = fields.List(fields.Nested(QuestionSchema))


class VersionRefSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    published_at = fields.DateTime(allow_none=True)


class FrameworkSchema(Schema):
    version = fields.Nested(VersionRefSchema)
    lang = fields.String()
    title = fields.String()
    intro = fields.List(fields.Nested(IntroSectionSchema))
    focus_areas = fields.List(fields.Nested(FocusAreaSchema))
    commitments_intro = fields.String()
    settings = fields.List(fields.Nested(SettingSchema))
    closing = fields.String()


class TextSchema(Schema):
    path = fields.String()
    da = fields.String()
    en = fields.String()


class TextChangeSchema(Schema):
    path = Line(max_length=300, required=True)
    da = Text(max_length=5000)
    en = Text(max_length=5000)

    @validates_schema
    def _some_language(self, data, **_kwargs):
        if not any(lang in data for lang in LANGUAGES):
            raise ValidationError("give the new text in da, en or both", field_name="da")


class TextChangesSchema(Schema):
    changes = fields.List(
        fields.Nested(TextChangeSchema), required=True, validate=validate.Length(min=1, max=500)
    )


class DiffEntrySchema(Schema):
    path = fields.String()
    lang = fields.String()
    old = fields.String(allow_none=True)
    new = fields.String(allow_none=True)


class DiffSchema(Schema):
    from_id = fields.Integer(data_key="from")
    to_id = fields.Integer(data_key="to")
    changes = fields.List(fields.Nested(DiffEntrySchema))
