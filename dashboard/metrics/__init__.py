"""Pure computations over DataFrames: no Dash, no SQL."""
