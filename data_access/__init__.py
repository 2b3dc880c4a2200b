"""Everything that knows about the trial database: tables, engines, queries, demo, importers."""
