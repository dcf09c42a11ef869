package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/importer"
)

var _ importer.Repository = (*Users)(nil)

// Rows per INSERT statement, measured: the cost of binding grows faster than the rows with
// glebarez/go-sqlite, so SQLite's sweet spot is small; both stay far below the bound-parameter
// limits (PostgreSQL 65,535, SQLite 32,766) at 15 columns a row.
const (
	insertChunkSQLite   = 50
	insertChunkPostgres = 200
	lookupChunk         = 500 // users per conflict lookup (3 values each)
)

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ImportBatch implements importer.Repository. The common case, a batch without conflicts, is one
// transaction. A batch that conflicts is rolled back; one query then names the taken values, and the
// remaining users are inserted in one transaction again. Should that fail too (a value taken since,
// or a row the database refuses for another reason), the remaining users go in one at a time, each
// its own statement, which pinpoints the bad ones without ever storing part of a user.
func (r *Users) ImportBatch(ctx context.Context, users []*auth.User, dryRun bool) ([]error, error) {
	out := make([]error, len(users))
	rest := make([]int, len(users))
	for i := range rest {
		rest[i] = i
	}
	err := r.insertRows(ctx, users, rest, dryRun)
	if err == nil {
		return out, nil
	}
	if importFatal(ctx, err) {
		return nil, err
	}
	if errors.Is(err, auth.ErrConflict) {
		taken, err := r.taken(ctx, users)
		if err != nil {
			return nil, err
		}
		rest = rest[:0]
		for i, fields := range taken {
			if fields != nil {
				out[i] = &importer.ConflictError{Fields: fields}
			} else {
				rest = append(rest, i)
			}
		}
		if len(rest) == 0 {
			return out, nil
		}
		if err = r.insertRows(ctx, users, rest, dryRun); err == nil {
			return out, nil
		}
		if importFatal(ctx, err) {
			return nil, err
		}
	}
	for _, i := range rest {
		err := r.insertRows(ctx, users, []int{i}, dryRun)
		switch {
		case err == nil:
		case importFatal(ctx, err):
			return out[:i], err
		case errors.Is(err, auth.ErrConflict):
			taken, terr := r.taken(ctx, users[i:i+1])
			if terr != nil {
				return out[:i], terr
			}
			out[i] = &importer.ConflictError{Fields: taken[0]}
		default:
			out[i] = err
		}
	}
	return out, nil
}

// importFatal tells an error about the database (stop) from one about the rows (pinpoint them).
func importFatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, auth.ErrUnavailable) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// insertRows inserts users[idx…] in one transaction, rolled back when dryRun.
func (r *Users) insertRows(ctx context.Context, users []*auth.User, idx []int, dryRun bool) error {
	rows := make([]*userRow, len(idx))
	for j, i := range idx {
		rows[j] = toUserRow(users[i])
	}
	chunk := insertChunkPostgres
	if r.db.dialect == SQLite {
		chunk = insertChunkSQLite
	}
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(rows, chunk).Error; err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return translate(err)
}

// taken returns, for each user, the unique fields ("id", "phone", "email") an existing user has
// already, or nil. Emails compare with the database's lower(), as the unique index does.
func (r *Users) taken(ctx context.Context, users []*auth.User) ([][]string, error) {
	out := make([][]string, 0, len(users))
	for chunk := range slices.Chunk(users, lookupChunk) {
		fields, err := r.takenChunk(ctx, chunk)
		if err != nil {
			return nil, err
		}
		out = append(out, fields...)
	}
	return out, nil
}

func (r *Users) takenChunk(ctx context.Context, users []*auth.User) ([][]string, error) {
	ids := make([]uuid.UUID, len(users))
	phones := make([]string, len(users))
	var emails []any
	for i, u := range users {
		ids[i], phones[i] = u.ID, u.Phone
		if u.Email != nil {
			emails = append(emails, *u.Email)
		}
	}
	q := "SELECT id, phone, lower(email) AS email FROM users WHERE id IN ? OR phone IN ?"
	args := []any{ids, phones}
	if len(emails) > 0 {
		q += " OR lower(email) IN (" + strings.TrimSuffix(strings.Repeat("lower(?),", len(emails)), ",") + ")"
		args = append(args, emails...)
	}
	var found []struct {
		ID    uuid.UUID
		Phone string
		Email *string
	}
	if err := r.q(ctx).Raw(q, args...).Scan(&found).Error; err != nil {
		return nil, translate(err)
	}
	byID, byPhone, byEmail := map[uuid.UUID]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range found {
		byID[f.ID], byPhone[f.Phone] = true, true
		if f.Email != nil {
			byEmail[strings.ToLower(*f.Email)] = true
		}
	}
	out := make([][]string, len(users))
	for i, u := range users {
		var fields []string
		if byID[u.ID] {
			fields = append(fields, "id")
		}
		if byPhone[u.Phone] {
			fields = append(fields, "phone")
		}
		if u.Email != nil && byEmail[strings.ToLower(*u.Email)] {
			fields = append(fields, "email")
		}
		out[i] = fields
	}
	return out, nil
}
