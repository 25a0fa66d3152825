"""考察材料 (issue 13.4): the draft .docx generated from the records, the 民主推荐 figures
recorded on an agenda item, and the final version frozen onto the item."""
