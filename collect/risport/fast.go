package risport

import (
	"strconv"
	"strings"

	"github.com/cucm-audit/cucm-audit/collect/soap"
)

// decodeFast is Decode's fast path (soap.FastFunc): the same walk by local names over a
// soap.Scanner, each CmDevice item read into an xmlDevice as encoding/xml's DecodeElement fills
// it (the last of a repeated element wins, LinesStatus and IPAddress items are appended) and
// turned into the same record. What Decode rejects, it declines, so that Decode says why.
func decodeFast(s *soap.Scanner) (*Answer, bool) {
	if !s.Expect("selectCmDeviceResponse", Namespace) {
		return nil, false
	}
	f := fastReader{s: s}
	a := &Answer{}
	results := 0
	if !f.ret(a, &results, true) || results != 1 {
		return nil, false
	}
	return a, true
}

type fastReader struct {
	s   *soap.Scanner
	buf []byte
}

// text is the character data of the element just started.
func (f *fastReader) text() (string, bool) {
	var ok bool
	f.buf, ok = f.s.Text(f.buf[:0])
	if !ok {
		return "", false
	}
	return string(f.buf), true
}

// ret reads selectCmDeviceResponse or its selectCmDeviceReturn (outer false), as decodeReturn.
func (f *fastReader) ret(a *Answer, results *int, outer bool) bool {
	s := f.s
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			return true
		}
		switch string(s.Local()) {
		case "selectCmDeviceReturn":
			if !outer || !f.ret(a, results, false) {
				return false
			}
		case "SelectCmDeviceResult":
			*results++
			if !f.result(a) {
				return false
			}
		case "StateInfo":
			t, ok := f.text()
			if !ok {
				return false
			}
			a.StateInfo = strings.TrimSpace(t)
		default:
			if !s.Skip() {
				return false
			}
		}
	}
}

// result reads a SelectCmDeviceResult, as decodeResult.
func (f *fastReader) result(a *Answer) bool {
	s := f.s
	sawNodes := false
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			return sawNodes
		}
		switch string(s.Local()) {
		case "TotalDevicesFound":
			t, ok := f.text()
			if !ok {
				return false
			}
			a.TotalDevicesFound, _ = strconv.Atoi(strings.TrimSpace(t))
		case "CmNodes":
			if sawNodes {
				return false
			}
			sawNodes = true
			for {
				more, ok := s.Child()
				if !ok {
					return false
				}
				if !more {
					break
				}
				n, ok := f.node()
				if !ok || n.Name == "" {
					return false
				}
				a.Nodes = append(a.Nodes, n)
			}
		default:
			if !s.Skip() {
				return false
			}
		}
	}
}

// node reads one CmNodes item, as decodeNode.
func (f *fastReader) node() (Node, bool) {
	s := f.s
	var n Node
	for {
		more, ok := s.Child()
		if !ok {
			return n, false
		}
		if !more {
			break
		}
		if string(s.Local()) == "CmDevices" {
			for {
				more, ok := s.Child()
				if !ok {
					return n, false
				}
				if !more {
					break
				}
				var x xmlDevice
				if !f.device(&x) {
					return n, false
				}
				r := x.record()
				if r.Name == "" {
					return n, false
				}
				n.Devices = append(n.Devices, r)
			}
			continue
		}
		local := s.Local()
		field := 0
		switch string(local) {
		case "ReturnCode":
			field = 1
		case "Name":
			field = 2
		case "NoChange":
			field = 3
		}
		if field == 0 {
			// read as decodeNode reads it (soap.Text), then dropped
			if _, ok := f.text(); !ok {
				return n, false
			}
			continue
		}
		t, ok := f.text()
		if !ok {
			return n, false
		}
		t = strings.TrimSpace(t)
		switch field {
		case 1:
			n.ReturnCode = t
		case 2:
			n.Name = t
		case 3:
			n.NoChange, _ = strconv.ParseBool(t)
		}
	}
	for i := range n.Devices {
		n.Devices[i].Node = n.Name
	}
	return n, true
}

// device fills x from one CmDevices item (just started) as DecodeElement does.
func (f *fastReader) device(x *xmlDevice) bool {
	s := f.s
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			return true
		}
		var dst *string
		switch string(s.Local()) {
		case "Name":
			dst = &x.Name
		case "DirNumber":
			dst = &x.DirNumber
		case "DeviceClass":
			dst = &x.DeviceClass
		case "Class":
			dst = &x.LegacyClass
		case "Model":
			dst = &x.Model
		case "Product":
			dst = &x.Product
		case "Httpd":
			dst = &x.Httpd
		case "RegistrationAttempts":
			dst = &x.RegistrationAttempts
		case "IsCtiControllable":
			dst = &x.IsCtiControllable
		case "LoginUserId":
			dst = &x.LoginUserID
		case "Status":
			dst = &x.Status
		case "StatusReason":
			dst = &x.StatusReason
		case "Description":
			dst = &x.Description
		case "TimeStamp":
			dst = &x.TimeStamp
		case "Protocol":
			dst = &x.Protocol
		case "NumOfLines":
			dst = &x.NumOfLines
		case "ActiveLoadID":
			dst = &x.ActiveLoadID
		case "InactiveLoadID":
			dst = &x.InactiveLoadID
		case "DownloadStatus":
			dst = &x.DownloadStatus
		case "IpAddress":
			dst = &x.LegacyIP
		case "LinesStatus":
			if !f.items(func() bool {
				x.LinesStatus = append(x.LinesStatus, lineStatus{})
				l := &x.LinesStatus[len(x.LinesStatus)-1]
				return f.fields(map2{"DirectoryNumber", &l.DirectoryNumber, "Status", &l.Status})
			}) {
				return false
			}
			continue
		case "IPAddress":
			if !f.items(func() bool {
				x.IPAddress = append(x.IPAddress, ipAddress{})
				ip := &x.IPAddress[len(x.IPAddress)-1]
				return f.fields(map2{"IP", &ip.IP, "IPAddrType", &ip.IPAddrType})
			}) {
				return false
			}
			continue
		default:
			if !s.Skip() {
				return false
			}
			continue
		}
		t, ok := f.text()
		if !ok {
			return false
		}
		*dst = t
	}
}

// items reads the item children of a LinesStatus or IPAddress element (just started) with
// item; other children are passed over.
func (f *fastReader) items(item func() bool) bool {
	s := f.s
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			return true
		}
		if string(s.Local()) != "item" {
			if !s.Skip() {
				return false
			}
			continue
		}
		if !item() {
			return false
		}
	}
}

// map2 names the two text fields of an item.
type map2 struct {
	n1 string
	v1 *string
	n2 string
	v2 *string
}

// fields reads an item (just started) into its two text fields.
func (f *fastReader) fields(m map2) bool {
	s := f.s
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			return true
		}
		var dst *string
		switch string(s.Local()) {
		case m.n1:
			dst = m.v1
		case m.n2:
			dst = m.v2
		default:
			if !s.Skip() {
				return false
			}
			continue
		}
		t, ok := f.text()
		if !ok {
			return false
		}
		*dst = t
	}
}
