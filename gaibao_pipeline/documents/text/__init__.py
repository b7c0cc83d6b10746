"""Plain text as crawlers and exports deliver it: tables flattened in recognisable ways back into grids.

Entry point: `reader.read_text`.
"""
