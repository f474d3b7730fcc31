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
	s    *soap.Scanner
	buf  []byte // one device's values
	tbuf []byte
	vals []value
}

// text is the character data of the element just started.
func (f *fastReader) text() (string, bool) {
	var ok bool
	f.tbuf, ok = f.s.Text(f.tbuf[:0])
	if !ok {
		return "", false
	}
	return string(f.tbuf), true
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

// Fields of xmlDevice the fast path fills; one device's values share one string.
const (
	fName = iota
	fDirNumber
	fDeviceClass
	fLegacyClass
	fModel
	fProduct
	fHttpd
	fRegistrationAttempts
	fIsCtiControllable
	fLoginUserID
	fStatus
	fStatusReason
	fDescription
	fTimeStamp
	fProtocol
	fNumOfLines
	fActiveLoadID
	fInactiveLoadID
	fDownloadStatus
	fLegacyIP
	fLineDN
	fLineStatus
	fIP
	fIPAddrType
	fNone
)

// deviceField maps a CmDevice child's local name to its field.
var deviceField = map[string]int{
	"Name": fName, "DirNumber": fDirNumber, "DeviceClass": fDeviceClass, "Class": fLegacyClass,
	"Model": fModel, "Product": fProduct, "Httpd": fHttpd, "RegistrationAttempts": fRegistrationAttempts,
	"IsCtiControllable": fIsCtiControllable, "LoginUserId": fLoginUserID, "Status": fStatus,
	"StatusReason": fStatusReason, "Description": fDescription, "TimeStamp": fTimeStamp,
	"Protocol": fProtocol, "NumOfLines": fNumOfLines, "ActiveLoadID": fActiveLoadID,
	"InactiveLoadID": fInactiveLoadID, "DownloadStatus": fDownloadStatus, "IpAddress": fLegacyIP,
}

// ptr is the field id of x (of its item-th line or address for the item fields).
func (x *xmlDevice) ptr(id, item int) *string {
	switch id {
	case fName:
		return &x.Name
	case fDirNumber:
		return &x.DirNumber
	case fDeviceClass:
		return &x.DeviceClass
	case fLegacyClass:
		return &x.LegacyClass
	case fModel:
		return &x.Model
	case fProduct:
		return &x.Product
	case fHttpd:
		return &x.Httpd
	case fRegistrationAttempts:
		return &x.RegistrationAttempts
	case fIsCtiControllable:
		return &x.IsCtiControllable
	case fLoginUserID:
		return &x.LoginUserID
	case fStatus:
		return &x.Status
	case fStatusReason:
		return &x.StatusReason
	case fDescription:
		return &x.Description
	case fTimeStamp:
		return &x.TimeStamp
	case fProtocol:
		return &x.Protocol
	case fNumOfLines:
		return &x.NumOfLines
	case fActiveLoadID:
		return &x.ActiveLoadID
	case fInactiveLoadID:
		return &x.InactiveLoadID
	case fDownloadStatus:
		return &x.DownloadStatus
	case fLegacyIP:
		return &x.LegacyIP
	case fLineDN:
		return &x.LinesStatus[item].DirectoryNumber
	case fLineStatus:
		return &x.LinesStatus[item].Status
	case fIP:
		return &x.IPAddress[item].IP
	default:
		return &x.IPAddress[item].IPAddrType
	}
}

// value is one field's text, at buf[a:b] until the device is complete.
type value struct{ id, item, a, b int }

// device fills x from one CmDevices item (just started) as DecodeElement does: the text of
// each known child (the last one wins), LinesStatus and IPAddress items appended.
func (f *fastReader) device(x *xmlDevice) bool {
	s := f.s
	f.buf, f.vals = f.buf[:0], f.vals[:0]
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			break
		}
		switch local := s.Local(); string(local) {
		case "LinesStatus":
			if !f.items(func() bool {
				x.LinesStatus = append(x.LinesStatus, lineStatus{})
				return f.fields(len(x.LinesStatus)-1, "DirectoryNumber", fLineDN, "Status", fLineStatus)
			}) {
				return false
			}
		case "IPAddress":
			if !f.items(func() bool {
				x.IPAddress = append(x.IPAddress, ipAddress{})
				return f.fields(len(x.IPAddress)-1, "IP", fIP, "IPAddrType", fIPAddrType)
			}) {
				return false
			}
		default:
			id, known := deviceField[string(local)]
			if !known {
				if !s.Skip() {
					return false
				}
				continue
			}
			if !f.value(id, 0) {
				return false
			}
		}
	}
	all := string(f.buf)
	for _, v := range f.vals {
		*x.ptr(v.id, v.item) = all[v.a:v.b]
	}
	return true
}

// value reads the text of the element just started as field id (of item).
func (f *fastReader) value(id, item int) bool {
	a := len(f.buf)
	var ok bool
	if f.buf, ok = f.s.Text(f.buf); !ok {
		return false
	}
	f.vals = append(f.vals, value{id, item, a, len(f.buf)})
	return true
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

// fields reads an item (just started) into its two text fields: n1 as field id1, n2 as id2.
func (f *fastReader) fields(item int, n1 string, id1 int, n2 string, id2 int) bool {
	s := f.s
	for {
		more, ok := s.Child()
		if !ok {
			return false
		}
		if !more {
			return true
		}
		id := fNone
		switch string(s.Local()) {
		case n1:
			id = id1
		case n2:
			id = id2
		}
		if id == fNone {
			if !s.Skip() {
				return false
			}
			continue
		}
		if !f.value(id, item) {
			return false
		}
	}
}
