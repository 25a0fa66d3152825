"""Interop (issue 8): Excel import/export, LRMX appointment forms (干部任免审批表)."""
