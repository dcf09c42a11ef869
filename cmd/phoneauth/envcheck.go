package main

import (
	"regexp"
	"slices"
	"sort"
	"strings"
)

// otherPrograms are PHONEAUTH_* variables read by programs other than the server, which it knows
// and ignores: a developer who exports them for the tests or the benchmark is not warned.
var otherPrograms = []string{
	"PHONEAUTH_TEST_DATABASE_URL",  // the test suite's PostgreSQL (store/storetest)
	"PHONEAUTH_TEST_REDIS_URL",     // the test suite's Redis (store/storetest)
	"PHONEAUTH_BENCH_DATABASE_URL", // cmd/phoneauth-bench's PostgreSQL
}

// serviceLink matches the variables Kubernetes gives each pod for every Service of its namespace
// (enableServiceLinks, on by default): a Service named "phoneauth" brings PHONEAUTH_SERVICE_HOST,
// PHONEAUTH_SERVICE_PORT[_NAME], PHONEAUTH_PORT=tcp://… and PHONEAUTH_PORT_8000_TCP[_PROTO|_PORT|_ADDR].
// They are not settings. (The Helm chart turns service links off; other manifests may not.)
var serviceLink = regexp.MustCompile(`^PHONEAUTH_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT_[0-9]+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)$`)

// aliases are names other services use for a setting phoneauth names otherwise, too far from it for
// the edit distance to find.
var aliases = map[string]string{
	"PHONEAUTH_PORT":   "PHONEAUTH_ADDR",
	"PHONEAUTH_HOST":   "PHONEAUTH_ADDR",
	"PHONEAUTH_LISTEN": "PHONEAUTH_ADDR",
	"PHONEAUTH_DB_URL": "PHONEAUTH_DATABASE_URL",
	"PHONEAUTH_DSN":    "PHONEAUTH_DATABASE_URL",
}

// unknownVar is a PHONEAUTH_* variable phoneauth does not read, with the known name nearest to it.
type unknownVar struct {
	name, suggestion string
}

func (u unknownVar) String() string {
	s := u.name + " is not a phoneauth setting and is ignored"
	if u.suggestion != "" {
		return s + ": did you mean " + u.suggestion + "?"
	}
	return s + " (the README's Configuration section lists the settings)"
}

// unknownVariables returns the PHONEAUTH_* variables of environ (KEY=VALUE) that are neither in known
// nor read by another of the project's programs, sorted by name.
func unknownVariables(environ []string, known map[string]bool) []unknownVar {
	candidates := append([]string(nil), otherPrograms...)
	for name := range known {
		candidates = append(candidates, name)
	}
	sort.Strings(candidates)
	var out []unknownVar
	seen := map[string]bool{}
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "PHONEAUTH_") || known[name] || slices.Contains(otherPrograms, name) || seen[name] {
			continue
		}
		seen[name] = true
		if serviceLink.MatchString(name) || name == "PHONEAUTH_PORT" && isServiceURL(value) {
			continue
		}
		suggestion := aliases[name]
		if suggestion == "" {
			suggestion = nearest(name, candidates)
		}
		out = append(out, unknownVar{name: name, suggestion: suggestion})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// isServiceURL reports whether v looks like Kubernetes' PHONEAUTH_PORT=tcp://10.0.0.1:8000.
func isServiceURL(v string) bool {
	for _, p := range []string{"tcp://", "udp://", "sctp://"} {
		if strings.HasPrefix(v, p) {
			return true
		}
	}
	return false
}

// nearest returns the candidate closest to name by edit distance, when it is close enough to be the
// name that was meant: at most 3 edits (and fewer than half the letters after PHONEAUTH_), or a
// candidate that starts with name (PHONEAUTH_DATABASE for PHONEAUTH_DATABASE_URL). "" when none is.
func nearest(name string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		if d := editDistance(name, c); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	tail := len(strings.TrimPrefix(name, "PHONEAUTH_"))
	if bestD >= 0 && bestD <= 3 && 2*bestD < tail {
		return best
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, name+"_") {
			return c
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b (bytes: the names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
