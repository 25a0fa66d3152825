"""Services of 凡动必核谈考训, 任前公示 and 任职 (plain arguments, flush only)."""
