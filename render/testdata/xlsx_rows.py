"""Count every sheet's rows the way three readers see them, as JSON, for render's tests.

Run with Debian's /usr/bin/python3: openpyxl in read-only mode (trusts each sheet's used range,
as big workbooks are read), openpyxl fully loaded, and pandas (when importable).
Usage: xlsx_rows.py FILE.xlsx
"""
import json
import sys

import openpyxl

path = sys.argv[1]
out = {}
ro = openpyxl.load_workbook(path, read_only=True)
for ws in ro.worksheets:
    rows = [r for r in ws.iter_rows(values_only=True)]
    out[ws.title] = {"read_only": len(rows), "dimension": ws.calculate_dimension()}
ro.close()
full = openpyxl.load_workbook(path)
for ws in full.worksheets:
    out[ws.title]["full"] = ws.max_row
try:
    import pandas
except ImportError:
    pandas = None
if pandas is not None:
    for name, df in pandas.read_excel(path, sheet_name=None, header=None, engine="openpyxl").items():
        out[name]["pandas"] = len(df.index)
json.dump(out, sys.stdout, indent=1, sort_keys=True)
