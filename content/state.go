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
	// ItemRetracted: after post retract, nothing of the item is left on any
	// platform — what had not gone out was cancelled, what had was deleted.
	ItemRetracted ItemState = "retracted"
)

// ItemStates lists every item state.
var ItemStates = []ItemState{ItemDraft, ItemInReview, ItemApproved, ItemScheduled, ItemPublishing,
	ItemDone, ItemPartiallyFailed, ItemFailed, ItemCancelled, ItemExpired, ItemRetracted}

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
	// A retract ends in retracted once the platforms have nothing of the item.
	ItemPublishing: {ItemDone, ItemPartiallyFailed, ItemFailed, ItemCancelled, ItemRetracted},
	// failed deliveries retried; retracted
	ItemPartiallyFailed: {ItemPublishing, ItemRetracted},
	ItemFailed:          {ItemPublishing, ItemRetracted},
	// a new time and a new review
	ItemExpired:   {ItemDraft, ItemInReview},
	ItemDone:      {ItemRetracted},
	ItemCancelled: {},
	ItemRetracted: {},
}

// Valid reports whether s is a known item state.
func (s ItemState) Valid() bool {
	_, ok := itemTransitions[s]
	return ok
}

// Final reports whether no further transition is possible except an explicit retry.
func (s ItemState) Final() bool {
	switch s {
	case ItemDone, ItemCancelled, ItemFailed, ItemPartiallyFailed, ItemExpired, ItemRetracted:
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
	case ItemRetracted:
		return "已撤回"
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
	// DeliveryUnverified is final: herald can no longer find out whether
	// it went out (its account left the config while the outcome was
	// unknown). It is never taken for published or failed: the clerk checks
	// in the platform's back office.
	DeliveryUnverified DeliveryState = "unverified"
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
	case DeliveryUnverified:
		return "无法核实"
	}
	return string(s)
}

// DeliveryStates lists every delivery state.
var DeliveryStates = []DeliveryState{DeliveryPending, DeliverySending, DeliveryUnknown,
	DeliveryPublished, DeliveryFailed, DeliveryCancelled, DeliveryUnverified}

var deliveryTransitions = map[DeliveryState][]DeliveryState{
	// start an attempt; refused before any call (content or permission, or
	// its account left the config); cancelled
	DeliveryPending: {DeliverySending, DeliveryFailed, DeliveryCancelled},
	// answer: published, failed for good, transient failure known not to have
	// published (back to pending for a retry, or cancelled when the item was
	// cancelled meanwhile), or the answer was lost
	DeliverySending: {DeliveryPublished, DeliveryFailed, DeliveryPending, DeliveryUnknown, DeliveryCancelled},
	// reconciliation found it published, found it never went out (pending,
	// or cancelled when the item was cancelled meanwhile), or found it
	// failed on the platform; or can no longer be looked up (its account
	// left the config)
	DeliveryUnknown:    {DeliveryPublished, DeliveryPending, DeliveryFailed, DeliveryCancelled, DeliveryUnverified},
	DeliveryFailed:     {DeliveryPending}, // an explicit retry
	DeliveryPublished:  {},
	DeliveryCancelled:  {},
	DeliveryUnverified: {},
}

// Valid reports whether s is a known delivery state.
func (s DeliveryState) Valid() bool {
	_, ok := deliveryTransitions[s]
	return ok
}

// Final reports whether the delivery has reached an end state.
func (s DeliveryState) Final() bool {
	return s == DeliveryPublished || s == DeliveryFailed || s == DeliveryCancelled || s == DeliveryUnverified
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
//
// Unverified deliveries may have gone out: they are neither published nor
// failed, and never make an item partially_failed or failed (which would
// invite publishing it again). They count with the published ones, so an
// item whose other deliveries all went out is done, its reason naming the
// accounts to check by hand.
func ItemStateFromDeliveries(states []DeliveryState) (ItemState, bool) {
	published, failed, cancelled := 0, 0, 0
	for _, s := range states {
		switch s {
		case DeliveryPublished, DeliveryUnverified:
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
