"""Every text column is accounted for: typed by users (checked, expiring) or not free text.

A new table with a text column fails here until its feature says what the column is: free
text users type (declared in the feature's DataKind, checked by the personal-data check and
blanked by its retention) or a value that is not free text (listed below, with the reason).
"""

from __future__ import annotations

from sqlalchemy import String, Text

from bot.services.retention import DATA_KINDS
from storage.models import Base

# Not free text: identifiers, states and values from the organisation file or Telegram.
NOT_FREE_TEXT = {
    "app_user.display_name": "first name from the Telegram profile; erased with the account",
    "app_user.locale": "language code; erased with the account",
    "app_user.role": "role name",
    "invitation.code_hash": "hash of a random code",
    "invitation.role": "role name",
    "audit_entry.action": "dotted action name",
    "audit_entry.subject_type": "table name",
    "audit_entry.subject_id": "record id",
    "one_shot.key": "action, chat id and message id",
    "budget_request.number": "readable request number",
    "budget_request.state": "state name",
    **{f"region.{c}": "organisation file" for c in ("key", "name")},
    **{f"team.{c}": "organisation file" for c in ("key", "name")},
    **{f"hour_category.{c}": "organisation file"
       for c in ("key", "name_de", "name_en", "short_de", "short_en")},
    **{f"provider.{c}": "organisation file (providers are organisations)"
       for c in ("key", "name", "description_de", "description_en", "address",
                 "opening_hours", "website", "phone", "email")},
    **{f"provider_contact.{c}": "organisation file (professional contacts)"
       for c in ("key", "name", "function", "phone", "email")},
    "team_seat.kind": "seat kind",
    **{f"meeting.{c}": "organisation file" for c in ("key", "kind")},
    **{f"meeting.{c}": "organisation file, or typed by a lead in /meeting (checked for "
       "personal data); an organisational record kept while the meeting exists"
       for c in ("title", "place")},
    "reminder.rule": "recurrence rule (RRULE)",
    "delivery.kind": "kind of scheduled message",
    "digest_settings.frequency": "digest schedule: weekly, daily or off",
    "delivery.status": "delivery state",
    "scheduler_run.name": "scheduler name",
    "dialogue_state.name": "dialogue name",
    "dialogue_state.key": "chat and user ids of a dialogue",
    **{f"faq_chat_entry.{c}": "a published FAQ entry a lead wrote or approved (checked for "
       "personal data)" for c in ("question", "answer")},
    **{f"{table}.entry_key": "FAQ entry id" for table in ("faq_feedback", "faq_question")},
    "faq_chat_entry.key": "FAQ entry id",
    **{f"{table}.locale": "language code" for table in ("faq_chat_entry", "faq_question")},
    "faq_question.outcome": "how the FAQ answered",
}


def test_every_text_column_is_free_text_of_a_kind_or_explained():
    declared = {column for kind in DATA_KINDS for column in kind.free_text}
    text_columns = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, String | Text)
    }
    unexplained = text_columns - declared - set(NOT_FREE_TEXT)
    assert not unexplained, (
        f"text columns of unknown nature: {sorted(unexplained)}. Declare user-typed ones in "
        "the feature's DataKind(free_text=...) in bot/services/retention.py DATA_KINDS, or "
        "explain the others in NOT_FREE_TEXT"
    )
    assert declared <= text_columns, declared - text_columns
    assert not declared & set(NOT_FREE_TEXT)


def test_free_text_kinds_expire():
    for kind in DATA_KINDS:
        if kind.free_text:
            assert kind.setting is not None and kind.purge is not None, kind.name
