package soap

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// retryAfterBackOff lets one attempt override the next delay with the server's Retry-After.
type retryAfterBackOff struct {
	backoff.BackOff
	next time.Duration
}

func (b *retryAfterBackOff) NextBackOff() time.Duration {
	d := b.BackOff.NextBackOff()
	if d == backoff.Stop {
		return d
	}
	if b.next > d {
		d = b.next
	}
	b.next = 0
	return d
}

// Call sends req and decodes the answer with decode, retrying transient failures. The error is
// typed: *HTTPError, *Fault, *HTMLError, *TruncatedError, *PayloadError (an answer that is not
// the operation's, or beyond the XML bounds), *TLSError, *EndpointError, *TimeoutError,
// *WaitError (the server asked to wait longer than Options.MaxWait), *DeadlineError (the
// collection deadline of WithReadDeadline was reached), or the context's error. Certificate
// failures (*TLSError), a wrong URL (*EndpointError: a host that does not resolve, a server that
// does not speak TLS) and unusable answers (*PayloadError) are never retried.
func (c *Client) Call(ctx context.Context, req Request, decode DecodeFunc) error {
	host := hostOf(req.URL)
	parent := ctx
	dl, hasDeadline := ctx.Value(deadlineKey{}).(readDeadline)
	if hasDeadline {
		if !time.Now().Before(dl.at) {
			return &DeadlineError{Host: host, Limit: dl.limit}
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.at)
		defer cancel()
	}
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(c.opts.InitialBackoff),
		backoff.WithMaxInterval(c.opts.MaxBackoff),
		backoff.WithMaxElapsedTime(c.opts.MaxElapsed),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMultiplier(2),
	)
	ra := &retryAfterBackOff{BackOff: backoff.WithMaxRetries(exp, uint64(c.opts.Retries))}
	bo := backoff.WithContext(ra, ctx)
	waits := 0
	calls := 0
	op := func() error {
		calls++
		if calls > 1 {
			c.retries.Add(1)
		}
		for {
			err := c.attempt(ctx, req, host, decode)
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return backoff.Permanent(ctx.Err())
			}
			var f *Fault
			if errors.As(err, &f) && c.opts.WaitFault != nil {
				if d, ok := c.opts.WaitFault(f); ok {
					waits++
					if waits > c.opts.MaxWaits {
						return backoff.Permanent(fmt.Errorf("still rate-limited after %d waits: %w", c.opts.MaxWaits, err))
					}
					if f.RetryAfter > d {
						d = f.RetryAfter
					}
					if d > c.opts.MaxWait {
						return backoff.Permanent(c.waitTooLong(host, d, err))
					}
					c.waits.Add(1)
					c.log.Info("rate-control fault: waiting for the next window", "host", host, "wait", d)
					if c.opts.OnWait != nil {
						c.opts.OnWait(d)
					}
					if err := sleep(ctx, d); err != nil {
						return backoff.Permanent(err)
					}
					continue
				}
			}
			waits = 0
			retry, after := c.retryable(err)
			if !retry {
				return backoff.Permanent(err)
			}
			if after > c.opts.MaxWait {
				return backoff.Permanent(c.waitTooLong(host, after, err))
			}
			ra.next = after
			c.log.Debug("transient failure, will retry", "host", host, "err", c.scrub.Error(err))
			return err
		}
	}
	err := backoff.Retry(op, bo)
	if err == nil {
		return nil
	}
	if parent.Err() != nil && !errors.Is(err, parent.Err()) {
		// The cancellation is the cause; the last attempt's error is context only (%v), so that
		// errors.As does not classify an interrupted call as, say, an HTTP or fault failure.
		return fmt.Errorf("%w (%v)", parent.Err(), c.scrub.Error(err))
	}
	if hasDeadline && parent.Err() == nil && ctx.Err() != nil {
		return &DeadlineError{Host: host, Limit: dl.limit}
	}
	return c.scrub.Error(err)
}

// waitTooLong is the failure of a call whose server asked to wait d, over the cap.
func (c *Client) waitTooLong(host string, d time.Duration, err error) error {
	c.log.Warn("the server asked to wait longer than the cap: not waiting, the read fails",
		"host", host, "wait", waitText(d), "max_wait", c.opts.MaxWait)
	return &WaitError{Host: host, Wait: d, Max: c.opts.MaxWait, Err: err}
}

func (c *Client) retryable(err error) (bool, time.Duration) {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Temporary(), he.RetryAfter
	}
	var f *Fault
	if errors.As(err, &f) {
		if c.opts.RetryFault != nil && c.opts.RetryFault(f) {
			return true, f.RetryAfter
		}
		return false, 0
	}
	var te *TruncatedError
	if errors.As(err, &te) {
		return !errors.Is(err, ErrTooLarge), 0
	}
	var to *TimeoutError
	if errors.As(err, &to) {
		return true, 0
	}
	// An HTML page with status 200 is usually a proxy's or load balancer's error page: worth
	// the bounded retries of a read-only client.
	var he2 *HTMLError
	if errors.As(err, &he2) {
		return true, 0
	}
	var ne *netError
	return errors.As(err, &ne), 0
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
