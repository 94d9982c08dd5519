package deploy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// FetchCode downloads a function's code from a short-lived URL the cloud gave (Lambda's
// Code.Location, FC's GetFunctionCode), reading at most limit bytes. A rollback depends on this
// copy, so network errors, 429 and 5xx are retried (4 attempts, doubling from delay); other
// statuses (e.g. 403, an expired URL) are not.
func FetchCode(ctx context.Context, client *http.Client, url string, limit int64, delay time.Duration) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		data, retry, err := fetchOnce(ctx, client, url, limit)
		if err == nil || !retry || attempt == 4 {
			return data, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func fetchOnce(ctx context.Context, client *http.Client, url string, limit int64) (data []byte, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, fmt.Errorf("GET code location: %s", resp.Status)
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, limit))
	return data, err != nil, err
}
