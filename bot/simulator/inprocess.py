"""The simulator without sockets: a PTB request class that calls it in the same process.

For tests that drive thousands of updates (``tests/reliability/test_hostile_input.py``): the
bot's calls reach the very same simulator methods, with Telegram's limits and refusals (text length,
markup, "message is not modified", expired queries), but skip HTTP. Injected faults belong
to the HTTP path (:class:`bot.simulator.server.BotApiSimulator` with a ``FaultPlan``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.simulator.server import Upload

if TYPE_CHECKING:
    from bot.simulator.server import BotApiSimulator


class InProcessRequest(BaseRequest):
    """Hands each Bot API call to ``sim.call``; the URL names the token and the method."""

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        *_, bot_part, api_method = url.split("/")
        params: dict[str, object] = dict(request_data.json_parameters if request_data else {})
        for name, (filename, content, mime_type) in (
            request_data.multipart_data.items() if request_data else ()
        ):
            data = content if isinstance(content, bytes) else content.read()
            params[name] = Upload(filename, data, mime_type)
        status, body = await self.sim.call(bot_part.removeprefix("bot"), api_method, params)
        return status, json.dumps(body).encode()
