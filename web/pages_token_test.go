package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/berthhq/berth/web/webtest"
)

// A list page's position that AWS refuses (a link kept too long or edited)
// is the link's fault: 400, with the way back to the first page.
func TestRefusedPagePositionsPointToTheFirstPage(t *testing.T) {
	env := webtest.New(t)
	for _, path := range []string{
		"/repositories?after=garbage", "/secrets?page=garbage",
		"/task-definitions?token=garbage", "/task-definitions/app?token=garbage",
	} {
		r := env.Get(t, path)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "start again from the first page") {
			t.Errorf("GET %s = %d, want 400 pointing to the first page", path, r.StatusCode)
		}
	}
}
