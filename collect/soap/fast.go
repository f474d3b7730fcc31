package soap

import (
	"bufio"
	"bytes"
	"io"
)

// FastFunc decodes the payload of an answer held in memory with a Scanner, positioned just
// after start (s.Local, s.Space), the first element inside the SOAP Body, without encoding/xml:
// the bulk answers (executeSQLQuery rows, selectCmDevice devices) cost a fraction of what the
// generic token path costs. It returns false when the answer is not the common shape it reads
// (or the Scanner stops); Call then decodes the same bytes with the Request's DecodeFunc, which
// accepts or rejects the answer as before. Called once per attempt: it must reset what it
// accumulates, and keep no byte of the answer.
type FastFunc func(s *Scanner) bool

// SOAP11 is the SOAP 1.1 envelope namespace, the one CUCM answers in.
const SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"

// fastDecode reads the envelope of body as decodeEnvelope does (root Envelope, Header passed
// over, Body, its first element) for the plain case only: Envelope and Body in the SOAP 1.1
// namespace, a payload that is not a Fault. It reports whether fast read the answer.
func (c *Client) fastDecode(body []byte, fast FastFunc) bool {
	s := newScanner(body, c.opts.MaxDepth, c.opts.MaxTokens, c.opts.MaxTokenBytes)
	if !s.prolog() || string(s.Local()) != "Envelope" {
		return false
	}
	if ns, ok := s.Space(); !ok || ns != SOAP11 {
		return false
	}
	for {
		more, ok := s.Child()
		if !ok || !more {
			return false
		}
		ns, ok := s.Space()
		if !ok || ns != SOAP11 {
			return false
		}
		switch string(s.Local()) {
		case "Header":
			if !s.Skip() {
				return false
			}
			continue
		case "Body":
		default:
			return false
		}
		break
	}
	more, ok := s.Child()
	if !ok || !more || string(s.Local()) == "Fault" {
		return false
	}
	return fast(s)
}

// readBody reads the rest of an answer into memory for the fast path, into a buffer of the
// client's pool (sized by the announced length when there is one, within the body limit),
// which put returns when the answer is read. On a read error it returns what it read.
func (c *Client) readBody(br *bufio.Reader, length int64) (body []byte, put func(), err error) {
	p, _ := c.bufs.Get().(*[]byte)
	if p == nil {
		p = new([]byte)
	}
	if length > 0 && int64(cap(*p)) <= length {
		*p = make([]byte, 0, min(length, c.opts.MaxBody)+1)
	}
	buf := bytes.NewBuffer((*p)[:0])
	_, err = buf.ReadFrom(br)
	body = buf.Bytes()
	return body, func() {
		if cap(body) <= maxPooledBody {
			*p = body[:0]
			c.bufs.Put(p)
		}
	}, err
}

// maxPooledBody is the largest answer buffer kept for the next answer: CUCM caps AXL answers
// at 8 MB.
const maxPooledBody = 16 << 20

// replay gives the ordinary decoder the bytes the fast path read, then the error that ended
// the read, if any: it sees the same stream it would have read from the network.
func replay(body []byte, err error) *bufio.Reader {
	var r io.Reader = bytes.NewReader(body)
	if err != nil {
		r = io.MultiReader(r, errReader{err})
	}
	return bufio.NewReaderSize(r, 4096)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Expect is the fast path's soap.Expect: whether the element just started is name (compared
// without regard to case) in namespace ns or one below it.
func (s *Scanner) Expect(name, ns string) bool {
	space, ok := s.Space()
	if !ok || !bytes.EqualFold(s.Local(), []byte(name)) {
		return false
	}
	return space == ns || len(space) > len(ns) && space[:len(ns)] == ns && space[len(ns)] == '/'
}
