package store

import (
	"context"
	"fmt"
)

// Reseal rewrites the stored secrets (signing keys, server secrets, TOTP secrets) that are not sealed under the
// configured key — those written in the clear before a key was set, or under a key being replaced —
// and returns how many it rewrote. Each rewrite only applies if the row still holds the value read, so
// instances resealing at once do not undo each other. Without a key it does nothing.
func (db *DB) Reseal(ctx context.Context) (int, error) {
	if db.box == nil {
		return 0, nil
	}
	var n int
	for _, t := range []struct {
		table, idColumn, valueColumn string
		context                      func(string) string
	}{
		{"signing_keys", "id", "private_key", keyContext},
		{"server_secrets", "name", "value", secretContext},
		{"totp_factors", "user_id", "secret", totpContext},
	} {
		var rows []struct{ ID, Value string }
		err := db.gorm.WithContext(ctx).Table(t.table).
			Select(t.idColumn + " AS id, " + t.valueColumn + " AS value").Scan(&rows).Error
		if err != nil {
			return n, translate(err)
		}
		for _, row := range rows {
			if db.box.Current(row.Value) {
				continue
			}
			plain, err := db.box.Open(row.Value, t.context(row.ID))
			if err != nil {
				return n, fmt.Errorf("%s %s: %w", t.table, row.ID, err)
			}
			sealed, err := db.box.Seal(plain, t.context(row.ID))
			if err != nil {
				return n, err
			}
			res := db.gorm.WithContext(ctx).Table(t.table).
				Where(t.idColumn+" = ? AND "+t.valueColumn+" = ?", row.ID, row.Value).
				Update(t.valueColumn, sealed)
			if res.Error != nil {
				return n, translate(res.Error)
			}
			n += int(res.RowsAffected)
		}
	}
	return n, nil
}
