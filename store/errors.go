package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
)

// translate maps driver and GORM errors to auth's kinds; anything else passes through unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return auth.ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505": // unique_violation
			return fmt.Errorf("%w: %s", auth.ErrConflict, pg.ConstraintName)
		case pg.Code == "23503": // foreign_key_violation: the row referred to is gone (a deleted user)
			return fmt.Errorf("%w: %s", auth.ErrNotFound, pg.ConstraintName)
		case strings.HasPrefix(pg.Code, "08"), pg.Code == "57P01", pg.Code == "57P02", pg.Code == "57P03",
			pg.Code == "57014", pg.Code == "53300": // connection, shutdown, statement timeout, too many connections
			return unavailable(err)
		}
		return err
	}
	var lite *gosqlite.Error
	if errors.As(err, &lite) {
		switch code := lite.Code(); {
		case code == 2067 || code == 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
			return fmt.Errorf("%w: %s", auth.ErrConflict, lite.Error())
		case code == 787: // SQLITE_CONSTRAINT_FOREIGNKEY: the row referred to is gone (a deleted user)
			return fmt.Errorf("%w: %s", auth.ErrNotFound, lite.Error())
		case code&0xff == 5 || code&0xff == 6: // SQLITE_BUSY, SQLITE_LOCKED
			return unavailable(err)
		}
		return err
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, pgconn.ErrConnClosed) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) {
		return unavailable(err)
	}
	return err
}

func unavailable(cause error) error {
	return &auth.Error{Kind: auth.ErrUnavailable, Detail: "Database unavailable; please retry", RetryAfter: 2 * time.Second, Cause: cause}
}
