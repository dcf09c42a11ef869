package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/gen"
)

// The admin API of the outbound events' outbox.

func (h *handler) AdminListEvents(ctx context.Context, req gen.AdminListEventsRequestObject) (gen.AdminListEventsResponseObject, error) {
	p := req.Params
	f := auth.OutboundFilter{Type: deref(p.Type), State: string(deref(p.State)), UserID: deref(p.UserId), Limit: deref(p.Limit)}
	events, next, err := h.Admin.Events(ctx, f, deref(p.Cursor))
	if err != nil {
		return nil, err
	}
	out := gen.AdminListEvents200JSONResponse{Events: make([]gen.OutboundEvent, 0, len(events))}
	for i := range events {
		out.Events = append(out.Events, outboundEvent(&events[i]))
	}
	if next != "" {
		out.NextCursor = &next
	}
	return out, nil
}

func (h *handler) AdminRedeliverEvent(ctx context.Context, req gen.AdminRedeliverEventRequestObject) (gen.AdminRedeliverEventResponseObject, error) {
	ev, err := h.Admin.Redeliver(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return gen.AdminRedeliverEvent200JSONResponse(outboundEvent(ev)), nil
}

func outboundEvent(e *auth.OutboundEvent) gen.OutboundEvent {
	data := map[string]any{}
	_ = json.Unmarshal(e.Data, &data) // written by Emit: always a JSON object
	out := gen.OutboundEvent{
		Id: e.ID, Seq: e.Seq, Type: e.Type, Timestamp: e.At.In(time.UTC), UserId: optionalID(e.UserID), Data: data,
		State: gen.EventState(e.State), Attempts: e.Attempts, RetryUntil: e.RetryUntil.In(time.UTC), LastError: e.LastError,
	}
	if e.State == auth.EventPending {
		next := e.NextAttemptAt.In(time.UTC)
		out.NextAttemptAt = &next
	}
	if !e.DeliveredAt.IsZero() {
		d := e.DeliveredAt.In(time.UTC)
		out.DeliveredAt = &d
	}
	return out
}
