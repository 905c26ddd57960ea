"""The neighbourhood report: an area's map, profile, trends and alerts on two A4 pages,
as a page to print and as a PDF, with the footer every output carries."""
