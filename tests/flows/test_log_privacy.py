"""No message text reaches the logs: not from our code, libraries' debug output or tracebacks."""

from __future__ import annotations

import logging

from bot.logs import PrivacyFilter, PrivacyFormatter, describe, harden
from storage.models import Role


class _Unfiltered(logging.Handler):
    """What a naive logging set-up would have written."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(logging.Formatter().format(record))


async def test_a_handled_update_never_logs_the_message_text(bot, caplog, monkeypatch):
    harden(caplog.handler)
    caplog.set_level(logging.DEBUG)
    unfiltered = _Unfiltered()
    logging.getLogger().addHandler(unfiltered)
    try:
        pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
        await pia.send("/hours 1 fua heute Zzyzx Ideenbörse")  # saved with its note
        await pia.reply()
        await pia.tap("💾 Speichern")
        await pia.reply()
        await pia.send("/hours 1 fua heute Familie Zzyzx")  # refused as personal data
        assert "personenbezogenen" in (await pia.reply()).text

        def broken(session, user, draft, *args, **kwargs):
            raise ValueError(f"cannot read note {draft.note!r}")  # a bug quoting the input

        monkeypatch.setattr("bot.services.hours.validate_draft", broken)
        await pia.send("/hours 1 fua heute Zzyzx abgestürzt")
        assert "etwas schiefgegangen" in (await pia.reply()).text
    finally:
        logging.getLogger().removeHandler(unfiltered)

    assert any("Zzyzx" in line for line in unfiltered.lines)  # there was something to leak
    assert "Zzyzx" not in caplog.text
    assert "ValueError (message withheld)" in caplog.text  # the crash is still on record
    assert "Traceback (most recent call last)" in caplog.text


def test_safe_errors_keep_their_first_line_others_only_their_type():
    from sqlalchemy.exc import IntegrityError

    assert describe(ValueError("Familie Müller")) == "ValueError (message withheld)"
    assert describe(ConnectionRefusedError(111, "Connect call failed")) == (
        "ConnectionRefusedError: [Errno 111] Connect call failed")
    error = IntegrityError("INSERT …", None, Exception(
        "new row violates check constraint\nDETAIL: Failing row contains (Familie Müller)"))
    assert "check constraint" in describe(error) and "Müller" not in describe(error)


def test_telegram_objects_in_log_arguments_are_replaced():
    from telegram import Update

    record = logging.LogRecord("telegram.ext.Application", logging.CRITICAL, __file__, 1,
                               "Error while building CallbackContext for update %s", (
                                   Update(update_id=5),), None)
    assert PrivacyFilter().filter(record)
    assert PrivacyFormatter().format(record).endswith("for update <Update 5>")
    debug = logging.LogRecord("sqlalchemy.engine", logging.DEBUG, __file__, 1, "row %s",
                              ("Familie Müller",), None)
    assert not PrivacyFilter().filter(debug)
