"""Edit or read a cucm-audit worklist (the "All findings" sheet) the way a team does, with openpyxl.

Usage: xlsx_worklist.py edit FILE.xlsx EDITS.json   -- EDITS: {fingerprint: [status, assignee, notes]}
       xlsx_worklist.py read FILE.xlsx              -- prints {fingerprint: {column: value}} and the
                                                       number formats and types of chosen cells
"""
import json
import sys

import openpyxl

mode, path = sys.argv[1], sys.argv[2]
wb = openpyxl.load_workbook(path)
ws = wb["All findings"]
head = [c.value for c in ws[1]]
col = {h: i for i, h in enumerate(head)}
if mode == "edit":
    edits = json.load(open(sys.argv[3]))
    for row in ws.iter_rows(min_row=2):
        fp = row[col["Fingerprint"]].value
        if fp in edits:
            for name, v in zip(("Status", "Assignee", "Notes"), edits[fp]):
                row[col[name]].value = v
    wb.save(path)
else:
    out = {"rows": {}, "types": {}}
    for row in ws.iter_rows(min_row=2, values_only=True):
        out["rows"][row[col["Fingerprint"]]] = {h: ("" if v is None else str(v)) for h, v in zip(head, row)}
    for name in wb.sheetnames:
        s = wb[name]
        h = [c.value for c in s[1]]
        for want in ("Days", "Unregistered since", "End of support", "Registration rate", "Expires"):
            if want in h and s.max_row > 1:
                # The first typed value of the column: a bound ("≥ 49.3 %") is text on purpose.
                cs = [s.cell(row=r, column=h.index(want) + 1) for r in range(2, s.max_row + 1)]
                c = next((x for x in cs if x.value is not None and not isinstance(x.value, str)), cs[0])
                out["types"]["%s!%s" % (name, want)] = {"type": type(c.value).__name__, "format": c.number_format}
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
