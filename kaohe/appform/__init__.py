"""The printed 干部任免审批表 (appointment and removal approval form): see :mod:`.render`."""
