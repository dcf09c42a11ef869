package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/phoneauth/phoneauth/auth/phone"
)

// The SMS guard stops SMS pumping by itself: bots that request codes for ranges of premium-rate
// numbers they are paid for, and never verify one. For each destination prefix (phone.Number.Prefix:
// the calling code and three digits) it counts the codes sent and the codes verified over a rolling
// window, across every instance; a prefix with at least MinSends sends whose verification rate is
// below MinRate is blocked for Block. Decoy sends (to numbers that get no code) count as sends, so the
// guard answers alike whether or not a number has an account; test numbers are never counted.
//
// Each instance counts in memory and meets the others in the SMSGuardStore every SyncInterval: it
// adds what it counted and reads the sums of the prefixes it has seen, and the blocks. A decision is
// taken on the shared sums plus this instance's counts since, so one instance is exact and several
// lag each other by at most SyncInterval; the request path never waits for the store, but for the one
// request per interval that syncs.

// SMSGuardConfig configures the guard; NewSMSGuard checks it.
type SMSGuardConfig struct {
	Window   time.Duration // the rolling window sends and verifications are counted over
	MinSends int           // sends to a prefix in the window before its rate is judged
	MinRate  float64       // the verification rate (0 to 1) below which a judged prefix is blocked
	Block    time.Duration // how long a block lasts (an admin may lift it sooner)
	Exempt   []string      // prefixes ("+1415") that are counted but never blocked
	// SyncInterval is how often an instance meets the others in the store; default 1s.
	SyncInterval time.Duration
}

// DefaultSMSGuardConfig is the guard when nothing is set; README's "SMS fraud defence" says why.
func DefaultSMSGuardConfig() SMSGuardConfig {
	return SMSGuardConfig{Window: time.Hour, MinSends: 20, MinRate: 0.2, Block: time.Hour, SyncInterval: time.Second}
}

var prefixPattern = regexp.MustCompile(`^\+[1-9][0-9]{1,7}$`)

// ValidPrefix reports whether p is a destination prefix: "+" and 2 to 8 digits, the first not 0.
func ValidPrefix(p string) bool { return prefixPattern.MatchString(p) }

// Validate reports the first bad setting.
func (c SMSGuardConfig) Validate() error {
	switch {
	case c.Window < time.Minute || c.Window > 24*time.Hour:
		return fmt.Errorf("SMS guard window %s must be between 1m and 24h", c.Window)
	case c.MinSends < 1 || c.MinSends > 1_000_000:
		return fmt.Errorf("SMS guard minimum sends %d must be between 1 and 1000000", c.MinSends)
	case c.MinRate < 0 || c.MinRate > 1 || math.IsNaN(c.MinRate):
		return fmt.Errorf("SMS guard minimum rate %v must be between 0 and 1", c.MinRate)
	case c.Block < time.Minute || c.Block > 7*24*time.Hour:
		return fmt.Errorf("SMS guard block %s must be between 1m and 168h", c.Block)
	case c.SyncInterval < 0 || c.SyncInterval > time.Minute:
		return fmt.Errorf("SMS guard sync interval %s must be between 0 and 1m", c.SyncInterval)
	}
	for _, p := range c.Exempt {
		if !ValidPrefix(p) {
			return fmt.Errorf("SMS guard exempt prefix %q is not + and 2 to 8 digits", p)
		}
	}
	return nil
}

// PrefixCount is one destination prefix's code sends and verifications.
type PrefixCount struct {
	Prefix   string
	Region   string // ISO region of the numbers counted
	Sends    int64
	Verified int64
}

// Rate is the share of sends verified (1 when nothing was sent).
func (c PrefixCount) Rate() float64 {
	if c.Sends <= 0 {
		return 1
	}
	return float64(c.Verified) / float64(c.Sends)
}

// PrefixBlock is a prefix the guard refuses codes to until Until, with the counts that blocked it.
type PrefixBlock struct {
	Prefix    string
	Region    string
	BlockedAt time.Time
	Until     time.Time
	Sends     int64
	Verified  int64
}

// Guard states of a prefix.
const (
	GuardWatching = "watching" // counted, nothing wrong
	GuardSuspect  = "suspect"  // half the sends needed to judge, and a rate below the minimum: adaptive CAPTCHA
	GuardBlocked  = "blocked"
	GuardExempt   = "exempt"
)

// SMSGuard is the conversion guard. It is safe for concurrent use.
type SMSGuard struct {
	env    Env
	cfg    SMSGuardConfig
	store  SMSGuardStore
	bucket time.Duration
	exempt map[string]bool

	sync sync.Mutex // one sync at a time; requests never wait for it

	mu       sync.Mutex
	prefixes map[string]*guardPrefix
	blocks   map[string]PrefixBlock
	lastSync time.Time
}

// guardPrefix is what this instance knows of one prefix.
type guardPrefix struct {
	region   string
	shared   PrefixCount // the store's sums at the last sync (this instance's synced counts included)
	inflight PrefixCount // taken out of pending by a sync that has not finished
	pending  PrefixCount // counted here since
	touched  time.Time
}

func (p *guardPrefix) total() PrefixCount {
	return PrefixCount{Region: p.region, Sends: p.shared.Sends + p.inflight.Sends + p.pending.Sends,
		Verified: p.shared.Verified + p.inflight.Verified + p.pending.Verified}
}

// NewSMSGuard returns a guard keeping its shared state in store.
func NewSMSGuard(env Env, cfg SMSGuardConfig, store SMSGuardStore) (*SMSGuard, error) {
	if cfg.SyncInterval == 0 {
		cfg.SyncInterval = time.Second
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("auth: SMSGuard needs a store")
	}
	g := &SMSGuard{env: env.WithDefaults(), cfg: cfg, store: store, bucket: max(cfg.Window/60, time.Second),
		exempt: map[string]bool{}, prefixes: map[string]*guardPrefix{}, blocks: map[string]PrefixBlock{}}
	for _, p := range cfg.Exempt {
		g.exempt[p] = true
	}
	return g, nil
}

// Config returns the guard's configuration.
func (g *SMSGuard) Config() SMSGuardConfig { return g.cfg }

// since is the start of the oldest bucket of the window ending at now.
func (g *SMSGuard) since(now time.Time) time.Time {
	return now.Add(-g.cfg.Window).Truncate(g.bucket).Add(g.bucket)
}

func (g *SMSGuard) prefix(p, region string, now time.Time) *guardPrefix {
	st := g.prefixes[p]
	if st == nil {
		st = &guardPrefix{region: region}
		g.prefixes[p] = st
	}
	st.touched = now
	return st
}

// judge says what the counts c of prefix p call for.
func (g *SMSGuard) judge(p string, c PrefixCount) string {
	switch {
	case g.exempt[p]:
		return GuardExempt
	case c.Sends >= int64(g.cfg.MinSends) && c.Rate() < g.cfg.MinRate:
		return GuardBlocked
	case c.Sends >= int64((g.cfg.MinSends+1)/2) && c.Rate() < g.cfg.MinRate:
		return GuardSuspect
	}
	return GuardWatching
}

// Check says whether a code may go to n: GuardBlocked (with the block's end), GuardSuspect, or
// GuardWatching/GuardExempt. The send that finds a prefix over the line blocks it.
func (g *SMSGuard) Check(ctx context.Context, n phone.Number) (state string, until time.Time) {
	g.maybeSync(ctx)
	now := g.env.Clock.Now()
	p := n.Prefix()
	g.mu.Lock()
	if b, ok := g.blocks[p]; ok && now.Before(b.Until) {
		g.mu.Unlock()
		return GuardBlocked, b.Until
	}
	st := g.prefix(p, n.Region, now)
	c := st.total()
	state = g.judge(p, c)
	if state != GuardBlocked {
		g.mu.Unlock()
		return state, time.Time{}
	}
	b := PrefixBlock{Prefix: p, Region: n.Region, BlockedAt: now, Until: now.Add(g.cfg.Block), Sends: c.Sends, Verified: c.Verified}
	g.blocks[p] = b
	st.shared, st.inflight, st.pending = PrefixCount{}, PrefixCount{}, PrefixCount{}
	g.mu.Unlock()
	g.block(ctx, b)
	return GuardBlocked, b.Until
}

// block stores b (this instance refuses the prefix already) and, when it is new, audits and counts it.
func (g *SMSGuard) block(ctx context.Context, b PrefixBlock) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	created, err := g.store.Block(sctx, b)
	if err != nil {
		g.env.Logger.ErrorContext(ctx, "storing an SMS guard block (this instance keeps it)", "prefix", b.Prefix, "err", err)
		created = true
	}
	if !created {
		return // another instance blocked it first, and told of it
	}
	g.env.Logger.WarnContext(ctx, "SMS guard: prefix blocked", "prefix", b.Prefix, "country", b.Region, "sends", b.Sends,
		"verified", b.Verified, "until", b.Until)
	g.env.Record(ctx, EventSMSGuardBlocked, uuid.Nil, uuid.Nil, "", map[string]string{
		"prefix": b.Prefix, "country": b.Region, "sends": fmt.Sprint(b.Sends), "verified": fmt.Sprint(b.Verified),
		"until": b.Until.UTC().Format(time.RFC3339)})
	g.env.Observer.SMSGuard(b.Region, "blocked")
}

// CountSend counts a code (or decoy) going to n; undo takes it back when the request then fails.
func (g *SMSGuard) CountSend(n phone.Number) (undo func()) {
	p := n.Prefix()
	g.mu.Lock()
	g.prefix(p, n.Region, g.env.Clock.Now()).pending.Sends++
	g.mu.Unlock()
	g.env.Observer.SMSGuard(n.Region, "sent")
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			if st := g.prefixes[p]; st != nil {
				st.pending.Sends--
			}
			g.mu.Unlock()
		})
	}
}

// CountVerified counts a code of n verified.
func (g *SMSGuard) CountVerified(n phone.Number) {
	g.mu.Lock()
	g.prefix(n.Prefix(), n.Region, g.env.Clock.Now()).pending.Verified++
	g.mu.Unlock()
	g.env.Observer.SMSGuard(n.Region, "verified")
}

// maybeSync syncs when the interval has passed and no other request is syncing.
func (g *SMSGuard) maybeSync(ctx context.Context) {
	now := g.env.Clock.Now()
	g.mu.Lock()
	// Also at the first request of a new bucket, so that what was counted goes to the bucket it
	// was counted in.
	due := now.Sub(g.lastSync) >= g.cfg.SyncInterval || !now.Truncate(g.bucket).Equal(g.lastSync.Truncate(g.bucket))
	g.mu.Unlock()
	if !due || !g.sync.TryLock() {
		return
	}
	defer g.sync.Unlock()
	if err := g.syncLocked(ctx); err != nil {
		g.env.Logger.WarnContext(ctx, "SMS guard: syncing with the store (counting here meanwhile)", "err", err)
	}
}

// Sync adds this instance's counts to the store and reads the shared sums and blocks. The guard does
// it by itself; tests and the admin API call it to see the latest.
func (g *SMSGuard) Sync(ctx context.Context) error {
	g.sync.Lock()
	defer g.sync.Unlock()
	return g.syncLocked(ctx)
}

func (g *SMSGuard) syncLocked(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	now := g.env.Clock.Now()
	var deltas []PrefixCount
	var names []string
	g.mu.Lock()
	// What is pending was counted since the last sync, which was in this bucket or the one before.
	counted := g.lastSync
	if counted.IsZero() {
		counted = now
	}
	g.lastSync = now
	for p, st := range g.prefixes {
		if now.Sub(st.touched) > g.cfg.Window && st.pending == (PrefixCount{}) && st.inflight == (PrefixCount{}) {
			delete(g.prefixes, p) // quiet for a whole window: the store forgets it too
			continue
		}
		if st.pending.Sends != 0 || st.pending.Verified != 0 {
			deltas = append(deltas, PrefixCount{Prefix: p, Region: st.region, Sends: st.pending.Sends, Verified: st.pending.Verified})
		}
		st.inflight.Sends += st.pending.Sends
		st.inflight.Verified += st.pending.Verified
		st.pending = PrefixCount{}
		names = append(names, p)
	}
	g.mu.Unlock()

	addErr := error(nil)
	if len(deltas) > 0 {
		addErr = g.store.Add(ctx, counted.Truncate(g.bucket), deltas)
	}
	var counts map[string]PrefixCount
	var blocks []PrefixBlock
	readErr := addErr
	if addErr == nil {
		if counts, readErr = g.store.Counts(ctx, names, g.since(now)); readErr == nil {
			blocks, readErr = g.store.Blocks(ctx, now)
		}
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range names {
		st := g.prefixes[p]
		if st == nil {
			continue
		}
		switch {
		case addErr != nil: // not stored: count it again next time
			st.pending.Sends += st.inflight.Sends
			st.pending.Verified += st.inflight.Verified
		case readErr != nil: // stored, but the sums are unknown: keep ours
			st.shared.Sends += st.inflight.Sends
			st.shared.Verified += st.inflight.Verified
		default:
			c := counts[p]
			st.shared = PrefixCount{Sends: c.Sends, Verified: c.Verified}
		}
		st.inflight = PrefixCount{}
	}
	if readErr == nil {
		g.blocks = make(map[string]PrefixBlock, len(blocks))
		for _, b := range blocks {
			g.blocks[b.Prefix] = b
		}
	}
	return readErr
}

// GuardPrefix is one prefix as the admin API shows it.
type GuardPrefix struct {
	Prefix   string
	Country  string
	Sends    int64 // in the window; for a blocked prefix, those that blocked it
	Verified int64
	State    string // GuardWatching, GuardSuspect, GuardBlocked or GuardExempt
	// BlockedAt and BlockedUntil are set for GuardBlocked.
	BlockedAt, BlockedUntil time.Time
}

// list returns the blocked prefixes, then those with sends in the window (at most limit), most
// sends first.
func (g *SMSGuard) list(ctx context.Context, limit int) ([]GuardPrefix, error) {
	if err := g.Sync(ctx); err != nil {
		return nil, err
	}
	now := g.env.Clock.Now()
	blocks, err := g.store.Blocks(ctx, now)
	if err != nil {
		return nil, err
	}
	top, err := g.store.Top(ctx, g.since(now), limit)
	if err != nil {
		return nil, err
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i].BlockedAt.After(blocks[j].BlockedAt) })
	out := make([]GuardPrefix, 0, len(blocks)+len(top))
	seen := map[string]bool{}
	for _, b := range blocks {
		seen[b.Prefix] = true
		out = append(out, GuardPrefix{Prefix: b.Prefix, Country: b.Region, Sends: b.Sends, Verified: b.Verified,
			State: GuardBlocked, BlockedAt: b.BlockedAt, BlockedUntil: b.Until})
	}
	for _, c := range top {
		if seen[c.Prefix] {
			continue
		}
		state := g.judge(c.Prefix, c)
		if state == GuardBlocked {
			state = GuardSuspect // over the line, but no send has come to block it yet
		}
		out = append(out, GuardPrefix{Prefix: c.Prefix, Country: c.Region, Sends: c.Sends, Verified: c.Verified, State: state})
	}
	return out, nil
}

// clear lifts the block of prefix and forgets its counts.
func (g *SMSGuard) clear(ctx context.Context, prefix string) (PrefixBlock, bool, error) {
	b, ok, err := g.store.Clear(ctx, prefix, g.env.Clock.Now())
	if err != nil {
		return PrefixBlock{}, false, err
	}
	g.mu.Lock()
	delete(g.blocks, prefix)
	if st := g.prefixes[prefix]; st != nil {
		st.shared, st.inflight, st.pending = PrefixCount{}, PrefixCount{}, PrefixCount{}
	}
	g.mu.Unlock()
	return b, ok, nil
}

// NormalizePrefix is p as the guard names prefixes: with its "+", without spaces.
func NormalizePrefix(p string) string {
	p = strings.TrimSpace(p)
	if !strings.HasPrefix(p, "+") {
		p = "+" + p
	}
	return p
}

// guardRefusal is the 429 of a blocked prefix. Its words depend on nothing but the prefix's block.
func guardRefusal(after time.Duration) error {
	return rateLimited("Too many code requests for numbers like this one", after)
}

// exemptList is the exempt prefixes, sorted (for the admin API).
func (g *SMSGuard) exemptList() []string {
	out := make([]string, 0, len(g.exempt))
	for p := range g.exempt {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
