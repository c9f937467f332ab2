package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/web/view"
)

// usage answers "which task definitions use this?" when the page was asked
// for it (?usage=1), and nil otherwise: the search describes the latest
// revision of every active family, too costly for every page view. Only
// families in the person's scope are listed.
func (s *Server) usage(r *http.Request, search func(context.Context) ([]cloud.TaskDefUse, bool, error)) *view.Usage {
	if r.URL.Query().Get("usage") != "1" {
		return nil
	}
	uses, complete, err := search(r.Context())
	if err != nil {
		return &view.Usage{Problem: cloud.ErrorMessage(err)}
	}
	u := &view.Usage{Complete: complete}
	for _, use := range uses {
		if !s.allowedFor(r, kindFamily, use.Family) {
			continue
		}
		u.Users = append(u.Users, view.UsageEntry{
			Label:      use.Family + ":" + strconv.Itoa(use.Revision),
			Href:       "/task-definitions/" + url.PathEscape(use.Family) + "/" + strconv.Itoa(use.Revision),
			Containers: use.Containers,
		})
	}
	return u
}
