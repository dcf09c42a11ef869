package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

// SMSGuard is auth.SMSGuardStore in the database, for deployments without Redis. The guard writes to
// it once per sync interval per instance, never once per request.
type SMSGuard struct{ db *DB }

var _ auth.SMSGuardStore = (*SMSGuard)(nil)

// SMSGuard returns the SMS guard's database store.
func (db *DB) SMSGuard() *SMSGuard { return &SMSGuard{db: db} }

// Add implements auth.SMSGuardStore: one upsert per prefix, in one transaction.
func (r *SMSGuard) Add(ctx context.Context, bucket time.Time, counts []auth.PrefixCount) error {
	return translate(r.db.tx(ctx, func(tx *gorm.DB) error {
		for _, c := range counts {
			if err := tx.Exec(`
				INSERT INTO sms_guard_counts (prefix, bucket_ms, region, sends, verified) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (prefix, bucket_ms) DO UPDATE SET
					sends = sms_guard_counts.sends + excluded.sends,
					verified = sms_guard_counts.verified + excluded.verified`,
				c.Prefix, ms(bucket), c.Region, c.Sends, c.Verified).Error; err != nil {
				return err
			}
		}
		return nil
	}))
}

type prefixSum struct {
	Prefix   string
	Region   string
	Sends    int64
	Verified int64
}

// Counts implements auth.SMSGuardStore.
func (r *SMSGuard) Counts(ctx context.Context, prefixes []string, since time.Time) (map[string]auth.PrefixCount, error) {
	out := make(map[string]auth.PrefixCount, len(prefixes))
	for start := 0; start < len(prefixes); start += 500 {
		chunk := prefixes[start:min(start+500, len(prefixes))]
		var rows []prefixSum
		if err := r.db.conn(ctx).Raw(`
			SELECT prefix, MAX(region) AS region, CAST(SUM(sends) AS BIGINT) AS sends, CAST(SUM(verified) AS BIGINT) AS verified
			FROM sms_guard_counts WHERE prefix IN ? AND bucket_ms >= ? GROUP BY prefix`, chunk, ms(since)).Scan(&rows).Error; err != nil {
			return nil, translate(err)
		}
		for _, row := range rows {
			out[row.Prefix] = auth.PrefixCount(row)
		}
	}
	return out, nil
}

// Top implements auth.SMSGuardStore.
func (r *SMSGuard) Top(ctx context.Context, since time.Time, limit int) ([]auth.PrefixCount, error) {
	var rows []prefixSum
	if err := r.db.conn(ctx).Raw(`
		SELECT prefix, MAX(region) AS region, CAST(SUM(sends) AS BIGINT) AS sends, CAST(SUM(verified) AS BIGINT) AS verified
		FROM sms_guard_counts WHERE bucket_ms >= ? GROUP BY prefix HAVING SUM(sends) > 0
		ORDER BY SUM(sends) DESC, prefix LIMIT ?`, ms(since), limit).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]auth.PrefixCount, len(rows))
	for i, row := range rows {
		out[i] = auth.PrefixCount(row)
	}
	return out, nil
}

type blockRow struct {
	Prefix      string
	Region      string
	BlockedAtMs int64 `gorm:"column:blocked_at_ms"`
	UntilMs     int64 `gorm:"column:until_ms"`
	Sends       int64
	Verified    int64
}

func (b blockRow) block() auth.PrefixBlock {
	return auth.PrefixBlock{Prefix: b.Prefix, Region: b.Region, BlockedAt: fromMs(b.BlockedAtMs), Until: fromMs(b.UntilMs),
		Sends: b.Sends, Verified: b.Verified}
}

// Block implements auth.SMSGuardStore: the upsert replaces only a block that has ended, so of racing
// instances one stores it.
func (r *SMSGuard) Block(ctx context.Context, b auth.PrefixBlock) (bool, error) {
	created := false
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		var got []string
		if err := tx.Raw(`
			INSERT INTO sms_guard_blocks (prefix, region, blocked_at_ms, until_ms, sends, verified) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (prefix) DO UPDATE SET region = excluded.region, blocked_at_ms = excluded.blocked_at_ms,
				until_ms = excluded.until_ms, sends = excluded.sends, verified = excluded.verified
			WHERE sms_guard_blocks.until_ms <= excluded.blocked_at_ms
			RETURNING prefix`, b.Prefix, b.Region, ms(b.BlockedAt), ms(b.Until), b.Sends, b.Verified).Scan(&got).Error; err != nil {
			return err
		}
		if created = len(got) == 1; !created {
			return nil
		}
		return tx.Exec(`DELETE FROM sms_guard_counts WHERE prefix = ?`, b.Prefix).Error
	})
	return created, translate(err)
}

// Blocks implements auth.SMSGuardStore.
func (r *SMSGuard) Blocks(ctx context.Context, now time.Time) ([]auth.PrefixBlock, error) {
	var rows []blockRow
	if err := r.db.conn(ctx).Raw(`
		SELECT prefix, region, blocked_at_ms, until_ms, sends, verified FROM sms_guard_blocks WHERE until_ms > ?
		ORDER BY blocked_at_ms DESC`, ms(now)).Scan(&rows).Error; err != nil {
		return nil, translate(err)
	}
	out := make([]auth.PrefixBlock, len(rows))
	for i, row := range rows {
		out[i] = row.block()
	}
	return out, nil
}

// Clear implements auth.SMSGuardStore.
func (r *SMSGuard) Clear(ctx context.Context, prefix string, now time.Time) (auth.PrefixBlock, bool, error) {
	var rows []blockRow
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Raw(`
			DELETE FROM sms_guard_blocks WHERE prefix = ?
			RETURNING prefix, region, blocked_at_ms, until_ms, sends, verified`, prefix).Scan(&rows).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM sms_guard_counts WHERE prefix = ?`, prefix).Error
	})
	if err != nil {
		return auth.PrefixBlock{}, false, translate(err)
	}
	if len(rows) == 0 || rows[0].UntilMs <= ms(now) {
		return auth.PrefixBlock{}, false, nil
	}
	return rows[0].block(), true, nil
}
