package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

type sessionRow struct {
	ID         uuid.UUID `gorm:"primaryKey"`
	UserID     uuid.UUID
	AMR        string `gorm:"column:amr"`
	AAL        int    `gorm:"column:aal"`
	IP         string `gorm:"column:ip"`
	UserAgent  string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
	LastUsedAt time.Time
	ExpiresAt  time.Time
	EndedAt    *time.Time
	EndReason  string
}

func (sessionRow) TableName() string { return "sessions" }

type refreshRow struct {
	Hash        string `gorm:"primaryKey"`
	SessionID   uuid.UUID
	CreatedAtMs int64 `gorm:"column:created_at_ms"`
	UsedAtMs    int64 `gorm:"column:used_at_ms"`
}

func (refreshRow) TableName() string { return "refresh_tokens" }

func (r *sessionRow) toSession() *auth.Session {
	return &auth.Session{
		ID: r.ID, UserID: r.UserID, AMR: r.AMR, AAL: r.AAL, IP: r.IP, UserAgent: r.UserAgent, CreatedAt: r.CreatedAt.UTC(),
		LastUsedAt: r.LastUsedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), EndedAt: utcPtr(r.EndedAt), EndReason: r.EndReason,
	}
}

// Sessions is the GORM repository of sessions.
type Sessions struct{ db *DB }

var _ auth.Sessions = (*Sessions)(nil)

// Sessions returns the sessions repository.
func (db *DB) Sessions() *Sessions { return &Sessions{db: db} }

// Create implements auth.Sessions.
func (r *Sessions) Create(ctx context.Context, s *auth.Session, refreshHash string) error {
	row := &sessionRow{
		ID: s.ID, UserID: s.UserID, AMR: s.AMR, AAL: s.Level(), IP: s.IP, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt.UTC(),
		LastUsedAt: s.LastUsedAt.UTC(), ExpiresAt: s.ExpiresAt.UTC(), EndedAt: utcPtr(s.EndedAt),
	}
	if r.db.dialect == Postgres {
		// One statement, so one round trip instead of four (BEGIN, two INSERTs, COMMIT) on every
		// login; a statement is atomic on its own.
		return translate(r.db.conn(ctx).Exec(`
			WITH s AS (
				INSERT INTO sessions (id, user_id, amr, aal, ip, user_agent, created_at, last_used_at, expires_at, ended_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id)
			INSERT INTO refresh_tokens (hash, session_id, created_at_ms) SELECT ?, id, CAST(? AS BIGINT) FROM s`,
			row.ID, row.UserID, row.AMR, row.AAL, row.IP, row.UserAgent, row.CreatedAt, row.LastUsedAt, row.ExpiresAt, row.EndedAt,
			refreshHash, ms(s.CreatedAt)).Error)
	}
	return translate(r.db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(row).Error; err != nil {
			return err
		}
		return tx.Create(&refreshRow{Hash: refreshHash, SessionID: s.ID, CreatedAtMs: ms(s.CreatedAt)}).Error
	}))
}

// sessionUser is one row of the sessions ⋈ users lookup.
type sessionUser struct {
	User        userRow    `gorm:"embedded"` // named: GORM skips an embedded field of an unexported type
	SID         uuid.UUID  `gorm:"column:s_id"`
	SUserID     uuid.UUID  `gorm:"column:s_user_id"`
	SAMR        string     `gorm:"column:s_amr"`
	SAAL        int        `gorm:"column:s_aal"`
	SIP         string     `gorm:"column:s_ip"`
	SUserAgent  string     `gorm:"column:s_user_agent"`
	SCreatedAt  time.Time  `gorm:"column:s_created_at"`
	SLastUsedAt time.Time  `gorm:"column:s_last_used_at"`
	SExpiresAt  time.Time  `gorm:"column:s_expires_at"`
	SEndedAt    *time.Time `gorm:"column:s_ended_at"`
	SEndReason  string     `gorm:"column:s_end_reason"`
}

const sessionUserSelect = `SELECT u.*, s.id AS s_id, s.user_id AS s_user_id, s.amr AS s_amr, s.aal AS s_aal, s.ip AS s_ip,
	s.user_agent AS s_user_agent, s.created_at AS s_created_at, s.last_used_at AS s_last_used_at,
	s.expires_at AS s_expires_at, s.ended_at AS s_ended_at, s.end_reason AS s_end_reason
	FROM sessions s JOIN users u ON u.id = s.user_id `

func (r *Sessions) sessionUser(ctx context.Context, query string, arg any) (*auth.Session, *auth.User, error) {
	var rows []sessionUser
	if err := r.db.conn(ctx).Raw(sessionUserSelect+query, arg).Scan(&rows).Error; err != nil {
		return nil, nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil, auth.ErrNotFound
	}
	row := rows[0]
	s := (&sessionRow{ID: row.SID, UserID: row.SUserID, AMR: row.SAMR, AAL: row.SAAL, IP: row.SIP, UserAgent: row.SUserAgent,
		CreatedAt: row.SCreatedAt, LastUsedAt: row.SLastUsedAt, ExpiresAt: row.SExpiresAt, EndedAt: row.SEndedAt,
		EndReason: row.SEndReason}).toSession()
	return s, row.User.toUser(), nil
}

// WithUser implements auth.Sessions: one indexed lookup (primary key join) per authenticated request.
func (r *Sessions) WithUser(ctx context.Context, sessionID uuid.UUID) (*auth.Session, *auth.User, error) {
	return r.sessionUser(ctx, "WHERE s.id = ?", sessionID)
}

// ByRefreshToken implements auth.Sessions.
func (r *Sessions) ByRefreshToken(ctx context.Context, hash string) (*auth.Session, *auth.User, error) {
	return r.sessionUser(ctx, "JOIN refresh_tokens t ON t.session_id = s.id WHERE t.hash = ?", hash)
}

// Rotate implements auth.Sessions.
func (r *Sessions) Rotate(ctx context.Context, sessionID uuid.UUID, oldHash, newHash string, now time.Time, grace time.Duration) (auth.Rotation, error) {
	outcome := auth.Rotated
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		if r.db.dialect == Postgres {
			// The usual case in one statement: spend the token, store its successor, touch the session.
			// SQLite has no INSERT or UPDATE inside WITH, so there it is the three statements below.
			var rotated []struct{ N int }
			if err := tx.Raw(`
				WITH spent AS (
					UPDATE refresh_tokens SET used_at_ms = CAST(? AS BIGINT)
					WHERE hash = ? AND session_id = ? AND used_at_ms = 0 RETURNING session_id),
				fresh AS (
					INSERT INTO refresh_tokens (hash, session_id, created_at_ms)
					SELECT ?, session_id, CAST(? AS BIGINT) FROM spent RETURNING session_id),
				touched AS (
					UPDATE sessions SET last_used_at = ? WHERE id IN (SELECT session_id FROM fresh) RETURNING id)
				SELECT count(*) AS n FROM touched`,
				ms(now), oldHash, sessionID, newHash, ms(now), now.UTC()).Scan(&rotated).Error; err != nil {
				return err
			}
			if len(rotated) == 1 && rotated[0].N == 1 {
				return nil
			}
		}
		res := tx.Model(&refreshRow{}).Where("hash = ? AND session_id = ? AND used_at_ms = 0", oldHash, sessionID).
			Update("used_at_ms", ms(now))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			var spent refreshRow
			if err := tx.Where("hash = ? AND session_id = ?", oldHash, sessionID).Take(&spent).Error; err != nil {
				return err
			}
			if now.Sub(fromMs(spent.UsedAtMs)) > grace {
				outcome = auth.Reused
				return tx.Model(&sessionRow{}).Where("id = ? AND ended_at IS NULL", sessionID).
					Updates(map[string]any{"ended_at": now.UTC(), "end_reason": auth.EndRefreshReuse}).Error
			}
			outcome = auth.GraceReuse
		}
		if err := tx.Create(&refreshRow{Hash: newHash, SessionID: sessionID, CreatedAtMs: ms(now)}).Error; err != nil {
			return err
		}
		return tx.Model(&sessionRow{}).Where("id = ?", sessionID).Update("last_used_at", now.UTC()).Error
	})
	return outcome, translate(err)
}

// ListActive implements auth.Sessions.
func (r *Sessions) ListActive(ctx context.Context, userID uuid.UUID) ([]*auth.Session, error) {
	var rows []sessionRow
	err := r.db.conn(ctx).Where("user_id = ? AND ended_at IS NULL", userID).
		Order("created_at DESC, id DESC").Limit(1000).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]*auth.Session, len(rows))
	for i := range rows {
		out[i] = rows[i].toSession()
	}
	return out, nil
}

// History implements auth.Sessions.
func (r *Sessions) History(ctx context.Context, userID uuid.UUID, limit int) ([]*auth.Session, error) {
	var rows []sessionRow
	err := r.db.conn(ctx).Where("user_id = ?", userID).Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err)
	}
	out := make([]*auth.Session, len(rows))
	for i := range rows {
		out[i] = rows[i].toSession()
	}
	return out, nil
}

// End implements auth.Sessions.
func (r *Sessions) End(ctx context.Context, userID, sessionID uuid.UUID, at time.Time, reason string) error {
	res := r.db.conn(ctx).Model(&sessionRow{}).
		Where("id = ? AND user_id = ? AND ended_at IS NULL", sessionID, userID).
		Updates(map[string]any{"ended_at": at.UTC(), "end_reason": reason})
	if res.Error != nil {
		return translate(res.Error)
	}
	if res.RowsAffected == 0 {
		return auth.ErrNotFound
	}
	return nil
}

// EndAll implements auth.Sessions.
func (r *Sessions) EndAll(ctx context.Context, userID uuid.UUID, at time.Time, keep uuid.UUID, reason string) (int, error) {
	n, err := endSessions(r.db.conn(ctx), userID, at.UTC(), keep, reason)
	return n, translate(err)
}

func endSessions(tx *gorm.DB, userID uuid.UUID, at time.Time, keep uuid.UUID, reason string) (int, error) {
	q := tx.Model(&sessionRow{}).Where("user_id = ? AND ended_at IS NULL", userID)
	if keep != uuid.Nil {
		q = q.Where("id <> ?", keep)
	}
	res := q.Updates(map[string]any{"ended_at": at, "end_reason": reason})
	return int(res.RowsAffected), res.Error
}
