package cucmsim_test

import (
	"strings"
	"testing"

	"github.com/cucm-audit/cucm-audit/collect/cucmsim"
)

// TestInformixStrictness lists queries CUCM's Informix refuses (the simulator must refuse them
// with CUCM's fault) and Informix queries it must answer, translated where SQLite differs.
func TestInformixStrictness(t *testing.T) {
	sim, ts := startSim(t, loadShipped(t, "tiny"))
	u, p := sim.Credentials()
	const syntax = "<axlcode>-201</axlcode><axlmessage>A syntax error has occurred.</axlmessage>"
	routine := func(name string) string {
		return "<axlcode>-674</axlcode><axlmessage>Routine (" + name + ") can not be resolved.</axlmessage>"
	}
	refused := []struct{ name, sql, want string }{
		{"trailing limit", "select name from device limit 2", syntax},
		{"trailing limit offset", "select name from device order by name limit 2 offset 1", syntax},
		{"offset alone", "select name from device offset 1", syntax},
		{"limit in subquery tail", "select name from device where pkid in (select fkdevice from devicenumplanmap limit 1)", syntax},
		{"cte", "with x as (select name from device) select * from x", syntax},
		{"window function", "select name, row_number() over (order by name) from device", routine("row_number")},
		{"over clause", "select name, count(*) over () from device", syntax},
		{"ifnull", "select ifnull(fkenduser, 'x') from device", routine("ifnull")},
		{"group_concat", "select group_concat(name) from device", routine("group_concat")},
		{"printf", "select printf('%s', name) from device", routine("printf")},
		{"instr", "select instr(name, 'SEP') from device", routine("instr")},
		{"iif", "select iif(tkclass = 1, 'p', 'o') from device", routine("iif")},
		{"total", "select total(tkclass) from device", routine("total")},
		{"julianday", "select julianday('now') from device", routine("julianday")},
		{"strftime", "select strftime('%Y', 'now') from device", routine("strftime")},
		{"datetime function", "select datetime('now') from device", routine("datetime")},
		{"char", "select char(65) from device", routine("char")},
		{"hex", "select hex(name) from device", routine("hex")},
		{"random", "select random() from device", routine("random")},
		{"typeof", "select typeof(name) from device", routine("typeof")},
		{"like as function", "select name from device where like('SEP%', name)", routine("like")},
		{"glob function", "select name from device where glob('SEP*', name)", routine("glob")},
		{"glob operator", "select name from device where name glob 'SEP*'", syntax},
		{"regexp", "select name from device where name regexp 'SEP'", syntax},
		{"double equals", "select name from device where tkclass == 1", syntax},
		{"backtick identifier", "select `name` from device", syntax},
		{"bracket identifier", "select [name] from device", syntax},
		{"isnull postfix", "select name from device where fkenduser isnull", syntax},
		{"collate", "select name from device order by name collate nocase", syntax},
		{"two statements", "select name from device; select name from enduser", syntax},
		{"write", "delete from device", "Only SELECT statements are allowed"},
		{"pragma", "pragma table_info(device)", "Only SELECT statements are allowed"},
		{"unknown table", "select * from sqlite_master", "<axlcode>-206</axlcode>"},
		{"unknown column", "select nosuch from device", "<axlcode>-217</axlcode>"},
	}
	for _, tt := range refused {
		t.Run("refuse/"+tt.name, func(t *testing.T) {
			r := post(t, ts.URL+cucmsim.AXLPath, `"CUCM:DB ver=14.0 executeSQLQuery"`, sqlEnvelope("14.0", tt.sql), basic(u, p))
			if r.status != 500 || !strings.Contains(r.body, tt.want) {
				t.Errorf("HTTP %d, body %.500s; want 500 with %q", r.status, r.body, tt.want)
			}
		})
	}
	accepted := []struct {
		name, sql string
		want      string // substring of the answer
	}{
		{"first", "select first 1 name from device order by name", "<row><name>HL_Helpdesk</name></row></return>"},
		{"limit in projection", "select limit 1 name from device order by name", "<row><name>HL_Helpdesk</name></row></return>"},
		{"skip first", "select skip 1 first 1 name from device where tkclass <> 8 order by name", "<name>SEP00EBD5C0FFEE</name></row></return>"},
		{"skip limit", "select skip 1 limit 1 name from device where tkclass <> 8 order by name", "<name>SEP00EBD5C0FFEE</name></row></return>"},
		{"first in subquery", "select name from device where pkid in (select first 1 fkdevice from devicenumplanmap order by fkdevice) order by name", "<row>"},
		{"unique", "select unique tkclass from device order by tkclass", "<tkclass>1</tkclass>"},
		{"double-quoted string compares", `select name from device where name = "HL_Helpdesk"`, "<row><name>HL_Helpdesk</name></row>"},
		{"double-quoted projection is text", `select "name" as x from device where name = 'HL_Helpdesk'`, "<x>name</x>"},
		{"upper-case identifiers", "SELECT D.NAME FROM DEVICE D WHERE D.NAME = 'HL_Helpdesk'", "<name>HL_Helpdesk</name>"},
		{"not equal both ways", "select count(*) from device where tkclass != 1 and tkclass <> 8", "<count>1</count>"},
		{"concat", "select name || '-' || tkclass as x from device where name = 'HL_Helpdesk'", "<x>HL_Helpdesk-8</x>"},
		{"nvl", "select nvl(fkenduser, 'none') as o from device where name = 'HL_Helpdesk'", "<o>none</o>"},
		{"decode", "select decode(tkclass, 1, 'phone', 8, 'list', 'other') as k from device where name = 'HL_Helpdesk'", "<k>list</k>"},
		{"case", "select case when tkclass = 8 then 'list' else 'x' end as k from device where name = 'HL_Helpdesk'", "<k>list</k>"},
		{"substring from for", "select substring(name from 1 for 3) as s from device where name = 'HL_Helpdesk'", "<s>HL_</s>"},
		{"substr lower upper length trim", "select substr(lower(name), 1, 2) as a, upper(name) as b, length(trim(name)) as c from device where name = 'HL_Helpdesk'", "<a>hl</a><b>HL_HELPDESK</b><c>11</c>"},
		{"matches", "select name from device where name matches 'HL_*'", "<name>HL_Helpdesk</name>"},
		{"today and current", "select count(*) from device where today is not null and current is not null", "<count>"},
		{"dbinfo utc_to_datetime", "select dbinfo('utc_to_datetime', 0) as d from device where name = 'HL_Helpdesk'", "<d>1970-01-01 00:00:00</d>"},
		{"comments", "select {informix} name /* c */ from device -- x\n where name = 'HL_Helpdesk'", "<name>HL_Helpdesk</name>"},
		{"aggregates", "select count(*), min(name), max(name), sum(tkclass), avg(tkclass) from device", "<count>"},
		{"trailing semicolon", "select name from device where name = 'HL_Helpdesk';", "<name>HL_Helpdesk</name>"},
		{"string with semicolon", "select name from device where name <> 'a;b' and name = 'HL_Helpdesk'", "<name>HL_Helpdesk</name>"},
		{"like is case-sensitive", "select count(*) from device where name like 'hl_%'", "<count>0</count>"},
		{"like matches its case", "select count(*) from device where name like 'HL_%'", "<count>1</count>"},
	}
	for _, tt := range accepted {
		t.Run("accept/"+tt.name, func(t *testing.T) {
			r := post(t, ts.URL+cucmsim.AXLPath, `"CUCM:DB ver=14.0 executeSQLQuery"`, sqlEnvelope("14.0", tt.sql), basic(u, p))
			if r.status != 200 || !strings.Contains(r.body, tt.want) {
				t.Errorf("HTTP %d, body %.500s; want 200 with %q", r.status, r.body, tt.want)
			}
		})
	}
}
