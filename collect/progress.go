package collect

import (
	"fmt"
	"io"
	"math"
	"sync"
	"time"
)

// progressLine draws one updating line on a terminal. Request goroutines and the rate-limit
// hooks draw on it too, so it locks. A wait (wait) is shown after the line and counted down
// once a second until it ends, so a run that sleeps for the RisPort window says so instead of
// looking stuck.
type progressLine struct {
	w io.Writer

	mu        sync.Mutex
	drawn     bool
	closed    bool
	last      time.Time
	text      string    // the line without the wait
	waitWhat  string    // "waiting for the RisPort window"
	waitUntil time.Time // zero when not waiting
	ticking   bool
	stop      chan struct{} // closed by done: the countdown stops
}

// minShownWait is the shortest wait the line announces: shorter ones pass before a person reads them.
const minShownWait = 200 * time.Millisecond

// set changes the line, drawn unless the line was drawn less than 100 ms ago (then the next
// draw shows it).
func (p *progressLine) set(format string, args ...any) {
	p.update(false, format, args...)
}

// setNow changes the line and draws it at once: a step a person should see (a table read).
func (p *progressLine) setNow(format string, args ...any) {
	p.update(true, format, args...)
}

func (p *progressLine) update(now bool, format string, args ...any) {
	if p.w == io.Discard {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.text = fmt.Sprintf(format, args...)
	t := time.Now()
	if now || !p.drawn || t.Sub(p.last) >= 100*time.Millisecond {
		p.draw(t)
	}
}

// wait shows on the line that the run waits d for what ("waiting for the RisPort window"),
// counted down until it has passed.
func (p *progressLine) wait(what string, d time.Duration) {
	if p.w == io.Discard || d < minShownWait {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	now := time.Now()
	if until := now.Add(d); until.After(p.waitUntil) || !now.Before(p.waitUntil) {
		p.waitUntil, p.waitWhat = until, what
	}
	p.draw(now)
	if !p.ticking {
		p.ticking = true
		if p.stop == nil {
			p.stop = make(chan struct{})
		}
		go p.tick()
	}
}

// tick redraws the line at each second of the countdown while a wait lasts, then once without it.
func (p *progressLine) tick() {
	for {
		p.mu.Lock()
		left := time.Until(p.waitUntil)
		p.mu.Unlock()
		step := left % time.Second
		if step <= 0 {
			step = time.Second
		}
		t := time.NewTimer(step + time.Millisecond)
		select {
		case <-p.stop:
			t.Stop()
			return
		case <-t.C:
		}
		p.mu.Lock()
		now := time.Now()
		if !p.closed {
			p.draw(now)
		}
		if p.closed || !now.Before(p.waitUntil) {
			p.ticking = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
	}
}

// draw writes the line, with the wait while it lasts. The caller holds mu.
func (p *progressLine) draw(now time.Time) {
	line := p.text
	if left := p.waitUntil.Sub(now); left > 0 {
		if line != "" {
			line += "; "
		}
		line += fmt.Sprintf("%s (%d s)", p.waitWhat, int(math.Ceil(left.Seconds())))
	}
	p.last = now
	fmt.Fprintf(p.w, "\r\033[K%s", line)
	p.drawn = true
}

// done clears the line; nothing is drawn after it.
func (p *progressLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && p.stop != nil {
		close(p.stop)
	}
	p.closed = true
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
