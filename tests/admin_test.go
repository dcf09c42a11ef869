package tests

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestAdminAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, "PHONEAUTH_LOGIN_LOCKOUT_THRESHOLD=3")
		adminID := s.createUser(adminPhone, "Ada Admin", adminPW, "--role", "admin")
		uid := s.createUser(userPhone, "Uma User", userPW, "--email", "uma@example.com")
		for i := range 3 {
			s.createUser(fmt.Sprintf("+1415555020%d", i), fmt.Sprint("Extra ", i), userPW)
		}
		admin := s.login(adminPhone, adminPW)
		user := s.login(userPhone, userPW)
		a := bearer(admin)

		// Only admins.
		for _, path := range []string{"/api/v1/admin/users", "/api/v1/admin/users/" + uid, "/api/v1/admin/audit-events"} {
			wantStatus(t, s.do("GET", path, nil, bearer(user)...), 403, "Not enough permissions")
			wantStatus(t, s.do("GET", path, nil), 401, "Not authenticated")
		}

		// List, search, cursor pagination.
		var page struct {
			Users []struct {
				ID    string `json:"id"`
				Phone string `json:"phone"`
			} `json:"users"`
			Next *string `json:"next_cursor"`
		}
		decode(t, s.do("GET", "/api/v1/admin/users?limit=2", nil, a...), &page)
		seen := map[string]bool{}
		pages := 0
		for {
			pages++
			for _, u := range page.Users {
				seen[u.ID] = true
			}
			if page.Next == nil {
				break
			}
			r := s.do("GET", "/api/v1/admin/users?limit=2&cursor="+url.QueryEscape(*page.Next), nil, a...)
			wantStatus(t, r, 200, "")
			page.Next = nil
			decode(t, r, &page)
		}
		if len(seen) != 5 || pages != 3 {
			t.Fatalf("paged through %d users in %d pages, want 5 in 3", len(seen), pages)
		}
		decode(t, s.do("GET", "/api/v1/admin/users?q=UMA%40example", nil, a...), &page)
		if len(page.Users) != 1 || page.Users[0].ID != uid {
			t.Fatalf("search by email: %+v", page.Users)
		}
		wantStatus(t, s.do("GET", "/api/v1/admin/users?cursor=bogus", nil, a...), 400, "Invalid cursor")
		assertLocs(t, s.do("GET", "/api/v1/admin/users?limit=0", nil, a...), "query.limit")
		wantStatus(t, s.do("GET", "/api/v1/admin/users/0190a000-0000-7000-8000-999999999999", nil, a...), 404, "User not found")

		// Lockout after wrong passwords, shown to the admin, cleared by unlock.
		for range 3 {
			wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": "wrong passphrase"}), 401, "")
		}
		wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}), 401, "Incorrect phone number or password")
		got := s.do("GET", "/api/v1/admin/users/"+uid, nil, a...).JSON(t)
		if got["failed_logins"] != float64(3) || got["locked_until"] == nil || got["email"] != "uma@example.com" {
			t.Fatalf("admin view of a locked user: %v", got)
		}
		got = s.do("POST", "/api/v1/admin/users/"+uid+"/unlock", nil, a...).JSON(t)
		if got["failed_logins"] != float64(0) || got["locked_until"] != nil {
			t.Fatalf("after unlock: %v", got)
		}
		s.login(userPhone, userPW) // the right password works again at once

		// Roles: grant, then revoke ends the sessions so no token keeps the role.
		wantStatus(t, s.do("PUT", "/api/v1/admin/users/"+uid+"/roles/admin", nil, a...), 200, "")
		promoted := s.login(userPhone, userPW)
		wantStatus(t, s.do("GET", "/api/v1/admin/users", nil, bearer(promoted)...), 200, "")
		r := s.do("DELETE", "/api/v1/admin/users/"+uid+"/roles/admin", nil, a...)
		wantStatus(t, r, 200, "")
		if roles := fmt.Sprint(r.JSON(t)["roles"]); roles != "[user]" {
			t.Fatalf("roles after revoke: %s", roles)
		}
		wantStatus(t, s.do("GET", "/api/v1/admin/users", nil, bearer(promoted)...), 401, "")
		assertLocs(t, s.do("PUT", "/api/v1/admin/users/"+uid+"/roles/root", nil, a...), "path.role")
		wantStatus(t, s.do("DELETE", "/api/v1/admin/users/"+adminID+"/roles/admin", nil, a...), 400, "You cannot revoke your own admin role")

		// Deactivation ends every session at once and refuses logins; activation lets them back.
		user = s.login(userPhone, userPW)
		wantStatus(t, s.do("POST", "/api/v1/admin/users/"+adminID+"/deactivate", nil, a...), 400, "You cannot deactivate your own account")
		if got := s.do("POST", "/api/v1/admin/users/"+uid+"/deactivate", nil, a...).JSON(t); got["is_active"] != false {
			t.Fatalf("deactivate answer %v", got)
		}
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(user)...), 401, "")
		wantStatus(t, s.do("POST", "/api/v1/auth/login", map[string]string{"phone": userPhone, "password": userPW}), 401, "")
		wantStatus(t, s.do("POST", "/api/v1/admin/users/"+uid+"/activate", nil, a...), 200, "")
		user = s.login(userPhone, userPW)
		s.login(userPhone, userPW)
		ended := s.do("DELETE", "/api/v1/admin/users/"+uid+"/sessions", nil, a...).JSON(t)
		if ended["ended"] != float64(2) {
			t.Fatalf("ended %v", ended)
		}
		wantStatus(t, s.do("GET", "/api/v1/auth/me", nil, bearer(user)...), 401, "")

		// The audit trail: filtered by user, newest first, with who acted and never a secret.
		r = s.do("GET", "/api/v1/admin/audit-events?user_id="+uid+"&limit=200", nil, a...)
		wantStatus(t, r, 200, "")
		body := string(r.Body)
		for _, typ := range []string{"login.failed", "login.succeeded", "user.unlocked", "role.granted", "role.revoked",
			"user.deactivated", "user.activated", "session.ended"} {
			if !strings.Contains(body, `"type":"`+typ+`"`) {
				t.Errorf("audit trail lacks %s", typ)
			}
		}
		if !strings.Contains(body, `"actor_id":"`+adminID+`"`) {
			t.Error("admin actions do not name the admin")
		}
		for _, secret := range []string{userPW, adminPW, "wrong passphrase", "$argon2id$", admin} {
			if strings.Contains(body, secret) {
				t.Fatalf("the audit trail contains a secret")
			}
		}
		var events struct {
			Events []struct {
				Type string `json:"type"`
			} `json:"events"`
		}
		decode(t, s.do("GET", "/api/v1/admin/audit-events?type=user.deactivated", nil, a...), &events)
		if len(events.Events) != 1 {
			t.Fatalf("filter by type: %d events", len(events.Events))
		}
		assertLocs(t, s.do("GET", "/api/v1/admin/audit-events?since=yesterday", nil, a...), "query.since")
	})
}
