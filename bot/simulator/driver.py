"""The user side of the simulator: a person writing, tapping and reading in one chat."""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from bot.simulator.server import BotApiSimulator, StoredMessage

JSON = dict[str, Any]
T = TypeVar("T")

# Telegram turns phone numbers and e-mail addresses in a text into tappable entities. Its
# rules are not published; the simulator recognises the international shape of the Bot API
# documentation's example ("+1-212-555-0123") and plain E.164, and ordinary addresses.
AUTO_PHONE = re.compile(
    r"(?<![\w+])\+[1-9]\d{0,3}(?:-\d{1,8}){1,5}(?![\w-])"  # +49-40-5260120
    r"|(?<![\w+])\+[1-9]\d{6,14}\b"  # +49405260120
)
AUTO_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


@dataclass(frozen=True)
class SimButton:
    text: str
    callback_data: str | None = None
    url: str | None = None
    switch_inline_query: str | None = None


@dataclass(frozen=True)
class SimFile:
    file_id: str
    name: str | None
    data: bytes


@dataclass(frozen=True)
class SimMessage:
    """A snapshot of a bot message as the user sees it."""

    message_id: int
    chat_id: int
    text: str  # visible text (markup parsed); the caption for files; "" for contacts
    html: str | None
    buttons: tuple[tuple[SimButton, ...], ...]
    edited: bool = False
    document: SimFile | None = None
    photo: SimFile | None = None
    contact: JSON | None = None
    # time.perf_counter() when the server received the bot's call (0 for a later look):
    # the benchmarks' latency, seen from Telegram's side.
    received_at: float = field(default=0.0, compare=False)

    @property
    def button_labels(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    @property
    def phone_numbers(self) -> list[str]:
        """Numbers a phone would offer to call: see :data:`AUTO_PHONE`."""
        return AUTO_PHONE.findall(self.text)

    @property
    def emails(self) -> list[str]:
        return AUTO_EMAIL.findall(self.text)


@dataclass(frozen=True)
class CallbackAnswer:
    text: str | None
    alert: bool


@dataclass(eq=False)
class SimUser:
    """One user in one chat (private, or a group via :meth:`in_group`)."""

    sim: BotApiSimulator
    token: str
    tg_user: JSON
    chat: JSON
    callback_answers: list[CallbackAnswer] = field(default_factory=list)
    last_inline_answer: JSON | None = None  # the bot's whole answer to the last inline query
    _events: deque[SimMessage] = field(default_factory=deque)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.sim.register_listener(self.token, self.chat["id"], self)

    @property
    def user_id(self) -> int:
        return int(self.tg_user["id"])

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def name(self) -> str:
        return str(self.tg_user.get("first_name", ""))

    # -- acting ---------------------------------------------------------------------------

    async def send(self, text: str) -> int:
        """A text message; commands get their ``bot_command`` entity as Telegram sets it."""
        message = self._message_payload()
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        return self.sim.enqueue(self.token, "message", message, self.user_id)

    async def edit(self, message_id: int, new_text: str) -> int:
        message = self._message_payload(message_id=message_id)
        message["text"] = new_text
        message["edit_date"] = int(time.time())
        return self.sim.enqueue(self.token, "edited_message", message, self.user_id)

    async def send_sticker(self) -> int:
        return self._send_media("sticker", {
            "file_id": "STICKER1", "file_unique_id": "S1", "width": 512, "height": 512,
            "is_animated": False, "is_video": False, "type": "regular", "emoji": "👍"})

    async def send_photo(self) -> int:
        return self._send_media("photo", [
            {"file_id": "PHOTO1", "file_unique_id": "P1", "width": 90, "height": 90}])

    async def send_voice(self) -> int:
        return self._send_media("voice", {"file_id": "VOICE1", "file_unique_id": "V1",
                                          "duration": 3})

    async def send_location(self) -> int:
        return self._send_media("location", {"latitude": 53.7, "longitude": 10.0})

    def _send_media(self, kind: str, payload: Any) -> int:
        message = self._message_payload()
        message[kind] = payload
        return self.sim.enqueue(self.token, "message", message, self.user_id)

    async def tap(self, label: str, message: SimMessage | None = None) -> int:
        """Press the button labelled ``label`` (on ``message`` or the latest keyboard)."""
        target = message or self._latest_with_buttons()
        for row in target.buttons:
            for button in row:
                if button.text == label:
                    return self._press(target, button)
        raise AssertionError(f"no button {label!r}; buttons: {target.button_labels}")

    async def tap_index(self, number: int, message: SimMessage | None = None) -> int:
        """Press button ``number`` (1-based, counted row by row)."""
        target = message or self._latest_with_buttons()
        flat = [b for row in target.buttons for b in row]
        if not 1 <= number <= len(flat):
            raise AssertionError(f"no button number {number}; buttons: {target.button_labels}")
        return self._press(target, flat[number - 1])

    async def tap_data(self, data: str, message: SimMessage | None = None) -> int:
        """Send callback data of one's own choosing: a stale or forged button."""
        target = message or (self.last if self.messages else None)
        return self._callback(target, data)

    def _press(self, message: SimMessage, button: SimButton) -> int:
        if button.callback_data is None:
            raise AssertionError(f"button {button.text!r} is not a callback button")
        return self._callback(message, button.callback_data)

    def _callback(self, message: SimMessage | None, data: str) -> int:
        query_id = self.sim.next_id()
        query: JSON = {
            "id": query_id, "from": self.tg_user, "chat_instance": f"ci{self.chat_id}",
            "data": data,
        }
        if message is not None:
            stored = self.sim.find_message(self.token, self.chat_id, message.message_id)
            if stored is not None:
                query["message"] = stored.to_api(self.sim.bots[self.token].user)
        self.sim.bots[self.token].callback_queries[query_id] = {
            "user_id": self.user_id, "chat_id": self.chat_id}
        return self.sim.enqueue(self.token, "callback_query", query, self.user_id)

    async def inline(self, query: str, timeout: float = 5.0, offset: str = "") -> list[JSON]:
        """Type ``@bot query`` in any chat; returns the results the bot answered with.

        ``offset`` asks for a further page (the ``next_offset`` of the previous answer, see
        :attr:`last_inline_answer`), as Telegram does when the user scrolls down.
        """
        query_id = self.sim.next_id()
        bot = self.sim.bots[self.token]
        future: asyncio.Future[list[JSON]] = asyncio.get_running_loop().create_future()
        bot.inline_queries[query_id] = future
        self.sim.enqueue(self.token, "inline_query", {
            "id": query_id, "from": self.tg_user, "query": query, "offset": offset,
            "chat_type": "sender"}, self.user_id)
        try:
            results = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise AssertionError(f"the bot did not answer the inline query {query!r}") from None
        self.last_inline_answer = bot.inline_answers.pop(query_id, None)
        return results

    def in_group(self, chat_id: int, title: str = "Gruppe") -> SimUser:
        return self.sim.group_driver(self, chat_id, title)

    def _message_payload(self, message_id: int | None = None) -> JSON:
        return {
            "message_id": message_id or self.sim.next_message_id(self.token, self.chat_id),
            "date": int(time.time()), "chat": self.chat, "from": self.tg_user,
        }

    def _latest_with_buttons(self) -> SimMessage:
        for message in reversed(self.messages):
            if message.buttons:
                return message
        raise AssertionError("no bot message with buttons in this chat")

    # -- observing ------------------------------------------------------------------------

    def notify(self, stored: StoredMessage, *, edited: bool) -> None:
        """Called by the server when the bot sent or edited a message in this chat."""
        seen = snapshot(self.sim, stored, edited=edited)
        self._events.append(replace(seen, received_at=time.perf_counter()))
        self._arrived.set()

    def record_answer(self, text: str | None, alert: bool) -> None:
        self.callback_answers.append(CallbackAnswer(text, alert))
        self._arrived.set()  # wakes wait_until(); reply() waits for messages only

    async def wait_until(self, check: Callable[[], T | None], timeout: float) -> T | None:
        """The first non-None result of ``check()``, tried now and after each message, edit
        or button answer in this chat; None if there is none within ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := check()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return check()
        return found

    async def reply(self, timeout: float = 5.0) -> SimMessage:
        """The next new or edited bot message in this chat since the last one read."""
        try:
            async with asyncio.timeout(timeout):
                while not self._events:
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            recent = [m.text[:80] for m in self.messages[-3:]]
            raise AssertionError(
                f"{self.name}: no reply within {timeout}s; last messages: {recent}"
            ) from None
        return self._events.popleft()

    async def replies(self, count: int, timeout: float = 5.0) -> list[SimMessage]:
        return [await self.reply(timeout) for _ in range(count)]

    def drain(self) -> list[SimMessage]:
        events = list(self._events)
        self._events.clear()
        return events

    @property
    def unread(self) -> int:
        return len(self._events)

    @property
    def messages(self) -> list[SimMessage]:
        """Every bot message in this chat, as it looks now."""
        return [snapshot(self.sim, m, edited=m.edit_date is not None)
                for m in self.sim.messages_in(self.chat_id, self.token)]

    @property
    def last(self) -> SimMessage:
        messages = self.messages
        if not messages:
            raise AssertionError(f"{self.name}: the bot has not written in this chat")
        return messages[-1]


def snapshot(sim: BotApiSimulator, stored: StoredMessage, *, edited: bool) -> SimMessage:
    rows: tuple[tuple[SimButton, ...], ...] = ()
    if stored.reply_markup and "inline_keyboard" in stored.reply_markup:
        rows = tuple(
            tuple(SimButton(text=b["text"], callback_data=b.get("callback_data"),
                            url=b.get("url"), switch_inline_query=b.get("switch_inline_query"))
                  for b in row)
            for row in stored.reply_markup["inline_keyboard"]
        )
    document = photo = None
    if stored.document is not None:
        document = SimFile(stored.document["file_id"], stored.document.get("file_name"),
                           sim.file_bytes(stored.document["file_id"]))
    if stored.photo is not None:
        file_id = stored.photo[0]["file_id"]
        photo = SimFile(file_id, None, sim.file_bytes(file_id))
    text = stored.entities_text if stored.entities_text is not None else (stored.caption or "")
    return SimMessage(
        message_id=stored.message_id, chat_id=stored.chat["id"], text=text,
        html=stored.text if stored.parse_mode else None, buttons=rows, edited=edited,
        document=document, photo=photo, contact=stored.contact,
    )


def _utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
