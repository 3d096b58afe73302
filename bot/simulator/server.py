"""A local Bot API server: the methods this bot uses, with Telegram's limits and errors.

The bot talks to it unchanged over HTTP (``TELEGRAM_API_BASE_URL``). Tests and the terminal
chat play the users through :mod:`bot.simulator.driver`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from bot.simulator.faults import FaultPlan, TokenBucket
from bot.simulator.validation import (
    MAX_CALLBACK_ANSWER,
    ApiError,
    bad_request,
    check_contact,
    check_inline_answer,
    check_reply_markup,
    check_text,
)

if TYPE_CHECKING:
    from bot.simulator.driver import SimUser

JSON = dict[str, Any]
_INT_FIELDS = {
    "chat_id", "message_id", "offset", "limit", "timeout", "user_id", "cache_time",
    "from_chat_id", "message_thread_id", "reply_to_message_id", "max_connections",
}
# Methods that put a message into a chat: counted against the flood limits.
_SENDING = {"sendMessage", "sendDocument", "sendPhoto", "sendContact", "editMessageText",
            "editMessageReplyMarkup", "editMessageCaption"}


@dataclass
class StoredMessage:
    message_id: int
    chat: JSON
    date: int
    text: str | None = None
    parse_mode: str | None = None
    entities_text: str | None = None  # plain text after parsing markup
    reply_markup: JSON | None = None
    document: JSON | None = None
    photo: list[JSON] | None = None
    contact: JSON | None = None
    caption: str | None = None
    edit_date: int | None = None
    from_bot: bool = True

    def to_api(self, bot_user: JSON) -> JSON:
        data: JSON = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": self.chat,
            "from": bot_user,
        }
        if self.text is not None:
            data["text"] = self.entities_text if self.entities_text is not None else self.text
        if self.caption is not None:
            data["caption"] = self.caption
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if self.document is not None:
            data["document"] = self.document
        if self.photo is not None:
            data["photo"] = self.photo
        if self.contact is not None:
            data["contact"] = self.contact
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    name: str
    data: bytes
    mime_type: str | None


@dataclass
class BotState:
    token: str
    user: JSON
    updates: list[JSON] = field(default_factory=list)
    confirmed: int = 0  # highest update_id confirmed through getUpdates' offset
    next_update_id: int = 1
    new_update: asyncio.Event = field(default_factory=asyncio.Event)
    webhook: JSON | None = None
    commands: dict[tuple[str, str], list[JSON]] = field(default_factory=dict)
    menu_buttons: dict[int | None, JSON] = field(default_factory=dict)
    callback_queries: dict[str, JSON] = field(default_factory=dict)  # open queries by id
    inline_queries: dict[str, asyncio.Future[list[JSON]]] = field(default_factory=dict)
    # The whole answer (results, next_offset, cache_time, is_personal, button) by query id.
    inline_answers: dict[str, JSON] = field(default_factory=dict)
    global_bucket: TokenBucket | None = None
    chat_buckets: dict[int, TokenBucket] = field(default_factory=dict)
    created: int = 0  # updates created so far (the demo's idle detection counts on it)


@dataclass(frozen=True)
class EarlyRetry:
    """A call repeated before the ``retry_after`` of its 429 had passed."""

    chat_id: int
    method: str
    early_by: float  # seconds before the allowed moment


@dataclass
class SimStats:
    requests: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    accepted_messages: int = 0
    rate_limited: int = 0
    faults: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_chat: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    early_retries: list[EarlyRetry] = field(default_factory=list)


class BotApiSimulator:
    """An aiohttp Bot API server on loopback, holding bots, chats and updates in memory."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        enforce_rate_limits: bool = False,
        global_per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        burst: float = 3.0,
        faults: FaultPlan | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.enforce_rate_limits = enforce_rate_limits
        self.global_per_second = global_per_second
        self.per_chat_per_second = per_chat_per_second
        self.burst = burst
        self.faults = faults
        self.stats = SimStats()
        self.bots: dict[str, BotState] = {}
        self._default_token: str | None = None
        self._users: dict[tuple[str, int, int], SimUser] = {}
        self._inboxes: dict[tuple[str, int], list[StoredMessage]] = defaultdict(list)
        self._listeners: dict[tuple[str, int], list[SimUser]] = defaultdict(list)
        self._files: dict[str, StoredFile] = {}
        self._message_ids: dict[tuple[str, int], itertools.count[int]] = defaultdict(
            lambda: itertools.count(1)
        )
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._last_update_by_user: dict[tuple[str, int], JSON] = {}
        self.webhook_deliveries: list[JSON] = []
        self._stopping = False
        # Per 429 answered: the call (bot, chat, method, its parameters) and the monotonic
        # moment before which Telegram would refuse it again.
        self._retry_not_before: dict[tuple[str, int, str, str], float] = {}

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self._stopping = False
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # Any other path (e.g. a base URL ending in /bot: /bot/bot<token>/getMe) gets the
        # JSON 404 the real Bot API sends, not aiohttp's plain-text page.
        app.router.add_route("*", "/{path:.*}", self._unknown_path)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses  # resolved after binding, so port 0 became real
        self.port = int(addresses[0][1])

    async def stop(self) -> None:
        self._stopping = True  # open long polls answer at once instead of at their timeout
        for bot in self.bots.values():
            bot.new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiSimulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- setup used by tests and the demo ---------------------------------------------------

    def add_bot(self, token: str = "123456:TEST", username: str = "sozialraum_test_bot",
                first_name: str = "Sozialraum") -> BotState:
        bot_id = int(token.split(":", 1)[0])
        state = BotState(token=token, user={
            "id": bot_id, "is_bot": True, "first_name": first_name, "username": username,
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        })
        self.bots[token] = state
        self._default_token = self._default_token or token
        return state

    def user(self, user_id: int, first_name: str = "Test", language_code: str | None = "de",
             username: str | None = None, bot_token: str | None = None) -> SimUser:
        from bot.simulator.driver import SimUser

        token = bot_token or self._default_token
        assert token is not None, "add_bot() first"
        key = (token, user_id, user_id)
        if key not in self._users:
            tg_user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
            if username:
                tg_user["username"] = username
            if language_code:
                tg_user["language_code"] = language_code
            chat = {"id": user_id, "type": "private", "first_name": first_name}
            self._users[key] = SimUser(self, token, tg_user, chat)
        return self._users[key]

    def group_driver(self, user: SimUser, chat_id: int, title: str) -> SimUser:
        from bot.simulator.driver import SimUser

        key = (user.token, user.user_id, chat_id)
        if key not in self._users:
            chat = {"id": chat_id, "type": "group", "title": title}
            self._users[key] = SimUser(self, user.token, user.tg_user, chat)
        return self._users[key]

    def commands_for(self, scope: JSON | None = None, language_code: str = "",
                     bot_token: str | None = None) -> list[JSON]:
        bot = self.bots[bot_token or self._default_token or ""]
        return bot.commands.get((_scope_key(scope), language_code), [])

    def updates_created(self, bot_token: str | None = None) -> int:
        return self.bots[bot_token or self._default_token or ""].created

    def last_update_for(self, user_id: int, bot_token: str | None = None) -> JSON:
        return self._last_update_by_user[(bot_token or self._default_token or "", user_id)]

    def messages_in(self, chat_id: int, bot_token: str | None = None) -> list[StoredMessage]:
        return self._inboxes[(bot_token or self._default_token or "", chat_id)]

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    # -- updates from users -------------------------------------------------------------------

    def enqueue(self, token: str, kind: str, payload: JSON, user_id: int) -> int:
        bot = self.bots[token]
        update_id = bot.next_update_id
        bot.next_update_id += 1
        update = {"update_id": update_id, kind: payload}
        bot.created += 1
        self._last_update_by_user[(token, user_id)] = update
        if bot.webhook is not None:
            asyncio.get_running_loop().create_task(self._post_webhook(bot, update))
        else:
            bot.updates.append(update)
            bot.new_update.set()
        return update_id

    def redeliver(self, update: JSON, bot_token: str | None = None) -> None:
        """Deliver an update again with its old id, as Telegram does when the bot did not
        confirm it (polling: queued for the next ``getUpdates`` without offset)."""
        bot = self.bots[bot_token or self._default_token or ""]
        if all(u["update_id"] != update["update_id"] for u in bot.updates):
            bot.updates.append(update)
            bot.updates.sort(key=lambda u: int(u["update_id"]))
            bot.new_update.set()

    def next_message_id(self, token: str, chat_id: int) -> int:
        return next(self._message_ids[(token, chat_id)])

    def next_id(self) -> str:
        return str(next(self._ids))

    def register_listener(self, token: str, chat_id: int, user: SimUser) -> None:
        if user not in self._listeners[(token, chat_id)]:
            self._listeners[(token, chat_id)].append(user)

    def find_message(self, token: str, chat_id: int, message_id: int) -> StoredMessage | None:
        for message in self._inboxes[(token, chat_id)]:
            if message.message_id == message_id:
                return message
        return None

    async def _post_webhook(self, bot: BotState, update: JSON) -> None:
        import aiohttp

        assert bot.webhook is not None
        headers = {"Content-Type": "application/json"}
        if bot.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = bot.webhook["secret_token"]
        for attempt in range(5):
            try:
                async with aiohttp.ClientSession() as session, session.post(
                    bot.webhook["url"], data=json.dumps(update), headers=headers,
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as response:
                    self.webhook_deliveries.append({"update_id": update["update_id"],
                                                    "status": response.status})
                    if response.status < 300:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1 * 2**attempt)

    # -- HTTP ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        bot = self.bots.get(token)
        if bot is None:
            return _error(ApiError(401, "Unauthorized"))
        self.stats.requests[method] += 1
        params: JSON = {}
        try:
            params = await _read_params(request)
            self._method(method)
            self._check_retry_after(token, method, params)
            fault = self.faults.draw(method) if self.faults is not None else None
            if fault is not None:
                self.stats.faults[fault] += 1
                early = await self._apply_fault_before(fault, request)
                if early is not None:
                    return early
            result = await self._invoke(bot, method, params)
            if fault == "lost_answer":
                return await self._drop(request)
            return web.json_response({"ok": True, "result": result})
        except ApiError as exc:
            self._note_retry_after(token, method, params, exc)
            return _error(exc)

    async def call(self, token: str, method: str, params: JSON) -> tuple[int, JSON]:
        """One Bot API call without HTTP (see :mod:`bot.simulator.inprocess`): the same
        methods, limits and refusals, no injected faults. Returns (HTTP status, body)."""
        bot = self.bots.get(token)
        if bot is None:
            return 401, _error_body(ApiError(401, "Unauthorized"))
        self.stats.requests[method] += 1
        try:
            self._method(method)
            params = {name: _decode(name, value) for name, value in params.items()}
            self._check_retry_after(token, method, params)
            return 200, {"ok": True, "result": await self._invoke(bot, method, params)}
        except ApiError as exc:
            self._note_retry_after(token, method, params, exc)
            return exc.code, _error_body(exc)

    def _method(self, method: str) -> Any:
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        return handler

    async def _invoke(self, bot: BotState, method: str, params: JSON) -> Any:
        if method in _SENDING:
            self._check_flood(bot, params)
        return await self._method(method)(bot, params)

    def _note_retry_after(self, token: str, method: str, params: JSON, exc: ApiError) -> None:
        """A 429 went out: the same call is expected back no earlier than ``retry_after``."""
        retry_after = (exc.parameters or {}).get("retry_after")
        if exc.code == 429 and retry_after is not None:
            self._retry_not_before[_call_key(token, method, params)] = (
                time.monotonic() + float(retry_after))

    def _check_retry_after(self, token: str, method: str, params: JSON) -> None:
        """Record (in ``stats.early_retries``) a call that repeats one refused with 429 before
        its ``retry_after`` passed. A repetition is the same method with the same parameters
        in the same chat; another message to that chat is not one."""
        key = _call_key(token, method, params)
        not_before = self._retry_not_before.pop(key, None)
        if not_before is None:
            return
        early_by = not_before - time.monotonic()
        if early_by > 0:
            self.stats.early_retries.append(EarlyRetry(key[1], method, round(early_by, 3)))

    async def _apply_fault_before(self, fault: str, request: web.Request) -> web.Response | None:
        assert self.faults is not None
        if fault == "429":
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if fault == "5xx":
            return _error(ApiError(502, "Bad Gateway"))
        if fault == "slow":
            await asyncio.sleep(self.faults.slow_seconds)
            return None
        if fault == "drop":
            return await self._drop(request)
        return None

    async def _drop(self, request: web.Request) -> web.Response:
        transport = request.transport
        if transport is not None:
            transport.close()
        return web.Response(status=502)

    def _check_flood(self, bot: BotState, params: JSON) -> None:
        if not self.enforce_rate_limits:
            self.stats.accepted_messages += 1
            return
        chat_id = int(params.get("chat_id") or 0)
        if bot.global_bucket is None:
            bot.global_bucket = TokenBucket(self.global_per_second, self.global_per_second)
        chat_bucket = bot.chat_buckets.setdefault(
            chat_id, TokenBucket(self.per_chat_per_second, self.burst)
        )
        now = time.monotonic()
        wait = max(bot.global_bucket.wait_time(now), chat_bucket.wait_time(now))
        if wait > 0:
            self.stats.rate_limited += 1
            retry = max(1, int(wait + 0.999))
            raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        bot.global_bucket.take(now)
        chat_bucket.take(now)
        self.stats.accepted_messages += 1
        self.stats.per_chat[chat_id] += 1

    # -- methods --------------------------------------------------------------------------------

    async def _m_getMe(self, bot: BotState, params: JSON) -> JSON:
        return bot.user

    async def _m_logOut(self, bot: BotState, params: JSON) -> bool:
        return True

    async def _m_close(self, bot: BotState, params: JSON) -> bool:
        return True

    async def _m_getUpdates(self, bot: BotState, params: JSON) -> list[JSON]:
        if bot.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        if offset:
            bot.confirmed = max(bot.confirmed, offset - 1)
            bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0, min(50, int(params.get("timeout") or 0)))
        allowed = params.get("allowed_updates")
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            pending = [u for u in bot.updates if _allowed(u, allowed)]
            if pending or self._stopping or asyncio.get_running_loop().time() >= deadline:
                return pending[:limit]
            bot.new_update.clear()
            try:
                remaining = deadline - asyncio.get_running_loop().time()
                await asyncio.wait_for(bot.new_update.wait(), max(0.0, remaining))
            except TimeoutError:
                pass

    async def _m_setWebhook(self, bot: BotState, params: JSON) -> bool:
        url = params.get("url") or ""
        bot.webhook = {"url": url, "secret_token": params.get("secret_token")} if url else None
        return True

    async def _m_deleteWebhook(self, bot: BotState, params: JSON) -> bool:
        bot.webhook = None
        if params.get("drop_pending_updates") in (True, "true"):
            bot.updates.clear()
        return True

    async def _m_getWebhookInfo(self, bot: BotState, params: JSON) -> JSON:
        return {"url": bot.webhook["url"] if bot.webhook else "", "has_custom_certificate": False,
                "pending_update_count": len(bot.updates)}

    async def _m_setMyCommands(self, bot: BotState, params: JSON) -> bool:
        commands = params.get("commands") or []
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            name = str(command.get("command", ""))
            valid_name = name.replace("_", "").isalnum() and name.lower() == name
            if not (1 <= len(name) <= 32) or not valid_name:
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        bot.commands[key] = list(commands)
        return True

    async def _m_getMyCommands(self, bot: BotState, params: JSON) -> list[JSON]:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        return bot.commands.get(key, [])

    async def _m_deleteMyCommands(self, bot: BotState, params: JSON) -> bool:
        key = (_scope_key(params.get("scope")), str(params.get("language_code") or ""))
        bot.commands.pop(key, None)
        return True

    async def _m_setChatMenuButton(self, bot: BotState, params: JSON) -> bool:
        chat_id = params.get("chat_id")
        bot.menu_buttons[int(chat_id) if chat_id is not None else None] = params.get(
            "menu_button") or {"type": "default"}
        return True

    async def _m_getChat(self, bot: BotState, params: JSON) -> JSON:
        return self._chat(bot, params)

    async def _m_sendChatAction(self, bot: BotState, params: JSON) -> bool:
        self._chat(bot, params)
        return True

    async def _m_sendMessage(self, bot: BotState, params: JSON) -> JSON:
        chat = self._chat(bot, params)
        parse_mode = params.get("parse_mode")
        visible = check_text(params.get("text"), parse_mode)
        message = StoredMessage(
            message_id=self.next_message_id(bot.token, chat["id"]), chat=chat, date=_now(),
            text=str(params["text"]), parse_mode=parse_mode, entities_text=visible,
            reply_markup=check_reply_markup(params.get("reply_markup")),
        )
        return self._deliver(bot, message)

    async def _m_sendContact(self, bot: BotState, params: JSON) -> JSON:
        chat = self._chat(bot, params)
        check_contact(params.get("phone_number"), params.get("first_name"), params.get("vcard"))
        contact = {k: params[k] for k in ("phone_number", "first_name", "last_name", "vcard")
                   if params.get(k)}
        message = StoredMessage(
            message_id=self.next_message_id(bot.token, chat["id"]), chat=chat, date=_now(),
            contact=contact, reply_markup=check_reply_markup(params.get("reply_markup")),
        )
        return self._deliver(bot, message)

    async def _m_sendDocument(self, bot: BotState, params: JSON) -> JSON:
        return await self._send_file(bot, params, "document")

    async def _m_sendPhoto(self, bot: BotState, params: JSON) -> JSON:
        return await self._send_file(bot, params, "photo")

    async def _send_file(self, bot: BotState, params: JSON, kind: str) -> JSON:
        chat = self._chat(bot, params)
        upload = params.get(kind)
        if isinstance(upload, Upload):
            stored = self._store_file(upload)
        elif isinstance(upload, str) and upload in self._files:
            stored = self._files[upload]
        else:
            raise bad_request("wrong file identifier/HTTP URL specified")
        caption = None
        if params.get("caption"):
            caption = check_text(params["caption"], params.get("parse_mode"), caption=True)
        message = StoredMessage(
            message_id=self.next_message_id(bot.token, chat["id"]), chat=chat, date=_now(),
            caption=caption, reply_markup=check_reply_markup(params.get("reply_markup")),
        )
        described = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                     "file_size": len(stored.data)}
        if kind == "document":
            message.document = {**described, "file_name": stored.name,
                                **({"mime_type": stored.mime_type} if stored.mime_type else {})}
        else:
            message.photo = [{**described, "width": 800, "height": 600}]
        return self._deliver(bot, message)

    def _store_file(self, upload: Upload) -> StoredFile:
        file_id = f"F{self.next_id()}"
        stored = StoredFile(file_id=file_id, file_unique_id=f"U{file_id}",
                            file_path=f"documents/{file_id}_{upload.name}", name=upload.name,
                            data=upload.data, mime_type=upload.mime_type)
        self._files[file_id] = stored
        return stored

    async def _m_getFile(self, bot: BotState, params: JSON) -> JSON:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data), "file_path": stored.file_path}

    async def _unknown_path(self, request: web.Request) -> web.Response:
        return _error(ApiError(404, "Not Found"))

    async def _download(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for stored in self._files.values():
            if stored.file_path == path:
                return web.Response(body=stored.data)
        return web.Response(status=404)

    async def _m_editMessageText(self, bot: BotState, params: JSON) -> JSON:
        message = self._editable(bot, params)
        parse_mode = params.get("parse_mode")
        visible = check_text(params.get("text"), parse_mode)
        markup = check_reply_markup(params.get("reply_markup"))
        if visible == message.entities_text and markup == message.reply_markup:
            raise _not_modified()
        message.text, message.parse_mode, message.entities_text = (
            str(params["text"]), parse_mode, visible)
        message.reply_markup = markup
        return self._edited(bot, message)

    async def _m_editMessageReplyMarkup(self, bot: BotState, params: JSON) -> JSON:
        message = self._editable(bot, params)
        markup = check_reply_markup(params.get("reply_markup"))
        if markup == message.reply_markup:
            raise _not_modified()
        message.reply_markup = markup
        return self._edited(bot, message)

    async def _m_deleteMessage(self, bot: BotState, params: JSON) -> bool:
        chat = self._chat(bot, params)
        inbox = self._inboxes[(bot.token, chat["id"])]
        message = self.find_message(bot.token, chat["id"], int(params.get("message_id") or 0))
        if message is None:
            raise bad_request("message to delete not found")
        inbox.remove(message)
        return True

    async def _m_answerCallbackQuery(self, bot: BotState, params: JSON) -> bool:
        query = bot.callback_queries.pop(str(params.get("callback_query_id")), None)
        if query is None:
            raise _query_too_old()
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            bot.callback_queries[str(params.get("callback_query_id"))] = query
            raise bad_request("MESSAGE_TOO_LONG")
        user = self._users.get((bot.token, query["user_id"], query["chat_id"]))
        if user is not None:
            alert = params.get("show_alert") in (True, "true")
            user.record_answer(str(text) if text else None, alert)
        return True

    async def _m_answerInlineQuery(self, bot: BotState, params: JSON) -> bool:
        check_inline_answer(params)
        results = params.get("results") or []
        query_id = str(params.get("inline_query_id"))
        future = bot.inline_queries.pop(query_id, None)
        if future is None:
            raise _query_too_old()
        bot.inline_answers[query_id] = params
        if not future.done():
            future.set_result([*results, *([{"button": params["button"]}]
                                           if params.get("button") else [])])
        return True

    # -- helpers -------------------------------------------------------------------------------

    def _chat(self, bot: BotState, params: JSON) -> JSON:
        raw = params.get("chat_id")
        try:
            chat_id = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        for (token, _uid, cid), user in self._users.items():
            if token == bot.token and cid == chat_id:
                return user.chat
        raise bad_request("chat not found")

    def _editable(self, bot: BotState, params: JSON) -> StoredMessage:
        chat = self._chat(bot, params)
        message = self.find_message(bot.token, chat["id"], int(params.get("message_id") or 0))
        if message is None:
            raise bad_request("message to edit not found")
        return message

    def _deliver(self, bot: BotState, message: StoredMessage) -> JSON:
        self._inboxes[(bot.token, message.chat["id"])].append(message)
        for user in self._listeners[(bot.token, message.chat["id"])]:
            user.notify(message, edited=False)
        return message.to_api(bot.user)

    def _edited(self, bot: BotState, message: StoredMessage) -> JSON:
        message.edit_date = _now()
        for user in self._listeners[(bot.token, message.chat["id"])]:
            user.notify(message, edited=True)
        return message.to_api(bot.user)


@dataclass
class Upload:
    """A file the bot uploads with its call."""

    name: str
    data: bytes
    mime_type: str | None


async def _read_params(request: web.Request) -> JSON:
    params: JSON = dict(request.query)
    if request.method == "POST" and request.can_read_body:
        content_type = request.content_type
        if content_type == "application/json":
            params.update(await request.json())
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    data = await part.read()
                    params[part.name] = Upload(
                        part.filename, bytes(data), part.headers.get("Content-Type")
                    )
                else:
                    params[part.name] = await part.text()
        else:
            params.update(await request.post())
    return {name: _decode(name, value) for name, value in params.items()}


def _decode(name: str, value: Any) -> Any:
    """Form fields arrive as strings; nested objects as JSON, like PTB sends them."""
    if not isinstance(value, str):
        return value
    if value[:1] in ("{", "[") and name not in ("text", "caption", "query"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    if value in ("true", "false") and name not in ("text", "caption"):
        return value == "true"
    return value


def _allowed(update: JSON, allowed: Any) -> bool:
    if not allowed:
        return True
    return any(kind in update for kind in allowed)


def _scope_key(scope: Any) -> str:
    if not scope:
        return "default"
    if isinstance(scope, str):
        scope = json.loads(scope)
    parts = [scope.get("type", "default")]
    if "chat_id" in scope:
        parts.append(str(scope["chat_id"]))
    if "user_id" in scope:
        parts.append(str(scope["user_id"]))
    return ":".join(parts)


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )


def _query_too_old() -> ApiError:
    return bad_request("query is too old and response timeout expired or query ID is invalid")


def _error_body(exc: ApiError) -> JSON:
    body: JSON = {"ok": False, "error_code": exc.code, "description": exc.description}
    if exc.parameters:
        body["parameters"] = exc.parameters
    return body


def _call_key(token: str, method: str, params: JSON) -> tuple[str, int, str, str]:
    """Which call this is, to recognise its repetition: bot, chat, method and the plain
    parameters (uploads left out: they arrive as new objects each time)."""
    try:
        chat_id = int(params.get("chat_id") or 0)
    except (TypeError, ValueError):
        chat_id = 0
    plain = {name: value for name, value in params.items()
             if isinstance(value, str | int | float | bool | list | dict | None)}
    return token, chat_id, method, json.dumps(plain, sort_keys=True, default=str)


def _error(exc: ApiError) -> web.Response:
    return web.json_response(_error_body(exc), status=exc.code)


def _now() -> int:
    return int(time.time())
