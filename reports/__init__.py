"""PDF reports of a dashboard tab, built from the tabs' own query and figure functions (dashapp.components
REPORT_ITEMS): `reports.kinds.pdf_from_search(reader, search, kind)`."""
