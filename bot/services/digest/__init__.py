"""Digests for leads: where each team of their region stands, on the schedule they choose.

- :mod:`.schedule`: each recipient's schedule (weekly, Monday to Friday, or off) and the
  instants it makes due; the scheduler (``bot/services/reminders/scheduler.py``) sends them
  through its delivery ledger, so every digest goes out once.
- :mod:`.figures`: the digest's figures, computed with a fixed number of SQL statements.
- :mod:`.chart`: the chart (hours against quota), rendered headless with matplotlib.
"""
