"""Dossiers: a citizen's application for a procedure, from draft to digitized result."""
