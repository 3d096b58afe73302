"""The FAQ: a knowledge base per language, a search that copes with how people type, and
the rules for questions in the chat (answer, suggest, pass on to a lead, keep as entry).

- :mod:`.schema`: the files (``bot/data/faq``) and their validation;
- :mod:`.analysis` and :mod:`.ranking`: from a question to ranked entries and a verdict;
- :mod:`.catalog`: the knowledge base in memory, reloaded without a restart;
- :mod:`.questions`: questions, feedback and answers in the database;
- :mod:`.evaluation`: accuracy and speed on the labelled set (``tests/faq_eval.yaml``).
"""
