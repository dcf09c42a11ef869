package auth

import (
	"context"
	"errors"
	"strconv"

	"github.com/google/uuid"
)

// Moving an account to another phone number: StartPhoneChange texts a code to the new number, bound to
// the caller and that number (PurposePhoneChange bound to the user, on the new number's challenge);
// ConfirmPhoneChange moves the account with it. A number that belongs to another account answers
// alike at both steps: its owner gets a notice instead of a code, and a decoy challenge makes every
// verify fail as a wrong code does. So does a number taken between the two steps: of two accounts
// racing to one number, the unique index lets one win, and the other is answered as a wrong code.

var errSamePhone = newError(ErrBadRequest, "That is already your phone number")

// StartPhoneChange checks the caller's proof and texts a code to rawPhone (normalized and checked as a
// signup number), and returns its reference id. The answer is the same whether or not the number
// belongs to another account.
func (s *LifecycleService) StartPhoneChange(ctx context.Context, rawPhone string, pr Proof) (string, error) {
	p, err := caller(ctx)
	if err != nil {
		return "", err
	}
	n, err := s.d.Codes.parseSMSPhone(rawPhone)
	phone := n.E164
	if err != nil {
		return "", err
	}
	if phone == p.User.Phone {
		return "", errSamePhone
	}
	proof, err := s.reauthenticate(ctx, p, pr, "phone_change")
	if err != nil {
		return "", err
	}
	owner, err := s.d.Users.ByPhone(ctx, phone)
	if err != nil && !errors.Is(err, ErrNotFound) {
		proof.release(ctx)
		return "", err
	}
	req := sendRequest{phone: phone, purpose: boundPurpose(PurposePhoneChange, p.User.ID), user: p.User.ID, eligible: err != nil}
	if err == nil && owner.IsActive {
		req.notice, req.noticeTo = noticePhoneTaken, owner.ID
	}
	ref, err := s.d.Codes.send(ctx, req)
	if err != nil {
		proof.release(ctx)
		if errors.Is(err, ErrNotFound) {
			return "", errCallerGone // the challenge could not be stored: the account is gone
		}
		return "", err
	}
	// Spent only now: a send refused by its cooldown or a failing provider leaves the proof usable.
	if err := proof.commit(ctx); err != nil {
		return "", err
	}
	return ref, nil
}

// ConfirmPhoneChange moves the caller's account to rawPhone with the code StartPhoneChange texted
// there, in one statement that also ends every other session; the old number gets a notice. It
// returns the user as it is then.
func (s *LifecycleService) ConfirmPhoneChange(ctx context.Context, rawPhone, code string) (*User, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	n, err := s.d.Codes.parseSMSPhone(rawPhone)
	phone := n.E164
	if err != nil {
		return nil, err
	}
	if phone == p.User.Phone {
		return nil, errSamePhone
	}
	purpose := boundPurpose(PurposePhoneChange, p.User.ID)
	hash, ref, err := s.d.Codes.check(ctx, phone, purpose, code)
	if err != nil {
		return nil, err
	}
	var (
		u     *User
		ended int
	)
	err = s.env.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, ended, err = s.d.Users.UpdateProfile(ctx, p.User.ID, ProfileChange{Phone: &phone}, s.env.Clock.Now(), p.Session.ID); err != nil {
			return err
		}
		return s.phoneMoved(ctx, u, uuid.Nil, ended, provenByCode, ref)
	})
	switch {
	case errors.Is(err, ErrConflict):
		// Taken since the code was sent: answered, and counted, as a wrong code.
		return nil, s.d.Codes.refuseAsWrong(ctx, phone, purpose)
	case errors.Is(err, ErrNotFound):
		s.d.Codes.release(ctx, phone, purpose, hash)
		return nil, errCallerGone
	case err != nil:
		s.d.Codes.release(ctx, phone, purpose, hash)
		return nil, err
	}
	if err := s.d.Codes.consume(ctx, phone, purpose, hash); err != nil {
		// A concurrent verify with the same code consumed it: that request moved the account too.
		s.env.Logger.InfoContext(ctx, "phone change code consumed concurrently", "reference_id", ref)
	}
	// Proving the number clears a lockout a stranger may have put on it, as a code login does.
	s.d.Accounts.lock.clear(ctx, phone)
	s.d.Codes.notify(ctx, p.User.Phone, noticePhoneMoved, ref)
	return u, nil
}

// phoneMoved records, in the transaction of the change, that u moved to its new number (by "code" or
// "admin", acted by actor when not the user). The caller tells the old number, after the commit.
func (s *LifecycleService) phoneMoved(ctx context.Context, u *User, actor uuid.UUID, ended int, by, ref string) error {
	s.env.Record(ctx, EventPhoneChanged, u.ID, actor, ref, map[string]string{"by": by, "sessions_ended": strconv.Itoa(ended)})
	return s.env.Emit(ctx, TypePhoneChanged, u.ID, phoneData{Phone: u.Phone, By: by, SessionsEnded: ended, Actor: actorRef(actor)})
}
