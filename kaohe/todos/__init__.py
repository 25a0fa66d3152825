"""To-dos and reminders per role (issue 14.1): what needs doing, computed from the data
on the date (nothing is stored), most urgent first.

* :mod:`kaohe.todos.items` — the :class:`~kaohe.todos.items.Todo` every kind returns;
* one module per area computes its kinds with database queries
  (:mod:`~kaohe.todos.people`, :mod:`~kaohe.todos.meetings`, :mod:`~kaohe.todos.discipline`,
  :mod:`~kaohe.todos.assessment`, :mod:`~kaohe.todos.accounts`);
* :mod:`kaohe.todos.registry` — which kinds each role gets, and the list of a user.
"""
