"""Print one sheet of an XLSX as openpyxl reads it in read-only mode, for render's tests: the
used range it trusts, and each cell's Python type and value.

Run with Debian's /usr/bin/python3 and python3-openpyxl: a reader that is not ours.
Usage: xlsx_types.py FILE.xlsx SHEET
"""
import json
import sys

import openpyxl

path, sheet = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(path, read_only=True)
ws = wb[sheet]
rows = [[None if v is None else [type(v).__name__, str(v)] for v in r] for r in ws.iter_rows(values_only=True)]
json.dump({"dimension": ws.calculate_dimension(), "rows": rows}, sys.stdout, ensure_ascii=False, indent=1)
wb.close()
