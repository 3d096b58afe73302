"""Logs carry update and user ids, never what users wrote, in text and in JSON."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import QUIET_LOGGERS, ContextFilter, JsonFormatter, TextFormatter, configure_logging
from storage.models import Role

SECRET_WORDS = "Familie Schulz"  # what a user typed: must never reach a log


@pytest.fixture
def captured(request):
    """Logging as ``sozialraum-bot run`` sets it up, at DEBUG, written into a buffer."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level,
             {name: logging.getLogger(name).level for name in QUIET_LOGGERS})
    fmt = request.param

    def install() -> io.StringIO:
        configure_logging("DEBUG", fmt)
        buffer = io.StringIO()
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)
        return buffer

    yield install
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


async def _refused_with_private_words(bot, captured) -> tuple[int, int, str]:
    """Pia types a note naming a family; returns (update id, her Telegram id, the log)."""
    buffer = captured()
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send(f"/hours 2 fua heute Gespräch mit {SECRET_WORDS}")
    assert "personenbezogenen Daten" in (await pia.reply()).text
    update_id = bot.sim.last_update_for(pia.telegram_id)["update_id"]
    return update_id, pia.telegram_id, buffer.getvalue()


@pytest.mark.parametrize("captured", ["json"], indirect=True)
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_json_lines_carry_ids_and_no_texts(bot, captured):
    update_id, user_id, output = await _refused_with_private_words(bot, captured)
    records = [json.loads(line) for line in output.splitlines()]
    expected = f"update {update_id} refused: PersonalDataFound"
    refused = [r for r in records if r["message"] == expected]
    assert refused and refused[0]["update_id"] == update_id
    assert refused[0]["user_id"] == user_id
    assert {"time", "level", "logger"} <= refused[0].keys()
    assert "Schulz" not in output and "Gespräch" not in output


@pytest.mark.parametrize("captured", ["text"], indirect=True)
@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_text_lines_carry_ids_and_no_texts(bot, captured):
    update_id, user_id, output = await _refused_with_private_words(bot, captured)
    assert f"[update {update_id} user {user_id}]: update {update_id} refused" in output
    assert "Schulz" not in output and "Gespräch" not in output


def test_formatters_render_an_error_with_its_traceback():
    record = logging.LogRecord("bot.app", logging.ERROR, __file__, 1, "update %s failed", (7,),
                               None)
    typed = "Familie " + "Zzyzx"  # built at run time, so the source line does not hold it
    try:
        raise RuntimeError(typed)
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    ContextFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "update 7 failed"
    # The traceback keeps its frames; the message could quote a user, so it is withheld.
    assert "raise RuntimeError" in entry["exception"] and "Zzyzx" not in entry["exception"]
    assert "RuntimeError (message withheld)" in entry["exception"]
    assert "update_id" not in entry  # outside an update: no ids
    assert TextFormatter().format(record).split(" ", 2)[2].startswith("ERROR bot.app: update 7")
