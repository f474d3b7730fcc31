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

// children walks the children of the element just started, to its end tag, calling fn with each
// child's local name (the scanner's bytes, valid until the next child: compared with
// string(local), which does not allocate); fn reads the child whole (its text, its children,
// or Skip). It is false when the scanner or fn fails.
func (f *fastReader) children(fn func(local []byte) bool) bool {
	for {
		more, ok := f.s.Child()
		if !ok {
			return false
		}
		if !more {
			return true
		}
		if !fn(f.s.Local()) {
			return false
		}
	}
}

// ret reads selectCmDeviceResponse or its selectCmDeviceReturn (outer false), as decodeReturn.
func (f *fastReader) ret(a *Answer, results *int, outer bool) bool {
	return f.children(func(local []byte) bool {
		switch string(local) {
		case "selectCmDeviceReturn":
			return outer && f.ret(a, results, false)
		case "SelectCmDeviceResult":
			*results++
			return f.result(a)
		case "StateInfo":
			t, ok := f.text()
			a.StateInfo = strings.TrimSpace(t)
			return ok
		}
		return f.s.Skip()
	})
}

// result reads a SelectCmDeviceResult, as decodeResult.
func (f *fastReader) result(a *Answer) bool {
	sawNodes := false
	ok := f.children(func(local []byte) bool {
		switch string(local) {
		case "TotalDevicesFound":
			t, ok := f.text()
			a.TotalDevicesFound, _ = strconv.Atoi(strings.TrimSpace(t))
			return ok
		case "CmNodes":
			if sawNodes {
				return false
			}
			sawNodes = true
			return f.children(func([]byte) bool {
				n, ok := f.node()
				if !ok || n.Name == "" {
					return false
				}
				a.Nodes = append(a.Nodes, n)
				return true
			})
		}
		return f.s.Skip()
	})
	return ok && sawNodes
}

// node reads one CmNodes item, as decodeNode.
func (f *fastReader) node() (Node, bool) {
	var n Node
	ok := f.children(func(local []byte) bool {
		if string(local) == "CmDevices" {
			return f.children(func([]byte) bool {
				var x xmlDevice
				if !f.device(&x) {
					return false
				}
				r := x.record()
				if r.Name == "" {
					return false
				}
				n.Devices = append(n.Devices, r)
				return true
			})
		}
		// Every other child is read as decodeNode reads it (soap.Text); three are kept. The name
		// is taken before the text is read: local is the scanner's bytes.
		var keep *string
		noChange := false
		switch string(local) {
		case "ReturnCode":
			keep = &n.ReturnCode
		case "Name":
			keep = &n.Name
		case "NoChange":
			noChange = true
		}
		t, ok := f.text()
		if !ok {
			return false
		}
		t = strings.TrimSpace(t)
		switch {
		case keep != nil:
			*keep = t
		case noChange:
			n.NoChange, _ = strconv.ParseBool(t)
		}
		return true
	})
	if !ok {
		return n, false
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
	f.buf, f.vals = f.buf[:0], f.vals[:0]
	ok := f.children(func(local []byte) bool {
		switch string(local) {
		case "LinesStatus":
			return f.items(func() bool {
				x.LinesStatus = append(x.LinesStatus, lineStatus{})
				return f.fields(len(x.LinesStatus)-1, "DirectoryNumber", fLineDN, "Status", fLineStatus)
			})
		case "IPAddress":
			return f.items(func() bool {
				x.IPAddress = append(x.IPAddress, ipAddress{})
				return f.fields(len(x.IPAddress)-1, "IP", fIP, "IPAddrType", fIPAddrType)
			})
		}
		if id, known := deviceField[string(local)]; known {
			return f.value(id, 0)
		}
		return f.s.Skip()
	})
	if !ok {
		return false
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
	return f.children(func(local []byte) bool {
		if string(local) != "item" {
			return f.s.Skip()
		}
		return item()
	})
}

// fields reads an item (just started) into its two text fields: n1 as field id1, n2 as id2.
func (f *fastReader) fields(item int, n1 string, id1 int, n2 string, id2 int) bool {
	return f.children(func(local []byte) bool {
		switch string(local) {
		case n1:
			return f.value(id1, item)
		case n2:
			return f.value(id2, item)
		}
		return f.s.Skip()
	})
}
