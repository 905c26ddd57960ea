"""What every printed or exported output shares: pages rendered as text-safe HTML and
printed to PDF (:mod:`app.reports.rendering`), and the marks they carry (source, date,
copyright, the viewer's marking, DEMO; :mod:`app.reports.marks`)."""
