"""Importers that load EDC exports into the trial database, all or nothing."""
