package soap

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConnectionRefused: a port nothing listens on fails after one attempt with "nothing listens
// on HOST:PORT" (a wrong port or a stopped service, which retries do not cure); once the host
// has answered, a refused connection is a restart and is retried.
func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the port is now closed: connecting is refused

	t.Run("never answered", func(t *testing.T) {
		c, _ := newClient(t, 3, nil)
		var got string
		err := c.Call(context.Background(), Request{URL: "http://" + addr + "/axl/", Body: []byte("<x/>")}, versionDecoder(&got))
		if !isEndpoint(EndpointRefused)(err) {
			t.Fatalf("err = %v, want an EndpointError (refused)", err)
		}
		if want := "nothing listens on " + addr + " (connection refused): check the port in AXL_URL"; !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want %q", err, want)
		}
		if n := c.Stats().Requests; n != 1 {
			t.Errorf("attempts = %d, want 1", n)
		}
	})
	t.Run("answered before", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, okBody)
		}))
		c, _ := newClient(t, 3, nil)
		var got string
		if err := c.Call(context.Background(), Request{URL: srv.URL + "/axl/", Body: []byte("<x/>")}, versionDecoder(&got)); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		err := c.Call(context.Background(), Request{URL: "http://" + addr + "/axl/", Body: []byte("<x/>")}, versionDecoder(&got))
		var ne *netError
		if !errors.As(err, &ne) {
			t.Fatalf("err = %v, want a retried network error", err)
		}
		if n := c.Stats().Requests; n != 1+4 {
			t.Errorf("attempts = %d, want 1 answered + 4 refused (3 retries)", n)
		}
	})
}
