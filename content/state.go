// Package content is herald's content model: item kinds, revisions, the item
// and delivery state machines, review rules and validation against the
// platforms' limits. It holds no network or storage code.
package content

import "fmt"

// ItemState is where an item stands in its life.
type ItemState string

// Item states.
const (
	ItemDraft           ItemState = "draft"
	ItemInReview        ItemState = "in_review"
	ItemApproved        ItemState = "approved" // approved, no publication time yet
	ItemScheduled       ItemState = "scheduled"
	ItemPublishing      ItemState = "publishing"
	ItemDone            ItemState = "done"
	ItemPartiallyFailed ItemState = "partially_failed"
	ItemFailed          ItemState = "failed"
	ItemCancelled       ItemState = "cancelled"
	ItemExpired         ItemState = "expired"
)

// ItemStates lists every item state.
var ItemStates = []ItemState{ItemDraft, ItemInReview, ItemApproved, ItemScheduled, ItemPublishing,
	ItemDone, ItemPartiallyFailed, ItemFailed, ItemCancelled, ItemExpired}

// itemTransitions is the one place that says which item state may follow which.
var itemTransitions = map[ItemState][]ItemState{
	// submit (with or without review), cancel
	ItemDraft: {ItemInReview, ItemApproved, ItemScheduled, ItemCancelled},
	// reject, final approval, time passed, cancel; an edit restarts review (in_review -> in_review is not a change)
	ItemInReview: {ItemDraft, ItemApproved, ItemScheduled, ItemExpired, ItemCancelled},
	// a time was set, an edit restarts review, cancel
	ItemApproved: {ItemScheduled, ItemInReview, ItemDraft, ItemCancelled},
	// due, an edit restarts review, cancel
	ItemScheduled: {ItemPublishing, ItemInReview, ItemDraft, ItemApproved, ItemCancelled},
	// every delivery final; cancel stops the deliveries not yet started (an
	// item cancelled with deliveries in flight stays publishing until they
	// settle, then ends partially_failed or done if something went out)
	ItemPublishing: {ItemDone, ItemPartiallyFailed, ItemFailed, ItemCancelled},
	// failed deliveries retried
	ItemPartiallyFailed: {ItemPublishing},
	ItemFailed:          {ItemPublishing},
	// a new time and a new review
	ItemExpired:   {ItemDraft, ItemInReview},
	ItemDone:      {},
	ItemCancelled: {},
}

// Valid reports whether s is a known item state.
func (s ItemState) Valid() bool {
	_, ok := itemTransitions[s]
	return ok
}

// Final reports whether no further transition is possible except an explicit retry.
func (s ItemState) Final() bool {
	switch s {
	case ItemDone, ItemCancelled, ItemFailed, ItemPartiallyFailed, ItemExpired:
		return true
	}
	return false
}

// Label is the state's name for a clerk.
func (s ItemState) Label() string {
	switch s {
	case ItemDraft:
		return "草稿"
	case ItemInReview:
		return "审核中"
	case ItemApproved:
		return "已通过待定时"
	case ItemScheduled:
		return "待发布"
	case ItemPublishing:
		return "发布中"
	case ItemDone:
		return "已发布"
	case ItemPartiallyFailed:
		return "部分失败"
	case ItemFailed:
		return "发布失败"
	case ItemCancelled:
		return "已撤销"
	case ItemExpired:
		return "已过期"
	}
	return string(s)
}

// TransitionError is a refused state change.
type TransitionError struct {
	What     string // "item" or "delivery"
	From, To string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s state cannot change from %s to %s", e.What, e.From, e.To)
}

// CheckItemTransition returns nil if an item may move from one state to another.
func CheckItemTransition(from, to ItemState) error {
	for _, s := range itemTransitions[from] {
		if s == to {
			return nil
		}
	}
	return &TransitionError{"item", string(from), string(to)}
}

// DeliveryState is where one item's publication to one account stands.
type DeliveryState string

// Delivery states. Unknown is not final: the answer to a platform call was
// lost and herald is still finding out what happened.
const (
	DeliveryPending   DeliveryState = "pending"
	DeliverySending   DeliveryState = "sending"
	DeliveryUnknown   DeliveryState = "unknown"
	DeliveryPublished DeliveryState = "published"
	DeliveryFailed    DeliveryState = "failed"
	DeliveryCancelled DeliveryState = "cancelled"
)

// Label is the delivery state's name for a clerk.
func (s DeliveryState) Label() string {
	switch s {
	case DeliveryPending:
		return "待发送"
	case DeliverySending:
		return "发送中"
	case DeliveryUnknown:
		return "核实中"
	case DeliveryPublished:
		return "已发布"
	case DeliveryFailed:
		return "失败"
	case DeliveryCancelled:
		return "已撤销"
	}
	return string(s)
}

// DeliveryStates lists every delivery state.
var DeliveryStates = []DeliveryState{DeliveryPending, DeliverySending, DeliveryUnknown,
	DeliveryPublished, DeliveryFailed, DeliveryCancelled}

var deliveryTransitions = map[DeliveryState][]DeliveryState{
	// start an attempt; refused before any call (content or permission); cancelled
	DeliveryPending: {DeliverySending, DeliveryFailed, DeliveryCancelled},
	// answer: published, failed for good, transient failure known not to have
	// published (back to pending for a retry, or cancelled when the item was
	// cancelled meanwhile), or the answer was lost
	DeliverySending: {DeliveryPublished, DeliveryFailed, DeliveryPending, DeliveryUnknown, DeliveryCancelled},
	// reconciliation found it published, found it never went out (pending,
	// or cancelled when the item was cancelled meanwhile), or found it
	// failed on the platform
	DeliveryUnknown:   {DeliveryPublished, DeliveryPending, DeliveryFailed, DeliveryCancelled},
	DeliveryFailed:    {DeliveryPending}, // an explicit retry
	DeliveryPublished: {},
	DeliveryCancelled: {},
}

// Valid reports whether s is a known delivery state.
func (s DeliveryState) Valid() bool {
	_, ok := deliveryTransitions[s]
	return ok
}

// Final reports whether the delivery has reached an end state.
func (s DeliveryState) Final() bool {
	return s == DeliveryPublished || s == DeliveryFailed || s == DeliveryCancelled
}

// CheckDeliveryTransition returns nil if a delivery may move from one state to another.
func CheckDeliveryTransition(from, to DeliveryState) error {
	for _, s := range deliveryTransitions[from] {
		if s == to {
			return nil
		}
	}
	return &TransitionError{"delivery", string(from), string(to)}
}

// ItemStateFromDeliveries derives a publishing item's end state from its
// deliveries' states; ok is false while any delivery is not final.
//
// Cancelled deliveries come from a cancel during publishing. The state tells
// what reached the platform: done when every delivery was published,
// partially_failed when some were and others failed or were cancelled,
// failed when none was and some failed with no cancel, cancelled when none
// was published and the clerk cancelled.
func ItemStateFromDeliveries(states []DeliveryState) (ItemState, bool) {
	published, failed, cancelled := 0, 0, 0
	for _, s := range states {
		switch s {
		case DeliveryPublished:
			published++
		case DeliveryFailed:
			failed++
		case DeliveryCancelled:
			cancelled++
		default:
			return "", false
		}
	}
	switch {
	case published > 0 && failed == 0 && cancelled == 0:
		return ItemDone, true
	case published > 0:
		return ItemPartiallyFailed, true
	case failed > 0 && cancelled == 0:
		return ItemFailed, true
	}
	return ItemCancelled, true
}
