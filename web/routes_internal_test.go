package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
)

// TestEveryRouteDeclaresAPermission walks the router as chi built it and
// fails for any route whose table line declares no permission — or that
// is not in the table at all.
func TestEveryRouteDeclaresAPermission(t *testing.T) {
	s := New(Options{})
	declared := map[string]perm{}
	for _, rt := range s.routes() {
		declared[rt.method+" "+rt.pattern] = rt.perm
	}
	walked := 0
	err := chi.Walk(s.mux(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		walked++
		p, ok := declared[method+" "+route]
		switch {
		case !ok:
			t.Errorf("%s %s is routed but not in the routing table", method, route)
		case p == permUndeclared:
			t.Errorf("%s %s declares no permission: add permPublic, permView, permReveal, permEdit or permAdmin to its line in routes.go", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if walked < 20 {
		t.Fatalf("walked only %d routes", walked)
	}
}

// TestUndeclaredPermissionFailsClosed: a route that slipped through with
// no permission answers 500 and never runs its handler.
func TestUndeclaredPermissionFailsClosed(t *testing.T) {
	s := New(Options{})
	ran := false
	h := s.require(permUndeclared, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { ran = true }))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(""))
	h.ServeHTTP(rec, req)
	if ran || rec.Code != http.StatusInternalServerError {
		t.Errorf("undeclared route: ran=%v status=%d", ran, rec.Code)
	}
}

func TestPermissionRolesAndChanges(t *testing.T) {
	for _, tc := range []struct {
		p      perm
		role   string
		change bool // for a POST
	}{
		{permView, "viewer", false},
		{permReveal, "editor", false},
		{permEdit, "editor", true},
		{permAdmin, "admin", true},
		{permPublic, "", false},
	} {
		if string(tc.p.role()) != tc.role || tc.p.isChange(http.MethodPost) != tc.change || tc.p.isChange(http.MethodGet) {
			t.Errorf("%s: role %q change %v", tc.p, tc.p.role(), tc.p.isChange(http.MethodPost))
		}
	}
}
