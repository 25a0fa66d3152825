"""Rules of personnel discussions: :mod:`.agenda` (writes before the meeting),
:mod:`.readiness` (may an item be discussed), :mod:`.decisions` (holding the meeting,
decisions per item), :mod:`.access` (who may read what; 查阅登记)."""
