package cucmsim

import (
	"context"
	"crypto/sha1"
	"crypto/subtle"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Paths the simulator serves.
const (
	AXLPath     = "/axl/"
	RisPortPath = "/realtimeservice2/services/RISService70"
)

// Server is a simulated CUCM cluster serving AXL and RisPort70. It is safe for concurrent use.
type Server struct {
	sc *Scenario
	c  *cluster
	db *sql.DB

	mu        sync.Mutex
	faults    Faults
	now       func() time.Time
	start     time.Time
	reqN      uint64
	burstLeft int
	sessions  map[string]time.Time // cookie → last use
	sessionN  uint64
	stats     Stats
	winIdx    int64
	winCount  int
	queryHook func(sql string, n int)
	sqlN      int

	dbMu sync.RWMutex // queries share it; Mutate holds it alone
}

// Stats counts what the simulator saw and did.
type Stats struct {
	Requests          map[string]int // by API: "axl", "risport"
	Ops               map[string]int // by API and operation: "axl.executeSQLQuery", "risport.selectCmDeviceExt"
	Unauthorized      int            // 401 answers
	SessionExpired    int            // 404 answers to an unknown or expired cookie
	HTTP503           int            // 503 answers injected
	RateControlFaults int            // ns1:Server.RateControl faults sent
	SOAPFaults        int            // other SOAP faults sent (AXL and RisPort)
	RisPortWindows    []WindowCount  // RisPort requests per fixed rate window, oldest first
}

// MaxRisPortPerWindow is the largest number of RisPort requests seen in one rate window.
func (s Stats) MaxRisPortPerWindow() int {
	m := 0
	for _, w := range s.RisPortWindows {
		m = max(m, w.Requests)
	}
	return m
}

// WindowCount is the number of RisPort requests in one fixed rate window.
type WindowCount struct {
	Start    time.Time
	Requests int
}

// New builds the simulated cluster of a scenario (deterministic from its seed) and loads its
// configuration into an in-memory SQLite database that executeSQLQuery answers from.
func New(sc *Scenario) (*Server, error) {
	return NewWithOptions(sc, Options{})
}

// Options tune how a Server holds its data.
type Options struct {
	// DBFile, when set, holds the SQLite database in this file (replaced if it exists) instead
	// of memory: the megacluster's ~100 MB of tables then stay out of the process's RSS, which
	// matters when a benchmark measures the collector's memory in the same process.
	DBFile string
}

// NewWithOptions is New with Options.
func NewWithOptions(sc *Scenario, opt Options) (*Server, error) {
	c, err := build(sc)
	if err != nil {
		return nil, fmt.Errorf("building scenario %s: %w", sc.File, err)
	}
	db, err := openDB(context.Background(), c, opt.DBFile)
	if err != nil {
		return nil, fmt.Errorf("building scenario %s: %w", sc.File, err)
	}
	s := &Server{sc: sc, c: c, db: db, now: time.Now, sessions: map[string]time.Time{}}
	s.start = s.now()
	s.setFaultsLocked(sc.Faults)
	s.stats = Stats{Requests: map[string]int{}, Ops: map[string]int{}}
	return s, nil
}

// Close releases the database.
func (s *Server) Close() error { return s.db.Close() }

// Scenario returns the scenario the server runs.
func (s *Server) Scenario() *Scenario { return s.sc }

// Credentials returns the user and password both APIs accept.
func (s *Server) Credentials() (user, pass string) {
	return s.sc.Credentials.User, s.sc.Credentials.Password
}

// Faults returns the knobs in force.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.NodesNotResponding = slices.Clone(f.NodesNotResponding)
	f.NodesNotFound = slices.Clone(f.NodesNotFound)
	f.NodesSilent = slices.Clone(f.NodesSilent)
	f.ClassesFailing = slices.Clone(f.ClassesFailing)
	return f
}

// SetFaults replaces the knobs at run time; the 503 burst starts again. Zero-valued limits
// (rate window, device cap, row and byte caps, empty-node mode) fall back to DefaultFaults.
func (s *Server) SetFaults(f Faults) error {
	d := DefaultFaults()
	if f.RisPortRateWindow == 0 {
		f.RisPortRateWindow = d.RisPortRateWindow
	}
	if f.RisPortMaxDevices == 0 {
		f.RisPortMaxDevices = d.RisPortMaxDevices
	}
	if f.AXLMaxRows == 0 {
		f.AXLMaxRows = d.AXLMaxRows
	}
	if f.AXLMaxBytes == 0 {
		f.AXLMaxBytes = d.AXLMaxBytes
	}
	if f.AXLSessionTimeout == 0 {
		f.AXLSessionTimeout = d.AXLSessionTimeout
	}
	if f.RisPortEmptyNodes == "" {
		f.RisPortEmptyNodes = d.RisPortEmptyNodes
	}
	names := make([]string, len(s.c.nodes))
	for i, n := range s.c.nodes {
		names[i] = n.name
	}
	if err := f.Validate(names); err != nil {
		return fmt.Errorf("setting faults: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setFaultsLocked(f)
	return nil
}

func (s *Server) setFaultsLocked(f Faults) {
	f.NodesNotResponding = slices.Clone(f.NodesNotResponding)
	f.NodesNotFound = slices.Clone(f.NodesNotFound)
	f.NodesSilent = slices.Clone(f.NodesSilent)
	f.ClassesFailing = slices.Clone(f.ClassesFailing)
	s.faults = f
	s.burstLeft = f.HTTP503Burst
}

// SetClock replaces the clock used for rate windows and session timeouts (tests).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
	s.start = now()
	s.winIdx, s.winCount = 0, 0
}

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Requests = maps.Clone(st.Requests)
	st.Ops = maps.Clone(st.Ops)
	st.RisPortWindows = slices.Clone(st.RisPortWindows)
	return st
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = Stats{Requests: map[string]int{}, Ops: map[string]int{}}
}

// chance is a deterministic coin: request n of the stream falls under rate.
func (s *Server) chance(kind string, n uint64, rate float64) bool {
	if rate <= 0 {
		return false
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.sc.Seed)
	binary.BigEndian.PutUint64(b[8:], n)
	h := sha1.Sum(append(b[:], kind...))
	return float64(binary.BigEndian.Uint64(h[:8])>>11)/(1<<53) < rate
}

// Handler serves POST /axl/ and POST /realtimeservice2/services/RISService70.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(AXLPath, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, "axl") })
	mux.HandleFunc(RisPortPath, func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, "risport") })
	return mux
}

// answer is one HTTP response.
type answer struct {
	status int
	ctype  string
	body   []byte
}

const (
	ctypeXML  = "text/xml;charset=UTF-8"
	ctypeHTML = "text/html;charset=utf-8"
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request, api string) {
	if api == "axl" && r.URL.Path != AXLPath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		if r.Method == http.MethodGet && api == "risport" {
			// The WSDL is not served (Cisco's is not ours to ship).
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	s.mu.Lock()
	s.reqN++
	n := s.reqN
	f := s.faults
	s.stats.Requests[api]++
	s.mu.Unlock()

	if f.SlowResponse > 0 {
		t := time.NewTimer(f.SlowResponse)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}

	newCookie, ok := s.authenticate(w, r, f)
	if !ok {
		return
	}
	if api == "risport" {
		if a, limited := s.rateLimit(f); limited {
			s.write(w, a, n, f)
			return
		}
	}
	s.mu.Lock()
	inject503 := false
	if s.burstLeft > 0 {
		s.burstLeft--
		inject503 = true
	} else if s.chance("503", n, f.HTTP503Rate) {
		inject503 = true
	}
	if inject503 {
		s.stats.HTTP503++
	}
	s.mu.Unlock()
	if inject503 {
		writeHTML(w, http.StatusServiceUnavailable, "Service Unavailable", "The server is currently unable to handle the request due to a temporary overload or scheduled maintenance.")
		return
	}
	if s.chance("html", n, f.HTMLErrorRate) {
		writeHTML(w, http.StatusOK, "Cisco Unified Communications Manager", "The service is starting. Please try again later.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return
	}
	if newCookie != "" {
		secure := "" // real CUCM is HTTPS-only; over plain HTTP a Secure cookie would never come back
		if r.TLS != nil {
			secure = " Secure;"
		}
		w.Header().Set("Set-Cookie", "JSESSIONIDSSO="+newCookie+"; Path=/;"+secure+" HttpOnly")
	}
	var a answer
	if api == "axl" {
		a = s.axl(r.Context(), r.Header.Get("SOAPAction"), body, n, f)
	} else {
		a = s.risport(body, f)
	}
	if a.status == http.StatusUnauthorized {
		s.unauthorized(w)
		return
	}
	s.write(w, a, n, f)
}

func (s *Server) write(w http.ResponseWriter, a answer, n uint64, f Faults) {
	w.Header().Set("Content-Type", a.ctype)
	if s.chance("truncate", n, f.TruncateBodyRate) && len(a.body) > 1 {
		// Announce the whole body, send half, and drop the connection (a CUCM 12.5 quirk).
		w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body[:len(a.body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// authenticate checks Basic auth or a session cookie. It returns a new session cookie to set
// when the request authenticated with Basic auth, and false when it already answered.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, f Faults) (string, bool) {
	if f.WrongCredentials {
		s.unauthorized(w)
		return "", false
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if subtle.ConstantTimeCompare([]byte(user), []byte(s.sc.Credentials.User)) != 1 ||
			subtle.ConstantTimeCompare([]byte(pass), []byte(s.sc.Credentials.Password)) != 1 {
			s.unauthorized(w)
			return "", false
		}
		if ck, err := r.Cookie("JSESSIONIDSSO"); err == nil && s.touchSession(ck.Value, f) {
			return "", true
		}
		return s.newSession(), true
	}
	ck, err := r.Cookie("JSESSIONIDSSO")
	if err != nil {
		s.unauthorized(w)
		return "", false
	}
	if !s.touchSession(ck.Value, f) {
		s.mu.Lock()
		s.stats.SessionExpired++
		s.mu.Unlock()
		writeHTML(w, http.StatusNotFound, "Not Found", "The requested resource is not available.")
		return "", false
	}
	return "", true
}

func (s *Server) newSession() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessionN++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.sc.Seed)
	binary.BigEndian.PutUint64(b[8:], s.sessionN)
	h := sha1.Sum(append(b[:], "session"...))
	id := fmt.Sprintf("%X", h[:16])
	s.sessions[id] = s.now()
	return id
}

func (s *Server) touchSession(id string, f Faults) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.sessions[id]
	if !ok || f.AXLSessionExpired {
		return false
	}
	now := s.now()
	if now.Sub(last) > f.AXLSessionTimeout {
		delete(s.sessions, id)
		return false
	}
	s.sessions[id] = now
	return true
}

func (s *Server) unauthorized(w http.ResponseWriter) {
	s.mu.Lock()
	s.stats.Unauthorized++
	s.mu.Unlock()
	w.Header().Set("WWW-Authenticate", `Basic realm="Cisco AXL API"`)
	writeHTML(w, http.StatusUnauthorized, "Unauthorized", "The request has not been applied because it lacks valid authentication credentials for the target resource.")
}

// writeHTML answers with a Tomcat-style error page.
func writeHTML(w http.ResponseWriter, status int, title, desc string) {
	w.Header().Set("Content-Type", ctypeHTML)
	body := fmt.Sprintf(`<!doctype html><html lang="en"><head><title>HTTP Status %d – %s</title><style type="text/css">body {font-family:Tahoma,Arial,sans-serif;} h1 {font-size:22px;}</style></head><body><h1>HTTP Status %d – %s</h1><hr class="line" /><p><b>Type</b> Status Report</p><p><b>Description</b> %s</p><hr class="line" /><h3>Apache Tomcat</h3></body></html>`,
		status, title, status, title, desc)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// rateLimit counts a RisPort request in the fixed window and answers the RateControl fault
// past the limit.
func (s *Server) rateLimit(f Faults) (answer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	idx := int64(now.Sub(s.start) / f.RisPortRateWindow)
	if now.Before(s.start) {
		idx = -1
	}
	if idx != s.winIdx || len(s.stats.RisPortWindows) == 0 {
		s.winIdx, s.winCount = idx, 0
		s.stats.RisPortWindows = append(s.stats.RisPortWindows, WindowCount{Start: s.start.Add(time.Duration(idx) * f.RisPortRateWindow)})
	}
	s.winCount++
	s.stats.RisPortWindows[len(s.stats.RisPortWindows)-1].Requests++
	if f.RisPortRateLimit > 0 && s.winCount > f.RisPortRateLimit {
		s.stats.RateControlFaults++
		per := "minute"
		if f.RisPortRateWindow != time.Minute {
			per = f.RisPortRateWindow.String()
		}
		msg := fmt.Sprintf("Exceeded allowed rate for Reatime information. Current allowed rate for realtime information is %d requests per %s.", f.RisPortRateLimit, per)
		return answer{http.StatusInternalServerError, ctypeXML, soapFault(`<faultcode xmlns:ns1="http://schemas.cisco.com/ast/soap">ns1:Server.RateControl</faultcode>`, msg, "")}, true
	}
	return answer{}, false
}

func (s *Server) countOp(api, op string) {
	s.mu.Lock()
	s.stats.Ops[api+"."+op]++
	s.mu.Unlock()
}

func (s *Server) countFault() {
	s.mu.Lock()
	s.stats.SOAPFaults++
	s.mu.Unlock()
}
