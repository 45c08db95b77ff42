package weibo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/herald-gov/herald/channels"
	"github.com/herald-gov/herald/configs"
)

var _ channels.Retracter = (*Channel)(nil)

// Destroy deletes one of the account's own posts (statuses/destroy).
func (c *Client) Destroy(ctx context.Context, token, id string) (*Status, error) {
	var st Status
	form := url.Values{"id": {id}}
	err := c.do(ctx, http.MethodPost, "statuses/destroy", token, nil, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded", &st)
	return &st, err
}

// Retract deletes a published post by its status id; a post that no longer
// exists (20101) is not an error.
func (c *Channel) Retract(ctx context.Context, acct *configs.Account, remoteID string) error {
	if remoteID == "" {
		return &channels.Error{Class: channels.ClassContent, Message: "herald 没有该微博的编号，无法删除：请在微博中手动删除"}
	}
	_, err := c.client.Destroy(ctx, acct.AccessToken, remoteID)
	var api *APIError
	if errors.As(err, &api) && api.Code == 20101 {
		return nil // already gone
	}
	if err != nil {
		return c.classify(err, false)
	}
	return nil
}
