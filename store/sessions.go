package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

type sessionRow struct {
	ID         string `gorm:"primaryKey"`
	UserID     string
	AMR        string `gorm:"column:amr"`
	IP         string `gorm:"column:ip"`
	UserAgent  string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastUsedAt time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
}

func (sessionRow) TableName() string { return "sessions" }

func (r *sessionRow) toSession() *auth.Session {
	return &auth.Session{
		ID: r.ID, UserID: r.UserID, AMR: r.AMR, IP: r.IP, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: r.LastUsedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), EndedAt: utcPtr(r.EndedAt),
	}
}

// Sessions is the GORM repository of sessions.
type Sessions struct{ db *DB }

var _ auth.Sessions = (*Sessions)(nil)

// Sessions returns the sessions repository.
func (db *DB) Sessions() *Sessions { return &Sessions{db: db} }

// Create implements auth.Sessions.
func (r *Sessions) Create(ctx context.Context, s *auth.Session) error {
	row := &sessionRow{
		ID: s.ID, UserID: s.UserID, AMR: s.AMR, IP: s.IP, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt.UTC(),
		LastUsedAt: s.LastUsedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC(), EndedAt: utcPtr(s.EndedAt),
	}
	return translate(r.db.gorm.WithContext(ctx).Create(row).Error)
}

// sessionUser is one row of the sessions ⋈ users lookup.
type sessionUser struct {
	User        userRow    `gorm:"embedded"` // named: GORM skips an embedded field of an unexported type
	SID         string     `gorm:"column:s_id"`
	SUserID     string     `gorm:"column:s_user_id"`
	SAMR        string     `gorm:"column:s_amr"`
	SIP         string     `gorm:"column:s_ip"`
	SUserAgent  string     `gorm:"column:s_user_agent"`
	SCreatedAt  time.Time  `gorm:"column:s_created_at"`
	SLastUsedAt time.Time  `gorm:"column:s_last_used_at"`
	SExpiresAt  time.Time  `gorm:"column:s_expires_at"`
	SEndedAt    *time.Time `gorm:"column:s_ended_at"`
}

// WithUser implements auth.Sessions: one indexed lookup (primary key join) per authenticated request.
func (r *Sessions) WithUser(ctx context.Context, sessionID string) (*auth.Session, *auth.User, error) {
	if !validUUID(sessionID) {
		return nil, nil, auth.ErrNotFound
	}
	var rows []sessionUser
	err := r.db.gorm.WithContext(ctx).Raw(`SELECT u.*, s.id AS s_id, s.user_id AS s_user_id, s.amr AS s_amr, s.ip AS s_ip,
		s.user_agent AS s_user_agent, s.created_at AS s_created_at, s.last_used_at AS s_last_used_at,
		s.expires_at AS s_expires_at, s.ended_at AS s_ended_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, sessionID).Scan(&rows).Error
	if err != nil {
		return nil, nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil, auth.ErrNotFound
	}
	row := rows[0]
	s := (&sessionRow{ID: row.SID, UserID: row.SUserID, AMR: row.SAMR, IP: row.SIP, UserAgent: row.SUserAgent,
		CreatedAt: row.SCreatedAt, LastUsedAt: row.SLastUsedAt, ExpiresAt: row.SExpiresAt, EndedAt: row.SEndedAt}).toSession()
	return s, row.User.toUser(), nil
}

// EndAll implements auth.Sessions.
func (r *Sessions) EndAll(ctx context.Context, userID string, at time.Time, keep string) (int, error) {
	n, err := endSessions(r.db.gorm.WithContext(ctx), userID, at.UTC(), keep)
	return n, translate(err)
}

func endSessions(tx *gorm.DB, userID string, at time.Time, keep string) (int, error) {
	q := tx.Model(&sessionRow{}).Where("user_id = ? AND ended_at IS NULL", userID)
	if keep != "" {
		q = q.Where("id <> ?", keep)
	}
	res := q.Update("ended_at", at)
	return int(res.RowsAffected), res.Error
}
