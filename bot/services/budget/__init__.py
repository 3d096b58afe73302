"""The FuA budget: yearly allocations per region, requests, decisions, deputies.

Figures (all in integer cents, for one region and year):

- allocated: set in the organisation file or by an admin in the chat;
- approved: approved requests whose actual cost is not reported yet (their approved amount);
- spent: the actual cost of reported requests;
- pending: requested, not decided yet — shown, but NOT subtracted, so that a request that
  will be rejected never blocks another one;
- available = allocated − approved − spent. An approval must fit into it; the check runs
  under a lock on the budget row, so the budget is never overdrawn.
"""
