package loopback

import "testing"

func TestHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "localhost.": true, "127.0.0.1": true, "127.0.0.2": true,
		"::1": true, "[::1]": true, "": false, "10.0.0.1": false, "cucm-pub.example.org": false,
		"localhost.example.org": false, "::": false, "0.0.0.0": false, "[::1": false,
	} {
		if got := Host(host); got != want {
			t.Errorf("Host(%q) = %v, want %v", host, got, want)
		}
	}
}
