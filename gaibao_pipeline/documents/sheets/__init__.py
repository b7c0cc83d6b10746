"""Workbooks (.xlsx, .xls, WPS .et, .ods) read with calamine into the same grids as every format.

Entry point: `reader.read_workbook`.
"""
