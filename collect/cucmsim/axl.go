package cucmsim

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

const axlNSPrefix = "http://www.cisco.com/AXL/API/"

var soapActionRE = regexp.MustCompile(`^CUCM:DB ver=(\S+)(?:\s+(\S+))?$`)

// axlRequest holds the children of the operations the simulator answers.
type axlRequest struct {
	SQL             string `xml:"sql"`
	ProcessNodeName string `xml:"processNodeName"`
	SearchCriteria  struct {
		Name           *string `xml:"name"`
		Description    *string `xml:"description"`
		Protocol       *string `xml:"protocol"`
		DevicePoolName *string `xml:"devicePoolName"`
	} `xml:"searchCriteria"`
	ReturnedTags struct {
		Inner string `xml:",innerxml"`
	} `xml:"returnedTags"`
	Skip  string `xml:"skip"`
	First string `xml:"first"`
}

func (s *Server) axlVersions() string { return strings.Join(s.sc.AXLVersions, ",") }

func normVersion(v string) string {
	if !strings.Contains(v, ".") {
		return v + ".0"
	}
	return v
}

func (s *Server) supported(v string) bool {
	for _, x := range s.sc.AXLVersions {
		if normVersion(x) == normVersion(v) {
			return true
		}
	}
	return false
}

func (s *Server) version599() answer {
	return answer{599, "text/plain;charset=UTF-8", []byte("Incorrect axl version. Supported axl versions: " + s.axlVersions())}
}

// axlFault is the AXL fault envelope with an axlError detail.
func (s *Server) axlFault(code int, msg, op string) answer {
	s.countFault()
	var d bytes.Buffer
	d.WriteString("<axlError>")
	elem(&d, "axlcode", strconv.Itoa(code))
	elem(&d, "axlmessage", msg)
	elem(&d, "request", op)
	d.WriteString("</axlError>")
	return answer{http.StatusInternalServerError, ctypeXML, soapFault("<faultcode>soapenv:Server</faultcode>", msg, d.String())}
}

func (s *Server) eprFault(action string) answer {
	s.countFault()
	msg := "The endpoint reference (EPR) for the Operation not found is https://" + s.c.nodes[0].name +
		":8443/axl/services/AXLAPIService and the WSA Action = " + action
	return answer{http.StatusInternalServerError, ctypeXML,
		soapFault(`<faultcode xmlns:axis2ns1="http://schemas.xmlsoap.org/soap/envelope/">axis2ns1:Client</faultcode>`, msg, "")}
}

// axl answers one AXL request.
func (s *Server) axl(ctx context.Context, soapAction string, body []byte, n uint64, f Faults) answer {
	action := strings.TrimSpace(strings.Trim(strings.TrimSpace(soapAction), `"`))
	actionVer := ""
	if action != "" {
		m := soapActionRE.FindStringSubmatch(action)
		if m == nil {
			return s.version599()
		}
		actionVer = m[1]
		if !s.supported(actionVer) {
			return s.version599()
		}
	}
	d, start, err := bodyElement(body)
	if err != nil {
		s.countFault()
		return answer{http.StatusInternalServerError, ctypeXML, soapFault("<faultcode>soapenv:Client</faultcode>", "Unable to parse the request: "+err.Error(), "")}
	}
	ns := start.Name.Space
	nsVer, isAXL := strings.CutPrefix(ns, axlNSPrefix)
	switch {
	case !isAXL:
		return s.eprFault(action)
	case actionVer == "" && nsVer != "1.0" && !s.supported(nsVer):
		return s.version599()
	case actionVer != "" && normVersion(actionVer) != normVersion(nsVer):
		s.countFault()
		return answer{http.StatusInternalServerError, ctypeXML, soapFault("<faultcode>soapenv:Client</faultcode>",
			fmt.Sprintf("The AXL version in the SOAPAction (%s) does not match the request namespace %s", actionVer, ns), "")}
	}
	op := start.Name.Local
	seq := ""
	for _, a := range start.Attr {
		if a.Name.Local == "sequence" {
			seq = a.Value
		}
	}
	var req axlRequest
	if err := d.DecodeElement(&req, &start); err != nil {
		s.countFault()
		return answer{http.StatusInternalServerError, ctypeXML, soapFault("<faultcode>soapenv:Client</faultcode>", "Unable to parse the request: "+err.Error(), "")}
	}
	s.countOp("axl", op)
	resp := &bytes.Buffer{}
	resp.WriteString(envOpen)
	resp.WriteString("<ns:" + op + "Response")
	if seq != "" {
		resp.WriteString(` sequence="`)
		escape(resp, seq)
		resp.WriteString(`"`)
	}
	resp.WriteString(` xmlns:ns="`)
	escape(resp, ns)
	resp.WriteString(`">`)

	var a *answer
	switch {
	case op == "executeSQLQuery":
		a = s.executeSQL(ctx, resp, req.SQL, n, f)
	case op == "getCCMVersion":
		resp.WriteString("<return><componentVersion>")
		elem(resp, "version", s.sc.Version)
		resp.WriteString("</componentVersion></return>")
	case op == "listProcessNode":
		s.listProcessNode(resp, &req)
	case op == "listPhone":
		a = s.listPhone(resp, &req, f)
	case op == "executeSQLUpdate" || strings.HasPrefix(op, "add") || strings.HasPrefix(op, "update") ||
		strings.HasPrefix(op, "remove") || strings.HasPrefix(op, "do") || strings.HasPrefix(op, "apply") ||
		strings.HasPrefix(op, "reset") || strings.HasPrefix(op, "restart") || strings.HasPrefix(op, "wipe"):
		// The simulated application user holds the read-only AXL role: writes get 401.
		return answer{status: http.StatusUnauthorized}
	default:
		if action == "" {
			action = "CUCM:DB ver=" + nsVer + " " + op
		}
		return s.eprFault(action)
	}
	if a != nil {
		return *a
	}
	resp.WriteString("</ns:" + op + "Response>")
	resp.WriteString(envClose)
	return answer{http.StatusOK, ctypeXML, resp.Bytes()}
}

var (
	identRE    = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	funcNameRE = regexp.MustCompile(`^([a-z_][a-z0-9_]*)\s*\(`)
)

// informixError maps a SQLite error to an Informix-style code and message.
func informixError(err error) (int, string) {
	msg := err.Error()
	name := func(prefix string) string {
		i := strings.Index(msg, prefix)
		return strings.TrimSpace(msg[i+len(prefix):])
	}
	switch {
	case strings.Contains(msg, "no such table:"):
		return -206, fmt.Sprintf("The specified table (%s) is not in the database.", name("no such table:"))
	case strings.Contains(msg, "no such column:"):
		col := name("no such column:")
		if i := strings.LastIndex(col, "."); i >= 0 {
			col = col[i+1:]
		}
		return -217, fmt.Sprintf("Column (%s) not found in any table in the query (or SLV is undefined).", col)
	case strings.Contains(msg, "no such function:"):
		return -674, fmt.Sprintf("Routine (%s) can not be resolved.", name("no such function:"))
	case strings.Contains(msg, "ambiguous column name:"):
		return -324, fmt.Sprintf("Ambiguous column (%s).", name("ambiguous column name:"))
	case strings.Contains(msg, "syntax error"), strings.Contains(msg, "incomplete input"), strings.Contains(msg, "unrecognized token"):
		return -201, "A syntax error has occurred."
	}
	return -201, "A syntax error has occurred."
}

func columnElement(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if identRE.MatchString(n) {
		return n
	}
	if i := strings.LastIndex(n, "."); i >= 0 && identRE.MatchString(n[i+1:]) {
		return n[i+1:]
	}
	if m := funcNameRE.FindStringSubmatch(n); m != nil {
		return m[1]
	}
	return "expression"
}

func (s *Server) executeSQL(ctx context.Context, resp *bytes.Buffer, q string, n uint64, f Faults) *answer {
	const op = "executeSQLQuery"
	if s.chance("memory", n, f.AXLMemoryFaultRate) {
		a := s.axlFault(-1, "Maximum AXL Memory Allocation Consumed. Please retry once requests in progress have completed", op)
		return &a
	}
	if hook, n := s.queryHookFor(); hook != nil {
		hook(q, n)
	}
	if t := deniedTable(q, f.AXLTablesDenied); t != "" {
		a := s.axlFault(-272, fmt.Sprintf("No SELECT permission for %s.", t), op)
		return &a
	}
	s.dbMu.RLock()
	defer s.dbMu.RUnlock()
	sqlText, err := translateSQL(q)
	if err != nil {
		e := err.(*sqlError)
		a := s.axlFault(e.code, e.msg, op)
		return &a
	}
	rows, err := s.db.QueryContext(ctx, sqlText)
	if err != nil {
		code, msg := informixError(err)
		a := s.axlFault(code, msg, op)
		return &a
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		a := s.axlFault(-1, err.Error(), op)
		return &a
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = columnElement(c)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	start := resp.Len()
	var out bytes.Buffer
	total, fitting := 0, -1
	for rows.Next() {
		total++
		if fitting >= 0 {
			continue // only counting now
		}
		if err := rows.Scan(ptrs...); err != nil {
			a := s.axlFault(-1, err.Error(), op)
			return &a
		}
		out.WriteString("<row>")
		for i, v := range vals {
			elem(&out, names[i], sqlText2(v))
		}
		out.WriteString("</row>")
		if total > f.AXLMaxRows {
			fitting = f.AXLMaxRows
		} else if start+out.Len() > f.AXLMaxBytes {
			fitting = total - 1
		}
	}
	if err := rows.Err(); err != nil {
		code, msg := informixError(err)
		a := s.axlFault(code, msg, op)
		return &a
	}
	if fitting >= 0 {
		a := s.axlFault(-1, fmt.Sprintf("Query request too large. Total rows matched: %d rows. Suggestive Row Fetch: less than %d rows", total, max(fitting, 1)), op)
		return &a
	}
	if total == 0 {
		resp.WriteString("<return/>")
		return nil
	}
	resp.WriteString("<return>")
	resp.Write(out.Bytes())
	resp.WriteString("</return>")
	return nil
}

func sqlText2(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case []byte:
		return string(v)
	case string:
		return v
	case bool:
		if v {
			return "t"
		}
		return "f"
	}
	return fmt.Sprint(v)
}

func braceUUID(pkid string) string {
	if pkid == "" {
		return ""
	}
	return "{" + strings.ToUpper(pkid) + "}"
}

func (s *Server) listProcessNode(resp *bytes.Buffer, req *axlRequest) {
	tags := childNames(req.ReturnedTags.Inner)
	if len(tags) == 0 {
		tags = []string{"name", "description", "mac", "ipv6Name", "nodeUsage", "lbmHubGroup", "processNodeRole"}
	}
	type pn struct{ pkid, name, desc, usage, role string }
	all := []pn{{enterpriseWideDataPKID, "EnterpriseWideData", "", "Subscriber", processNodeRoles[0].name}}
	for _, n := range s.c.allNodes() {
		usage, role := "Subscriber", processNodeRoles[0].name
		if n.role == "publisher" {
			usage = "Publisher"
		}
		if n.imp() {
			role = processNodeRoles[1].name
		}
		all = append(all, pn{n.pkid, n.name, n.desc, usage, role})
	}
	pattern := "%"
	if req.SearchCriteria.Name != nil {
		pattern = *req.SearchCriteria.Name
	}
	var b bytes.Buffer
	for _, p := range all {
		if !likeMatch(pattern, p.name) {
			continue
		}
		b.WriteString(`<processNode uuid="` + braceUUID(p.pkid) + `">`)
		for _, t := range tags {
			switch t {
			case "name":
				elem(&b, t, p.name)
			case "description":
				elem(&b, t, p.desc)
			case "nodeUsage":
				elem(&b, t, p.usage)
			case "processNodeRole":
				elem(&b, t, p.role)
			case "mac", "ipv6Name":
				elem(&b, t, "")
			case "lbmHubGroup":
				b.WriteString(`<lbmHubGroup uuid=""/>`)
			}
		}
		b.WriteString("</processNode>")
	}
	if b.Len() == 0 {
		resp.WriteString("<return/>")
		return
	}
	resp.WriteString("<return>")
	resp.Write(b.Bytes())
	resp.WriteString("</return>")
}

// listPhone answers from the generated cluster (phones: typeclass Phone), ordered by name.
func (s *Server) listPhone(resp *bytes.Buffer, req *axlRequest, f Faults) *answer {
	tags := childNames(req.ReturnedTags.Inner)
	if len(tags) == 0 {
		tags = []string{"name", "description", "product", "model", "class", "protocol", "devicePoolName"}
	}
	sc := req.SearchCriteria
	match := func(p *string, v string) bool { return p == nil || likeMatch(*p, v) }
	var phones []*simDevice
	for _, d := range s.c.devices {
		if d.typeClass() != 1 || d.model.enum == 645 || d.risOnly { // not templates [inf]: UDTs have their own list op
			continue
		}
		if !match(sc.Name, d.name) || !match(sc.Description, d.desc) || !match(sc.Protocol, protocolName(d.protoEnum)) ||
			!match(sc.DevicePoolName, s.c.pools[d.pool].name) {
			continue
		}
		phones = append(phones, d)
	}
	sort.Slice(phones, func(a, b int) bool { return phones[a].name < phones[b].name })
	skip, _ := strconv.Atoi(strings.TrimSpace(req.Skip))
	if req.First != "" {
		first, _ := strconv.Atoi(strings.TrimSpace(req.First))
		skip = min(max(skip, 0), len(phones))
		phones = phones[skip:min(len(phones), skip+max(first, 0))]
	}
	if len(phones) > f.AXLMaxRows {
		a := s.axlFault(-1, fmt.Sprintf("Query request too large. Total rows matched: %d rows. Suggestive Row Fetch: less than %d rows", len(phones), f.AXLMaxRows), "listPhone")
		return &a
	}
	if len(phones) == 0 {
		resp.WriteString("<return/>")
		return nil
	}
	fk := func(b *bytes.Buffer, name, pkid, value string) {
		if value == "" {
			b.WriteString("<" + name + ` uuid=""/>`)
			return
		}
		b.WriteString("<" + name + ` uuid="` + braceUUID(pkid) + `">`)
		escape(b, value)
		b.WriteString("</" + name + ">")
	}
	resp.WriteString("<return>")
	for _, d := range phones {
		resp.WriteString(`<phone ctiid="0" uuid="` + braceUUID(d.pkid) + `">`)
		for _, t := range tags {
			switch t {
			case "name":
				elem(resp, t, d.name)
			case "description":
				elem(resp, t, d.desc)
			case "product":
				elem(resp, t, d.model.name)
			case "model":
				elem(resp, t, d.model.typeModelName())
			case "class":
				elem(resp, t, "Phone")
			case "protocol":
				elem(resp, t, protocolName(d.protoEnum))
			case "protocolSide":
				elem(resp, t, "User")
			case "devicePoolName":
				p := s.c.pools[d.pool]
				fk(resp, t, p.pkid, p.name)
			case "callingSearchSpaceName":
				fk(resp, t, s.c.css[d.css], d.css)
			case "locationName":
				fk(resp, t, s.c.locations[d.location], d.location)
			case "ownerUserName":
				if d.owner != nil {
					fk(resp, t, d.owner.pkid, d.owner.userid)
				} else {
					fk(resp, t, "", "")
				}
			case "isActive":
				elem(resp, t, "true")
			default:
				elem(resp, t, "")
			}
		}
		resp.WriteString("</phone>")
	}
	resp.WriteString("</return>")
	return nil
}

func protocolName(enum int) string {
	for _, p := range protocols {
		if p.enum == enum {
			return p.name
		}
	}
	return ""
}
