package cucmsim

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// risRequest is the body of selectCmDevice and selectCmDeviceExt (identical).
type risRequest struct {
	StateInfo string `xml:"StateInfo"`
	Criteria  struct {
		MaxReturnedDevices string `xml:"MaxReturnedDevices"`
		DeviceClass        string `xml:"DeviceClass"`
		Model              string `xml:"Model"`
		Status             string `xml:"Status"`
		NodeName           string `xml:"NodeName"`
		SelectBy           string `xml:"SelectBy"`
		SelectItems        struct {
			Items []struct {
				Item string `xml:"Item"`
			} `xml:"item"`
		} `xml:"SelectItems"`
		Protocol       string `xml:"Protocol"`
		DownloadStatus string `xml:"DownloadStatus"`
	} `xml:"CmSelectionCriteria"`
}

const risNS = "http://schemas.cisco.com/ast/soap"

func (s *Server) risFault(code, msg string) answer {
	s.countFault()
	return answer{http.StatusInternalServerError, ctypeXML, soapFault("<faultcode>"+code+"</faultcode>", msg, "")}
}

// risport answers one RisPort70 request. SOAPAction is ignored: the Body's element decides.
func (s *Server) risport(body []byte, f Faults) answer {
	d, start, err := bodyElement(body)
	if err != nil {
		return s.risFault("soapenv:Client", "Unable to parse the request: "+err.Error())
	}
	op := start.Name.Local
	if op != "selectCmDevice" && op != "selectCmDeviceExt" {
		s.countFault()
		msg := "The endpoint reference (EPR) for the Operation not found is https://" + s.c.nodes[0].name +
			":8443/realtimeservice2/services/RISService70 and the WSA Action = " + op
		return answer{http.StatusInternalServerError, ctypeXML,
			soapFault(`<faultcode xmlns:axis2ns1="http://schemas.xmlsoap.org/soap/envelope/">axis2ns1:Client</faultcode>`, msg, "")}
	}
	var req risRequest
	if err := d.DecodeElement(&req, &start); err != nil {
		return s.risFault("soapenv:Client", "Unable to parse the request: "+err.Error())
	}
	s.countOp("risport", op)
	cr := req.Criteria
	class := strings.TrimSpace(cr.DeviceClass)
	if class == "" {
		class = "Any"
	}
	// An Any query collects every class, so it fails where any class fails.
	if slices.Contains(f.ClassesFailing, class) || class == "Any" && len(f.ClassesFailing) > 0 {
		return s.risFault("soapenv:Server", "Internal error while collecting real-time information for DeviceClass "+class)
	}
	limit := f.RisPortMaxDevices
	if v, err := strconv.Atoi(strings.TrimSpace(cr.MaxReturnedDevices)); err == nil && v > 0 && v < limit {
		limit = v
	}
	model := 255
	if v, err := strconv.Atoi(strings.TrimSpace(cr.Model)); err == nil {
		model = v
	}
	status := strings.TrimSpace(cr.Status)
	protocol := strings.TrimSpace(cr.Protocol)
	selectBy := strings.TrimSpace(cr.SelectBy)
	if selectBy == "" {
		selectBy = "Name"
	}
	var items []string
	for _, it := range cr.SelectItems.Items {
		if v := strings.TrimSpace(it.Item); v != "" {
			items = append(items, v)
		}
	}
	nodeFilter := strings.TrimSpace(cr.NodeName)
	nodeState := make([]string, len(s.c.nodes)) // "" = Ok
	for i, n := range s.c.nodes {
		switch {
		case slices.Contains(f.NodesNotResponding, n.name):
			nodeState[i] = "NodeNotResponding"
		case slices.Contains(f.NodesNotFound, n.name):
			nodeState[i] = "NotFound"
		case slices.Contains(f.NodesSilent, n.name):
			nodeState[i] = "silent"
		}
	}
	nodeWanted := func(i int) bool { return nodeFilter == "" || strings.EqualFold(nodeFilter, s.c.nodes[i].name) }
	ext := op == "selectCmDeviceExt"

	rowMatches := func(r *risRow) bool {
		d := r.dev
		if class != "Any" && d.model.risClass != class {
			return false
		}
		if model != 255 && d.model.enum != model {
			return false
		}
		if status != "" && status != "Any" && r.status != status {
			return false
		}
		if protocol != "" && protocol != "Any" && d.protoRis != protocol {
			return false
		}
		return true
	}
	// Name selection: exact names are looked up, only wildcard items are matched against every
	// row (selectCmDeviceExt takes * literally).
	exact := map[*simDevice]bool{}
	var globs []string
	if selectBy == "Name" {
		for _, it := range items {
			if !ext && strings.Contains(it, "*") {
				globs = append(globs, strings.ToUpper(it))
			} else if d := s.c.byName[strings.ToUpper(it)]; d != nil {
				exact[d] = true
			}
		}
	}
	itemMatches := func(r *risRow) bool {
		if len(items) == 0 {
			return true
		}
		if selectBy == "Name" {
			if exact[r.dev] {
				return true
			}
			for _, g := range globs {
				if globMatch(g, r.dev.upper) {
					return true
				}
			}
			return false
		}
		for _, it := range items {
			var ok bool
			switch selectBy {
			case "IPV4Address", "IPAddress":
				ok = r.ip != "" && globMatch(it, r.ip)
			case "DirNumber":
				for _, l := range r.dev.lines {
					ok = ok || globMatch(it, l.dn)
				}
			case "Description":
				ok = globMatch(it, r.dev.desc)
			}
			if ok {
				return true
			}
		}
		return false
	}
	available := func(r *risRow) bool { return nodeState[r.node] == "" && nodeWanted(r.node) }

	// The flat answer: rows in node order, then device name. When the query names devices
	// exactly or by prefix ("SEP00*"), the candidates come from the name index instead of a scan
	// of every row; the answer is the same.
	var flat []*risRow
	byNameOnly := selectBy == "Name" && len(items) > 0 && allPrefixGlobs(globs)
	var named []*simDevice // the named devices, when that is all the query asks
	if byNameOnly {
		for _, g := range globs {
			p := strings.TrimSuffix(g, "*")
			lo, _ := slices.BinarySearchFunc(s.c.byUpper, p, func(d *simDevice, p string) int { return strings.Compare(d.upper, p) })
			for _, d := range s.c.byUpper[lo:] {
				if !strings.HasPrefix(d.upper, p) {
					break
				}
				exact[d] = true
			}
		}
		for d := range exact {
			named = append(named, d) // map order: flat is sorted by node and name below
		}
	}
	if ext {
		devs := s.c.devices
		if byNameOnly {
			devs = named
		}
		for _, d := range devs {
			var best *risRow
			for _, r := range d.ris {
				if !available(r) {
					continue
				}
				if best == nil || r.ts > best.ts {
					best = r
				}
			}
			if best != nil && rowMatches(best) && itemMatches(best) {
				flat = append(flat, best)
			}
		}
		slices.SortStableFunc(flat, func(a, b *risRow) int {
			if a.node != b.node {
				return a.node - b.node
			}
			return strings.Compare(a.dev.name, b.dev.name)
		})
	} else if byNameOnly {
		for _, d := range named {
			for _, r := range d.ris {
				if available(r) && rowMatches(r) {
					flat = append(flat, r)
				}
			}
		}
	} else {
		for _, r := range s.c.ris {
			if available(r) && rowMatches(r) && itemMatches(r) {
				flat = append(flat, r)
			}
		}
	}
	if byNameOnly {
		slices.SortStableFunc(flat, func(a, b *risRow) int {
			if a.node != b.node {
				return a.node - b.node
			}
			return strings.Compare(a.dev.name, b.dev.name)
		})
	}

	// Paging.
	qhash := s.queryHash(op, &req)
	offset := 0
	if f.RisPortStateInfoPaging {
		if m := cursorRE.FindStringSubmatch(req.StateInfo); m != nil && m[2] == qhash {
			offset, _ = strconv.Atoi(m[1])
			offset = min(offset, len(flat))
		}
	}
	end := min(len(flat), offset+limit)
	page := flat[offset:end]
	perNode := make([][]*risRow, len(s.c.nodes))
	for _, r := range page {
		perNode[r.node] = append(perNode[r.node], r)
	}
	hadAny := make([]bool, len(s.c.nodes))
	for _, r := range flat {
		hadAny[r.node] = true
	}

	// A real cluster answers a StateInfo that describes each node that answered; passed back, it
	// does not continue the answer (the simulator ignores it on input). With StateInfo paging it
	// also carries a cursor while more remain, and is empty at the end.
	stateInfo := ""
	if !f.RisPortStateInfoPaging || end < len(flat) {
		var b strings.Builder
		b.WriteString(`<StateInfo ClusterWide="1"`)
		if f.RisPortStateInfoPaging {
			fmt.Fprintf(&b, ` Cursor="%d" Query="%s"`, end, qhash)
		}
		b.WriteString(`>`)
		for i, n := range s.c.nodes {
			if nodeState[i] != "" || !nodeWanted(i) {
				continue
			}
			fmt.Fprintf(&b, `<Node Name="%s" SubsystemStartTime="%d" StateId="%d" TotalItemsFound="%d" TotalItemsReturned="%d"/>`,
				n.name, s.sc.Now.Unix()-86400*7, 1000+i, countNode(flat, i), len(perNode[i]))
		}
		b.WriteString(`</StateInfo>`)
		stateInfo = b.String()
	}

	type nodeItem struct {
		node int
		code string
		devs []*risRow
	}
	var nodes []nodeItem
	for i := range s.c.nodes {
		if !nodeWanted(i) {
			continue
		}
		switch {
		case nodeState[i] == "silent":
		case nodeState[i] != "":
			nodes = append(nodes, nodeItem{i, nodeState[i], nil})
		case len(perNode[i]) > 0:
			nodes = append(nodes, nodeItem{i, "Ok", perNode[i]})
		case !hadAny[i] && f.RisPortEmptyNodes == "notfound":
			nodes = append(nodes, nodeItem{i, "NotFound", nil})
		}
	}
	if nodeFilter != "" && !slices.ContainsFunc(s.c.nodes, func(n *simNode) bool { return strings.EqualFold(n.name, nodeFilter) }) {
		nodes = nil
	}

	var b bytes.Buffer
	b.Grow(len(page)*1800 + 1024)
	legacy := f.RisPortLegacyShape
	p := "ns1:"
	if legacy {
		p = ""
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`)
		b.WriteString(`<ns1:SelectCmDeviceResponse soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="http://schemas.cisco.com/ast/soap/">`)
		b.WriteString(`<SelectCmDeviceResult xsi:type="ns1:SelectCmDeviceResult">`)
		b.WriteString(`<TotalDevicesFound xsi:type="xsd:unsignedInt">` + strconv.Itoa(len(page)) + `</TotalDevicesFound>`)
	} else {
		b.WriteString(envOpen)
		b.WriteString(`<ns1:selectCmDeviceResponse xmlns:ns1="` + risNS + `"><ns1:selectCmDeviceReturn><ns1:SelectCmDeviceResult>`)
		b.WriteString(`<ns1:TotalDevicesFound>` + strconv.Itoa(len(page)) + `</ns1:TotalDevicesFound>`)
	}
	switch {
	case len(nodes) == 0 && legacy:
		b.WriteString(`<CmNodes xsi:nil="true"/>`)
	case len(nodes) == 0:
		b.WriteString(`<ns1:CmNodes xsi:nil="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>`)
	default:
		if legacy {
			fmt.Fprintf(&b, `<CmNodes soapenc:arrayType="ns1:CmNode[%d]" xsi:type="soapenc:Array" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/">`, len(nodes))
		} else {
			b.WriteString(`<ns1:CmNodes>`)
		}
		for _, ni := range nodes {
			if legacy {
				b.WriteString(`<item xsi:type="ns1:CmNode">`)
			} else {
				b.WriteString(`<ns1:item>`)
			}
			elem(&b, p+"ReturnCode", ni.code)
			elem(&b, p+"Name", s.c.nodes[ni.node].name)
			elem(&b, p+"NoChange", "false")
			if len(ni.devs) == 0 {
				b.WriteString("<" + p + "CmDevices/>")
			} else {
				if legacy {
					fmt.Fprintf(&b, `<CmDevices soapenc:arrayType="ns1:CmDevice[%d]" xsi:type="soapenc:Array" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/">`, len(ni.devs))
				} else {
					b.WriteString(`<ns1:CmDevices>`)
				}
				for _, r := range ni.devs {
					s.writeDevice(&b, p, r, legacy)
				}
				b.WriteString("</" + p + "CmDevices>")
			}
			b.WriteString("</" + p + "item>")
		}
		b.WriteString("</" + p + "CmNodes>")
	}
	if legacy {
		b.WriteString(`</SelectCmDeviceResult><StateInfo xsi:type="xsd:string">`)
		escape(&b, stateInfo)
		b.WriteString(`</StateInfo></ns1:SelectCmDeviceResponse>`)
	} else {
		b.WriteString(`</ns1:SelectCmDeviceResult>`)
		elem(&b, "ns1:StateInfo", stateInfo)
		b.WriteString(`</ns1:selectCmDeviceReturn></ns1:selectCmDeviceResponse>`)
	}
	b.WriteString(envClose)
	return answer{http.StatusOK, ctypeXML, b.Bytes()}
}

var cursorRE = regexp.MustCompile(`Cursor="(\d+)" Query="([0-9a-f]+)"`)

func countNode(rows []*risRow, node int) int {
	n := 0
	for _, r := range rows {
		if r.node == node {
			n++
		}
	}
	return n
}

// queryHash ties a StateInfo cursor to the query it continues.
func (s *Server) queryHash(op string, req *risRequest) string {
	c := req.Criteria
	h := sha1.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%s|%s|%s|%s|", op, c.DeviceClass, c.Model, c.Status, c.NodeName, c.SelectBy, c.Protocol, c.MaxReturnedDevices)
	for _, it := range c.SelectItems.Items {
		fmt.Fprintf(h, "%s,", it.Item)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

var h323Fields = []string{"ConfigName", "TechPrefix", "Zone", "RemoteCmServer1", "RemoteCmServer2", "RemoteCmServer3", "AltGkList", "ActiveGk", "CallSignalAddr", "RasAddr"}

// writeDevice writes one CmDevice in WSDL order.
func (s *Server) writeDevice(b *bytes.Buffer, p string, r *risRow, legacy bool) {
	d := r.dev
	if legacy {
		b.WriteString(`<item xsi:type="ns1:CmDevice">`)
	} else {
		b.WriteString(`<ns1:item>`)
	}
	lineStatus := func(i int) string {
		switch r.status {
		case "PartiallyRegistered":
			if i == 0 {
				return "Registered"
			}
			return "UnRegistered"
		case "Registered", "UnRegistered", "Rejected":
			return r.status
		}
		return "Unknown"
	}
	var dir strings.Builder
	for i, l := range d.lines {
		if i > 0 {
			dir.WriteByte(',')
		}
		dir.WriteString(l.dn + "-" + lineStatus(i))
	}
	isPhone := d.model.risClass == "Phone"
	elem(b, p+"Name", d.name)
	elem(b, p+"DirNumber", dir.String())
	elem(b, p+"DeviceClass", d.model.risClass)
	elem(b, p+"Model", strconv.Itoa(d.model.enum))
	elem(b, p+"Product", strconv.Itoa(d.model.productEnum()))
	elem(b, p+"BoxProduct", "0")
	httpd := "No"
	if isPhone {
		httpd = "Yes"
	}
	elem(b, p+"Httpd", httpd)
	elem(b, p+"RegistrationAttempts", "0")
	elem(b, p+"IsCtiControllable", strconv.FormatBool(isPhone))
	elem(b, p+"LoginUserId", r.login)
	elem(b, p+"Status", r.status)
	elem(b, p+"StatusReason", strconv.Itoa(r.reason))
	perf := "2"
	if !isPhone {
		perf = "1"
	}
	elem(b, p+"PerfMonObject", perf)
	elem(b, p+"DChannel", "0")
	elem(b, p+"Description", d.desc)
	b.WriteString("<" + p + "H323Trunk>")
	for _, h := range h323Fields {
		if legacy {
			b.WriteString("<" + h + ` xsi:nil="true"/>`)
		} else {
			b.WriteString("<ns1:" + h + ` xsi:nil="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>`)
		}
	}
	b.WriteString("</" + p + "H323Trunk>")
	elem(b, p+"TimeStamp", strconv.FormatInt(r.ts, 10))
	elem(b, p+"Protocol", d.protoRis)
	elem(b, p+"NumOfLines", strconv.Itoa(len(d.lines)))
	if len(d.lines) == 0 {
		b.WriteString("<" + p + "LinesStatus/>")
	} else {
		b.WriteString("<" + p + "LinesStatus>")
		for i, l := range d.lines {
			b.WriteString("<" + p + "item>")
			elem(b, p+"DirectoryNumber", l.dn)
			elem(b, p+"Status", lineStatus(i))
			b.WriteString("</" + p + "item>")
		}
		b.WriteString("</" + p + "LinesStatus>")
	}
	elem(b, p+"ActiveLoadID", r.active)
	elem(b, p+"InactiveLoadID", r.inactive)
	dl := "Unknown"
	if r.active != "" {
		dl = "Successful"
	}
	elem(b, p+"DownloadStatus", dl)
	elem(b, p+"DownloadFailureReason", "")
	elem(b, p+"DownloadServer", "")
	if r.ip == "" {
		b.WriteString("<" + p + "IPAddress/>")
	} else {
		b.WriteString("<" + p + "IPAddress><" + p + "item>")
		elem(b, p+"IP", r.ip)
		elem(b, p+"IPAddrType", "ipv4")
		elem(b, p+"Attribute", "Unknown")
		b.WriteString("</" + p + "item></" + p + "IPAddress>")
	}
	b.WriteString("</" + p + "item>")
}

// allPrefixGlobs reports whether every glob is a prefix ("ABC*": one trailing star; "*" alone
// reads every row, which the scan does best).
func allPrefixGlobs(globs []string) bool {
	for _, g := range globs {
		if g == "*" || strings.Index(g, "*") != len(g)-1 {
			return false
		}
	}
	return true
}
