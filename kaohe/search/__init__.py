"""Officials search as people search in Chinese software: pinyin (:mod:`.pinyin`), the
filters beyond name/unit/rank (:mod:`.filters`) and saved searches per user (:mod:`.saved`)."""
