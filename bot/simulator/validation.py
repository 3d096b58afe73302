"""The Bot API's input rules that the bot must respect, with Telegram's error texts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_OFFSET = 64
MAX_VCARD = 2048

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}
BUTTON_ACTIONS = {
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
}


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description, optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


class _EntityParser(HTMLParser):
    """Checks Telegram's HTML subset and collects the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        if tag == "a" and not dict(attrs).get("href"):
            raise bad_request("can't parse entities: Can't find end of the URL")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise bad_request(
                f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{tag}"'
            )
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def plain_text(text: str, parse_mode: str | None) -> str:
    """The text as the user sees it; raises like Telegram on malformed markup."""
    if not parse_mode:
        return text
    if parse_mode.upper() != "HTML":
        return text  # Markdown is not used by this product; accepted as is
    if "<" in text and _has_bare_lt(text):
        raise bad_request("can't parse entities: Unsupported start tag")
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.stack[-1]}"'
        )
    return "".join(parser.text)  # convert_charrefs: entities are already decoded once


def _has_bare_lt(text: str) -> bool:
    """A '<' that starts no tag (e.g. 'a < b') is an error in Telegram's HTML mode."""
    for index, char in enumerate(text):
        if char == "<":
            nxt = text[index + 1 : index + 2]
            if not (nxt.isalpha() or nxt == "/"):
                return True
    return False


def check_text(text: Any, parse_mode: str | None, *, caption: bool = False) -> str:
    if not caption and (text is None or str(text) == ""):
        raise bad_request("message text is empty")
    visible = plain_text(str(text or ""), parse_mode)
    if not caption and not visible.strip():
        raise bad_request("message text is empty")
    limit = MAX_CAPTION if caption else MAX_TEXT
    if len(visible) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return visible


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards, remove/force-reply: stored as given
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise bad_request("text buttons are unallowed in the inline keyboard")
            actions = BUTTON_ACTIONS & set(button)
            if len(actions) != 1:
                raise bad_request("can't parse inline keyboard button: exactly one action expected")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


_RESULT_TYPES = {
    "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document",
    "location", "venue", "contact", "game", "sticker",
}
_START_PARAMETER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_contact(phone_number: Any, first_name: Any, vcard: Any) -> None:
    """sendContact and contact results: a phone and a first name; a vCard of ≤ 2048 bytes."""
    if not str(phone_number or "").strip() or not str(first_name or "").strip():
        raise bad_request("phone number and first name must be non-empty")
    if vcard is not None and len(str(vcard).encode()) > MAX_VCARD:
        raise bad_request("VCARD_INVALID")


def check_inline_answer(params: dict[str, Any]) -> None:
    """answerInlineQuery: result types, ids, the texts they paste, offset and button."""
    results = params.get("results") or []
    if not isinstance(results, list) or len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    ids = [str(r.get("id")) for r in results]
    if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
        raise bad_request("RESULT_ID_INVALID")
    for result in results:
        kind = result.get("type")
        if kind not in _RESULT_TYPES:
            raise bad_request("RESULT_TYPE_INVALID")
        if kind == "article" and not str(result.get("title") or "").strip():
            raise bad_request("RESULT_TITLE_EMPTY")
        if kind == "contact":
            check_contact(result.get("phone_number"), result.get("first_name"),
                          result.get("vcard"))
        content = result.get("input_message_content")
        if kind == "article" and not isinstance(content, dict):
            raise bad_request("MESSAGE_EMPTY")
        if isinstance(content, dict) and "message_text" in content:
            if not str(content["message_text"]).strip():
                raise bad_request("MESSAGE_EMPTY")
            check_text(content["message_text"], content.get("parse_mode"))
        check_reply_markup(result.get("reply_markup"))
    if len(str(params.get("next_offset") or "").encode()) > MAX_INLINE_OFFSET:
        raise bad_request("NEXT_OFFSET_INVALID")
    button = params.get("button")
    if button is not None:
        if not str(button.get("text") or "").strip():
            raise bad_request("BUTTON_TEXT_INVALID")
        start = button.get("start_parameter")
        if "web_app" not in button and not _START_PARAMETER.match(str(start or "")):
            raise bad_request("START_PARAM_INVALID")
