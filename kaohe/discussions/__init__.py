"""Personnel discussions (议干部, issue 6): agenda, four musts, frozen dossiers, reviewers.

* :mod:`.models` — discussions, members, reviewers, agenda items, four-must checks,
  attached (frozen) dossier versions, bundles;
* :mod:`.services` — the rules (agenda, readiness, decisions, access);
* :mod:`.views` — the pages; :mod:`.bundle` — the whole agenda as one PDF, built in
  the background; :mod:`.watermark` — the reader's name on every downloaded page.
"""
