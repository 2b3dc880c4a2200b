"""Reusable layout pieces: KPI cards, help popovers, empty and error states, figure cards."""
