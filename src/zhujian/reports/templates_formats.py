"""How the report's file formats are named to users."""

FORMAT_LABELS = {
    "docx": "Word",
    "xlsx": "Excel 指标表",
    "html": "HTML",
    "md": "Markdown",
    "txt": "文本",
}
