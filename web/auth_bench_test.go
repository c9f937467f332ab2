package web_test

import (
	"net/http"
	"testing"

	"github.com/berthhq/berth/web/webtest"
)

// BenchmarkSignedInRequest is the cost of a page for a signed-in person:
// cookie decode, session and user lookup in the store, permission check,
// render. Compare with BenchmarkPublicRequest for the auth overhead.
func BenchmarkSignedInRequest(b *testing.B) {
	env := webtest.New(b)
	for b.Loop() {
		if r := env.Get(b, "/account"); r.StatusCode != http.StatusOK {
			b.Fatal(r.StatusCode)
		}
	}
}

// BenchmarkPublicRequest is a page with no session lookup (the sign-in form).
func BenchmarkPublicRequest(b *testing.B) {
	env := webtest.NewWith(b, webtest.Options{NoSignIn: true})
	for b.Loop() {
		if r := env.Get(b, "/sign-in"); r.StatusCode != http.StatusOK {
			b.Fatal(r.StatusCode)
		}
	}
}
