"""The Bot API's input rules that the bot must respect, with Telegram's error texts."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_INLINE_RESULTS = 50

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
    return html.unescape("".join(parser.text))


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
