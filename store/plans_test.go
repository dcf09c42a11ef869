package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/store/storetest"
)

// The plans of the admin queries and the purge on PostgreSQL, on tables seeded large enough that the
// planner's choice matters (a walk of the primary key and an index both look cheap on a small table)
// and analyzed. The admin queries are explained as List runs them: prepared, and planned for their
// values (DB.forValues); the generic plan PostgreSQL would otherwise switch a prepared statement to is
// logged for a rare type's audit (a walk of the primary key), and the end of the test holds that List
// never gets it, even for a search that keeps matching nobody, whose generic plan is priced below the
// trigram index's. Every plan must read its page through the index meant for it, and EXPLAIN ANALYZE's
// buffer count must stay near what a page costs:
// the work is bounded by the page, not by the table, whatever the plan is called.

const (
	planUsers  = 100_000
	planEvents = 300_000
	rareType   = "user.deleted" // one event in about 10,000
	pageRows   = 51             // a page of 50 and the row that tells whether another follows
)

// maxPageBuffers bounds the buffers a page may touch: its rows' heap pages and an index's few levels
// and leaves, with room to spare; a walk of a table of this size touches thousands.
const maxPageBuffers = 300

func TestQueryPlans(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t, Postgres)
	db, err := Open(ctx, Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seedForPlans(t, db)
	actor, user := planID(7), planID(4242)

	dry := func() *gorm.DB { return db.gorm.Session(&gorm.Session{DryRun: true}).WithContext(ctx) }
	audit := func(f auth.AuditFilter) (string, []any) {
		f.Limit = pageRows
		st := auditQuery(dry(), f).Find(&[]auditRow{}).Statement
		return st.SQL.String(), st.Vars
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // the seed's first event; one a second after it
	for _, c := range []struct {
		name  string
		index string // "" when either plan is right (a common type: the walk finds a page at once)
		f     auth.AuditFilter
	}{
		{"audit of a rare type", "audit_events_type_idx", auth.AuditFilter{Type: rareType}},
		{"audit of a common type, second page", "", auth.AuditFilter{Type: "login.succeeded", BeforeID: planEvents / 2}},
		{"audit of an actor", "audit_events_actor_idx", auth.AuditFilter{ActorID: actor}},
		{"audit of a user", "audit_events_user_idx", auth.AuditFilter{UserID: user}},
		{"audit since the last 20 events", "audit_events_at_id_idx", auth.AuditFilter{Since: base.Add((planEvents - 20) * time.Second)}},
		{"audit until the first 20 events", "audit_events_at_id_idx", auth.AuditFilter{Until: base.Add(20 * time.Second)}},
		{"audit until the middle", "audit_events_at_id_idx", auth.AuditFilter{Until: base.Add(planEvents / 2 * time.Second)}},
		{"audit in an hour long ago, second page", "audit_events_at_id_idx",
			auth.AuditFilter{Since: base.Add(time.Hour), Until: base.Add(2 * time.Hour), BeforeID: 5000}},
		{"audit of a rare type in a range", "audit_events_type_idx",
			auth.AuditFilter{Type: rareType, Since: base.Add(time.Hour), Until: base.Add(planEvents / 2 * time.Second)}},
	} {
		query, vars := audit(c.f)
		explain(t, db, query, vars, false).check(t, c.name, false, c.index)
	}
	// What a generic plan would do with a rare type.
	if p := explain(t, db, mustQuery(audit(auth.AuditFilter{Type: rareType})), []any{rareType, pageRows}, true); !slices.Contains(p.indexes, "audit_events_type_idx") {
		t.Logf("a rare type's generic plan: scans %v, %d buffers (planned for the value: audit_events_type_idx)", p.indexes, p.buffers)
	}

	// The user search, as List runs it: planned for its values.
	for _, c := range []struct {
		name, query string
		index       string // "" when either plan is right (a pattern most users match)
	}{
		{"search that matches nobody", "zzqx no such person", "users_search_trgm_idx"},
		{"search for an email's domain few have", "@rare.example", "users_search_trgm_idx"},
		{"search for a common name", "user", ""},
	} {
		st := userSearch(dry(), c.query, uuid.Nil, pageRows).Find(&[]userRow{}).Statement
		p := explain(t, db, st.SQL.String(), st.Vars, false)
		p.check(t, c.name, false, c.index)
	}

	// The purge: its batch statement reads as much at the end of the backlog as at its start.
	cut := base.Add(time.Duration(planUsers) * time.Second) // every seeded session expired before it
	batch := func(after sessionKey) (plan, sessionKey) {
		t.Helper()
		vars := []any{cut, after.K, after.ID, 1000}
		p := explain(t, db, rebind(sessionBatchSQL("expires_at", "expires_at < ?")), vars, false)
		var k []sessionKey
		if err := db.gorm.Raw(sessionBatchSQL("expires_at", "expires_at < ?"), vars...).Scan(&k).Error; err != nil || len(k) != 1 {
			t.Fatalf("purge batch: %v, %d rows", err, len(k))
		}
		return p, k[0]
	}
	first, last := batch(sessionKey{K: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)})
	_ = last
	first.checkBuffers(t, "first purge batch", false, "sessions_expires_id_idx", 0)
	// Most of the backlog goes; the next batch starts after the last key deleted, as the purge's do.
	partial := base.Add(time.Duration(planUsers-3000) * time.Second)
	if _, err := db.Purger().purgeSessionsBy(ctx, "expires_at", "expires_at < ?", partial, 1000); err != nil {
		t.Fatal(err)
	}
	end, _ := batch(sessionKey{K: partial.Add(-time.Microsecond), ID: uuid.Max})
	end.checkBuffers(t, "purge batch at the end of the backlog", false, "sessions_expires_id_idx", 0)
	if end.buffers > 2*first.buffers+50 {
		t.Errorf("a purge batch at the end of the backlog touches %d buffers, at its start %d: it rereads what went before", end.buffers, first.buffers)
	}
	t.Logf("purge batch of 1000: %d buffers at the start of the backlog, %d at its end", first.buffers, end.buffers)
}

// TestAdminListsStayPlannedForTheirValues: the statements Users.List and Audit.List run are planned
// for their values however often they run. A search that matches nobody is planned as a scan of the
// trigram index, which is priced high; on a table of this size the generic plan, a walk of the primary
// key, is priced below it, and PostgreSQL switches a prepared statement to it after five executions
// (then it reads every user). The prepared statements of one connection are listed with the plans
// PostgreSQL made of them.
func TestAdminListsStayPlannedForTheirValues(t *testing.T) {
	ctx := context.Background()
	one, err := Open(ctx, Config{URL: storetest.URL(t, Postgres), MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = one.Close() })
	if err := one.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO users (id, phone, name, email, password_hash, created_at, updated_at)
		 SELECT (lpad(to_hex(g), 8, '0') || '-0000-7000-8000-000000000000')::uuid, '+1999' || lpad(g::text, 7, '0'), 'User ' || g,
		        CASE WHEN g % 4 = 0 THEN 'user' || g || '@example.com' END, '', now(), now()
		 FROM generate_series(1, 10000) g`,
		`INSERT INTO audit_events (at, type) SELECT now(), CASE WHEN g % 1000 = 0 THEN '` + rareType + `' ELSE 'login.succeeded' END
		 FROM generate_series(1, 10000) g`,
		`ANALYZE users`, `ANALYZE audit_events`,
	} {
		if err := one.gorm.Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		if _, err := one.Audit().List(ctx, auth.AuditFilter{Type: rareType, Limit: pageRows}); err != nil {
			t.Fatal(err)
		}
		if _, err := one.Users().List(ctx, "zzqx no such person", uuid.Nil, pageRows); err != nil {
			t.Fatal(err)
		}
	}
	var stmts []struct {
		Statement                 string
		GenericPlans, CustomPlans int
	}
	if err := one.gorm.Raw(`SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
		WHERE statement LIKE 'SELECT * FROM "audit_events"%' OR statement LIKE 'SELECT * FROM "users"%'`).Scan(&stmts).Error; err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 {
		t.Fatalf("prepared statements of the two lists: %+v", stmts)
	}
	for _, st := range stmts {
		if st.GenericPlans != 0 || st.CustomPlans < 10 {
			t.Errorf("%s: %d generic plans and %d planned for the values in 10 executions, want 0 and 10", st.Statement, st.GenericPlans, st.CustomPlans)
		}
	}
}

func mustQuery(q string, _ []any) string { return q }

// rebind turns GORM's ? placeholders into PostgreSQL's $n (in order).
func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// planID is the id of the i-th seeded user (ids rise with i, as UUIDv7 do).
func planID(i int) uuid.UUID {
	h := fmt.Sprintf("%012x", i)
	return uuid.MustParse(h[:8] + "-" + h[8:12] + "-7000-8000-" + h)
}

// seedForPlans fills the users, sessions and audit tables with generate_series and analyzes them:
// users with names and some emails, a session each (all expired by the purge's cut-off), and audit
// events a second apart, of ten common types and a rare one, about users, some acted by admins.
func seedForPlans(t *testing.T, db *DB) {
	t.Helper()
	// As a bulk load does: the trigram index (no fastupdate: a row at a time) is built after the rows,
	// from the definition the migration gave it.
	var def string
	if err := db.gorm.Raw(`SELECT pg_get_indexdef('users_search_trgm_idx'::regclass)`).Scan(&def).Error; err != nil || def == "" {
		t.Fatalf("users_search_trgm_idx: %q, %v", def, err)
	}
	if err := db.gorm.Exec(`DROP INDEX users_search_trgm_idx`).Error; err != nil {
		t.Fatal(err)
	}
	uid := `(substr(lpad(to_hex(g), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex(g), 12, '0'), 9, 4) || '-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid`
	for _, q := range []string{
		`INSERT INTO users (id, phone, name, email, password_hash, created_at, updated_at)
		 SELECT ` + uid + `, '+1' || (4150000000 + g)::text, 'User ' || g,
		        CASE WHEN g % 10 = 0 THEN 'user' || g || CASE WHEN g % 10000 = 0 THEN '@rare.example' ELSE '@example.com' END END,
		        '', timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second', timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
		 FROM generate_series(1, ` + fmt.Sprint(planUsers) + `) g`,
		`INSERT INTO sessions (id, user_id, amr, created_at, last_used_at, expires_at)
		 SELECT ` + uid + `, ` + uid + `, 'pwd', timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00',
		        timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
		 FROM generate_series(1, ` + fmt.Sprint(planUsers) + `) g`,
		`INSERT INTO audit_events (at, type, user_id, actor_id)
		 SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second',
		        CASE WHEN g % 10007 = 0 THEN '` + rareType + `'
		             ELSE (ARRAY['login.succeeded', 'login.failed', 'otp.sent', 'otp.verified', 'otp.failed', 'session.ended',
		                         'user.signup', 'password.changed', 'profile.updated', 'otp.send_failed'])[1 + g % 10] END,
		        (substr(lpad(to_hex(1 + g % ` + fmt.Sprint(planUsers) + `), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex(1 + g % ` + fmt.Sprint(planUsers) + `), 12, '0'), 9, 4)
		          || '-7000-8000-' || lpad(to_hex(1 + g % ` + fmt.Sprint(planUsers) + `), 12, '0'))::uuid,
		        CASE WHEN g % 997 = 0 THEN '00000000-0007-7000-8000-000000000007'::uuid END
		 FROM generate_series(1, ` + fmt.Sprint(planEvents) + `) g`,
		def, `ANALYZE users`, `ANALYZE sessions`, `ANALYZE audit_events`,
	} {
		if err := db.gorm.Exec(q).Error; err != nil {
			t.Fatalf("seeding: %v\n%s", err, q)
		}
	}
}

// plan is what the checks read of an EXPLAIN (ANALYZE, BUFFERS).
type plan struct {
	indexes []string // every index a node of the plan scans
	nodes   []string // every node type
	buffers int64    // shared buffers hit and read, the whole statement
	text    string
}

func (p plan) check(t *testing.T, name string, generic bool, index string) {
	t.Helper()
	p.checkBuffers(t, name, generic, index, maxPageBuffers)
}

func (p plan) checkBuffers(t *testing.T, name string, generic bool, index string, maxBuffers int64) {
	t.Helper()
	kind := "planned for its values"
	if generic {
		kind = "generic plan"
	}
	if index != "" && !slices.Contains(p.indexes, index) {
		t.Errorf("%s (%s): scans %v, want %s; nodes %v", name, kind, p.indexes, index, p.nodes)
	}
	if maxBuffers > 0 && p.buffers > maxBuffers {
		t.Errorf("%s (%s): touched %d buffers, want at most %d; plan:\n%s", name, kind, p.buffers, maxBuffers, p.text)
	}
}

// explain runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of query with vars as a prepared statement,
// planned for its values as List runs it, or with the generic plan PostgreSQL may cache. (An EXPLAIN
// of the statement with parameters would estimate as for a generic plan, whichever it is.)
func explain(t *testing.T, db *DB, query string, vars []any, generic bool) plan {
	t.Helper()
	ctx := context.Background()
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mode := "force_custom_plan" // as DB.forValues runs it
	if generic {
		mode = "force_generic_plan"
	}
	out, err := explainPrepared(ctx, conn, query, vars, mode)
	if err != nil {
		t.Fatalf("explaining %s: %v", query, err)
	}
	var doc []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc) != 1 {
		t.Fatalf("EXPLAIN output: %v", err)
	}
	p := plan{buffers: doc[0].Plan.SharedHit + doc[0].Plan.SharedRead, text: out}
	var walk func(n planNode)
	walk = func(n planNode) {
		p.nodes = append(p.nodes, n.NodeType)
		if n.IndexName != "" {
			p.indexes = append(p.indexes, n.IndexName)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(doc[0].Plan)
	return p
}

// explainPrepared explains query as the driver runs it: a prepared statement executed with vars,
// planned as plan_cache_mode says.
func explainPrepared(ctx context.Context, conn *sql.Conn, query string, vars []any, mode string) (string, error) {
	args := make([]string, len(vars))
	for i, v := range vars {
		switch v := v.(type) {
		case time.Time:
			args[i] = "'" + v.UTC().Format(time.RFC3339Nano) + "'"
		case uuid.UUID:
			args[i] = "'" + v.String() + "'"
		case *uuid.UUID:
			args[i] = "'" + v.String() + "'"
		case string:
			args[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		default:
			args[i] = fmt.Sprint(v)
		}
	}
	if _, err := conn.ExecContext(ctx, "PREPARE plan_probe AS "+query); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "DEALLOCATE plan_probe")
	if _, err := conn.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, "RESET plan_cache_mode")
	var out string
	err := conn.QueryRowContext(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE plan_probe("+strings.Join(args, ", ")+")").Scan(&out)
	return out, err
}

type planNode struct {
	NodeType   string     `json:"Node Type"`
	IndexName  string     `json:"Index Name"`
	SharedHit  int64      `json:"Shared Hit Blocks"`
	SharedRead int64      `json:"Shared Read Blocks"`
	Plans      []planNode `json:"Plans"`
}
