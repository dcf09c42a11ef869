package store

import (
	"context"
	"time"

	"github.com/phoneauth/phoneauth/auth"
)

type messageRow struct {
	ID                int64 `gorm:"primaryKey;autoIncrement"`
	ReferenceID       string
	Purpose           string
	Provider          string
	ProviderMessageID string
	Country           string
	Phone             string
	Status            string
	ErrorCode         string
	SentAtMs          int64 `gorm:"column:sent_at_ms"`
	UpdatedAtMs       int64 `gorm:"column:updated_at_ms"`
}

func (messageRow) TableName() string { return "sms_messages" }

// Messages is the GORM repository of the message log.
type Messages struct{ db *DB }

var _ auth.SMSMessages = (*Messages)(nil)

// Messages returns the message-log repository.
func (db *DB) Messages() *Messages { return &Messages{db: db} }

// Add implements auth.SMSMessages.
func (r *Messages) Add(ctx context.Context, m *auth.SMSMessage) error {
	row := &messageRow{ReferenceID: m.ReferenceID, Purpose: m.Purpose, Provider: m.Provider, ProviderMessageID: m.ProviderMessageID,
		Country: m.Country, Phone: m.Phone, Status: m.Status, ErrorCode: m.ErrorCode, SentAtMs: ms(m.SentAt), UpdatedAtMs: ms(m.UpdatedAt)}
	if err := r.db.conn(ctx).Create(row).Error; err != nil {
		return translate(err)
	}
	m.ID = row.ID
	return nil
}

// setStatus updates the message id to status unless it has a final one (or status is not final and
// it is already sent): receipts arrive out of order, and the first final word stands.
func (r *Messages) setStatus(ctx context.Context, id int64, status, code string, at time.Time) error {
	if status == auth.SMSSent {
		return nil
	}
	return translate(r.db.conn(ctx).Exec(`
		UPDATE sms_messages SET status = ?, error_code = ?, updated_at_ms = ?
		WHERE id = ? AND status = ?`, status, code, ms(at), id, auth.SMSSent).Error)
}

// SetStatusByProviderID implements auth.SMSMessages.
func (r *Messages) SetStatusByProviderID(ctx context.Context, provider, messageID, status, code string, at time.Time) (bool, error) {
	var ids []int64
	if err := r.db.conn(ctx).Raw(`
		SELECT id FROM sms_messages WHERE provider = ? AND provider_message_id = ? ORDER BY id DESC LIMIT 1`,
		provider, messageID).Scan(&ids).Error; err != nil {
		return false, translate(err)
	}
	if len(ids) == 0 {
		return false, nil
	}
	return true, r.setStatus(ctx, ids[0], status, code, at)
}

// SetStatusByReference implements auth.SMSMessages.
func (r *Messages) SetStatusByReference(ctx context.Context, ref, status, code string, at time.Time) (bool, error) {
	var ids []int64
	if err := r.db.conn(ctx).Raw(`
		SELECT id FROM sms_messages WHERE reference_id = ? ORDER BY id DESC LIMIT 1`, ref).Scan(&ids).Error; err != nil {
		return false, translate(err)
	}
	if len(ids) == 0 {
		return false, nil
	}
	return true, r.setStatus(ctx, ids[0], status, code, at)
}

// List implements auth.SMSMessages.
func (r *Messages) List(ctx context.Context, f auth.SMSMessageFilter) ([]auth.SMSMessage, error) {
	q := r.db.conn(ctx).Model(&messageRow{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Purpose != "" {
		q = q.Where("purpose = ?", f.Purpose)
	}
	if f.Country != "" {
		q = q.Where("country = ?", f.Country)
	}
	if !f.Since.IsZero() {
		q = q.Where("sent_at_ms >= ?", ms(f.Since))
	}
	if !f.Until.IsZero() {
		q = q.Where("sent_at_ms < ?", ms(f.Until))
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	var rows []messageRow
	if err := q.Order("id DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]auth.SMSMessage, len(rows))
	for i, row := range rows {
		out[i] = auth.SMSMessage{ID: row.ID, ReferenceID: row.ReferenceID, Purpose: row.Purpose, Provider: row.Provider,
			ProviderMessageID: row.ProviderMessageID, Country: row.Country, Phone: row.Phone, Status: row.Status,
			ErrorCode: row.ErrorCode, SentAt: fromMs(row.SentAtMs), UpdatedAt: fromMs(row.UpdatedAtMs)}
	}
	return out, nil
}

// PurgeSMSMessages implements auth.Purger, batch rows per statement.
func (r *Purger) PurgeSMSMessages(ctx context.Context, before time.Time, batch int) (int64, error) {
	var total int64
	for {
		res := r.db.conn(ctx).Exec(`
			DELETE FROM sms_messages WHERE id IN (SELECT id FROM sms_messages WHERE sent_at_ms < ? LIMIT ?)`, ms(before), batch)
		if res.Error != nil {
			return total, translate(res.Error)
		}
		total += res.RowsAffected
		if res.RowsAffected < int64(batch) {
			return total, nil
		}
	}
}

// PurgeSMSGuard implements auth.Purger.
func (r *Purger) PurgeSMSGuard(ctx context.Context, before time.Time) (int64, error) {
	res := r.db.conn(ctx).Exec(`DELETE FROM sms_guard_counts WHERE bucket_ms < ?`, ms(before))
	if res.Error != nil {
		return 0, translate(res.Error)
	}
	n := res.RowsAffected
	res = r.db.conn(ctx).Exec(`DELETE FROM sms_guard_blocks WHERE until_ms < ?`, ms(before))
	return n + res.RowsAffected, translate(res.Error)
}
