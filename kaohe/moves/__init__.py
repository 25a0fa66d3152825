"""凡动必核谈考训 of every agenda item, 任前公示 and the appointment (任职) (issue 13.3, 13.5)."""
