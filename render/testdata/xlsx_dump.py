"""Dump what a spreadsheet reader sees in an XLSX, as JSON, for render's tests.

Run with Debian's /usr/bin/python3 and python3-openpyxl: a reader that is not ours.
Usage: xlsx_dump.py FILE.xlsx MAX_ROWS
"""
import json
import sys

import openpyxl

path, max_rows = sys.argv[1], int(sys.argv[2])
wb = openpyxl.load_workbook(path)  # not read_only: tables and panes are only loaded this way
out = {"sheets": [], "risky": []}
for ws in wb.worksheets:
    rows = []
    count = 0
    for row in ws.iter_rows():
        count += 1
        cells = []
        for c in row:
            v = c.value
            if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
                out["risky"].append({"sheet": ws.title, "cell": c.coordinate, "value": v, "data_type": c.data_type})
            if count <= max_rows:
                cells.append(None if v is None else str(v))
        if count <= max_rows:
            while cells and cells[-1] is None:
                cells.pop()
            rows.append(cells)
    out["sheets"].append({
        "name": ws.title,
        "rows": count,
        "freeze": ws.freeze_panes,
        "tables": sorted("%s %s" % (t.name, t.ref) for t in ws.tables.values()),
        "head": rows,
    })
json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
