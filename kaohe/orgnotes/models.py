# Annotations evaluated here, not postponed: SQLAlchemy would eval() each string
# Mapped[...] at every start (issue 17).

import datetime as dt

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.auth.models import User
from kaohe.core.models import Recorded
from kaohe.extensions import db

NOTE_KINDS = {
    "personal_report": "个人有关事项报告核查",
    "file_audit": "干部人事档案审核",
    "petition": "信访举报",
}
NOTE_RESULTS = {
    "consistent": "一致/无问题",
    "minor": "有出入，已说明",
    "issue": "存在问题",
    "verified_false": "查无实据",
    "verified_true": "查实",
    "pending": "办理中",
}


class OrgNote(Recorded, db.Model):
    """组织掌握情况: a report check, file audit or petition and its outcome."""

    id: Mapped[int] = mapped_column(primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("official.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))
    result: Mapped[str] = mapped_column(String(24))
    content: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")

    recorded_by: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return NOTE_KINDS.get(self.kind, self.kind)

    @property
    def result_label(self) -> str:
        return NOTE_RESULTS.get(self.result, self.result)
