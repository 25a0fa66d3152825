"""Discipline commission (纪委监委): findings, impact periods, tolerance exemptions and
integrity opinions (issue 4).

Other features call only :mod:`kaohe.discipline.services`:
``blocking_conditions(official_id, on_date)``, ``valid_opinion(official_id, on_date)``,
``party_conduct_deductions(unit_id, start, end)`` and
``dossier_section(official_id, as_of, window_start)``.
"""
