"""The trial monitoring dashboard: pages, metrics, figures and the command line."""
