package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// postWebhook sends one text message to a WeCom or DingTalk group robot
// (both take {"msgtype":"text","text":{"content":...}}). The robot's URL
// carries its key, so errors name neither the URL nor the request.
func postWebhook(ctx context.Context, client *http.Client, webhookURL, text string) error {
	body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("reports: webhook: bad URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error would print the URL and its key
		}
		return fmt.Errorf("reports: webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("reports: webhook answered HTTP %d", resp.StatusCode)
	}
	return nil
}
