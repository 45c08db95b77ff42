package channels

import (
	"context"

	"github.com/herald-gov/herald/configs"
)

// Retracter is implemented by a channel that can delete what a delivery
// published (herald post retract): an optional capability, kept apart from
// Channel. Deleting is irreversible.
type Retracter interface {
	// Retract deletes from the account the publication that remoteID
	// (the published delivery's Result.RemoteID) names. A publication
	// already deleted on the platform is not an error, so a retract cut
	// short can be run again.
	Retract(ctx context.Context, acct *configs.Account, remoteID string) error
}
