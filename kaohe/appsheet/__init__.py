"""The 干部任免审批表 facts entered in Kaohe: the sheet fields and the family."""
