package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

// UpdateProfile implements auth.Users: one UPDATE of the columns c sets, and, when it sets the phone,
// the end of the user's other sessions in the same transaction.
func (r *Users) UpdateProfile(ctx context.Context, userID uuid.UUID, c auth.ProfileChange, at time.Time, keepSession uuid.UUID) (*auth.User, int, error) {
	at = at.UTC()
	set := map[string]any{"updated_at": at}
	if c.Phone != nil {
		set["phone"] = *c.Phone
	}
	if c.Name != nil {
		set["name"] = *c.Name
	}
	edit(set, "email", c.Email)
	edit(set, "gender", c.Gender)
	edit(set, "place", c.Place)
	if c.DateOfBirth.Set {
		set["date_of_birth"] = nil
		if c.DateOfBirth.Value != nil {
			set["date_of_birth"] = c.DateOfBirth.Value.UTC()
		}
	}
	if c.Consent != nil {
		set["has_given_consent"] = *c.Consent
		set["consent_given_at"] = nil
		if *c.Consent {
			// SET reads the row as it was: a consent already given keeps its time.
			set["consent_given_at"] = gorm.Expr("CASE WHEN has_given_consent THEN consent_given_at ELSE ? END", at)
		}
	}
	var (
		row   userRow
		ended int
	)
	err := r.db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&userRow{}).Where("id = ?", userID).Updates(set)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		if c.Phone != nil {
			var err error
			if ended, err = endSessions(tx, userID, at, keepSession, auth.EndPhoneChanged); err != nil {
				return err
			}
		}
		return tx.Where("id = ?", userID).Take(&row).Error
	})
	if err != nil {
		return nil, 0, translate(err)
	}
	return row.toUser(), ended, nil
}

// edit puts one auth.Edit into an UPDATE's columns: NULL when it clears.
func edit(set map[string]any, column string, e auth.Edit[string]) {
	switch {
	case !e.Set:
	case e.Value == nil:
		set[column] = nil
	default:
		set[column] = *e.Value
	}
}
