package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"golang.org/x/crypto/argon2"
)

// benchDB is a database made for one benchmark run and dropped after it, so runs never see each
// other's users, sessions or bloat.
type benchDB struct {
	adminURL string // the database CREATE/DROP DATABASE is issued from
	name     string
	url      string // the new database, for the server
}

// createDB makes phoneauth_bench_<random> on the server adminURL points to.
func createDB(ctx context.Context, adminURL string) (*benchDB, error) {
	u, err := url.Parse(adminURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("PHONEAUTH_BENCH_DATABASE_URL must be a postgres:// URL")
	}
	name := "phoneauth_bench_" + strings.ToLower(rand.Text()[:10])
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	// The name is ours (lower-case base32), so quoting it is enough; identifiers cannot be parameters.
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return nil, fmt.Errorf("creating the benchmark database: %w", err)
	}
	u.Path = "/" + name
	return &benchDB{adminURL: adminURL, name: name, url: u.String()}, nil
}

// drop removes the database, ending any session still in it (FORCE, PostgreSQL 13+). It uses its own
// context: it runs on the way out, often because the run's context was cancelled.
func (d *benchDB) drop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", d.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	_, err = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+d.name+`" WITH (FORCE)`)
	return err
}

// Seed users all share one password so that logins can be generated without bookkeeping.
const benchPassword = "benchmark passphrase 7 quiet otters"

// argon2id parameters of auth/password.DefaultParams (OWASP's m=19 MiB, t=2, p=1). They are repeated
// here rather than imported so the benchmark stays a black box; TestSeedHashVerifies checks that the
// server's hasher accepts the result without asking for a rehash.
const (
	hashMemoryKiB = 19 * 1024
	hashTime      = 2
	hashThreads   = 1
	hashSaltLen   = 16
	hashKeyLen    = 32
)

// phcHash is the PHC string auth/password writes: $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func phcHash(pw string) string {
	salt := make([]byte, hashSaltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, hashTime, hashMemoryKiB, hashThreads, hashKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, hashMemoryKiB, hashTime, hashThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// benchAreaCodes give 10,000 valid US numbers each (NPA-555-XXXX; libphonenumber accepts them all).
var benchAreaCodes = []int{415, 650, 202, 212, 312, 617, 206, 303}

const maxUsers = 10000 * 8

// benchPhone is the E.164 number of seed user i.
func benchPhone(i int) string {
	return fmt.Sprintf("+1%d555%04d", benchAreaCodes[i/10000], i%10000)
}

// seedUsers inserts n active users with benchPassword straight into the users table. Going through
// the API would cost one argon2id hash per user on the server (minutes for thousands of users on a
// small machine) and the CLI a process each; the schema is the server's, migrated at its start.
func seedUsers(ctx context.Context, dbURL string, n int) ([]string, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	hash := phcHash(benchPassword)
	now := time.Now().UTC()
	phones := make([]string, n)
	const batch = 1000 // 9 parameters per row stays far below PostgreSQL's 65,535
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		var q strings.Builder
		q.WriteString(`INSERT INTO users (id, phone, name, password_hash, is_active, has_given_consent, roles, created_at, updated_at) VALUES `)
		args := make([]any, 0, (hi-lo)*9)
		for i := lo; i < hi; i++ {
			phones[i] = benchPhone(i)
			if i > lo {
				q.WriteByte(',')
			}
			k := len(args)
			fmt.Fprintf(&q, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", k+1, k+2, k+3, k+4, k+5, k+6, k+7, k+8, k+9)
			args = append(args, uuidV7(now), phones[i], fmt.Sprintf("Bench User %d", i), hash, true, true, "", now, now)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return nil, fmt.Errorf("seeding users: %w", err)
		}
	}
	return phones, tx.Commit()
}

// uuidV7 is a time-ordered UUID, the kind phoneauth itself gives users (its index on id assumes it).
func uuidV7(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
