"""Pure figure builders: (DataFrame, ...) -> plotly Figure, one theme."""
