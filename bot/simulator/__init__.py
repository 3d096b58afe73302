"""A local Telegram Bot API server for tests, benchmarks and the demo (no Telegram needed)."""

from bot.simulator.driver import CallbackAnswer, SimButton, SimFile, SimMessage, SimUser
from bot.simulator.faults import FaultPlan
from bot.simulator.server import BotApiSimulator
from bot.simulator.terminal import TerminalChat

__all__ = [
    "BotApiSimulator",
    "CallbackAnswer",
    "FaultPlan",
    "SimButton",
    "SimFile",
    "SimMessage",
    "SimUser",
    "TerminalChat",
]
