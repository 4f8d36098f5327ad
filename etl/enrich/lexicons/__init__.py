"""Vendored sentiment lexicons (data only); provenance and licences in NOTICE.md."""
