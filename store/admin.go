package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

var _ auth.UserAdmin = (*Users)(nil)

// likePattern escapes LIKE's wildcards in a user's search text.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(s)) + "%"
}

// userSearch is List's statement on q.
func userSearch(q *gorm.DB, query string, before uuid.UUID, limit int) *gorm.DB {
	q = q.Model(&userRow{})
	if before != uuid.Nil {
		q = q.Where("id < ?", before)
	}
	if query != "" {
		p := likePattern(query)
		q = q.Where(`(lower(phone) LIKE ? ESCAPE '\' OR lower(name) LIKE ? ESCAPE '\' OR lower(coalesce(email, '')) LIKE ? ESCAPE '\')`, p, p, p)
	}
	return q.Order("id DESC").Limit(limit)
}

// List implements auth.UserAdmin. On PostgreSQL the substring match is served by the trigram index
// users_search_trgm_idx (a bitmap of the matching users, sorted for the page) or by a walk of the
// primary key newest first that stops at a page of matches, whichever the planner reckons cheaper for
// the pattern: one most users match (a common name) is the walk, one that matches a few or none the
// index. So it is planned for its values every time (DB.forValues). SQLite has no trigram index:
// there the walk is the only plan (migration 00050 of SQLite). TestQueryPlans holds the plans.
func (r *Users) List(ctx context.Context, query string, before uuid.UUID, limit int) ([]*auth.User, error) {
	var rows []userRow
	if err := r.db.forValues(ctx, func(tx *gorm.DB) error { return userSearch(tx, query, before, limit).Find(&rows).Error }); err != nil {
		return nil, translate(err)
	}
	out := make([]*auth.User, len(rows))
	for i := range rows {
		out[i] = rows[i].toUser()
	}
	return out, nil
}

// SetActive implements auth.UserAdmin.
func (r *Users) SetActive(ctx context.Context, userID uuid.UUID, active bool, at time.Time) error {
	return translate(r.db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ?", userID).Updates(map[string]any{"is_active": active, "updated_at": at.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		if active {
			return nil
		}
		_, err := endSessions(tx, userID, at.UTC(), uuid.Nil, auth.EndDeactivated)
		return err
	}))
}

// SetRoles implements auth.UserAdmin.
func (r *Users) SetRoles(ctx context.Context, userID uuid.UUID, roles []string, at time.Time, endAll bool) error {
	return translate(r.db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ?", userID).Updates(map[string]any{"roles": strings.Join(roles, ","), "updated_at": at.UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		if !endAll {
			return nil
		}
		_, err := endSessions(tx, userID, at.UTC(), uuid.Nil, auth.EndRevoked)
		return err
	}))
}
