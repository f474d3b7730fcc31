// Package risport is a client for CUCM's RisPort70 selectCmDevice: request building, streaming
// decoding of both response shapes (with and without the selectCmDeviceReturn wrapper, searched
// by local name), rate-control fault detection and a sliding-window rate limiter.
package risport

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cucm-audit/cucm-audit/collect/soap"
	"github.com/cucm-audit/cucm-audit/snapshot"
)

// ClassAny is the DeviceClass that selects devices of every class (RISService70.wsdl's
// DeviceClass enumeration).
const ClassAny = "Any"

// Classes returns the RisPort DeviceClass values the collector queries, in query order, as a
// fresh slice the caller may change: every class but Unknown.
func Classes() []string {
	return slices.DeleteFunc(snapshot.DeviceClasses(), func(c string) bool { return c == "Unknown" })
}

// Return codes of a CmNode.
const (
	CodeOk       = "Ok"
	CodeNotFound = "NotFound"
)

// Client queries one RisPort70 endpoint.
type Client struct {
	soap *soap.Client
	url  string
}

// New builds a client over a SOAP transport (which should carry the rate limiter).
func New(sc *soap.Client, url string) *Client {
	return &Client{soap: sc, url: url}
}

// Criteria selects devices: by explicit names (SelectBy Name) or a wildcard such as "*".
type Criteria struct {
	Class      string
	Items      []string
	MaxDevices int
	StateInfo  string
	// Ext uses selectCmDeviceExt (newest record per device only, no wildcards).
	Ext bool
}

// Node is one CmNode of an answer.
type Node struct {
	Name       string
	ReturnCode string
	NoChange   bool
	Devices    []snapshot.RisDevice
}

// Answer is one selectCmDevice answer.
type Answer struct {
	TotalDevicesFound int
	Nodes             []Node
	StateInfo         string
}

// StateNode is one node an answer's StateInfo describes (<StateInfo><Node Name="..."
// TotalItemsFound="..." TotalItemsReturned="..."/>): a node that answered, with nothing to list
// or not. Found and Returned are -1 when absent.
type StateNode struct {
	Name            string
	Found, Returned int
}

// StateNodes are the nodes the answer's StateInfo describes. Nil when the StateInfo names no
// node or is not that XML (a cluster may hand back any opaque token).
func (a *Answer) StateNodes() []StateNode {
	if !strings.Contains(a.StateInfo, "<") {
		return nil
	}
	var nodes []StateNode
	d := xml.NewDecoder(strings.NewReader(a.StateInfo))
	for {
		tok, err := d.Token()
		if err != nil {
			return nodes
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Node" {
			continue
		}
		n := StateNode{Found: -1, Returned: -1}
		for _, at := range se.Attr {
			v := strings.TrimSpace(at.Value)
			switch at.Name.Local {
			case "Name":
				n.Name = v
			case "TotalItemsFound":
				if i, err := strconv.Atoi(v); err == nil {
					n.Found = i
				}
			case "TotalItemsReturned":
				if i, err := strconv.Atoi(v); err == nil {
					n.Returned = i
				}
			}
		}
		if n.Name != "" {
			nodes = append(nodes, n)
		}
	}
}

// Truncated reports whether the answer says itself that it holds fewer entries than matched: a
// node of its StateInfo found more items than it returned, or TotalDevicesFound exceeds the
// entries. (A cluster may also cut an answer at its cap without saying so: callers compare the
// entries with the cap too.)
func (a *Answer) Truncated() bool {
	if a.TotalDevicesFound > a.Entries() {
		return true
	}
	for _, n := range a.StateNodes() {
		if n.Found >= 0 && n.Returned >= 0 && n.Found > n.Returned {
			return true
		}
	}
	return false
}

// Entries is the number of device entries in the answer, over every node.
func (a *Answer) Entries() int {
	n := 0
	for _, nd := range a.Nodes {
		n += len(nd.Devices)
	}
	return n
}

// IsRateControl reports whether a fault is RisPort's "Exceeded allowed rate" rate-control fault.
func IsRateControl(f *soap.Fault) bool {
	return strings.Contains(f.Code, "RateControl") ||
		strings.Contains(strings.ToLower(f.String), "exceeded allowed rate")
}

// BuildRequest renders the SOAP envelope of a selectCmDevice(Ext) request.
func BuildRequest(c Criteria) []byte {
	op := "selectCmDevice"
	if c.Ext {
		op = "selectCmDeviceExt"
	}
	var b strings.Builder
	b.Grow(200 + 48*len(c.Items))
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap="http://schemas.cisco.com/ast/soap"><soapenv:Header/><soapenv:Body><soap:`)
	b.WriteString(op)
	b.WriteString(`><soap:StateInfo>`)
	b.WriteString(soap.Escape(c.StateInfo))
	b.WriteString(`</soap:StateInfo><soap:CmSelectionCriteria><soap:MaxReturnedDevices>`)
	b.WriteString(strconv.Itoa(c.MaxDevices))
	b.WriteString(`</soap:MaxReturnedDevices><soap:DeviceClass>`)
	b.WriteString(soap.Escape(c.Class))
	b.WriteString(`</soap:DeviceClass><soap:Model>255</soap:Model><soap:Status>Any</soap:Status><soap:NodeName></soap:NodeName><soap:SelectBy>Name</soap:SelectBy><soap:SelectItems>`)
	for _, it := range c.Items {
		b.WriteString(`<soap:item><soap:Item>`)
		b.WriteString(soap.Escape(it))
		b.WriteString(`</soap:Item></soap:item>`)
	}
	b.WriteString(`</soap:SelectItems><soap:Protocol>Any</soap:Protocol><soap:DownloadStatus>Any</soap:DownloadStatus></soap:CmSelectionCriteria></soap:`)
	b.WriteString(op)
	b.WriteString(`></soapenv:Body></soapenv:Envelope>`)
	return []byte(b.String())
}

// SelectCmDevice sends one query and returns the decoded answer.
func (c *Client) SelectCmDevice(ctx context.Context, crit Criteria) (*Answer, error) {
	var ans *Answer
	action := "selectCmDevice"
	if crit.Ext {
		action = "selectCmDeviceExt"
	}
	fast := func(s *soap.Scanner) bool {
		a, ok := decodeFast(s)
		ans = a
		return ok
	}
	err := c.soap.Call(ctx, soap.Request{URL: c.url, SOAPAction: action, Body: BuildRequest(crit), Fast: fast},
		func(d *xml.Decoder, start xml.StartElement) error {
			a, err := Decode(d, start)
			ans = a
			return err
		})
	if err != nil {
		return nil, err
	}
	return ans, nil
}

// Namespace is RisPort70's XML namespace. The deprecated RisPort (non-70) answer uses the same
// with a trailing slash.
const Namespace = "http://schemas.cisco.com/ast/soap"

// Decode reads a selectCmDevice response element (already started) by local names, so both the
// RisPort70 shape (selectCmDeviceResponse/selectCmDeviceReturn/SelectCmDeviceResult) and the
// shape without the wrapper (SelectCmDeviceResponse/SelectCmDeviceResult) are accepted; both
// selectCmDevice and selectCmDeviceExt answer selectCmDeviceResponse. An answer that is not that
// (another element, another namespace, no SelectCmDeviceResult with its CmNodes, a CmNode
// without its Name, a device without its Name) is a *soap.PayloadError: reading it as "no
// devices" would report every configured phone as never registered.
func Decode(d *xml.Decoder, start xml.StartElement) (*Answer, error) {
	if err := soap.Expect(start, "selectCmDeviceResponse", Namespace); err != nil {
		return nil, err
	}
	a := &Answer{}
	results := 0
	if err := decodeReturn(d, a, &results, true); err != nil {
		return nil, err
	}
	switch {
	case results == 0:
		return nil, soap.Missing("SelectCmDeviceResult with CmNodes (an empty selectCmDevice answer)")
	case results > 1:
		return nil, &soap.PayloadError{Msg: "more than one SelectCmDeviceResult"}
	}
	return a, nil
}

// decodeReturn reads the children of selectCmDeviceResponse, or of its selectCmDeviceReturn
// (outer false), up to the end of that element.
func decodeReturn(d *xml.Decoder, a *Answer, results *int, outer bool) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "selectCmDeviceReturn":
				if !outer {
					return &soap.PayloadError{Msg: "selectCmDeviceReturn inside selectCmDeviceReturn"}
				}
				if err := decodeReturn(d, a, results, false); err != nil {
					return err
				}
			case "SelectCmDeviceResult":
				*results++
				if err := decodeResult(d, a); err != nil {
					return err
				}
			case "StateInfo":
				s, err := soap.Text(d)
				if err != nil {
					return err
				}
				a.StateInfo = strings.TrimSpace(s)
			default:
				if err := d.Skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			return nil
		}
	}
}

// decodeResult reads a SelectCmDeviceResult (already started): TotalDevicesFound and CmNodes,
// which must be there (a zero-device answer has <CmNodes xsi:nil="1"/>).
func decodeResult(d *xml.Decoder, a *Answer) error {
	sawNodes := false
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "TotalDevicesFound":
				s, err := soap.Text(d)
				if err != nil {
					return err
				}
				a.TotalDevicesFound, _ = strconv.Atoi(strings.TrimSpace(s))
			case "CmNodes":
				if sawNodes {
					return &soap.PayloadError{Msg: "more than one CmNodes in SelectCmDeviceResult"}
				}
				sawNodes = true
				nodes, err := decodeNodes(d)
				if err != nil {
					return err
				}
				a.Nodes = append(a.Nodes, nodes...)
			default:
				if err := d.Skip(); err != nil {
					return err
				}
			}
		case xml.EndElement:
			if !sawNodes {
				return soap.Missing("CmNodes in its SelectCmDeviceResult")
			}
			return nil
		}
	}
}

// decodeNodes reads the items of CmNodes (already started) up to its end.
func decodeNodes(d *xml.Decoder) ([]Node, error) {
	var nodes []Node
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch tok.(type) {
		case xml.StartElement:
			// Every child of CmNodes is a node item.
			n, err := decodeNode(d)
			if err != nil {
				return nil, err
			}
			if n.Name == "" {
				return nil, soap.Missing("Name in one of its CmNode items")
			}
			nodes = append(nodes, n)
		case xml.EndElement:
			return nodes, nil
		}
	}
}

func decodeNode(d *xml.Decoder) (Node, error) {
	var n Node
	for {
		tok, err := d.Token()
		if err != nil {
			return n, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "CmDevices":
				devs, err := decodeDevices(d)
				if err != nil {
					return n, err
				}
				n.Devices = append(n.Devices, devs...)
			default:
				s, err := soap.Text(d)
				if err != nil {
					return n, err
				}
				s = strings.TrimSpace(s)
				switch t.Name.Local {
				case "ReturnCode":
					n.ReturnCode = s
				case "Name":
					n.Name = s
				case "NoChange":
					n.NoChange, _ = strconv.ParseBool(s)
				}
			}
		case xml.EndElement:
			for i := range n.Devices {
				n.Devices[i].Node = n.Name
			}
			return n, nil
		}
	}
}

type xmlDevice struct {
	Name                 string       `xml:"Name"`
	DirNumber            string       `xml:"DirNumber"`
	DeviceClass          string       `xml:"DeviceClass"`
	LegacyClass          string       `xml:"Class"`
	Model                string       `xml:"Model"`
	Product              string       `xml:"Product"`
	Httpd                string       `xml:"Httpd"`
	RegistrationAttempts string       `xml:"RegistrationAttempts"`
	IsCtiControllable    string       `xml:"IsCtiControllable"`
	LoginUserID          string       `xml:"LoginUserId"`
	Status               string       `xml:"Status"`
	StatusReason         string       `xml:"StatusReason"`
	Description          string       `xml:"Description"`
	TimeStamp            string       `xml:"TimeStamp"`
	Protocol             string       `xml:"Protocol"`
	NumOfLines           string       `xml:"NumOfLines"`
	LinesStatus          []lineStatus `xml:"LinesStatus>item"`
	ActiveLoadID         string       `xml:"ActiveLoadID"`
	InactiveLoadID       string       `xml:"InactiveLoadID"`
	DownloadStatus       string       `xml:"DownloadStatus"`
	IPAddress            []ipAddress  `xml:"IPAddress>item"`
	LegacyIP             string       `xml:"IpAddress"`
}

type lineStatus struct {
	DirectoryNumber string `xml:"DirectoryNumber"`
	Status          string `xml:"Status"`
}

type ipAddress struct {
	IP         string `xml:"IP"`
	IPAddrType string `xml:"IPAddrType"`
}

func decodeDevices(d *xml.Decoder) ([]snapshot.RisDevice, error) {
	var out []snapshot.RisDevice
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var x xmlDevice
			if err := d.DecodeElement(&x, &t); err != nil {
				return nil, err
			}
			r := x.record()
			if r.Name == "" {
				return nil, soap.Missing("Name in one of its CmDevice items")
			}
			out = append(out, r)
		case xml.EndElement:
			return out, nil
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func (x *xmlDevice) record() snapshot.RisDevice {
	r := snapshot.RisDevice{
		Name:                 strings.TrimSpace(x.Name),
		DeviceClass:          strings.TrimSpace(x.DeviceClass),
		Model:                atoi(x.Model),
		Product:              atoi(x.Product),
		Status:               strings.TrimSpace(x.Status),
		StatusReason:         atoi(x.StatusReason),
		Protocol:             strings.TrimSpace(x.Protocol),
		Description:          x.Description,
		DirNumber:            x.DirNumber,
		NumLines:             atoi(x.NumOfLines),
		ActiveLoad:           strings.TrimSpace(x.ActiveLoadID),
		InactiveLoad:         strings.TrimSpace(x.InactiveLoadID),
		DownloadStatus:       strings.TrimSpace(x.DownloadStatus),
		LoginUser:            strings.TrimSpace(x.LoginUserID),
		RegistrationAttempts: atoi(x.RegistrationAttempts),
		Httpd:                strings.TrimSpace(x.Httpd),
	}
	r.TimeStamp, _ = strconv.ParseInt(strings.TrimSpace(x.TimeStamp), 10, 64)
	r.IsCtiControllable, _ = strconv.ParseBool(strings.TrimSpace(x.IsCtiControllable))
	if r.DeviceClass == "" {
		r.DeviceClass = strings.TrimSpace(x.LegacyClass)
	}
	if r.Status == "" {
		r.Status = "Unknown"
	}
	var lines []string
	for _, l := range x.LinesStatus {
		lines = append(lines, strings.TrimSpace(l.DirectoryNumber)+"="+strings.TrimSpace(l.Status))
	}
	r.LinesStatus = strings.Join(lines, ",")
	var ips []string
	for _, ip := range x.IPAddress {
		v := strings.TrimSpace(ip.IP)
		if v == "" {
			continue
		}
		ips = append(ips, v)
		if r.IPv4 == "" && (ip.IPAddrType == "ipv4" || ip.IPAddrType == "" && !strings.Contains(v, ":")) {
			r.IPv4 = v
		}
	}
	if len(ips) == 0 && strings.TrimSpace(x.LegacyIP) != "" {
		v := strings.TrimSpace(x.LegacyIP)
		ips = append(ips, v)
		r.IPv4 = v
	}
	r.IPAddresses = strings.Join(ips, ",")
	return r
}

// Limiter paces requests in a sliding window: never more than N starts within any interval of
// one window (plus a small margin for network jitter), so no fixed server-side window can see
// more than N either.
type Limiter struct {
	// OnWait, when set (before the first Wait), is told each wait before it starts, so a
	// progress line can show it. It runs with the limiter locked and must not call it.
	OnWait func(time.Duration)

	n      int
	window time.Duration
	margin time.Duration
	mu     sync.Mutex
	starts []time.Time
	waited time.Duration
}

// NewLimiter allows n requests per window; n <= 0 disables pacing.
func NewLimiter(n int, window time.Duration) *Limiter {
	return &Limiter{n: n, window: window, margin: window / 20}
}

// Wait blocks until one more request may start, then records it.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil || l.n <= 0 || l.window <= 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		now := time.Now()
		if len(l.starts) < l.n {
			l.starts = append(l.starts, now)
			return nil
		}
		next := l.starts[0].Add(l.window + l.margin)
		if !now.Before(next) {
			l.starts = append(l.starts[1:], now)
			return nil
		}
		d := next.Sub(now)
		if l.OnWait != nil {
			l.OnWait(d)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
			l.waited += d
		}
	}
}

// Waited is the total time spent pacing.
func (l *Limiter) Waited() time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waited
}

// String describes the policy for `check`.
func (l *Limiter) String() string {
	if l == nil || l.n <= 0 {
		return "no pacing"
	}
	return fmt.Sprintf("at most %d requests in any %s (sliding window)", l.n, l.window)
}
