"""Bulk import for providers: one workbook or CSV of many enterprises → invitations and drafts, or on-site results
(docs/bulk-import.md)."""
