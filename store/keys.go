package store

import (
	"context"
	"fmt"
	"time"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/token"
)

type keyRow struct {
	ID         string `gorm:"primaryKey"`
	Algorithm  string
	PrivateKey string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (keyRow) TableName() string { return "signing_keys" }

// Keys is the GORM repository of signing keys.
type Keys struct{ db *DB }

var _ auth.Keys = (*Keys)(nil)

// Keys returns the signing keys repository.
func (db *DB) Keys() *Keys { return &Keys{db: db} }

// List implements auth.Keys.
func (r *Keys) List(ctx context.Context) ([]token.Key, error) {
	var rows []keyRow
	if err := r.db.conn(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	keys := make([]token.Key, 0, len(rows))
	for _, row := range rows {
		pem, err := r.db.box.Open(row.PrivateKey, keyContext(row.ID))
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
		}
		k, err := token.ParsePEM(row.ID, pem, row.CreatedAt.UTC())
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", row.ID, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Add implements auth.Keys.
func (r *Keys) Add(ctx context.Context, k token.Key) error {
	pem, err := k.MarshalPEM()
	if err != nil {
		return err
	}
	sealed, err := r.db.box.Seal(pem, keyContext(k.ID))
	if err != nil {
		return err
	}
	row := &keyRow{ID: k.ID, Algorithm: token.Algorithm, PrivateKey: sealed, CreatedAt: k.CreatedAt.UTC()}
	return translate(r.db.conn(ctx).Create(row).Error)
}

// keyContext binds a sealed private key to its row.
func keyContext(id string) string { return "signing_keys/" + id }
