package auth

import (
	"context"
	"errors"

	"github.com/google/uuid"
)

// Deleting an account erases it at once: the user and every row that is theirs go in one transaction
// (Erasure.DeleteUser, the one place later features that attach rows to a user join), so that no
// session, token or half-deleted row is left, whatever runs concurrently; the access token of the
// request stops working with its session. The audit trail keeps its events under the user's id,
// without what identifies a person (README: what the audit trail keeps about a deleted user). The
// number gets a notice, and can sign up again as a new account with a new id.

// DeleteAccount deletes the caller's account after checking the caller's proof.
func (s *LifecycleService) DeleteAccount(ctx context.Context, pr Proof) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	proof, err := s.reauthenticate(ctx, p, pr, "delete_account")
	if err != nil {
		return err
	}
	// Consumed first: of two deletions with one code, one goes on.
	if err := proof.commit(ctx); err != nil {
		return err
	}
	if err := s.erase(ctx, p.User.ID, uuid.Nil, map[string]string{"by": "user", "proof": proof.method}); errors.Is(err, ErrNotFound) {
		return errCallerGone // deleted concurrently
	} else if err != nil {
		return err
	}
	return nil
}

// erase deletes user id (actor: the admin who did, or uuid.Nil), records user.deleted with details and
// texts the notice. ErrNotFound for an unknown user.
func (s *LifecycleService) erase(ctx context.Context, id, actor uuid.UUID, details map[string]string) error {
	var u *User
	err := s.env.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.d.Erasure.DeleteUser(ctx, id); err != nil {
			return err
		}
		// Written after the erasure, so it keeps the client of this request: who deleted the account.
		s.env.Record(ctx, EventUserDeleted, id, actor, "", details)
		return s.env.Emit(ctx, TypeUserDeleted, id, deletedData{By: details["by"]})
	})
	if err != nil {
		return err
	}
	s.d.Codes.notify(ctx, u.Phone, noticeDeleted, "")
	return nil
}
